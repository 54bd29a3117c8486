"""A real Odoo server with its queue_job runner, and a JSON-RPC client.

Shared by the end-to-end tests, the fault suite and the access-rights matrix:
each test module starts its own server on the database ``make test`` built
(``MARKETPLACE_TEST_DB``), talks to it like the web client, and may kill it
with SIGKILL and start it again on the same port.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlparse

import pytest
import requests

ROOT = Path(__file__).resolve().parents[1]
LOGS = ROOT / ".test-logs"
JOB_TIMEOUT = 120
# Ten tries of a job in seconds instead of an hour (production: 20 s … 10
# min): the end-to-end tests set it on their database while they run.
FAST_RETRY_PATTERN = "{1: (1, 2), 4: (2, 4)}"
# The order statuses whose units the stock rules hold back (README, §3).
OPEN_DEMAND_STATUSES = ("awaiting_payment", "to_ship", "packed", "cancel_requested")

# The simulator's partner and shops (simulator/README.md, "Identities").
SIM_PARTNER_ID = "2000001"
SIM_PARTNER_KEY = "shpk-simulator-demo-key"
SIM_PUSH_KEY = "shpk-simulator-demo-push-key"
SHOP_ID = 600100200


def db_query(db, query, params=()):
    """Rows of ``query`` on the database itself (e.g. while Odoo is down)."""
    import psycopg2

    with psycopg2.connect(
        dbname=db,
        host=os.environ.get("PGHOST", "localhost"),
        port=os.environ.get("PGPORT", "5432"),
        user=os.environ.get("PGUSER", "odoo"),
        password=os.environ.get("PGPASSWORD", "odoo"),
    ) as connection:
        with connection.cursor() as cr:
            cr.execute(query, params)
            rows = cr.fetchall()
    connection.close()
    return rows


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_test_database():
    """(database, addons path) of ``make test``, or fail saying how to get them."""
    db = os.environ.get("MARKETPLACE_TEST_DB")
    addons_path = os.environ.get("MARKETPLACE_ADDONS_PATH")
    if not db or not addons_path:
        pytest.fail(
            "These tests need the database built by `make test` "
            "(MARKETPLACE_TEST_DB, MARKETPLACE_ADDONS_PATH): run `make test`."
        )
    return db, addons_path


def wait_until(condition, timeout, interval=0.5, message="condition"):
    """Poll ``condition()`` until it returns a truthy value; return it."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{message}: not reached after {timeout}s")
        time.sleep(interval)


class RPCError(AssertionError):
    """An error answered over JSON-RPC: ``name`` is the exception's class."""

    def __init__(self, error):
        data = error.get("data") or {}
        self.name = data.get("name") or ""
        self.message = data.get("message") or error.get("message") or ""
        super().__init__(self.message)

    @property
    def access_denied(self):
        return self.name.endswith(("AccessError", "AccessDenied"))


class Odoo:
    """A JSON-RPC client logged in as a user, like the web client."""

    def __init__(self, url, db):
        self.url, self.db = url, db
        self.session = requests.Session()
        self.uid = None

    def login(self, login="admin", password="admin"):
        answer = self.session.post(
            f"{self.url}/web/session/authenticate",
            json={"params": {"db": self.db, "login": login, "password": password}},
            timeout=60,
        ).json()
        assert answer.get("result", {}).get("uid"), answer
        self.uid = answer["result"]["uid"]
        return self

    def call(self, model, method, *args, **kwargs):
        answer = self.session.post(
            f"{self.url}/web/dataset/call_kw/{model}/{method}",
            json={
                "params": {
                    "model": model,
                    "method": method,
                    "args": list(args),
                    "kwargs": kwargs,
                }
            },
            timeout=120,
        ).json()
        if "error" in answer:
            raise RPCError(answer["error"])
        return answer.get("result")

    def search_read(self, model, domain, fields, **kwargs):
        return self.call(model, "search_read", domain, fields, **kwargs)

    def count(self, model, domain):
        return self.call(model, "search_count", domain)

    def wait_jobs_done(self, job_ids, timeout=JOB_TIMEOUT):
        jobs = []

        def done():
            nonlocal jobs
            jobs = self.call(
                "marketplace.job",
                "read",
                job_ids,
                ["state", "result_summary", "error_message"],
            )
            return all(job["state"] in ("completed", "failed") for job in jobs)

        try:
            wait_until(done, timeout)
        except AssertionError:
            raise AssertionError(
                f"jobs not finished after {timeout}s: {jobs}"
            ) from None
        return jobs


class OdooServer:
    """``python -m odoo`` on the test database, with queue_job's runner.

    ``kill()`` sends SIGKILL (no shutdown code runs: running jobs die with
    their transactions); ``start()`` starts it again on the same port.
    """

    def __init__(self, db, addons_path, log_name, port=None):
        self.db, self.addons_path = db, addons_path
        self.port = port or free_port()
        self.url = f"http://localhost:{self.port}"
        LOGS.mkdir(exist_ok=True)
        self.log_path = LOGS / log_name
        self.log = open(self.log_path, "w")  # noqa: SIM115 (closed in stop)
        self.process = None

    def command(self):
        return [
            sys.executable,
            "-m",
            "odoo",
            "-c",
            str(ROOT / "odoo.conf"),
            f"--addons-path={self.addons_path}",
            "-d",
            self.db,
            f"--db-filter=^{self.db}$",
            f"--http-port={self.port}",
            "--max-cron-threads=0",
            f"--db_host={os.environ.get('PGHOST', 'localhost')}",
            f"--db_user={os.environ.get('PGUSER', 'odoo')}",
            f"--db_password={os.environ.get('PGPASSWORD', 'odoo')}",
            "--log-level=info",
        ]

    def start(self, timeout=120):
        assert self.process is None or self.process.poll() is not None
        self.log.write(f"\n==== start {time.strftime('%H:%M:%S')} ====\n")
        self.log.flush()
        self.process = subprocess.Popen(
            self.command(), stdout=self.log, stderr=subprocess.STDOUT
        )

        def ready():
            assert self.process.poll() is None, f"Odoo exited: see {self.log_path}"
            try:
                return requests.get(f"{self.url}/web/login", timeout=5).ok
            except requests.RequestException:
                return False

        wait_until(ready, timeout, message=f"Odoo start (see {self.log_path})")
        return self

    def kill(self):
        """SIGKILL: the process dies at once, whatever it was doing."""
        self.log.write(f"\n==== SIGKILL {time.strftime('%H:%M:%S')} ====\n")
        self.log.flush()
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(30)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(30)
        self.log.close()

    def client(self, login="admin", password="admin"):
        return Odoo(self.url, self.db).login(login, password)


