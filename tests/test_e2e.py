"""End to end: a real Odoo server, its queue_job runner and the simulator.

What a new user does after ``make run``: connect the demo shop through the
simulator's consent page, press "Import orders now", and find the orders in
Marketplace > Orders. Jobs run through queue_job's runner and its HTTP
endpoint, with real commits, so this also covers what the addons' tests
emulate in one transaction: concurrent jobs and token refresh.

Needs the database built by ``make test`` (MARKETPLACE_TEST_DB).
"""

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlparse

import pytest
import requests

ROOT = Path(__file__).resolve().parents[1]
SHOP_ID = 600100200
JOB_TIMEOUT = 120


def free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Odoo:
    """A JSON-RPC client logged in as admin, like the web client."""

    def __init__(self, url, db):
        self.url, self.db = url, db
        self.session = requests.Session()

    def login(self, login="admin", password="admin"):
        answer = self.session.post(
            f"{self.url}/web/session/authenticate",
            json={"params": {"db": self.db, "login": login, "password": password}},
            timeout=60,
        ).json()
        assert answer.get("result", {}).get("uid"), answer

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
            timeout=60,
        ).json()
        if "error" in answer:
            raise AssertionError(answer["error"]["data"]["message"])
        return answer["result"]

    def wait_jobs_done(self, job_ids, timeout=JOB_TIMEOUT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            jobs = self.call(
                "marketplace.job",
                "read",
                job_ids,
                ["state", "result_summary", "error_message"],
            )
            if all(job["state"] in ("completed", "failed") for job in jobs):
                return jobs
            time.sleep(0.5)
        raise AssertionError(f"jobs not finished after {timeout}s: {jobs}")


@pytest.fixture(scope="module")
def odoo_server():
    db = os.environ.get("MARKETPLACE_TEST_DB")
    addons_path = os.environ.get("MARKETPLACE_ADDONS_PATH")
    if not db or not addons_path:
        pytest.fail(
            "The end-to-end tests need the database built by `make test` "
            "(MARKETPLACE_TEST_DB, MARKETPLACE_ADDONS_PATH): run `make test`."
        )
    port = free_port()
    (ROOT / ".test-logs").mkdir(exist_ok=True)
    log = open(ROOT / ".test-logs" / "e2e-odoo.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "odoo",
            "-c",
            str(ROOT / "odoo.conf"),
            f"--addons-path={addons_path}",
            "-d",
            db,
            f"--db-filter=^{db}$",
            f"--http-port={port}",
            "--max-cron-threads=0",
            f"--db_host={os.environ.get('PGHOST', 'localhost')}",
            f"--db_user={os.environ.get('PGUSER', 'odoo')}",
            f"--db_password={os.environ.get('PGPASSWORD', 'odoo')}",
            "--log-level=info",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://localhost:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert process.poll() is None, "Odoo exited: see .test-logs/e2e-odoo.log"
            try:
                if requests.get(f"{url}/web/login", timeout=5).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.5)
        else:
            raise AssertionError("Odoo did not start: see .test-logs/e2e-odoo.log")
        yield url, db
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="module")
def odoo(odoo_server):
    url, db = odoo_server
    client = Odoo(url, db)
    client.login()
    client.call("ir.config_parameter", "set_param", "web.base.url", url)
    return client


def connect_demo_shop(odoo, simulator_url):
    """Connect shop, pass the simulator's consent page, come back to Odoo."""
    [account_id] = odoo.call(
        "marketplace.account",
        "search",
        [("name", "=", "Shopee Thailand (Simulator)")],
    )
    odoo.call(
        "marketplace.account",
        "write",
        [account_id],
        {"shopee_simulator_url": simulator_url},
    )
    action = odoo.call("marketplace.account", "action_shopee_connect", [account_id])
    consent = requests.get(action["url"], timeout=10)
    assert consent.status_code == 200, consent.text
    form_action = re.search(r'<form[^>]*action="([^"]+)"', consent.text).group(1)
    fields = dict(
        re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', consent.text)
    )
    fields.update({"shop_id": str(SHOP_ID), "authorize": "1"})
    back = requests.post(
        urljoin(consent.url, form_action),
        data=fields,
        allow_redirects=False,
        timeout=10,
    )
    assert back.status_code in (302, 303), back.text
    callback = back.headers["Location"]
    assert parse_qs(urlparse(callback).query)["shop_id"] == [str(SHOP_ID)]
    page = odoo.session.get(callback, timeout=60)
    assert page.status_code == 200, page.text
    assert "Shop connected" in page.text
    [shop] = odoo.call(
        "marketplace.shop",
        "search_read",
        [("account_id", "=", account_id), ("external_id", "=", str(SHOP_ID))],
        ["id", "name", "auth_state", "access_token_expires_at"],
    )
    return shop


