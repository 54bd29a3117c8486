"""`docker compose up` gives make run's demo, and the guide's log greps work.

The odoo service of docker-compose.yml runs docker/entrypoint.sh. No Docker
engine here: the entrypoint runs as compose gives it (its command and
environment, read from docker-compose.yml), with what points at the
container pointed at this machine instead: PostgreSQL through the image's
HOST/PORT/USER/PASSWORD, this Python, free ports, a simulator on
localhost:SIMULATOR_PORT, and a database of its own that a start stopped
half-way left empty. Its output is what `docker compose logs odoo` shows.

Needs the database name of ``make test`` (MARKETPLACE_TEST_DB), as prefix.
"""

import os
import subprocess
import sys
import time

import pytest
import requests
from compose_file import load_compose, on_host
from odoo_server import (
    LOGS,
    ROOT,
    SHOP_ID,
    Odoo,
    connect_shop,
    db_query,
    free_port,
    make_test_database,
    wait_until,
)

sys.path.insert(0, str(ROOT / "scripts"))
from demo_catalogue import CATALOGUE  # noqa: E402
from thai_company import COMPANY  # noqa: E402

FIRST_START_TIMEOUT = 900  # a new database: base, Thai, both addons, demo data


class Entrypoint:
    """docker/entrypoint.sh run as the odoo service would run it."""

    def __init__(self, db, simulator_port, lazada_simulator_port):
        self.db = db
        self.http_port = free_port()
        self.simulator_port = simulator_port
        self.lazada_simulator_port = lazada_simulator_port
        self.url = f"http://localhost:{self.http_port}"
        self.process = None
        self.log_path = None

    def command(self):
        service = load_compose()["services"]["odoo"]
        return [str(on_host(service, arg) or arg) for arg in service["entrypoint"]]

    def environment(self):
        service = load_compose()["services"]["odoo"]
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("PG")  # the image's HOST/USER/… are read
        }
        env.update({key: str(value) for key, value in service["environment"].items()})
        env.update(
            HOST=os.environ.get("PGHOST", "localhost"),
            PORT=os.environ.get("PGPORT", "5432"),
            USER=os.environ.get("PGUSER", "odoo"),
            PASSWORD=os.environ.get("PGPASSWORD", "odoo"),
            PYTHON=sys.executable,
            RUN_DB=self.db,
            HTTP_PORT=str(self.http_port),
            SIMULATOR_PORT=str(self.simulator_port),
            LAZADA_SIMULATOR_PORT=str(self.lazada_simulator_port),
            SIMULATOR_WAIT="10",
        )
        return env

    def start(self, log_name, *odoo_args):
        LOGS.mkdir(exist_ok=True)
        self.log_path = LOGS / log_name
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(
                [*self.command(), *odoo_args],
                env=self.environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd="/",
            )
        return self

    def serving(self):
        assert self.process.poll() is None, f"the entrypoint exited: {self.log_path}"
        try:
            return requests.get(f"{self.url}/web/login", timeout=5).ok
        except requests.RequestException:
            return False

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()  # Odoo itself: the entrypoint exec'd it
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(30)

    def log(self):
        return self.log_path.read_text(errors="replace")


@pytest.fixture(scope="module")
def demo_db():
    test_db, _addons_path = make_test_database()
    db = f"{test_db}_entrypoint"
    subprocess.run(["dropdb", "--if-exists", db], check=True, env=pg_env())
    # What a first start stopped right after it created the database leaves:
    # an empty database of that name, marked as being built.
    subprocess.run(["createdb", db], check=True, env=pg_env())
    subprocess.run(
        [
            "psql",
            "-d",
            "postgres",
            "-qc",
            f"COMMENT ON DATABASE \"{db}\" IS 'marketplace demo: being built'",
        ],
        check=True,
        env=pg_env(),
    )
    yield db
    subprocess.run(["dropdb", "--if-exists", db], check=False, env=pg_env())


def pg_env():
    env = dict(os.environ)
    for key, default in (
        ("PGHOST", "localhost"),
        ("PGPORT", "5432"),
        ("PGUSER", "odoo"),
        ("PGPASSWORD", "odoo"),
    ):
        env.setdefault(key, default)
    return env


@pytest.fixture(scope="module")
def first_start(demo_db, shopee_simulator, lazada_simulator):
    now = int(time.time())
    shopee_simulator.reset(
        seed=7, orders=6, shop_id=SHOP_ID, time_from=now - 2 * 86400, time_to=now - 60
    )
    port = int(shopee_simulator.url.rsplit(":", 1)[1])
    lazada_port = int(lazada_simulator.url.rsplit(":", 1)[1])
    entrypoint = Entrypoint(demo_db, port, lazada_port).start("entrypoint-first.log")
    try:
        wait_until(
            entrypoint.serving,
            FIRST_START_TIMEOUT,
            interval=2,
            message=f"the demo served (see {entrypoint.log_path})",
        )
        yield entrypoint
    finally:
        entrypoint.stop()


