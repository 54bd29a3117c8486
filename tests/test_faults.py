"""Fault suite: a real Odoo server, its job runner and the simulator, hurt.

Each scenario proves that nothing is lost or duplicated when Shopee fails,
the server dies, processes race for the token, or junk reaches the webhook:

* 1,000 orders arriving at once by the scheduled pull, webhook pushes and
  "Import orders now" while 20 % of Shopee's calls fail (500, 429, timeouts)
  and the access token dies mid-run;
* the server killed (SIGKILL) in the middle of a pull and of a stock push,
  then started again;
* 100 refreshes of one shop's token from four processes at once;
* 10,000 malformed, oversized or badly signed webhook requests;
* one stock for a Shopee and a Lazada shop: a sale on either lowers the
  other's online quantity in the next automatic push, under faults on both.

The test database gets short retry patterns for the connector's job
functions (the issue allows it; the module's data keeps production's), so
that ten retries take seconds, not an hour. The shop is connected to an
account of this module's own, so the other end-to-end tests' data is
neither counted nor touched (their shops' scheduled pulls are paused while
this module runs, and resumed after).
"""

import hashlib
import hmac
import json
import random
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
import requests
from odoo_server import (
    FAST_RETRY_PATTERN,
    LAZADA_SELLER_ID,
    LOGS,
    OPEN_DEMAND_STATUSES,
    ROOT,
    SHOP_ID,
    SIM_PUSH_KEY,
    connect_lazada_shop,
    connect_shop,
    create_lazada_account,
    create_simulator_account,
    db_query,
    start_server,
    wait_until,
)
from shopee_simulator.generator import new_order, pools_for

# What the sync rule of the shop says (marketplace_sync_rule.py).
RULE = {"buffer_qty": 5, "allocation": 90, "rounding": 2, "min_online_qty": 6}
INITIAL_STOCK = 400
LIVE_QUEUE_STATES = ("wait_dependencies", "pending", "enqueued", "started")