def start_server(log_name):
    """An :class:`OdooServer` on the test database, started."""
    db, addons_path = make_test_database()
    server = OdooServer(db, addons_path, log_name)
    try:
        server.start()
    except BaseException:
        server.stop()
        raise
    return server


def consent(authorization_url, shop_id=SHOP_ID):
    """Pass the simulator's consent page of a Connect shop link: the callback
    URL Shopee sends the seller back to (not opened)."""
    page = requests.get(authorization_url, timeout=10)
    assert page.status_code == 200, page.text
    form_action = re.search(r'<form[^>]*action="([^"]+)"', page.text).group(1)
    fields = dict(
        re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page.text)
    )
    fields.update({"shop_id": str(shop_id), "authorize": "1"})
    back = requests.post(
        urljoin(page.url, form_action),
        data=fields,
        allow_redirects=False,
        timeout=10,
    )
    assert back.status_code in (302, 303), back.text
    callback = back.headers["Location"]
    assert parse_qs(urlparse(callback).query)["shop_id"] == [str(shop_id)]
    return callback


def connect_shop(odoo, account_id, simulator_url, shop_id=SHOP_ID):
    """Connect shop, pass the simulator's consent page, come back to Odoo.

    :returns: the marketplace shop (id, name, auth_state, token expiry)
    """
    odoo.call(
        "marketplace.account",
        "write",
        [account_id],
        {"shopee_simulator_url": simulator_url},
    )
    action = odoo.call("marketplace.account", "action_shopee_connect", [account_id])
    page = odoo.session.get(consent(action["url"], shop_id), timeout=60)
    assert page.status_code == 200, page.text
    assert "Shop connected" in page.text
    [shop] = odoo.search_read(
        "marketplace.shop",
        [("account_id", "=", account_id), ("external_id", "=", str(shop_id))],
        ["id", "name", "auth_state", "access_token_expires_at"],
    )
    return shop


def create_simulator_account(odoo, name, simulator_url, company_id=None):
    """A Shopee account of the simulator's partner, pushes signed by its key."""
    values = {
        "name": name,
        "channel": "shopee",
        "environment": "simulator",
        "shopee_partner_id": SIM_PARTNER_ID,
        "shopee_partner_key": SIM_PARTNER_KEY,
        "shopee_push_partner_key": SIM_PUSH_KEY,
        "shopee_simulator_url": simulator_url,
    }
    if company_id:
        values["company_id"] = company_id
    return odoo.call("marketplace.account", "create", values)


# -- Lazada ---------------------------------------------------------------------

LAZADA_APP_KEY = "120001"
LAZADA_APP_SECRET = "lzd-simulator-demo-secret"
LAZADA_SELLER_ID = 1000200300


def create_lazada_account(odoo, name, simulator_url):
    """A Lazada account of the simulator's demo app."""
    return odoo.call(
        "marketplace.account",
        "create",
        {
            "name": name,
            "channel": "lazada",
            "environment": "simulator",
            "lazada_app_key": LAZADA_APP_KEY,
            "lazada_app_secret": LAZADA_APP_SECRET,
            "lazada_simulator_url": simulator_url,
        },
    )


def lazada_consent(authorization_url, seller_id=LAZADA_SELLER_ID):
    """Pass the Lazada simulator's authorization page: the callback URL
    Lazada sends the seller back to (not opened)."""
    page = requests.get(authorization_url, timeout=10)
    assert page.status_code == 200, page.text
    form_action = re.search(r'<form[^>]*action="([^"]+)"', page.text).group(1)
    fields = dict(
        re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page.text)
    )
    fields.update({"seller_id": str(seller_id), "authorize": "1"})
    back = requests.post(
        urljoin(page.url, form_action),
        data=fields,
        allow_redirects=False,
        timeout=10,
    )
    assert back.status_code in (302, 303), back.text
    callback = back.headers["Location"]
    assert "code" in parse_qs(urlparse(callback).query)
    return callback


def connect_lazada_shop(odoo, account_id, seller_id=LAZADA_SELLER_ID):
    """Connect shop on a Lazada account, authorize, come back to Odoo.

    :returns: the marketplace shop (id, name, auth_state, token expiry)
    """
    action = odoo.call("marketplace.account", "action_lazada_connect", [account_id])
    page = odoo.session.get(lazada_consent(action["url"], seller_id), timeout=60)
    assert page.status_code == 200, page.text
    # (call, not search_read: the benchmarks' client has only call)
    [shop] = odoo.call(
        "marketplace.shop",
        "search_read",
        [("account_id", "=", account_id), ("external_id", "=", str(seller_id))],
        ["id", "name", "auth_state", "access_token_expires_at"],
    )
    return shop