def one(db, query, params=()):
    rows = db_query(db, query, params)
    assert len(rows) == 1, rows
    return rows[0]


def demo_account_id(db, module="connector_shopee"):
    return one(
        db,
        "SELECT res_id FROM ir_model_data"
        " WHERE module = %s AND name = 'demo_account_simulator'",
        [module],
    )[0]


def push_config(simulator):
    return simulator.call("GET", "push")["config"]


def assert_thai_seller_with_catalogue(db):
    company = one(
        db,
        "SELECT company.name, partner.city, country.code, currency.name, partner.tz"
        " FROM res_company company"
        " JOIN res_partner partner ON partner.id = company.partner_id"
        " JOIN res_country country ON country.id = partner.country_id"
        " JOIN res_currency currency ON currency.id = company.currency_id"
        " WHERE company.id = 1",
    )
    assert company == (COMPANY["name"], "Bangkok", "TH", "THB", "Asia/Bangkok")
    assert one(
        db,
        "SELECT partner.tz FROM res_users users"
        " JOIN res_partner partner ON partner.id = users.partner_id"
        " WHERE users.login = 'admin'",
    ) == ("Asia/Bangkok",)
    assert one(db, "SELECT active FROM res_lang WHERE code = 'th_TH'") == (True,)
    modules = dict(
        db_query(
            db,
            "SELECT name, state || ',' || demo::text FROM ir_module_module"
            " WHERE name IN ('connector_marketplace', 'connector_shopee',"
            " 'connector_lazada', 'l10n_th')",
        )
    )
    assert modules == {
        "connector_marketplace": "installed,true",
        "connector_shopee": "installed,true",
        "connector_lazada": "installed,true",
        "l10n_th": "installed,true",
    }
    assert one(db, "SELECT chart_template FROM res_company WHERE id = 1") == ("th",)
    stock = db_query(
        db,
        "SELECT product.default_code, count(DISTINCT product.id),"
        "       sum(quant.quantity)"
        " FROM product_product product"
        " JOIN stock_quant quant ON quant.product_id = product.id"
        " JOIN stock_location location ON location.id = quant.location_id"
        " WHERE location.usage = 'internal' AND product.default_code LIKE 'BGH-%%'"
        " GROUP BY product.default_code",
    )
    assert {code: (count, qty) for code, count, qty in stock} == {
        code: (1, quantity) for code, _name, _price, quantity in CATALOGUE
    }


def test_first_start_sets_up_make_runs_demo(
    first_start, shopee_simulator, lazada_simulator
):
    """A Thai seller with both addons, their demo data and the catalogue;
    Odoo's public URL pinned, the demo account calling the simulator and the
    simulator pushing to the account's callback URL, all on localhost."""
    db = first_start.db
    log = first_start.log()
    assert f"The demo database {db} was left half-built" in log
    assert f"Creating the demo database {db}" in log
    assert_thai_seller_with_catalogue(db)

    account_id = demo_account_id(db)
    assert one(
        db,
        "SELECT value FROM ir_config_parameter"
        " WHERE key = 'connector_marketplace.public_base_url'",
    ) == (first_start.url,)
    assert one(
        db,
        "SELECT shopee_simulator_url FROM marketplace_account WHERE id = %s",
        [account_id],
    ) == (f"http://localhost:{first_start.simulator_port}",)
    webhook_url = f"{first_start.url}/marketplace/shopee/webhook/{account_id}"
    config = push_config(shopee_simulator)
    assert (config["url"], config["enabled"]) == (webhook_url, True)
    # ... the URL the server verifies pushes against
    odoo = Odoo(first_start.url, db).login()
    [account] = odoo.call(
        "marketplace.account", "read", [account_id], ["shopee_webhook_url"]
    )
    assert account["shopee_webhook_url"] == webhook_url
    assert f"Pushes:    the simulators push order changes to {webhook_url}" in log
    # the Lazada demo account and its simulator, wired the same way
    lazada_id = demo_account_id(db, "connector_lazada")
    assert one(
        db,
        "SELECT lazada_simulator_url FROM marketplace_account WHERE id = %s",
        [lazada_id],
    ) == (f"http://localhost:{first_start.lazada_simulator_port}",)
    lazada_url = f"{first_start.url}/marketplace/lazada/webhook/{lazada_id}"
    config = push_config(lazada_simulator)
    assert (config["url"], config["enabled"]) == (lazada_url, True)
    assert lazada_url in log