def online_quantity(free, demand, buffer=0, allocation=100, rounding=0, minimum=0):
    """The README's arithmetic of the stock a shop shows, written again here."""
    online = max(0, (max(0, int(free) - int(demand)) - buffer) * allocation // 100)
    if rounding:
        online = online // rounding * rounding
    return 0 if online < minimum else online


# -- fixtures -----------------------------------------------------------------


@pytest.fixture(scope="module")
def server():
    odoo_server = start_server("faults-odoo.log")
    try:
        yield odoo_server
    finally:
        odoo_server.stop()


@pytest.fixture(scope="module")
def admin(server):
    client = server.client()
    client.call("ir.config_parameter", "set_param", "web.base.url", server.url)
    return client


@pytest.fixture(scope="module")
def fast_retries(admin):
    """Short retry patterns on this database for the suite's duration."""
    functions = admin.search_read(
        "queue.job.function",
        [
            (
                "model_id.model",
                "in",
                ["marketplace.job", "marketplace.webhook.event"],
            )
        ],
        ["edit_retry_pattern"],
    )
    assert functions, "the connector's job functions are missing"
    for function in functions:
        admin.call(
            "queue.job.function",
            "write",
            [function["id"]],
            {"edit_retry_pattern": FAST_RETRY_PATTERN},
        )
    try:
        yield
    finally:
        for function in functions:
            admin.call(
                "queue.job.function",
                "write",
                [function["id"]],
                {"edit_retry_pattern": function["edit_retry_pattern"]},
            )


@pytest.fixture(scope="module")
def other_shops_paused(admin):
    """The cron pulls every shop: leave the other tests' shops out of it."""
    others = admin.call(
        "marketplace.shop",
        "search",
        [("auto_import_orders", "=", True), ("account_id.name", "!=", "Fault suite")],
    )
    admin.call("marketplace.shop", "write", others, {"auto_import_orders": False})
    try:
        yield
    finally:
        admin.call("marketplace.shop", "write", others, {"auto_import_orders": True})


@pytest.fixture(scope="module")
def shop(admin, shopee_simulator, fast_retries, other_shops_paused):
    """The shop of this module: connected, its listings bound to products in
    stock, a shop-wide sync rule, its stock pushed once."""
    sim = shopee_simulator
    sim.reset(seed=13, orders=0, items=24, models_per_item=2)
    account_id = create_simulator_account(admin, "Fault suite", sim.url)
    shop = connect_shop(admin, account_id, sim.url)
    company_id = admin.call(
        "marketplace.account", "read", [account_id], ["company_id"]
    )[0]["company_id"][0]
    [warehouse] = admin.search_read(
        "stock.warehouse",
        [("company_id", "=", company_id)],
        ["lot_stock_id"],
        limit=1,
    )
    location_id = warehouse["lot_stock_id"][0]
    admin.call(
        "marketplace.shop", "write", [shop["id"]], {"warehouse_id": warehouse["id"]}
    )
    items = [item for item in sim.catalogue(SHOP_ID) if item["item_status"] == "NORMAL"]
    listings = [
        (item["item_id"], model["model_id"], item, model)
        for item in items
        for model in item["models"]
    ]
    product_ids = admin.call(
        "product.product",
        "create",
        [
            {
                "name": f"Fault suite {item_id}/{model_id}",
                "type": "consu",
                "is_storable": True,
                "default_code": f"FS-{item_id}-{model_id}",
                "list_price": model["price"],
            }
            for item_id, model_id, _item, model in listings
        ],
    )
    quant_ids = admin.call(
        "stock.quant",
        "create",
        [
            {
                "product_id": product_id,
                "location_id": location_id,
                "inventory_quantity": INITIAL_STOCK,
            }
            for product_id in product_ids
        ],
        context={"inventory_mode": True},
    )
    admin.call("stock.quant", "action_apply_inventory", quant_ids)
    binding_ids = admin.call(
        "marketplace.product.binding",
        "create",
        [
            {
                "shop_id": shop["id"],
                "external_item_id": str(item_id),
                "external_variation_id": str(model_id),
                "product_id": product_id,
                "name": item["item_name"],
                "sku": model["model_sku"] or item["item_sku"] or False,
            }
            for (item_id, model_id, item, model), product_id in zip(
                listings, product_ids, strict=True
            )
        ],
    )
    admin.call("marketplace.sync.rule", "create", dict(RULE, shop_id=shop["id"]))
    context = SimpleNamespace(
        sim=sim,
        seller=SHOP_ID,
        account_id=account_id,
        shop_id=shop["id"],
        location_id=location_id,
        items=items,
        binding_ids=binding_ids,
        product_ids=product_ids,
    )
    push = push_stock_now(admin, context)
    assert push["state"] == "completed", push
    assert_stock_follows_rules(admin, context)
    return context


# -- helpers ------------------------------------------------------------------


def push_stock_now(admin, shop):
    """Press "Push stock now" and wait for its job."""
    before = set(shop_job_ids(admin, shop, "push_stock"))
    answer = admin.call("marketplace.shop", "action_push_stock", [shop.shop_id])
    assert answer["params"]["type"] == "success", answer
    [job_id] = set(shop_job_ids(admin, shop, "push_stock")) - before
    [job] = admin.wait_jobs_done([job_id])
    return job


def new_job_ids(admin, shop, after_id, job_type, origin=None):
    domain = [
        ("shop_id", "=", shop.shop_id),
        ("id", ">", after_id),
        ("job_type", "=", job_type),
    ]
    if origin:
        domain.append(("origin", "=", origin))
    return admin.call("marketplace.job", "search", domain)


def shop_job_ids(admin, shop, job_type=None):
    domain = [("shop_id", "=", shop.shop_id)]
    if job_type:
        domain.append(("job_type", "=", job_type))
    return admin.call("marketplace.job", "search", domain)


def expected_stock(admin, shop):
    """{(item_id, model_id): quantity} the sync rule gives each listing now."""
    bindings = admin.call(
        "marketplace.product.binding",
        "read",
        shop.binding_ids,
        ["external_item_id", "external_variation_id", "product_id"],
    )
    product_ids = [binding["product_id"][0] for binding in bindings]
    free = {
        product["id"]: product["free_qty"]
        for product in admin.call(
            "product.product",
            "read",
            product_ids,
            ["free_qty"],
            context={"location": shop.location_id},
        )
    }
    demand = dict.fromkeys(product_ids, 0.0)
    for line in admin.search_read(
        "marketplace.order.line",
        [
            ("product_id", "in", product_ids),
            ("order_id.status", "in", OPEN_DEMAND_STATUSES),
            "|",
            ("order_id.sale_order_id", "=", False),
            ("order_id.sale_order_id.state", "not in", ["sale", "done"]),
        ],
        ["product_id", "quantity"],
    ):
        demand[line["product_id"][0]] += line["quantity"]
    [rule] = admin.search_read(
        "marketplace.sync.rule", [("shop_id", "=", shop.shop_id)], list(RULE)
    )
    return {
        (int(b["external_item_id"]), int(b["external_variation_id"])): online_quantity(
            free[b["product_id"][0]],
            demand[b["product_id"][0]],
            rule["buffer_qty"],
            rule["allocation"],
            rule["rounding"],
            rule["min_online_qty"],
        )
        for b in bindings
    }


def assert_stock_follows_rules(admin, shop):
    expected = expected_stock(admin, shop)
    online = shop.sim.stock(shop.seller)
    wrong = {
        key: (online.get(key), quantity)
        for key, quantity in expected.items()
        if online.get(key) != quantity
    }
    assert not wrong, f"(item, variation): (online stock, the rules' result) {wrong}"
    # Sanity: the rules' result is not trivially what the listings had.
    assert len(set(expected.values())) > 1 or sum(expected.values()) > 0


def assert_pushes_follow_rules(admin, shop):
    """What Shopee accepted last for each listing is the rules' result."""
    expected = expected_stock(admin, shop)
    pushed = {
        (int(b["external_item_id"]), int(b["external_variation_id"])): b[
            "last_pushed_qty"
        ]
        for b in admin.call(
            "marketplace.product.binding",
            "read",
            shop.binding_ids,
            ["external_item_id", "external_variation_id", "last_pushed_qty"],
        )
    }
    wrong = {
        key: (pushed[key], qty) for key, qty in expected.items() if pushed[key] != qty
    }
    assert not wrong, f"(item, model): (last pushed, the rules' result) {wrong}"


def new_orders(shop, count, seed, status="READY_TO_SHIP"):
    """``count`` orders placed now, of the shop's listings, with money terms."""
    rng = random.Random(seed)
    taken = set(shop.sim.order_sns(SHOP_ID))
    pools = pools_for(shop.items)
    now = int(time.time())
    pairs = [new_order(rng, pools, taken, status, now) for _ in range(count)]
    return [order for order, _ in pairs], {o["order_sn"]: t for o, t in pairs}


def settle(admin, shop, timeout):
    """Wait until nothing is left to run for the shop, three polls in a row:
    no live queue job of its jobs, no push waiting to be processed."""
    quiet = [0]

    def settled():
        busy = (
            admin.count(
                "queue.job",
                [
                    ("state", "in", LIVE_QUEUE_STATES),
                    ("marketplace_job_id.shop_id", "=", shop.shop_id),
                ],
            )
            or admin.count(
                "marketplace.webhook.event",
                [("account_id", "=", shop.account_id), ("state", "=", "received")],
            )
            or admin.count(
                "marketplace.job",
                [
                    ("shop_id", "=", shop.shop_id),
                    ("state", "in", ("pending", "processing")),
                ],
            )
        )
        quiet[0] = 0 if busy else quiet[0] + 1
        return quiet[0] >= 3

    wait_until(settled, timeout, interval=1, message="the queue to drain")


def job_report(admin, shop, since_id=0):
    jobs = admin.search_read(
        "marketplace.job",
        [("shop_id", "=", shop.shop_id), ("id", ">", since_id)],
        ["name", "job_type", "origin", "state", "error_message", "retry_count"],
    )
    return "\n".join(
        f"{j['name']} {j['job_type']} {j['origin']} {j['state']} "
        f"retries={j['retry_count']} {j['error_message'] or ''}"
        for j in jobs
    )


def assert_orders_exactly(admin, shop):
    """Odoo has the shop's orders exactly once each, each with one sale order."""
    on_shopee = set(shop.sim.order_sns(SHOP_ID))
    orders = admin.search_read(
        "marketplace.order",
        [("shop_id", "=", shop.shop_id)],
        ["name", "sale_order_id", "sale_status"],
    )
    names = [order["name"] for order in orders]
    assert len(names) == len(set(names)), "an order is in Odoo twice"
    assert set(names) == on_shopee, (
        f"lost: {sorted(on_shopee - set(names))[:10]}, "
        f"unknown: {sorted(set(names) - on_shopee)[:10]}"
    )
    bindings = admin.count("shopee.order", [("odoo_id.shop_id", "=", shop.shop_id)])
    assert bindings == len(on_shopee), "one Shopee binding per order"
    without = [o["name"] for o in orders if not o["sale_order_id"]]
    assert not without, f"orders without sale order: {without[:10]}"
    sale_orders = admin.search_read(
        "sale.order",
        [("marketplace_order_id.shop_id", "=", shop.shop_id)],
        ["marketplace_order_id", "state"],
    )
    assert len(sale_orders) == len(on_shopee), "one sale order per order"
    assert len({so["marketplace_order_id"][0] for so in sale_orders}) == len(
        sale_orders
    )
    assert {so["state"] for so in sale_orders} == {"sale"}
    return len(names)


# -- 1,000 orders under faults ------------------------------------------------


def test_thousand_orders_under_faults(admin, shop):
    """1,000 orders at once by cron, webhooks and the button, 20 % of calls
    failing and the token expiring: each order once, with its sale order,
    and Shopee shows the stock the rules give."""
    sim = shop.sim
    first_job = max(shop_job_ids(admin, shop) or [0])
    orders_before = admin.count("marketplace.order", [("shop_id", "=", shop.shop_id)])
    refreshes_before = sim.refresh_count(SHOP_ID)
    calls_before = sum(sim.state()["calls"].values())
    [webhook_url] = [
        a["shopee_webhook_url"]
        for a in admin.call(
            "marketplace.account", "read", [shop.account_id], ["shopee_webhook_url"]
        )
    ]
    sim.configure_push(url=webhook_url, enabled=True)
    sim.set_fault_rates(
        server_error=0.1, rate_limit=0.09, timeout=0.01, timeout_seconds=31, seed=11
    )
    try:
        orders, terms = new_orders(shop, 1000, seed=101)
        sim.put_orders(SHOP_ID, orders, escrow=terms)  # 1,000 pushes start
        _model, cron_id = admin.call(
            "ir.model.data",
            "check_object_reference",
            "connector_marketplace",
            "ir_cron_pull_orders",
        )
        admin.call("ir.cron", "method_direct_trigger", [cron_id])
        [pull] = admin.call(
            "marketplace.job",
            "search",
            [
                ("shop_id", "=", shop.shop_id),
                ("job_type", "=", "pull_orders"),
                ("id", ">", first_job),
            ],
        )
        answer = admin.call("marketplace.shop", "action_import_orders", [shop.shop_id])
        assert answer["params"]["type"] == "info", "one pull per shop at a time"

        # The access token dies mid-run: the next call refreshes it.
        wait_until(
            lambda: (
                admin.count("marketplace.order", [("shop_id", "=", shop.shop_id)])
                >= orders_before + 200
            ),
            300,
            message="200 orders imported",
        )
        sim.add_fault("expire_access_token")
        # "Import orders now" once the scheduled pull is over, while the
        # webhooks' imports still run.
        admin.wait_jobs_done([pull], timeout=600)
        answer = admin.call("marketplace.shop", "action_import_orders", [shop.shop_id])
        assert answer["params"]["type"] == "success", answer
        settle(admin, shop, timeout=900)
    finally:
        state = sim.state()
        sim.clear_fault_rates()
        sim.configure_push(enabled=False)
    report = job_report(admin, shop, first_job)
    calls = sum(state["calls"].values()) - calls_before
    assert sum(state["faults_fired"].values()) >= 0.1 * calls, (
        "the faults fired",
        state["faults_fired"],
        calls,
    )
    assert state["refreshes"].get(str(SHOP_ID), 0) > refreshes_before
    assert_orders_exactly(admin, shop)
    assert (
        admin.count("marketplace.order", [("shop_id", "=", shop.shop_id)])
        == orders_before + 1000
    )
    [connected] = admin.call("marketplace.shop", "read", [shop.shop_id], ["auth_state"])
    assert connected["auth_state"] == "connected"
    failed = admin.count(
        "marketplace.job",
        [
            ("shop_id", "=", shop.shop_id),
            ("id", ">", first_job),
            ("state", "=", "failed"),
        ],
    )
    assert not failed, report
    events = admin.search_read(
        "marketplace.webhook.event",
        [("account_id", "=", shop.account_id), ("code", "=", 3)],
        ["state"],
    )
    assert events, "the pushes reached the webhook"
    assert {event["state"] for event in events} == {"done"}, report
    # Every listing's last push that Shopee accepted is the rules' result...
    assert_pushes_follow_rules(admin, shop)
    # ... but an update that timed out may still be applied by Shopee later,
    # over a newer one: the daily reconciliation is what repairs that.
    _model, reconcile = admin.call(
        "ir.model.data",
        "check_object_reference",
        "connector_marketplace",
        "ir_cron_reconcile_stock",
    )
    admin.call("ir.cron", "method_direct_trigger", [reconcile])
    settle(admin, shop, timeout=300)
    assert_stock_follows_rules(admin, shop)


# -- 100 refreshes of one token at once ---------------------------------------


def test_hundred_refreshes_at_once(server, admin, shop):
    """Four processes, 25 refreshes each, all holding the expired token: one
    call to Shopee, everybody gets the new token, the shop stays connected."""
    sim = shop.sim
    [backend] = admin.search_read(
        "shopee.shop", [("marketplace_shop_id", "=", shop.shop_id)], ["access_token"]
    )
    admin.call(
        "marketplace.shop",
        "write",
        [shop.shop_id],
        {"access_token_expires_at": "2000-01-01 00:00:00"},
    )
    refreshes_before = sim.refresh_count(SHOP_ID)
    # A slow Shopee: the others pile up behind the refresh in flight.
    sim.set_fault_rates(latency_ms=300)
    log = open(LOGS / "faults-refresh-workers.log", "w")  # noqa: SIM115
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "tests" / "refresh_worker.py"),
                server.db,
                server.addons_path,
                str(backend["id"]),
                "--threads=4",
                "--attempts=25",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        for _ in range(4)
    ]
    try:
        for worker in workers:
            assert worker.stdout.readline().strip() == "ready"
        for worker in workers:  # all at once
            worker.stdin.write(backend["access_token"] + "\n")
            worker.stdin.flush()
        results = []
        for worker in workers:
            out, _err = worker.communicate(timeout=120)
            assert worker.returncode == 0
            results += json.loads(out.strip().splitlines()[-1])
    finally:
        sim.clear_fault_rates()
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
        log.close()
    assert len(results) == 100
    errors = [result["error"] for result in results if "error" in result]
    assert not errors, errors[:5]
    tokens = {result["token"] for result in results}
    assert len(tokens) == 1, "every attempt got the same new token"
    assert tokens != {backend["access_token"]}
    assert sim.refresh_count(SHOP_ID) == refreshes_before + 1, "one Shopee call"
    [after] = admin.search_read(
        "shopee.shop",
        [("id", "=", backend["id"])],
        ["access_token", "auth_state", "access_token_expires_at"],
    )
    assert after["auth_state"] == "connected"
    assert {after["access_token"]} == tokens, "the new pair was saved"
    assert after["access_token_expires_at"] > time.strftime("%Y-%m-%d %H:%M:%S")
    # The shop still works: an import with the new token.
    admin.call("marketplace.shop", "action_import_orders", [shop.shop_id])
    [pull] = admin.call(
        "marketplace.job",
        "search",
        [
            ("shop_id", "=", shop.shop_id),
            ("job_type", "=", "pull_orders"),
            ("state", "in", ("pending", "processing")),
        ],
    )
    [job] = admin.wait_jobs_done([pull])
    assert job["state"] == "completed", job
    assert sim.refresh_count(SHOP_ID) == refreshes_before + 1


