"""make bench: every benchmark of issue 13 on a fresh database, one table.

Run by ``scripts/bench.sh`` (which builds the database) with the Python that
runs Odoo. Starts the Shopee simulator, a real Odoo server with queue_job's
runner, and the ORM worker (``odoo_worker.py``: floors measured in the same
database, in the same run), then runs, in this order:

1. catalogue pull of 2,000 items × 5 models; Bulk Binding preview and
   automatic binding (SKU match) against 10,000 products;
2. pull of 10,000 orders (``pull_orders`` through the job runner), on a
   freshly started server (its peak memory), against bare ORM creates;
3. sale orders for 1,000 orders (``sale_orders`` job) against bare Odoo
   create + confirm;
4. stock: a full push, then a pass with 1 % of the products changed;
   compute time of the quantities;
5. pulls of 1,000 and 50,000 orders, stock compute over 1,000 and 50,000
   products (growth);
6. dashboard with 100,000 orders;
7. webhook intake on a server started with ``--workers=2``.

Results: the table on stdout, ``.test-logs/bench-results.json``,
``.test-logs/bench-table.md`` and the growth plot (``--plot``).
"""

import argparse
import http.client
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (  # noqa: E402
    LOGS,
    PUSH_KEY,
    SHOP_ID,
    LazadaSimulator,
    MemorySampler,
    OdooServer,
    Simulator,
    Worker,
    connect_shop,
)
from shopee_simulator.push import signature  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from odoo_server import connect_lazada_shop, create_lazada_account  # noqa: E402

TARGETS = {
    "pull_seconds": 30.0,
    "pull_share": 0.5,
    "pull_memory": 500.0,
    "sale_share": 0.9,
    "catalogue_seconds": 60.0,
    "binding_seconds": 5.0,
    "stock_seconds": 5.0,
    "webhook_rps": 200.0,
    "webhook_p99_ms": 100.0,
}
SALE_STATUSES = ["to_ship"]


STARTED = time.monotonic()


def say(message):
    elapsed = int(time.monotonic() - STARTED)
    print(f"==> [{elapsed // 60:02d}:{elapsed % 60:02d}] {message}", flush=True)


def iso(moment):
    return moment.replace(microsecond=0).isoformat()