# The guide's log commands, `docker compose logs odoo | <grep>`, and the
# connector's lines each must show (what the line says, not its logger).
GUIDE_GREPS = {
    # §3 Stock sync: the push's result
    ("grep", "stock\\|sync"): ["Stock push MJ/"],
    # §5 Webhooks: the push Shopee sent, handled
    ("grep", "webhook"): ["Webhook event "],
    # Debug, the marketplace's lines: pull, stock push, webhook, Shopee calls
    ("grep", "-i", "marketplace\\|shopee\\|order\\|stock"): [
        "Pull MJ/",
        "Stock push MJ/",
        "Webhook event ",
        "Shopee GET /api/v2/order/get_order_list",
    ],
    # Debug, the jobs' lines: the order pull's and the stock push's results
    ("grep", "-i", "job\\|queue"): ["Pull MJ/", "Stock push MJ/"],
}
CONNECTOR_LINE = " odoo.addons.connector_"


def run_job(odoo, shop_id, action, job_type):
    before = odoo.call("marketplace.job", "search", [("shop_id", "=", shop_id)])
    odoo.call("marketplace.shop", action, [shop_id])
    [job_id] = odoo.call(
        "marketplace.job",
        "search",
        [
            ("shop_id", "=", shop_id),
            ("job_type", "=", job_type),
            ("id", "not in", before),
        ],
    )
    [job] = odoo.wait_jobs_done([job_id])
    assert job["state"] == "completed", job
    return job


def test_guide_log_greps_find_the_connector_lines(first_start, shopee_simulator):
    """The guide's path in short (connect, products, stock push, orders, an
    order push from Shopee), then each grep of the guide on the log."""
    db = first_start.db
    odoo = Odoo(first_start.url, db).login()
    shop = connect_shop(odoo, demo_account_id(db), shopee_simulator.url)
    run_job(odoo, shop["id"], "action_import_products", "pull_products")
    push = run_job(odoo, shop["id"], "action_push_stock", "push_stock")
    assert "pushed" in push["result_summary"]
    run_job(odoo, shop["id"], "action_import_orders", "pull_orders")
    order_sn = shopee_simulator.order_sns(SHOP_ID)[0]
    shopee_simulator.send_push(3, shop_id=SHOP_ID, order_sn=order_sn)
    wait_until(
        lambda: odoo.count(
            "marketplace.webhook.event", [("state", "not in", ("received",))]
        ),
        120,
        message="the order push handled",
    )
    wait_until(lambda: "Webhook event " in first_start.log(), 30, message="logged")

    missing = {}
    for grep, wanted in GUIDE_GREPS.items():
        found = subprocess.run(
            [*grep, str(first_start.log_path)],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.splitlines()
        connector_lines = [line for line in found if CONNECTOR_LINE in line]
        absent = [
            text for text in wanted if not any(text in line for line in connector_lines)
        ]
        if absent:
            missing[" ".join(grep)] = absent
    assert not missing, f"the guide's greps miss the connector's lines: {missing}"


def test_second_start_upgrades_the_demo(first_start, shopee_simulator):
    """A second start keeps the database (and the connected shop) and
    upgrades it, even after an upgrade stopped half-way; it wires the
    simulator again (a new one knows nothing)."""
    first_start.stop()
    db = first_start.db
    assert one(
        "postgres",
        "SELECT shobj_description(oid, 'pg_database') FROM "
        "pg_database WHERE datname = %s",
        [db],
    ) == (None,), "built: unmarked"
    # an upgrade stopped half-way (docker compose stop) leaves this
    one(
        db,
        "UPDATE ir_module_module SET state = 'to upgrade' "
        "WHERE name = 'connector_shopee' RETURNING id",
    )
    oid = one("postgres", "SELECT oid FROM pg_database WHERE datname = %s", [db])
    shops = one(db, "SELECT count(*) FROM marketplace_shop")[0]
    assert shops >= 1
    shopee_simulator.configure_push(url=None, enabled=False)

    second = Entrypoint(
        db, first_start.simulator_port, first_start.lazada_simulator_port
    )
    second.http_port, second.url = first_start.http_port, first_start.url
    second.start("entrypoint-second.log", "--stop-after-init")
    assert second.process.wait(600) == 0, second.log()
    log = second.log()
    assert f"Upgrading the demo database {db}" in log
    assert "Creating the demo database" not in log
    assert (
        one("postgres", "SELECT oid FROM pg_database WHERE datname = %s", [db]) == oid
    )
    assert one(db, "SELECT count(*) FROM marketplace_shop") == (shops,)
    assert_thai_seller_with_catalogue(db)
    account_id = demo_account_id(db)
    config = push_config(shopee_simulator)
    assert (config["url"], config["enabled"]) == (
        f"{first_start.url}/marketplace/shopee/webhook/{account_id}",
        True,
    )
