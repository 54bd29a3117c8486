"""End to end: a real Odoo server, its queue_job runner and the simulator.

What a new user does after ``make run``: connect the demo shop through the
simulator's consent page, press "Import orders now", and find the orders in
Marketplace > Orders. Jobs run through queue_job's runner and its HTTP
endpoint, with real commits, so this also covers what the addons' tests
emulate in one transaction: concurrent jobs and token refresh.

Needs the database built by ``make test`` (MARKETPLACE_TEST_DB).
"""

import json
import time

import pytest
from odoo_server import SHOP_ID, Odoo, connect_shop, start_server


@pytest.fixture(scope="module")
def odoo_server():
    server = start_server("e2e-odoo.log")
    try:
        yield server.url, server.db
    finally:
        server.stop()


@pytest.fixture(scope="module")
def odoo(odoo_server):
    url, db = odoo_server
    client = Odoo(url, db).login()
    client.call("ir.config_parameter", "set_param", "web.base.url", url)
    return client


def connect_demo_shop(odoo, simulator_url):
    """Connect shop, pass the simulator's consent page, come back to Odoo."""
    [account_id] = odoo.call(
        "marketplace.account",
        "search",
        [("name", "=", "Shopee Thailand (Simulator)")],
    )
    return connect_shop(odoo, account_id, simulator_url)


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
        "marketplace.shop",
        "search_read",
        [
            ("external_id", "=", str(SHOP_ID)),
            ("account_id.name", "=", "Shopee Thailand (Simulator)"),
        ],
        ["id"],
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