class Bench:
    def __init__(self, args):
        self.args = args
        self.scale = args.scale
        self.results = {"scale": self.scale}
        self.sizes = {
            "pull": self.n(10000),
            "items": self.n(2000),
            "products": self.n(10000),
            "sale": self.n(1000),
            "webhook": self.n(10000),
            "dashboard": self.n(100000),
            "growth": [self.n(1000), self.n(10000), self.n(50000)],
        }

    def n(self, count):
        return max(int(count * self.scale), 10)

    # -- set-up ------------------------------------------------------------------------
    def start(self):
        say("Starting the Shopee simulator")
        self.sim = Simulator()
        self.reset_simulator(seed=1, orders=self.sizes["pull"])
        say("Starting Odoo with queue_job's runner")
        self.server = OdooServer(self.args.db, self.args.addons_path, "odoo").start()
        self.odoo = self.server.client()
        self.odoo.call(
            "ir.config_parameter", "set_param", "web.base.url", self.server.url
        )
        [self.account_id] = self.odoo.call(
            "marketplace.account",
            "search",
            [("name", "=", "Shopee Thailand (Simulator)")],
        )
        self.connect()
        say("Starting the ORM worker")
        self.worker = Worker(self.args.db, self.args.addons_path)

    def reset_simulator(self, seed, orders):
        now = int(time.time())
        self.sim.control.reset(
            seed=seed,
            orders=orders,
            shop_id=SHOP_ID,
            items=self.sizes["items"],
            models_per_item=5,
            time_from=now - 6 * 86400,
            time_to=now - 120,
        )

    def connect(self):
        """Connect the shop (again after a reset: the simulator forgets its
        tokens); nothing runs by itself, every job is started here."""
        self.shop_id = connect_shop(self.odoo, self.account_id, self.sim.url)
        self.odoo.call(
            "marketplace.shop",
            "write",
            [self.shop_id],
            {
                "auto_create_sale_orders": False,
                "auto_push_stock": False,
                "sale_orders_from": "2000-01-01 00:00:00",
            },
        )

    def stop(self):
        for name in ("worker", "server", "sim", "lazada"):
            thing = getattr(self, name, None)
            if thing:
                thing.stop()

    # -- jobs ----------------------------------------------------------------------------
    def run_job(self, job_type, payload, timeout=1800, sampler=None, shop=None):
        """Create a marketplace job as the admin does; wait until it ends.

        :param shop: (account id, shop id, simulator) of another shop than
            the Shopee one
        """
        account_id, shop_id, sim = shop or (self.account_id, self.shop_id, self.sim)
        calls = sim.calls()
        started = time.perf_counter()
        job_id = self.odoo.call(
            "marketplace.job",
            "create",
            {
                "job_type": job_type,
                "account_id": account_id,
                "shop_id": shop_id,
                "payload": json.dumps(payload),
            },
        )
        # Polled in SQL by the worker: RPC calls would load the server.
        deadline = time.monotonic() + timeout
        while True:
            [[state]] = self.worker(
                "sql",
                query="SELECT state FROM marketplace_job WHERE id = %s",
                params=[job_id],
            )["rows"]
            if state in ("completed", "failed"):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{job_type} job {job_id} not done in {timeout}s")
            time.sleep(0.1)
        seconds = time.perf_counter() - started
        [job] = self.odoo.call(
            "marketplace.job",
            "read",
            [job_id],
            ["state", "result_summary", "error_message"],
        )
        if job["state"] != "completed":
            raise RuntimeError(f"{job_type} job failed: {job['error_message']}")
        after = sim.calls()
        made = {
            path: after.get(path, 0) - calls.get(path, 0)
            for path in after
            if after.get(path, 0) != calls.get(path, 0)
        }
        return {
            "job_id": job_id,
            "seconds": seconds,
            "summary": job["result_summary"],
            "calls": made,
        }

    def queries(self, job_id):
        """SQL queries of the job's queue jobs, from the server's access log."""
        qjobs = self.odoo.call(
            "queue.job",
            "search_read",
            [("marketplace_job_id", "=", job_id)],
            ["uuid", "method_name"],
        )
        uuids = [qjob["uuid"] for qjob in qjobs]
        found = {}
        for _try in range(20):
            found = self.server.runjob_queries(uuids)
            if len(found) == len(uuids):
                break
            time.sleep(0.25)
        first_steps = [q["uuid"] for q in qjobs if q["method_name"] == "_job_run"]
        return {
            "queue_jobs": len(uuids),
            "logged": len(found),
            # the first step: listing the orders, queueing the chunks
            "listing_seconds": sum(
                found[uuid][1] + found[uuid][2] for uuid in first_steps if uuid in found
            ),
            "queries": sum(value[0] for value in found.values()),
            "query_seconds": sum(value[1] for value in found.values()),
            "other_seconds": sum(value[2] for value in found.values()),
        }

    @staticmethod
    def api_calls(calls, prefix):
        return sum(count for path, count in calls.items() if prefix in path)

    def pull(self, label, sampler=None):
        since = datetime.now(timezone.utc) - timedelta(days=7)
        result = self.run_job(
            "pull_orders", {"since": iso(since), "until": None}, sampler=sampler
        )
        job = self.odoo.read_one("marketplace.job", result["job_id"], ["orders_listed"])
        orders = job["orders_listed"]
        result.update(
            orders=orders,
            rate=orders / result["seconds"],
            list_calls=self.api_calls(result["calls"], "get_order_list"),
            detail_calls=self.api_calls(result["calls"], "get_order_detail"),
            minimum_calls=math.ceil(orders / 100) + math.ceil(orders / 50),
        )
        result.update(self.queries(result["job_id"]))
        result["queries_per_order"] = result["queries"] / max(orders, 1)
        say(
            f"{label}: {orders} orders in {result['seconds']:.1f} s "
            f"({result['rate']:.0f} orders/s; listing {result['listing_seconds']:.1f} s)"
        )
        return result

    # -- benchmarks ------------------------------------------------------------------------
    def bench_catalogue(self):
        say(f"Catalogue pull: {self.sizes['items']} items × 5 models")
        result = self.run_job("pull_products", {})
        items = self.sizes["items"]
        listings = self.odoo.call(
            "marketplace.product.binding",
            "search_count",
            [("shop_id", "=", self.shop_id), ("active", "in", [True, False])],
        )
        with_models = self.sim.control.call(
            "GET", "catalogue", query={"shop_id": SHOP_ID}
        )
        items_with_models = sum(
            1
            for item in with_models["items"]
            if any(model.get("model_id") for model in item.get("models") or [])
        )
        result.update(
            listings=listings,
            api_calls=self.api_calls(result["calls"], "/product/"),
            minimum_calls=math.ceil(items / 100)
            + math.ceil(items / 50)
            + items_with_models,
        )
        self.results["catalogue"] = result
        say(f"  {listings} listings in {result['seconds']:.1f} s")

        say(f"Products: {self.sizes['products']} storable products with stock")
        self.results["products"] = self.worker(
            "create_products", shop_id=self.shop_id, count=self.sizes["products"]
        )
        say("Bulk Binding preview")
        wizard_id = self.odoo.call(
            "marketplace.product.bind.wizard", "create", {"shop_id": self.shop_id}
        )
        started = time.perf_counter()
        self.odoo.call("marketplace.product.bind.wizard", "action_preview", [wizard_id])
        seconds = time.perf_counter() - started
        counts = self.odoo.read_one(
            "marketplace.product.bind.wizard",
            wizard_id,
            ["matched_count", "ambiguous_count", "listing_count", "product_count"],
        )
        self.results["preview"] = dict(counts, seconds=seconds)
        say(f"  {seconds:.2f} s: {counts}")
        say("Automatic binding (SKU match)")
        self.results["auto_match"] = self.worker("auto_match", shop_id=self.shop_id)
        say(f"  {self.results['auto_match']}")
        self.results["bind_rest"] = self.worker("bind_rest", shop_id=self.shop_id)

    def bench_pull(self):
        say("Floor: bare ORM create of the same orders and lines")
        self.results["pull_floor"] = floor = self.worker(
            "order_floor",
            shop_id=self.shop_id,
            simulator_url=self.sim.url,
            one_by_one=self.n(2000),
        )
        say(
            f"  batch {floor['batch_rate']:.0f} orders/s, one by one "
            f"{floor['one_by_one_rate']:.0f} orders/s"
        )
        say("The connector's chunk import called directly (no job runner)")
        self.results["pull_direct"] = direct = self.worker(
            "import_direct",
            shop_id=self.shop_id,
            simulator_url=self.sim.url,
            count=self.n(2000),
        )
        say(f"  {direct['rate']:.0f} orders/s")
        say("Restarting Odoo (its peak memory is the pull's)")
        self.server.restart()
        self.odoo = self.server.client()
        with MemorySampler(self.server) as sampler:
            result = self.pull(f"Pull of {self.sizes['pull']} orders", sampler)
        result["rss_peak_sampled"] = sampler.peak
        result["rss_peak"] = self.server.memory()[1]
        self.results["pull"] = result

    def bench_sale_orders(self):
        order_ids = self.worker(
            "eligible_orders",
            shop_id=self.shop_id,
            count=self.sizes["sale"],
            statuses=SALE_STATUSES,
        )["order_ids"]
        say(f"Floor: bare create + confirm of {len(order_ids)} sale orders")
        floor = self.worker("sale_floor", order_ids=order_ids)
        say(f"  {floor['rate']:.1f} orders/s")
        say("The connector's sale orders called directly (no job runner, no calls)")
        self.results["sale_direct"] = direct = self.worker(
            "sale_direct", order_ids=order_ids
        )
        say(f"  {direct['rate']:.1f} orders/s")
        say(f"Sale orders for {len(order_ids)} orders (sale_orders job)")
        result = self.run_job("sale_orders", {"order_ids": order_ids})
        result.update(orders=len(order_ids), rate=len(order_ids) / result["seconds"])
        result["floor"] = floor
        self.results["sale"] = result
        say(f"  {result['seconds']:.1f} s ({result['rate']:.1f} orders/s)")

    def bench_stock(self):
        say("Stock: full push of every bound listing")
        full = self.run_job("push_stock", {})
        full["update_calls"] = self.api_calls(full["calls"], "update_stock")
        say(f"  {full['seconds']:.1f} s, {full['update_calls']} update_stock calls")
        change = self.worker("change_stock", shop_id=self.shop_id, share=0.01)
        say(f"Stock pass: {change['products']} products changed")
        delta = self.run_job("push_stock", {})
        delta["update_calls"] = self.api_calls(delta["calls"], "update_stock")
        delta["minimum_calls"] = change["items"]
        say(f"  {delta['seconds']:.1f} s, {delta['update_calls']} update_stock calls")
        compute = self.worker(
            "stock_compute", shop_id=self.shop_id, sizes=self.sizes["growth"][:2]
        )
        self.results["stock"] = {"full": full, "pass": delta, "compute": compute}
        say(f"  compute: {compute}")

    def bench_growth(self):
        growth = {str(self.sizes["pull"]): self.results["pull"]}
        for seed, size in ((2, self.sizes["growth"][0]), (3, self.sizes["growth"][2])):
            say(f"Growth: simulator with {size} new orders")
            self.reset_simulator(seed=seed, orders=size)
            self.connect()
            growth[str(size)] = self.pull(f"Pull of {size} orders")
        self.results["growth_pull"] = {
            key: {
                "orders": value["orders"],
                "seconds": value["seconds"],
                "listing_seconds": value["listing_seconds"],
            }
            for key, value in growth.items()
        }
        say(f"Growth: {self.sizes['growth'][2]} storable products")
        self.results["more_products"] = self.worker(
            "more_products", shop_id=self.shop_id, total=self.sizes["growth"][2]
        )
        compute = self.worker(
            "stock_compute", shop_id=self.shop_id, sizes=[self.sizes["growth"][2]]
        )
        self.results["stock"]["compute"].update(compute)
        say(f"  compute: {compute}")

    def bench_lazada(self):
        """The same pull and stock pass on a Lazada shop (its own simulator):
        10,000 orders against the bare create of the same orders, 10,000
        listings pushed in calls of 50 SKUs."""
        size = self.sizes["pull"]
        say(
            f"Lazada: simulator with {size} orders, {self.sizes['items']} items × 5 SKUs"
        )
        self.lazada = sim = LazadaSimulator()
        now = int(time.time())
        sim.control.reset(
            seed=1,
            orders=size,
            items=self.sizes["items"],
            skus_per_item=5,
            time_from=now - 6 * 86400,
            time_to=now - 120,
            include_seed_orders=False,
        )
        account_id = create_lazada_account(self.odoo, "Lazada bench", sim.url)
        shop_id = connect_lazada_shop(self.odoo, account_id)["id"]
        self.odoo.call(
            "marketplace.shop",
            "write",
            [shop_id],
            {
                "auto_create_sale_orders": False,
                "auto_push_stock": False,
                "sale_orders_from": "2000-01-01 00:00:00",
            },
        )
        shop = (account_id, shop_id, sim)
        say("Floor: bare ORM create of the same orders and lines")
        floor = self.worker(
            "order_floor",
            shop_id=shop_id,
            simulator_url=sim.url,
            one_by_one=self.n(2000),
        )
        say(f"  batch {floor['batch_rate']:.0f} orders/s")
        since = datetime.now(timezone.utc) - timedelta(days=7)
        pull = self.run_job(
            "pull_orders", {"since": iso(since), "until": None}, shop=shop
        )
        orders = self.odoo.read_one(
            "marketplace.job", pull["job_id"], ["orders_listed"]
        )["orders_listed"]
        pull.update(
            orders=orders,
            rate=orders / pull["seconds"],
            api_calls=sum(pull["calls"].values()),
            # /orders/get by 100, /orders/items/get by 50, /order/get each
            minimum_calls=math.ceil(orders / 100) + math.ceil(orders / 50) + orders,
        )
        say(f"  pull: {orders} orders in {pull['seconds']:.1f} s")
        say("Lazada: the catalogue, bound, then pushed")
        catalogue = self.run_job("pull_products", {}, shop=shop)
        self.worker("create_products", shop_id=shop_id, count=self.sizes["products"])
        self.worker("auto_match", shop_id=shop_id)
        self.worker("bind_rest", shop_id=shop_id)
        listings = self.odoo.call(
            "marketplace.product.binding",
            "search_count",
            [("shop_id", "=", shop_id), ("product_id", "!=", False)],
        )
        full = self.run_job("push_stock", {}, shop=shop)
        full["update_calls"] = self.api_calls(full["calls"], "stock/sellable/update")
        full["minimum_calls"] = math.ceil(listings / 50)
        change = self.worker("change_stock", shop_id=shop_id, share=0.01)
        delta = self.run_job("push_stock", {}, shop=shop)
        delta["update_calls"] = self.api_calls(delta["calls"], "stock/sellable/update")
        delta["minimum_calls"] = math.ceil(change["products"] / 50)
        say(
            f"  {listings} listings: full push {full['seconds']:.1f} s "
            f"({full['update_calls']} calls), 1 % changed {delta['seconds']:.1f} s "
            f"({delta['update_calls']} calls)"
        )
        self.results["lazada"] = {
            "floor": floor,
            "pull": pull,
            "catalogue": catalogue,
            "listings": listings,
            "full": full,
            "pass": delta,
        }

    def bench_dashboard(self):
        fill = self.worker(
            "fill_orders", shop_id=self.shop_id, total=self.sizes["dashboard"]
        )
        say(f"Dashboard with {fill['orders']} orders")
        timings, floor = [], []
        for _run in range(5):
            started = time.perf_counter()
            self.odoo.call("marketplace.dashboard", "get_dashboard_data")
            timings.append(time.perf_counter() - started)
            started = time.perf_counter()
            self.odoo.call("marketplace.order", "search_count", [])
            floor.append(time.perf_counter() - started)
        self.results["dashboard"] = {
            "orders": fill["orders"],
            "first": timings[0],
            "median": statistics.median(timings),
            "floor_median": statistics.median(floor),
        }
        say(f"  {self.results['dashboard']}")

    def bench_webhook(self):
        account = self.odoo.read_one(
            "marketplace.account", self.account_id, ["shopee_webhook_url"]
        )
        order_sns = [
            row[0]
            for row in self.worker(
                "sql",
                query="SELECT name FROM marketplace_order WHERE shop_id = %s "
                "AND name NOT LIKE '%%-C%%' ORDER BY id LIMIT 2000",
                params=[self.shop_id],
            )["rows"]
        ]
        events_before = self._events()
        say("Restarting Odoo with --workers=2 for the webhook intake")
        self.server.stop()
        server = OdooServer(
            self.args.db, self.args.addons_path, "odoo-workers", workers=2
        ).start()
        try:
            url = account["shopee_webhook_url"]
            path = urlparse(url).path
            count = self.sizes["webhook"]
            now = int(time.time())
            bodies = []
            for index in range(count):
                body = {
                    "data": {
                        "items": [],
                        "ordersn": order_sns[index % len(order_sns)],
                        "status": "READY_TO_SHIP",
                        "completed_scenario": "",
                        "update_time": now + index,
                    },
                    "shop_id": SHOP_ID,
                    "code": 3,
                    "timestamp": now + index,
                    "msg_id": f"bench{index:027d}",
                }
                raw = json.dumps(body, separators=(",", ":")).encode()
                bodies.append((raw, signature(PUSH_KEY, url, raw)))
            port = server.port
            say("Floor: GET /web/health, same concurrency")
            floor = load(
                port,
                [("GET", "/web/health", None, None)] * min(count, 1000),
                self.args.concurrency,
            )
            say(f"  {floor['rps']:.0f} requests/s, p99 {floor['p99_ms']:.1f} ms")
            say(f"Webhook intake: {count} signed pushes")
            result = load(
                port,
                [("POST", path, raw, sign) for raw, sign in bodies],
                self.args.concurrency,
            )
            result["floor"] = floor
        finally:
            server.stop()
        result["stored"] = self._events() - events_before
        result["concurrency"] = self.args.concurrency
        self.results["webhook"] = result
        say(
            f"  {result['rps']:.0f} requests/s, p50 {result['p50_ms']:.1f} ms, "
            f"p99 {result['p99_ms']:.1f} ms, {result['stored']} stored, "
            f"statuses {result['statuses']}"
        )

    def _events(self):
        return self.worker(
            "sql", query="SELECT count(*) FROM marketplace_webhook_event"
        )["rows"][0][0]

    def run(self):
        steps = [
            ("catalogue", self.bench_catalogue),
            ("pull", self.bench_pull),
            ("sale", self.bench_sale_orders),
            ("stock", self.bench_stock),
            ("growth", self.bench_growth),
            ("lazada", self.bench_lazada),
            ("dashboard", self.bench_dashboard),
            ("webhook", self.bench_webhook),
        ]
        started = time.perf_counter()
        loads, done = [], threading.Event()

        def sample_load():  # other sessions may run tests meanwhile: said
            while not done.wait(5):
                loads.append(os.getloadavg()[0])

        sampler = threading.Thread(target=sample_load, daemon=True)
        sampler.start()
        self.start()
        try:
            for name, step in steps:
                if self.args.skip and name in self.args.skip:
                    continue
                step()
        finally:
            self.stop()
            done.set()
        self.results["total_seconds"] = time.perf_counter() - started
        self.results["machine"] = machine()
        self.results["machine"]["load_average"] = (
            statistics.mean(loads) if loads else None
        )
        return self.results


