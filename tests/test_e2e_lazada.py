"""The user's guide (§1–§6) on a Lazada shop: a real Odoo server, its
queue_job runner and the Lazada simulator, driven as the seller drives the
web client (JSON-RPC), with the guide's own inputs.

Needs the database built by ``make test`` (MARKETPLACE_TEST_DB).
"""

import json
import time
from datetime import datetime, timedelta, timezone

import pytest
from odoo_server import (
    FAST_RETRY_PATTERN,
    LAZADA_SELLER_ID,
    OPEN_DEMAND_STATUSES,
    connect_lazada_shop,
    create_lazada_account,
    start_server,
    wait_until,
)

CABLE, SHIRT_M, SHIRT_L = "BGH-USBC-CABLE-1M", "BGH-TSHIRT-RED-M", "BGH-TSHIRT-RED-L"


@pytest.fixture(scope="module")
def admin():
    server = start_server("e2e-lazada-odoo.log")
    try:
        client = server.client()
        client.call("ir.config_parameter", "set_param", "web.base.url", server.url)
        yield client
    finally:
        server.stop()


@pytest.fixture(scope="module")
def guide(admin, lazada_simulator):
    """The seller's set-up: other shops' scheduled pulls paused, short retry
    patterns, the Lazada simulator with two days of orders."""
    others = admin.call(
        "marketplace.shop", "search", [("auto_import_orders", "=", True)]
    )
    admin.call("marketplace.shop", "write", others, {"auto_import_orders": False})
    functions = admin.search_read(
        "queue.job.function",
        [("model_id.model", "in", ["marketplace.job", "marketplace.webhook.event"])],
        ["edit_retry_pattern"],
    )
    for function in functions:
        admin.call(
            "queue.job.function",
            "write",
            [function["id"]],
            {"edit_retry_pattern": FAST_RETRY_PATTERN},
        )
    now = int(time.time())
    lazada_simulator.reset(
        seed=31,
        orders=25,
        time_from=now - 2 * 86400,
        time_to=now - 120,
        include_seed_orders=False,
    )
    try:
        yield lazada_simulator
    finally:
        lazada_simulator.configure_push(url=None, enabled=False)
        admin.call("marketplace.shop", "write", others, {"auto_import_orders": True})
        for function in functions:
            admin.call(
                "queue.job.function",
                "write",
                [function["id"]],
                {"edit_retry_pattern": function["edit_retry_pattern"]},
            )


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def product(admin, code, quantity, location_id):
    [product_id] = admin.call(
        "product.product",
        "create",
        [{"name": f"Guide {code}", "default_code": code, "is_storable": True}],
    )
    quant = admin.call(
        "stock.quant",
        "create",
        {
            "product_id": product_id,
            "location_id": location_id,
            "inventory_quantity": quantity,
        },
        context={"inventory_mode": True},
    )
    admin.call("stock.quant", "action_apply_inventory", [quant])
    return product_id


def wait_job(admin, job_id, timeout=180):
    [job] = admin.wait_jobs_done([job_id], timeout=timeout)
    return job


def free_less_demand(admin, product_id, location_id):
    """What the rules start from: the free quantity less the units of open
    orders that have no confirmed sale order yet (the README's arithmetic)."""
    [row] = admin.call(
        "product.product",
        "read",
        [product_id],
        ["free_qty"],
        context={"location": location_id},
    )
    demand = sum(
        line["quantity"]
        for line in admin.search_read(
            "marketplace.order.line",
            [
                ("product_id", "=", product_id),
                ("order_id.status", "in", OPEN_DEMAND_STATUSES),
                "|",
                ("order_id.sale_order_id", "=", False),
                ("order_id.sale_order_id.state", "not in", ["sale", "done"]),
            ],
            ["quantity"],
        )
    )
    return int(row["free_qty"] - demand)


def newest_job(admin, shop_id, job_type):
    return max(
        admin.call(
            "marketplace.job",
            "search",
            [("shop_id", "=", shop_id), ("job_type", "=", job_type)],
        )
    )