def marketplace_order_sns(odoo, shop_id):
    orders = odoo.call(
        "marketplace.order", "search_read", [("shop_id", "=", shop_id)], ["name"]
    )
    return [order["name"] for order in orders]


def test_connect_import_and_backfill(odoo, shopee_simulator):
    """The demo path, then a back-fill of the same orders (one pull at a time)."""
    now = int(time.time())
    shopee_simulator.reset(
        seed=5, orders=75, shop_id=SHOP_ID, time_from=now - 4 * 86400, time_to=now - 60
    )
    shop = connect_demo_shop(odoo, shopee_simulator.url)
    assert shop["auth_state"] == "connected"
    assert shop["name"] == "Bangkok Gadget House"

    notification = odoo.call("marketplace.shop", "action_import_orders", [shop["id"]])
    assert notification["params"]["type"] == "success"
    [job_id] = odoo.call("marketplace.job", "search", [("shop_id", "=", shop["id"])])
    [job] = odoo.wait_jobs_done([job_id])
    assert job["state"] == "completed", job["error_message"]
    assert job["result_summary"].startswith("75 orders")
    assert "75 new, 0 updated, 0 unchanged" in job["result_summary"]
    order_sns = marketplace_order_sns(odoo, shop["id"])
    assert len(order_sns) == 75
    assert set(order_sns) == set(shopee_simulator.order_sns(SHOP_ID))
    queue_states = odoo.call(
        "queue.job", "search_read", [("marketplace_job_id", "=", job_id)], ["state"]
    )
    assert len(queue_states) == 4  # start, 2 chunks, finish
    assert {state["state"] for state in queue_states} == {"done"}

    # A second pull of the shop while one is queued is refused, from the
    # Jobs menu too: one pull per shop at a time.
    since = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(now - 5 * 86400))
    values = {
        "job_type": "pull_orders",
        "account_id": odoo.call(
            "marketplace.shop", "read", [shop["id"]], ["account_id"]
        )[0]["account_id"][0],
        "shop_id": shop["id"],
        "payload": json.dumps({"since": since, "until": None}),
    }
    first = odoo.call("marketplace.job", "create", values)
    with pytest.raises(AssertionError, match="already has this kind of job"):
        odoo.call("marketplace.job", "create", values)
    [job] = odoo.wait_jobs_done([first])
    assert job["state"] == "completed", job
    assert "0 new, 0 updated, 75 unchanged" in job["result_summary"]
    order_sns_after = marketplace_order_sns(odoo, shop["id"])
    assert sorted(order_sns_after) == sorted(order_sns), "no duplicate, none lost"


def test_token_refresh_with_real_commits(odoo, shopee_simulator):
    """An expired token is refreshed once, committed, and the pull goes on."""
    [shop] = odoo.call(
        "marketplace.shop", "search_read", [("external_id", "=", str(SHOP_ID))], ["id"]
    )
    refreshes_before = shopee_simulator.refresh_count(SHOP_ID)
    odoo.call(
        "marketplace.shop",
        "write",
        [shop["id"]],
        {"access_token_expires_at": "2000-01-01 00:00:00"},
    )
    odoo.call("marketplace.shop", "action_import_orders", [shop["id"]])
    job_ids = odoo.call(
        "marketplace.job",
        "search",
        [("shop_id", "=", shop["id"]), ("state", "in", ("pending", "processing"))],
    )
    [job] = odoo.wait_jobs_done(job_ids)
    assert job["state"] == "completed", job["error_message"]
    assert shopee_simulator.refresh_count(SHOP_ID) == refreshes_before + 1
    [after] = odoo.call(
        "marketplace.shop",
        "read",
        [shop["id"]],
        ["access_token_expires_at", "auth_state"],
    )
    assert after["auth_state"] == "connected"
    assert after["access_token_expires_at"] > "2001-01-01"