# -- 10,000 bad webhook requests ----------------------------------------------

JUNK_REQUESTS = 10_000
MAX_BODY = 1024 * 1024  # the controller's limit


def push_signature(key, url, body):
    return hmac.new(
        key.encode(), url.encode() + b"|" + body, hashlib.sha256
    ).hexdigest()


def junk_requests(webhook_url, base_url):
    """(kind, method, url, headers, body, expected status) of each kind of
    request Shopee never sends: unsigned, signed wrongly, malformed, too big,
    for an unknown account. (A malformed body with Shopee's own signature is
    kept as "rejected" on purpose: it comes from Shopee.)"""
    rng = random.Random(7)
    push = json.dumps(
        {
            "data": {"ordersn": "2611270000JUNK", "status": "READY_TO_SHIP"},
            "shop_id": SHOP_ID,
            "code": 3,
            "timestamp": 1795745892,
        }
    ).encode()
    other_url = f"{base_url}/marketplace/shopee/webhook/999999"
    good = push_signature(SIM_PUSH_KEY, webhook_url, push)
    json_type = {"Content-Type": "application/json"}
    kinds = [
        ("unsigned", "POST", webhook_url, json_type, push, 401),
        (
            "random signature",
            "POST",
            webhook_url,
            dict(json_type, Authorization=f"{rng.getrandbits(256):064x}"),
            push,
            401,
        ),
        (
            "wrong key",
            "POST",
            webhook_url,
            dict(
                json_type,
                Authorization=push_signature("shpk-wrong", webhook_url, push),
            ),
            push,
            401,
        ),
        (
            "signed for another URL",
            "POST",
            webhook_url,
            dict(
                json_type, Authorization=push_signature(SIM_PUSH_KEY, other_url, push)
            ),
            push,
            401,
        ),
        (
            "body changed after signing",
            "POST",
            webhook_url,
            dict(json_type, Authorization=good),
            push.replace(b"READY_TO_SHIP", b"CANCELLED"),
            401,
        ),
        (
            "malformed JSON",
            "POST",
            webhook_url,
            dict(json_type, Authorization="0" * 64),
            b'{"code": 3, "data": {"ordersn": ',
            401,
        ),
        (
            "binary junk",
            "POST",
            webhook_url,
            {"Authorization": f"{rng.getrandbits(256):064x}"},
            bytes(rng.getrandbits(8) for _ in range(512)),
            401,
        ),
        ("empty body", "POST", webhook_url, {}, b"", 401),
        (
            "signature not hex",
            "POST",
            webhook_url,
            dict(json_type, Authorization="Bearer ' OR 1=1 --"),
            push,
            401,
        ),
        (
            "huge header",
            "POST",
            webhook_url,
            dict(json_type, Authorization="f" * 6000),
            push,
            401,
        ),
        (
            "form body",
            "POST",
            webhook_url,
            {"Content-Type": "application/x-www-form-urlencoded"},
            b"code=3&shop_id=600100200&data=%7B%7D",
            401,
        ),
        (
            "unknown account",
            "POST",
            other_url,
            dict(
                json_type, Authorization=push_signature(SIM_PUSH_KEY, other_url, push)
            ),
            push,
            404,
        ),
        (
            "account id not a number",
            "POST",
            f"{base_url}/marketplace/shopee/webhook/1%27%3B--",
            dict(json_type, Authorization=good),
            push,
            404,
        ),
        ("GET", "GET", webhook_url, {}, b"", 405),
    ]
    oversized = (
        "oversized",
        "POST",
        webhook_url,
        dict(json_type, Authorization=good),
        b"{" + b" " * MAX_BODY + b"}",
        413,
    )
    for index in range(JUNK_REQUESTS):
        # 1 MiB bodies now and then: 20 of them, 20 MiB sent in all.
        yield oversized if index % 500 == 0 else kinds[index % len(kinds)]