def test_the_guide_on_a_lazada_shop(admin, guide):
    sim = guide
    account_id = create_lazada_account(admin, "Lazada Thailand (guide)", sim.url)
    shop = connect_lazada_shop(admin, account_id)
    assert (shop["name"], shop["auth_state"]) == ("Bangkok Gadget House", "connected")
    shop_id = shop["id"]
    # other tests' products with the catalogue's SKUs would make them ambiguous
    admin.call(
        "product.product",
        "write",
        admin.call(
            "product.product",
            "search",
            [("default_code", "in", [CABLE, SHIRT_M, SHIRT_L])],
        ),
        {"active": False},
    )
    [account] = admin.call(
        "marketplace.account",
        "read",
        [account_id],
        ["company_id", "lazada_webhook_url"],
    )
    [warehouse] = admin.search_read(
        "stock.warehouse",
        [("company_id", "=", account["company_id"][0])],
        ["lot_stock_id"],
        limit=1,
    )
    location_id = warehouse["lot_stock_id"][0]
    admin.call(
        "marketplace.shop",
        "write",
        [shop_id],
        {"warehouse_id": warehouse["id"], "auto_push_stock": False},
    )
    cable = product(admin, CABLE, 50, location_id)
    shirt_m = product(admin, SHIRT_M, 20, location_id)

    # §1 method 1: a pull_orders job with the guide's payload
    since = datetime.now(timezone.utc) - timedelta(days=3)
    [job_id] = admin.call(
        "marketplace.job",
        "create",
        [
            {
                "job_type": "pull_orders",
                "account_id": account_id,
                "shop_id": shop_id,
                "payload": json.dumps({"since": iso(since), "until": None}),
                "priority": 1,
            }
        ],
    )
    job = wait_job(admin, job_id)
    assert job["state"] == "completed", job["error_message"]
    names = {
        order["name"]
        for order in admin.search_read(
            "marketplace.order", [("shop_id", "=", shop_id)], ["name"]
        )
    }
    assert names == {str(order_id) for order_id in sim.order_ids(LAZADA_SELLER_ID)}
    # §1 method 2: the cron queues the shop's pull
    _model, cron_id = admin.call(
        "ir.model.data",
        "check_object_reference",
        "connector_marketplace",
        "ir_cron_pull_orders",
    )
    admin.call("ir.cron", "method_direct_trigger", [cron_id])
    cron_pull = newest_job(admin, shop_id, "pull_orders")
    assert cron_pull != job_id
    assert wait_job(admin, cron_pull)["state"] == "completed"

    # §2: the products, bound by SKU by themselves, then by Bulk Binding
    answer = admin.call("marketplace.shop", "action_import_products", [shop_id])
    assert answer["params"]["type"] == "success", answer
    job = wait_job(admin, newest_job(admin, shop_id, "pull_products"))
    assert job["state"] == "completed", job["error_message"]
    listings = admin.search_read(
        "marketplace.product.binding",
        [("shop_id", "=", shop_id)],
        ["sku", "product_id", "external_item_id", "external_variation_id"],
    )
    bound = {b["sku"]: b["product_id"][0] for b in listings if b["product_id"]}
    assert bound == {CABLE: cable, SHIRT_M: shirt_m}
    shirt_l = product(admin, SHIRT_L, 9, location_id)
    [red_l] = [b for b in listings if b["sku"] == SHIRT_L]
    wizard = admin.call(
        "marketplace.product.bind.wizard",
        "create",
        {
            "shop_id": shop_id,
            "binding_ids": [(6, 0, [red_l["id"]])],
            "product_ids": [(6, 0, [shirt_l])],
        },
    )
    admin.call("marketplace.product.bind.wizard", "action_preview", [wizard])
    admin.call("marketplace.product.bind.wizard", "action_confirm", [wizard])
    [red_l] = admin.call(
        "marketplace.product.binding", "read", [red_l["id"]], ["product_id"]
    )
    assert red_l["product_id"][0] == shirt_l

    # §5: Lazada pushes a new order; §4: its sale order, stock reserved
    sim.configure_push(url=account["lazada_webhook_url"], enabled=True)
    [order_id] = sim.put_orders(
        LAZADA_SELLER_ID, [{"items": [{"sku": CABLE, "quantity": 2}]}]
    )["order_ids"]

    def sale_order_of_the_push():
        orders = admin.search_read(
            "marketplace.order",
            [("shop_id", "=", shop_id), ("name", "=", str(order_id))],
            ["sale_order_id"],
        )
        return orders and orders[0]["sale_order_id"]

    wait_until(sale_order_of_the_push, 120, message="the pushed order's sale order")
    events = admin.search_read(
        "marketplace.webhook.event", [("account_id", "=", account_id)], ["state"]
    )
    assert events and {e["state"] for e in events} <= {"done", "received"}
    sale_id = sale_order_of_the_push()[0]
    [sale] = admin.call("sale.order", "read", [sale_id], ["state", "picking_ids"])
    assert sale["state"] == "sale"
    [picking] = admin.call("stock.picking", "read", sale["picking_ids"], ["state"])
    assert picking["state"] == "assigned"

    # §3: a sync rule, then Push stock now: Lazada shows the rule's quantity
    admin.call("marketplace.sync.rule", "create", {"shop_id": shop_id, "buffer_qty": 3})
    answer = admin.call("marketplace.shop", "action_push_stock", [shop_id])
    assert answer["params"]["type"] == "success", answer
    job = wait_job(admin, newest_job(admin, shop_id, "push_stock"))
    assert job["state"] == "completed", job["error_message"]
    [cable_listing] = [b for b in listings if b["sku"] == CABLE]
    key = (
        int(cable_listing["external_item_id"]),
        int(cable_listing["external_variation_id"]),
    )
    assert (
        sim.stock(LAZADA_SELLER_ID)[key]
        == free_less_demand(admin, cable, location_id) - 3
    )
    assert free_less_demand(admin, cable, location_id) <= 50 - 2

    # §6: Lazada throttles once: the job is retried and completes; a wrong
    # app secret fails the job with what to do
    sim.add_fault("rate_limit", path="/orders/get", times=1)
    answer = admin.call("marketplace.shop", "action_import_orders", [shop_id])
    job = wait_job(admin, newest_job(admin, shop_id, "pull_orders"))
    assert job["state"] == "completed", job["error_message"]
    [retried] = admin.call("marketplace.job", "read", [job["id"]], ["retry_count"])
    assert retried["retry_count"] >= 1
    admin.call(
        "marketplace.account",
        "write",
        [account_id],
        {"lazada_app_secret": "not-the-app-secret"},
    )
    answer = admin.call("marketplace.shop", "action_import_orders", [shop_id])
    job = wait_job(admin, newest_job(admin, shop_id, "pull_orders"))
    assert job["state"] == "failed"
    assert "app secret" in job["error_message"], job["error_message"]