def load(port, requests_, concurrency):
    """Send the requests from ``concurrency`` threads, one connection each
    request (Odoo's workers close it); latencies as the sender sees them."""
    latencies, statuses, lock = [], {}, threading.Lock()
    position = iter(range(len(requests_)))

    def sender():
        mine, codes = [], {}
        while True:
            with lock:
                index = next(position, None)
            if index is None:
                break
            method, path, body, sign = requests_[index]
            headers = {"Content-Type": "application/json"}
            if sign:
                headers["Authorization"] = sign
            began = time.perf_counter()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
            except OSError as error:
                status = type(error).__name__
            finally:
                connection.close()
            mine.append(time.perf_counter() - began)
            codes[status] = codes.get(status, 0) + 1
        with lock:
            latencies.extend(mine)
            for code, number in codes.items():
                statuses[str(code)] = statuses.get(str(code), 0) + number

    threads = [threading.Thread(target=sender) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    ordered = sorted(latencies)

    def percentile(share):
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    return {
        "requests": len(ordered),
        "seconds": seconds,
        "rps": len(ordered) / seconds,
        "p50_ms": percentile(0.50),
        "p99_ms": percentile(0.99),
        "statuses": statuses,
    }


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = 0
    try:
        with open("/proc/meminfo") as info:
            memory = int(info.readline().split()[1]) // 1024
    except OSError:
        pass
    postgres = subprocess.run(
        ["psql", "-d", "postgres", "-Atc", "SHOW server_version"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_mib": memory,
        "python": platform.python_version(),
        "postgresql": postgres,
        "date": time.strftime("%Y-%m-%d"),
    }


# -- the table ------------------------------------------------------------------------------


def verdict(ok):
    return "met" if ok else "NOT met"


def rows(results):
    """(benchmark, measured, floor or target, verdict) for each figure."""
    out = []
    pull = results.get("pull")
    floor = results.get("pull_floor")
    direct = results.get("pull_direct")
    if pull and floor:
        share = pull["rate"] / floor["batch_rate"]
        out += [
            (
                f"Pull {pull['orders']:,} orders (job runner)",
                f"{pull['seconds']:.1f} s, {pull['rate']:.0f} orders/s",
                f"≤ {TARGETS['pull_seconds']:.0f} s; bare batch create "
                f"{floor['batch_rate']:.0f} orders/s (one by one "
                f"{floor['one_by_one_rate']:.0f}): {share:.0%} of it, target ≥ 50 %",
                verdict(
                    pull["seconds"] <= TARGETS["pull_seconds"]
                    and share >= TARGETS["pull_share"]
                ),
            ),
            (
                "  Shopee calls",
                f"{pull['list_calls']} list + {pull['detail_calls']} detail",
                f"minimum {pull['minimum_calls']} "
                f"({math.ceil(pull['orders'] / 100)} + {math.ceil(pull['orders'] / 50)})",
                verdict(
                    pull["list_calls"] + pull["detail_calls"] <= pull["minimum_calls"]
                ),
            ),
            (
                "  SQL queries per order",
                f"{pull['queries_per_order']:.1f}",
                f"bare batch create {floor['batch_queries_per_order']:.1f}",
                "—",
            ),
            *(
                [
                    (
                        "  chunk import called directly (no job runner)",
                        f"{direct['rate']:.0f} orders/s, "
                        f"{direct['queries_per_order']:.1f} queries per order",
                        f"{direct['rate'] / floor['batch_rate']:.0%} of the bare "
                        f"batch create ({direct['orders']:,} orders)",
                        "—",
                    )
                ]
                if direct
                else []
            ),
            (
                "  server peak memory",
                f"{pull['rss_peak']:.0f} MB",
                f"< {TARGETS['pull_memory']:.0f} MB",
                verdict(pull["rss_peak"] < TARGETS["pull_memory"]),
            ),
        ]
    sale = results.get("sale")
    if sale:
        share = sale["rate"] / sale["floor"]["rate"]
        out.append(
            (
                f"Sale orders for {sale['orders']:,} orders (sale_orders job)",
                f"{sale['seconds']:.1f} s, {sale['rate']:.1f} orders/s",
                f"bare create + confirm {sale['floor']['rate']:.1f} orders/s: "
                f"{share:.0%} of it, target ≥ 90 %",
                verdict(share >= TARGETS["sale_share"]),
            )
        )
        direct = results.get("sale_direct")
        if direct:
            out.append(
                (
                    "  sale orders called directly (no job runner, no Shopee calls)",
                    f"{direct['rate']:.1f} orders/s",
                    f"{direct['rate'] / sale['floor']['rate']:.0%} of the bare "
                    "create + confirm",
                    "—",
                )
            )
    catalogue = results.get("catalogue")
    if catalogue:
        out += [
            (
                f"Catalogue pull, {catalogue['listings']:,} models",
                f"{catalogue['seconds']:.1f} s",
                f"≤ {TARGETS['catalogue_seconds']:.0f} s",
                verdict(catalogue["seconds"] <= TARGETS["catalogue_seconds"]),
            ),
            (
                "  Shopee calls",
                f"{catalogue['api_calls']}",
                f"minimum {catalogue['minimum_calls']}",
                verdict(catalogue["api_calls"] <= catalogue["minimum_calls"]),
            ),
        ]
    match = results.get("auto_match")
    if match:
        products = results["products"]["products"]
        out.append(
            (
                f"Automatic binding, {match['listings']:,} listings × "
                f"{products:,} products",
                f"{match['seconds']:.2f} s ({match['bound']:,} bound by SKU)",
                f"≤ {TARGETS['binding_seconds']:.0f} s",
                verdict(match["seconds"] <= TARGETS["binding_seconds"]),
            )
        )
    preview = results.get("preview")
    if preview:
        out.append(
            (
                "Bulk Binding preview, same",
                f"{preview['seconds']:.2f} s ({preview['matched_count']:,} matched)",
                f"≤ {TARGETS['binding_seconds']:.0f} s",
                verdict(preview["seconds"] <= TARGETS["binding_seconds"]),
            )
        )
    stock = results.get("stock")
    if stock:
        compute = stock["compute"]
        key = max(compute, key=lambda k: -abs(int(k) - 10000 * results["scale"]))
        seconds = compute[key]["seconds"][0]
        out += [
            (
                f"Stock pass compute, {compute[key]['products']:,} bindings",
                f"{seconds:.2f} s",
                f"≤ {TARGETS['stock_seconds']:.0f} s",
                verdict(seconds <= TARGETS["stock_seconds"]),
            ),
            (
                "  push with 1 % changed (push_stock job)",
                f"{stock['pass']['update_calls']} update_stock calls, "
                f"{stock['pass']['seconds']:.1f} s",
                f"minimum {stock['pass']['minimum_calls']} calls "
                f"(full push: {stock['full']['update_calls']} calls, "
                f"{stock['full']['seconds']:.1f} s)",
                verdict(
                    stock["pass"]["update_calls"] <= stock["pass"]["minimum_calls"]
                ),
            ),
        ]
    lazada = results.get("lazada")
    if lazada:
        pull, floor = lazada["pull"], lazada["floor"]
        share = pull["rate"] / floor["batch_rate"]
        out += [
            (
                f"Lazada pull, {pull['orders']:,} orders (pull_orders job)",
                f"{pull['seconds']:.1f} s, {pull['rate']:.0f} orders/s",
                f"bare batch create {floor['batch_rate']:.0f} orders/s: "
                f"{share:.0%} of it, target ≥ 50 %",
                verdict(share >= TARGETS["pull_share"]),
            ),
            (
                "  Lazada calls",
                f"{pull['api_calls']:,}",
                f"minimum {pull['minimum_calls']:,} (/order/get per order)",
                verdict(pull["api_calls"] <= pull["minimum_calls"]),
            ),
            (
                f"Lazada stock pass, {lazada['listings']:,} listings",
                f"full push {lazada['full']['seconds']:.1f} s, "
                f"{lazada['full']['update_calls']} calls; 1 % changed "
                f"{lazada['pass']['seconds']:.1f} s, "
                f"{lazada['pass']['update_calls']} calls",
                f"minimum {lazada['full']['minimum_calls']} calls (50 SKUs each); "
                f"{lazada['pass']['minimum_calls']} for 1 %",
                verdict(
                    lazada["full"]["update_calls"] <= lazada["full"]["minimum_calls"]
                    and lazada["pass"]["update_calls"]
                    <= lazada["pass"]["minimum_calls"]
                ),
            ),
        ]
    webhook = results.get("webhook")
    if webhook:
        floor = webhook["floor"]
        ok = (
            webhook["rps"] >= TARGETS["webhook_rps"]
            and webhook["p99_ms"] <= TARGETS["webhook_p99_ms"]
        )
        out.append(
            (
                f"Webhook intake, {webhook['requests']:,} signed pushes "
                f"(--workers=2, {webhook['concurrency']} senders)",
                f"{webhook['rps']:.0f} req/s, p50 {webhook['p50_ms']:.0f} ms, "
                f"p99 {webhook['p99_ms']:.0f} ms",
                f"≥ {TARGETS['webhook_rps']:.0f} req/s, p99 ≤ "
                f"{TARGETS['webhook_p99_ms']:.0f} ms; bare GET /web/health "
                f"{floor['rps']:.0f} req/s, p99 {floor['p99_ms']:.0f} ms",
                verdict(ok),
            )
        )
    dashboard = results.get("dashboard")
    if dashboard:
        out.append(
            (
                f"Dashboard, {dashboard['orders']:,} orders",
                f"{dashboard['median']:.2f} s (first {dashboard['first']:.2f} s)",
                f"one search_count of the orders {dashboard['floor_median']:.2f} s",
                "—",
            )
        )
    growth = results.get("growth_pull")
    if growth:
        ordered = sorted(growth.values(), key=lambda v: v["orders"])
        parts = [f"{value['orders']:,}: {value['seconds']:.1f} s" for value in ordered]
        out.append(("Pull growth", "; ".join(parts), "linear", linearity(growth)))
        imports = {
            key: {
                "orders": value["orders"],
                "seconds": value["seconds"] - value.get("listing_seconds", 0.0),
            }
            for key, value in growth.items()
        }
        parts = [
            f"{value['orders']:,}: {value.get('listing_seconds', 0):.1f} s"
            for value in ordered
        ]
        out.append(
            (
                "  of which the listing step",
                "; ".join(parts),
                "chunks alone: linear",
                linearity(imports),
            )
        )
    if stock and len(stock["compute"]) > 1:
        parts = [
            f"{value['products']:,}: {value['seconds'][0]:.2f} s"
            for value in sorted(stock["compute"].values(), key=lambda v: v["products"])
        ]
        compute_growth = {
            key: {"orders": value["products"], "seconds": value["seconds"][0]}
            for key, value in stock["compute"].items()
        }
        out.append(
            (
                "Stock compute growth",
                "; ".join(parts),
                "linear",
                linearity(compute_growth),
            )
        )
    return out


def linearity(points):
    """Seconds per record of the largest size against the middle one."""
    ordered = sorted(points.values(), key=lambda v: v["orders"])
    if len(ordered) < 2:
        return "—"
    per = [value["seconds"] / value["orders"] for value in ordered]
    ratio = per[-1] / per[len(per) // 2]
    return f"{ratio:.2f}× per record"


def print_table(results):
    table = rows(results)
    headers = ("Benchmark", "Measured", "Floor / target (same run)", "Target")
    widths = [max(len(str(row[i])) for row in (*table, headers)) for i in range(4)]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    print()
    print(line.format(*headers))
    print("  ".join("-" * w for w in widths))
    for row in table:
        print(line.format(*row))
    m = results["machine"]
    load = m.get("load_average")
    print(
        f"\nMachine: {m['nproc']} cores ({m['cpu']}), {m['ram_mib']:,} MiB RAM, "
        f"PostgreSQL {m['postgresql']}, Python {m['python']}; "
        f"run took {results['total_seconds'] / 60:.1f} min"
        + (f", load average {load:.1f} during it." if load is not None else ".")
    )
    markdown = [
        "| " + " | ".join(headers) + " |",
        "| " + " | ".join("---" for _ in headers) + " |",
    ]
    markdown += ["| " + " | ".join(str(c) for c in row) + " |" for row in table]
    (LOGS / "bench-table.md").write_text("\n".join(markdown) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--addons-path", required=True)
    parser.add_argument(
        "--scale", type=float, default=1.0, help="sizes × this (0.1 for a try)"
    )
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument(
        "--skip",
        nargs="*",
        help="catalogue pull sale stock growth lazada dashboard webhook",
    )
    parser.add_argument("--plot", help="write the growth plot (PNG) here")
    parser.add_argument("--table-only", help="print the table of a results JSON")
    args = parser.parse_args()
    if args.table_only:
        results = json.loads(Path(args.table_only).read_text())
    else:
        results = Bench(args).run()
        (LOGS / "bench-results.json").write_text(json.dumps(results, indent=2))
    print_table(results)
    if args.plot:
        from plot import plot

        plot(results, Path(args.plot))
        print(f"Plot: {args.plot}")


if __name__ == "__main__":
    main()