def database_writes_of_webhooks(admin):
    return {
        model: admin.count(model, [])
        for model in ("marketplace.webhook.event", "queue.job", "marketplace.job")
    }


def test_ten_thousand_bad_webhook_requests(server, admin, shop):
    """Malformed, oversized or badly signed: refused with a 4xx, never a 500,
    and nothing is written."""
    [account] = admin.call(
        "marketplace.account", "read", [shop.account_id], ["shopee_webhook_url"]
    )
    settle(admin, shop, timeout=300)  # nothing else writes meanwhile
    before = database_writes_of_webhooks(admin)
    local = threading.local()

    def send(request):
        kind, method, url, headers, body, expected = request
        if not hasattr(local, "session"):
            local.session = requests.Session()
        try:
            answer = local.session.request(
                method, url, headers=headers, data=body, timeout=60
            )
            status = answer.status_code
        except requests.ConnectionError as error:
            status = f"connection error: {error.__class__.__name__}"
        return kind, status, expected

    started = time.monotonic()
    with ThreadPoolExecutor(6) as pool:
        outcomes = list(
            pool.map(send, junk_requests(account["shopee_webhook_url"], server.url))
        )
    elapsed = time.monotonic() - started
    assert len(outcomes) == JUNK_REQUESTS
    server_errors = [o for o in outcomes if isinstance(o[1], int) and o[1] >= 500]
    assert not server_errors, server_errors[:5]
    unexpected = Counter(
        (kind, status) for kind, status, want in outcomes if status != want
    )
    assert not unexpected, unexpected
    assert database_writes_of_webhooks(admin) == before, "nothing was written"
    # Still taking Shopee's own pushes: a signed one is kept and processed.
    body = json.dumps(
        {
            "code": 12,
            "data": {"shop_expire_soon": [], "expire_before": 1795745892},
            "timestamp": int(time.time()),
        }
    ).encode()
    answer = requests.post(
        account["shopee_webhook_url"],
        data=body,
        headers={
            "Content-Type": "application/json",
            "Authorization": push_signature(
                SIM_PUSH_KEY, account["shopee_webhook_url"], body
            ),
        },
        timeout=60,
    )
    assert answer.status_code == 200
    after = database_writes_of_webhooks(admin)
    assert after["marketplace.webhook.event"] == before["marketplace.webhook.event"] + 1
    print(f"{JUNK_REQUESTS} bad webhook requests in {elapsed:.1f}s")


# -- SIGKILL in the middle of a pull and of a stock push ----------------------


def test_sigkill_during_pull_and_stock_push(server, admin, shop):
    """The server dies (SIGKILL) while a pull imports its chunks and a stock
    push sends its items; started again, it finishes both by itself: every
    order once with its sale order, Shopee's stock as the rules say."""
    sim = shop.sim
    first_job = max(shop_job_ids(admin, shop) or [0])
    orders, terms = new_orders(shop, 200, seed=202)
    sim.put_orders(SHOP_ID, orders, escrow=terms)
    # Another buffer: every listing's quantity changes, the push sends them all.
    rules = admin.call(
        "marketplace.sync.rule", "search", [("shop_id", "=", shop.shop_id)]
    )
    admin.call("marketplace.sync.rule", "write", rules, {"buffer_qty": 7})
    calls_before = sim.state()["stock_updates"]["calls"]
    sim.set_fault_rates(latency_ms=500)  # a slow Shopee: both are in flight
    try:
        answer = admin.call("marketplace.shop", "action_import_orders", [shop.shop_id])
        assert answer["params"]["type"] == "success", answer
        answer = admin.call("marketplace.shop", "action_push_stock", [shop.shop_id])
        assert answer["params"]["type"] == "success", answer
        [pull] = new_job_ids(admin, shop, first_job, "pull_orders")
        [push] = new_job_ids(admin, shop, first_job, "push_stock", origin="user")

        def both_in_flight():
            started = admin.search_read(
                "queue.job",
                [
                    ("marketplace_job_id", "in", [pull, push]),
                    ("state", "=", "started"),
                    ("method_name", "in", ["_job_import_orders", "_job_push_stock"]),
                ],
                ["uuid", "method_name"],
            )
            methods = {job["method_name"] for job in started}
            pushing = sim.state()["stock_updates"]["calls"] >= calls_before + 3
            if pushing and methods == {"_job_import_orders", "_job_push_stock"}:
                return started
            return None

        in_flight = wait_until(both_in_flight, 120, interval=0.2, message="in flight")
        server.kill()
    finally:
        sim.clear_fault_rates()
    sent_before_kill = sim.state()["stock_updates"]["calls"] - calls_before
    # What the kill interrupted, as the database holds it while Odoo is down.
    killed = db_query(
        server.db,
        "SELECT uuid, method_name FROM queue_job WHERE uuid IN %s "
        "AND state = 'started'",
        [tuple(job["uuid"] for job in in_flight)],
    )
    assert {method for _uuid, method in killed} == {
        "_job_import_orders",
        "_job_push_stock",
    }
    server.start()
    jobs = admin.wait_jobs_done([pull, push], timeout=300)
    assert [job["state"] for job in jobs] == ["completed", "completed"], jobs
    settle(admin, shop, timeout=300)
    report = job_report(admin, shop, first_job)
    # The jobs the kill interrupted were found dead and run again.
    requeued = admin.search_read(
        "queue.job",
        [("uuid", "in", [uuid for uuid, _method in killed])],
        ["state", "retry"],
    )
    assert {job["state"] for job in requeued} == {"done"}
    assert all(job["retry"] >= 1 for job in requeued), requeued
    log = server.log_path.read_text()
    for uuid, _method in killed:
        assert f"Re-queued dead job with uuid: {uuid}" in log
    assert sent_before_kill >= 3
    assert_orders_exactly(admin, shop)
    failed = admin.count(
        "marketplace.job",
        [
            ("shop_id", "=", shop.shop_id),
            ("id", ">", first_job),
            ("state", "=", "failed"),
        ],
    )
    assert not failed, report
    assert_stock_follows_rules(admin, shop)


def test_listing_goes_on_after_a_restart(server, admin, shop):
    """A pull's listing stopped by a failed page goes on from that page when
    it is tried again, even in another process: the server is killed between
    the failed try and its retry, and the pages read before the failure are
    not asked for again (they are kept with the job, not in memory)."""
    sim = shop.sim
    settle(admin, shop, timeout=120)
    first_job = max(shop_job_ids(admin, shop) or [0])
    orders, terms = new_orders(shop, 350, seed=404)
    sim.put_orders(SHOP_ID, orders, escrow=terms)
    list_path = "/api/v2/order/get_order_list"
    calls_before = sim.state()["calls"].get(list_path, 0)
    sim.set_fault_rates(latency_ms=300)  # slow pages: the fault lands mid-way
    try:
        answer = admin.call("marketplace.shop", "action_import_orders", [shop.shop_id])
        assert answer["params"]["type"] == "success", answer
        [pull] = new_job_ids(admin, shop, first_job, "pull_orders")
        wait_until(
            lambda: sim.state()["calls"].get(list_path, 0) >= calls_before + 2,
            60,
            interval=0.05,
            message="two pages listed",
        )
        sim.add_fault("server_error", path=list_path, times=1)

        def postponed():
            rows = db_query(
                server.db,
                "SELECT q.state, q.retry FROM queue_job q "
                "WHERE q.marketplace_job_id = %s AND q.method_name = '_job_run'",
                [pull],
            )
            return rows and rows[0][0] == "pending" and rows[0][1] >= 1

        wait_until(postponed, 60, interval=0.05, message="the try postponed")
        server.kill()
    finally:
        sim.clear_fault_rates()
    kept = db_query(
        server.db,
        "SELECT listing_progress FROM marketplace_job_step "
        "WHERE job_id = %s AND listing_progress IS NOT NULL",
        [pull],
    )
    assert len(kept) == 1, kept
    server.start()
    [job] = admin.wait_jobs_done([pull], timeout=300)
    assert job["state"] == "completed", job_report(admin, shop, first_job)
    [listed] = admin.call("marketplace.job", "read", [pull], ["orders_listed"])
    pages = -(-listed["orders_listed"] // 100)
    assert pages >= 4, listed
    # every page once, and the one that failed once more; started over, the
    # two pages before the failure would have been asked for again
    assert sim.state()["calls"][list_path] - calls_before == pages + 1
    settle(admin, shop, timeout=300)
    assert_orders_exactly(admin, shop)


# -- one stock for Shopee and Lazada ------------------------------------------


@pytest.fixture(scope="module")
def lazada_shop(admin, lazada_simulator, shop):
    """A Lazada shop of the same seller, connected through the simulator's
    authorization page, in the Shopee shop's warehouse under the same rule:
    two of its SKUs bound to products the Shopee shop sells too."""
    sim = lazada_simulator
    sim.reset(seed=13, orders=0)
    account_id = create_lazada_account(admin, "Fault suite (Lazada)", sim.url)
    lazada = connect_lazada_shop(admin, account_id)
    assert lazada["auth_state"] == "connected"
    [shopee] = admin.call("marketplace.shop", "read", [shop.shop_id], ["warehouse_id"])
    admin.call(
        "marketplace.shop",
        "write",
        [lazada["id"]],
        {"warehouse_id": shopee["warehouse_id"][0], "auto_import_orders": False},
    )
    admin.call("marketplace.sync.rule", "create", dict(RULE, shop_id=lazada["id"]))
    skus = [
        (item["item_id"], sku["sku_id"], sku)
        for item in sim.catalogue(LAZADA_SELLER_ID)
        if item["status"] == "Active"
        for sku in item["skus"]
        if sku["sellable"] > 0
    ]
    # P and Q: two products of the Shopee shop, each on one Lazada SKU too;
    # a third SKU stays unbound and matches no product by its SKU (its orders
    # wait for a binding; other tests' products may carry the seed's SKUs)
    (p_item, p_sku, _p), (q_item, q_sku, _q) = skus[0], skus[1]
    unbound = next(
        entry
        for entry in skus[2:]
        if not admin.count(
            "product.product",
            [
                "|",
                ("default_code", "=", entry[2]["seller_sku"].strip()),
                ("barcode", "=", entry[2]["seller_sku"].strip()),
            ],
        )
    )
    products = shop.product_ids[:2]
    binding_ids = admin.call(
        "marketplace.product.binding",
        "create",
        [
            {
                "shop_id": lazada["id"],
                "external_item_id": str(item_id),
                "external_variation_id": str(sku_id),
                "product_id": product_id,
            }
            for (item_id, sku_id), product_id in zip(
                ((p_item, p_sku), (q_item, q_sku)), products, strict=True
            )
        ],
    )
    context = SimpleNamespace(
        sim=sim,
        seller=LAZADA_SELLER_ID,
        account_id=account_id,
        shop_id=lazada["id"],
        location_id=shop.location_id,
        binding_ids=binding_ids,
        product_ids=products,
        p_sku=p_sku,
        q_sku=q_sku,
        unbound_sku=unbound[1],
    )
    push = push_stock_now(admin, context)
    assert push["state"] == "completed", push
    assert_stock_follows_rules(admin, context)
    return context


def shopee_key_of(admin, shop, product_id):
    [binding] = admin.search_read(
        "marketplace.product.binding",
        [("shop_id", "=", shop.shop_id), ("product_id", "=", product_id)],
        ["external_item_id", "external_variation_id"],
    )
    return int(binding["external_item_id"]), int(binding["external_variation_id"])


def shopee_order_of(shop, item_id, model_id, seed):
    """One Shopee order placed now for one listing (its quantity drawn as
    the simulator draws it, with money terms that add up)."""
    [item] = [item for item in shop.items if item["item_id"] == item_id]
    item = dict(item, models=[m for m in item["models"] if m["model_id"] == model_id])
    rng = random.Random(seed)
    taken = set(shop.sim.order_sns(SHOP_ID))
    return new_order(rng, pools_for([item]), taken, "READY_TO_SHIP", int(time.time()))


def automatic_pushes(admin, shop, since):
    """The shop's automatic pushes (after a stock change) that started at
    ``since`` or later: a push already waiting takes the new changes too."""
    return admin.search_read(
        "marketplace.job",
        [
            ("shop_id", "=", shop.shop_id),
            ("job_type", "=", "push_stock"),
            ("origin", "=", "stock"),
            ("date_started", ">=", since),
        ],
        ["state", "error_message"],
    )


def other_pushes(admin, shops, after_id):
    """Pushes not made by a stock change (a button, the cron) since then."""
    return admin.search_read(
        "marketplace.job",
        [
            ("shop_id", "in", [shop.shop_id for shop in shops]),
            ("job_type", "=", "push_stock"),
            ("origin", "!=", "stock"),
            ("id", ">", after_id),
        ],
        ["name", "origin"],
    )


def date_done(admin, job_type, shop):
    [job] = admin.search_read(
        "marketplace.job",
        [("shop_id", "=", shop.shop_id), ("job_type", "=", job_type)],
        ["date_done"],
        order="id desc",
        limit=1,
    )
    return job["date_done"]


def test_one_stock_for_shopee_and_lazada_under_faults(admin, shop, lazada_shop):
    """What sells on one channel comes off the other's online quantity in the
    automatic push that follows, both ways, while both marketplaces fail
    calls: a Lazada order with its sale order, a Lazada order that waits for
    a binding, then a Shopee order."""
    lazada, shopee_sim = lazada_shop, shop.sim
    p_product, q_product = lazada.product_ids
    p_on_shopee = shopee_key_of(admin, shop, p_product)
    before = shopee_sim.stock(SHOP_ID)[p_on_shopee]
    last_job = max(shop_job_ids(admin, shop) + shop_job_ids(admin, lazada))
    for sim in (shopee_sim, lazada.sim):
        sim.set_fault_rates(server_error=0.1, rate_limit=0.1, seed=17)
    # and, whatever the draws, one of each of Lazada's own refusals
    lazada.sim.add_fault("rate_limit", path="/orders/get")
    lazada.sim.add_fault("system_error", path="/product/stock/sellable/update")
    lazada.sim.add_fault("expire_access_token", path="/order/get")
    try:
        # Lazada: 3 of P with its sale order; 2 of P beside an unbound SKU
        ids = lazada.sim.put_orders(
            LAZADA_SELLER_ID,
            [
                {"items": [{"sku_id": str(lazada.p_sku), "quantity": 3}]},
                {
                    "items": [
                        {"sku_id": str(lazada.p_sku), "quantity": 2},
                        {"sku_id": str(lazada.unbound_sku), "quantity": 1},
                    ]
                },
            ],
        )["order_ids"]
        answer = admin.call(
            "marketplace.shop", "action_import_orders", [lazada.shop_id]
        )
        assert answer["params"]["type"] == "success", answer
        settle(admin, lazada, timeout=300)
        settle(admin, shop, timeout=300)
        orders = admin.search_read(
            "marketplace.order",
            [("shop_id", "=", lazada.shop_id)],
            ["name", "sale_order_id", "status"],
        )
        by_name = {order["name"]: order for order in orders}
        assert sorted(by_name) == sorted(str(i) for i in ids), orders
        with_sale, waiting = (by_name[str(i)] for i in ids)
        assert with_sale["sale_order_id"], with_sale
        assert not waiting["sale_order_id"], "it waits for the unbound SKU"
        # Shopee's quantity of P is the rules' on the stock less the 5 units,
        # sent by an automatic push after the orders came in
        pushes = automatic_pushes(admin, shop, date_done(admin, "pull_orders", lazada))
        assert pushes and {p["state"] for p in pushes} == {"completed"}, pushes
        assert not other_pushes(admin, (shop, lazada), last_job)
        assert_stock_follows_rules(admin, shop)
        assert_stock_follows_rules(admin, lazada)
        after = shopee_sim.stock(SHOP_ID)[p_on_shopee]
        assert after < before, (before, after)

        # Shopee: an order of Q → Lazada's quantity of Q
        q_on_lazada = (
            int(
                admin.call(
                    "marketplace.product.binding",
                    "read",
                    [lazada.binding_ids[1]],
                    ["external_item_id"],
                )[0]["external_item_id"]
            ),
            int(lazada.q_sku),
        )
        q_before = lazada.sim.stock(LAZADA_SELLER_ID)[q_on_lazada]
        last_job = max(shop_job_ids(admin, shop) + shop_job_ids(admin, lazada))
        item_id, model_id = shopee_key_of(admin, shop, q_product)
        order, terms = shopee_order_of(shop, item_id, model_id, seed=23)
        shopee_sim.put_orders(SHOP_ID, [order], escrow={order["order_sn"]: terms})
        answer = admin.call("marketplace.shop", "action_import_orders", [shop.shop_id])
        assert answer["params"]["type"] == "success", answer
        settle(admin, shop, timeout=300)
        settle(admin, lazada, timeout=300)
        pushes = automatic_pushes(admin, lazada, date_done(admin, "pull_orders", shop))
        assert pushes and {p["state"] for p in pushes} == {"completed"}, pushes
        assert not other_pushes(admin, (shop, lazada), last_job)
        assert_stock_follows_rules(admin, lazada)
        assert_stock_follows_rules(admin, shop)
        assert lazada.sim.stock(LAZADA_SELLER_ID)[q_on_lazada] < q_before
        state = lazada.sim.state()
    finally:
        for sim in (shopee_sim, lazada.sim):
            sim.clear_fault_rates()
    fired = state["faults_fired"]
    assert {"rate_limit", "system_error", "expire_access_token"} <= set(fired), fired
