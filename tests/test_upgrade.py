"""Upgrade without loss: a database of 18.0.1.x upgraded to 18.0.2.0.0.

The code before 18.0.2.0.0 (``UPGRADE_FROM``, read from this repository's
history) builds a database and a real server of that code fills it through
the simulator, as a seller would: a connected shop, its listings bound to
products in stock, pulled orders at every status, their sale orders, a stock
push and a webhook push. Then this code upgrades it (``-u``, which runs the
migration scripts). Counts and amounts are the same afterwards; the order
statuses are the neutral lifecycle's, mapped as the migration pins; the
statuses a shop creates sale orders at are kept.

Needs the database and addons path of ``make test`` (for the Odoo and
PostgreSQL it uses) and the repository's history (``git``).
"""

import hashlib
import hmac
import io
import json
import os
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest
import requests
from odoo_server import (
    LOGS,
    ROOT,
    SHOP_ID,
    SIM_PUSH_KEY,
    OdooServer,
    connect_shop,
    create_simulator_account,
    db_query,
    make_test_database,
)

# The last commit of 18.0.1.2.0 (before the channel-neutral vocabulary).
UPGRADE_FROM = "5eeebee9025018ae4c95091b6f7cceecd168bb45"
# What each status of 18.0.1.x is in the neutral lifecycle.
NEUTRAL = {
    "pending": "awaiting_payment",
    "unpaid": "awaiting_payment",
    "ready_to_ship": "to_ship",
    "retry_ship": "to_ship",
    "invoice_pending": "to_ship",
    "processed": "packed",
    "shipped": "shipping",
    "to_confirm_receive": "delivered",
    "in_cancel": "cancel_requested",
    "to_return": "returned",
}
ADDONS = "connector_marketplace,connector_shopee"


def old_addons(destination):
    """The addons of ``UPGRADE_FROM``, extracted into ``destination``."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", UPGRADE_FROM, "addons"],
        capture_output=True,
        check=False,
    )
    if archive.returncode:
        pytest.fail(
            f"git cannot read {UPGRADE_FROM} of this repository (a shallow "
            f"clone?): {archive.stderr.decode()[:300]}"
        )
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(destination, filter="data")
    return destination / "addons"


def odoo_options(db, addons_path):
    return [
        "-c",
        str(ROOT / "odoo.conf"),
        f"--addons-path={addons_path}",
        f"--db_host={os.environ.get('PGHOST', 'localhost')}",
        f"--db_port={os.environ.get('PGPORT', '5432')}",
        f"--db_user={os.environ.get('PGUSER', 'odoo')}",
        f"--db_password={os.environ.get('PGPASSWORD', 'odoo')}",
        "-d",
        db,
    ]


def run_odoo(db, addons_path, *args, script=None):
    """Odoo (or one of the scripts) on ``db``, to its end; fails with its log."""
    command = [sys.executable]
    command += [str(script)] if script else ["-m", "odoo"]
    command += odoo_options(db, addons_path) + list(args)
    if not script:
        command += ["--stop-after-init", "--log-level=warn"]
    log = LOGS / "upgrade-cli.log"
    with open(log, "a") as out:
        out.write(f"\n==== {' '.join(args)}\n")
        out.flush()
        done = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT)
    assert done.returncode == 0, f"{' '.join(args)} failed: see {log}"


def drop_database(db):
    import psycopg2

    connection = psycopg2.connect(
        dbname="postgres",
        host=os.environ.get("PGHOST", "localhost"),
        port=os.environ.get("PGPORT", "5432"),
        user=os.environ.get("PGUSER", "odoo"),
        password=os.environ.get("PGPASSWORD", "odoo"),
    )
    connection.autocommit = True
    with connection.cursor() as cr:
        cr.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    connection.close()


def l10n_th_installable():
    import odoo

    return (Path(odoo.__file__).parent / "addons" / "l10n_th").is_dir()


def build_old_database(db, addons_path):
    """A fresh database of a Thai seller with the addons of ``addons_path``,
    as ``make test`` builds one."""
    drop_database(db)
    run_odoo(db, addons_path, "-i", "base", "--load-language=en_US,th_TH")
    run_odoo(
        db, addons_path, "--log-level=warn", script=ROOT / "scripts/thai_company.py"
    )
    modules = ADDONS + (",l10n_th" if l10n_th_installable() else "")
    run_odoo(db, addons_path, "-i", modules)


def wait_done(admin, domain, timeout=180):
    """Every marketplace job of ``domain`` completed; returns them."""
    deadline = time.monotonic() + timeout
    while True:
        jobs = admin.search_read(
            "marketplace.job", domain, ["name", "state", "error_message"]
        )
        if jobs and all(job["state"] in ("completed", "failed") for job in jobs):
            failed = [job for job in jobs if job["state"] == "failed"]
            assert not failed, failed
            return jobs
        assert time.monotonic() < deadline, f"jobs not done: {jobs}"
        time.sleep(0.5)


def fill(admin, sim, server):
    """What a seller's database holds after some days of selling."""
    now = int(time.time())
    sim.reset(
        seed=31,
        orders=40,
        items=6,
        models_per_item=2,
        shop_id=SHOP_ID,
        time_from=now - 3 * 86400,
        time_to=now - 60,
    )
    for name, model, domain, context, sort in SAVED_FILTERS:
        admin.call(
            "ir.filters",
            "create",
            {
                "name": name,
                "model_id": model,
                "domain": domain,
                "context": context,
                "sort": sort,
            },
        )
    account = create_simulator_account(admin, "Before the upgrade", sim.url)
    shop = connect_shop(admin, account, sim.url)["id"]
    [warehouse] = admin.search_read(
        "stock.warehouse", [], ["lot_stock_id"], limit=1, order="id"
    )
    admin.call("marketplace.shop", "write", [shop], {"warehouse_id": warehouse["id"]})
    listings = [
        (item, model) for item in sim.catalogue(SHOP_ID) for model in item["models"]
    ]
    products = admin.call(
        "product.product",
        "create",
        [
            {
                "name": f"Upgrade {item['item_id']}/{model['model_id']}",
                "type": "consu",
                "is_storable": True,
                "list_price": model["price"],
            }
            for item, model in listings
        ],
    )
    quants = admin.call(
        "stock.quant",
        "create",
        [
            {
                "product_id": product,
                "location_id": warehouse["lot_stock_id"][0],
                "inventory_quantity": 50,
            }
            for product in products
        ],
        context={"inventory_mode": True},
    )
    admin.call("stock.quant", "action_apply_inventory", quants)
    admin.call(
        "marketplace.product.binding",
        "create",
        [
            {
                "shop_id": shop,
                "external_item_id": str(item["item_id"]),
                "external_model_id": str(model["model_id"]),
                "product_id": product,
                "name": item["item_name"],
            }
            for (item, model), product in zip(listings, products, strict=True)
        ],
    )
    admin.call("marketplace.shop", "action_import_orders", [shop])
    wait_done(admin, [("shop_id", "=", shop)])
    orders = admin.search_read(
        "marketplace.order", [("shop_id", "=", shop)], ["status", "sale_order_id"]
    )
    admin.call(
        "marketplace.order",
        "action_create_sale_orders",
        [o["id"] for o in orders if o["status"] not in ("unpaid", "cancelled")],
    )
    wait_done(admin, [("shop_id", "=", shop)])
    admin.call("marketplace.shop", "action_push_stock", [shop])
    wait_done(admin, [("shop_id", "=", shop)])
    # a webhook push of an order's new status: an event and its import job
    [url] = admin.call("marketplace.account", "read", [account], ["shopee_webhook_url"])
    body = json.dumps(
        {
            "code": 3,
            "shop_id": SHOP_ID,
            "timestamp": int(time.time()),
            "data": {"ordersn": sim.order_sns(SHOP_ID)[0], "status": "PROCESSED"},
        }
    ).encode()
    signature = hmac.new(
        SIM_PUSH_KEY.encode(),
        url["shopee_webhook_url"].encode() + b"|" + body,
        hashlib.sha256,
    ).hexdigest()
    answer = requests.post(
        url["shopee_webhook_url"],
        data=body,
        headers={"Authorization": signature},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text

    def event_handled():
        rows = db_query(server.db, "SELECT state FROM marketplace_webhook_event")
        return rows and all(state != "received" for (state,) in rows)

    deadline = time.monotonic() + 60
    while not event_handled():
        assert time.monotonic() < deadline, "the webhook event was not handled"
        time.sleep(0.5)
    wait_done(admin, [("shop_id", "=", shop)])


# Favourites a seller saved before the upgrade: (name, model, domain,
# context, sort: JSON, as Odoo 18 keeps it)
SAVED_FILTERS = (
    (
        "Ready to ship, settled",
        "marketplace.order",
        "[('status', 'in', ['ready_to_ship', 'retry_ship']), "
        "('escrow_amount', '>', 0), ('sale_status', '!=', 'error')]",
        "{'group_by': ['escrow_read_at:month'], 'pivot_measures': ['coins']}",
        '["escrow_amount desc"]',
    ),
    (
        "Gone listings",
        "marketplace.product.binding",
        "[('listing_status', '=', 'shopee_delete')]",
        "{}",
        "[]",
    ),
    (
        "Lines of shipped orders",
        "marketplace.order.line",
        "[('order_id.status', '=', 'shipped'), ('model_id', '!=', False)]",
        "{}",
        '["escrow_subtotal"]',
    ),
)


COUNTED = (
    "marketplace_order",
    "marketplace_order_line",
    "marketplace_product_binding",
    "marketplace_job",
    "marketplace_webhook_event",
    "queue_job",
    "sale_order",
    "sale_order_line",
    "stock_picking",
    "stock_move",
    "shopee_order",
    "shopee_product_binding",
    "marketplace_sync_rule",
)


# The money of orders and lines: (18.0.1.x column, 18.0.2.0.0 column)
ORDER_MONEY = (
    ("buyer_total_amount", "buyer_total"),
    ("original_price", "items_subtotal"),
    ("shopee_discount", "platform_discount"),
    ("voucher_from_seller", "seller_voucher"),
    ("voucher_from_shopee", "platform_voucher"),
    ("coins", "platform_coins"),
    ("buyer_paid_shipping_fee", "buyer_shipping_fee"),
    ("shopee_shipping_rebate", "platform_shipping_subsidy"),
    ("escrow_amount", "payout_amount"),
    ("escrow_read_at", "payout_read_at"),
    ("escrow_payload", "payout_payload"),
    ("commission_fee", "commission_fee"),
    ("sale_target_amount", "sale_target_amount"),
)
LINE_MONEY = (
    ("escrow_subtotal", "seller_subtotal"),
    ("escrow_matched", "seller_subtotal_known"),
    # (not money: the line's variation, renamed with them)
    ("model_id", "variation_id"),
)


def money(db, upgraded):
    """{order: its money}, {line: its seller price}, by the version's names."""
    pick = 1 if upgraded else 0
    order_columns = ", ".join(pair[pick] for pair in ORDER_MONEY)
    line_columns = ", ".join(pair[pick] for pair in LINE_MONEY)
    orders = {
        row[0]: tuple(str(value) for value in row[1:])
        for row in db_query(db, f"SELECT name, {order_columns} FROM marketplace_order")  # noqa: S608
    }
    lines = {
        row[0]: tuple(str(value) for value in row[1:])
        for row in db_query(
            db,
            f"SELECT id, {line_columns} FROM marketplace_order_line",  # noqa: S608
        )
    }
    return orders, lines


def snapshot(db, upgraded=False):
    """What must come through an upgrade unchanged (statuses: mapped)."""
    counts = {
        table: db_query(db, f"SELECT count(*) FROM {table}")[0][0]  # noqa: S608
        for table in COUNTED
    }
    orders = {
        name: (status, raw, float(total or 0), sale_order)
        for name, status, raw, total, sale_order in db_query(
            db,
            "SELECT name, status, raw_status, amount_total, sale_order_id"
            " FROM marketplace_order",
        )
    }
    sale_orders = {
        id_: (state, float(total), order)
        for id_, state, total, order in db_query(
            db,
            "SELECT id, state, amount_total, marketplace_order_id FROM sale_order"
            " WHERE marketplace_order_id IS NOT NULL",
        )
    }
    lines = db_query(
        db,
        "SELECT sum(price_subtotal), sum(product_uom_qty) FROM sale_order_line"
        " WHERE order_id IN (SELECT id FROM sale_order"
        " WHERE marketplace_order_id IS NOT NULL)",
    )[0]
    jobs = dict(
        (id_, (job_type, state, summary))
        for id_, job_type, state, summary in db_query(
            db, "SELECT id, job_type, state, result_summary FROM marketplace_job"
        )
    )
    events = dict(
        (id_, (state, code))
        for id_, state, code in db_query(
            db, "SELECT id, state, code FROM marketplace_webhook_event"
        )
    )
    variation_column = "external_variation_id" if upgraded else "external_model_id"
    bindings = dict(
        (id_, (product, stock, pushed, item, variation))
        for id_, product, stock, pushed, item, variation in db_query(
            db,
            "SELECT id, product_id, marketplace_stock, last_pushed_qty,"  # noqa: S608
            f" external_item_id, {variation_column} FROM marketplace_product_binding",
        )
    )
    chosen = {
        code
        for (code,) in db_query(
            db,
            "SELECT s.code FROM marketplace_order_status s"
            " JOIN marketplace_order_status_marketplace_shop_rel r"
            "   ON r.marketplace_order_status_id = s.id",
        )
    }
    order_money, line_money = money(db, upgraded)
    saved = {
        name: (domain, context, sort)
        for name, domain, context, sort in db_query(
            db, "SELECT name, domain, context, sort FROM ir_filters ORDER BY id"
        )
    }
    kinds = (
        dict(db_query(db, "SELECT code, kind FROM marketplace_webhook_event"))
        if upgraded
        else {}
    )
    return {
        "order_money": order_money,
        "kinds": kinds,
        "line_money": line_money,
        "counts": counts,
        "orders": orders,
        "sale_orders": sale_orders,
        "sale_lines": (float(lines[0] or 0), float(lines[1] or 0)),
        "jobs": jobs,
        "events": events,
        "bindings": bindings,
        "chosen": chosen,
        "saved": saved,
    }


@pytest.fixture(scope="module")
def before_and_after(shopee_simulator, tmp_path_factory):
    db, addons_path = make_test_database()
    old = old_addons(tmp_path_factory.mktemp("before-18.0.2"))
    ours = str(ROOT / "addons")
    old_path = ",".join(
        str(old) if str(Path(path).resolve()) == ours else path
        for path in addons_path.split(",")
    )
    assert str(old) in old_path, addons_path
    upgrade_db = f"{db}_upgrade"
    build_old_database(upgrade_db, old_path)
    server = OdooServer(upgrade_db, old_path, "upgrade-before.log")
    try:
        server.start()
        admin = server.client()
        admin.call("ir.config_parameter", "set_param", "web.base.url", server.url)
        fill(admin, shopee_simulator, server)
    finally:
        server.stop()
    before = snapshot(upgrade_db)
    run_odoo(upgrade_db, addons_path, "-u", ADDONS)
    after = snapshot(upgrade_db, upgraded=True)
    [[version]] = db_query(
        upgrade_db,
        "SELECT latest_version FROM ir_module_module"
        " WHERE name = 'connector_marketplace'",
    )
    yield before, after, version
    drop_database(upgrade_db)


def test_the_database_before_holds_a_sellers_days(before_and_after):
    before, _after, _version = before_and_after
    counts = before["counts"]
    assert counts["marketplace_order"] == 40
    assert counts["sale_order"] > 10
    assert counts["marketplace_webhook_event"] == 1
    assert {job_type for job_type, _s, _r in before["jobs"].values()} >= {
        "pull_orders",
        "sale_orders",
        "push_stock",
        "import_orders",
    }
    statuses = {status for status, _raw, _t, _so in before["orders"].values()}
    assert len(statuses & set(NEUTRAL)) >= 3, statuses


def test_nothing_lost_nor_changed(before_and_after):
    before, after, version = before_and_after
    assert version == "18.0.2.0.0"
    assert after["counts"] == before["counts"]
    settled = [m for m in before["order_money"].values() if m[9] != "None"]
    assert settled, "some orders had their settlement read"
    for kind in (
        "sale_orders",
        "sale_lines",
        "jobs",
        "events",
        "bindings",
        "order_money",
        "line_money",
    ):
        assert after[kind] == before[kind], kind


def test_statuses_in_the_neutral_lifecycle(before_and_after):
    before, after, _version = before_and_after
    expected = {
        name: (NEUTRAL.get(status, status), raw, total, sale_order)
        for name, (status, raw, total, sale_order) in before["orders"].items()
    }
    assert after["orders"] == expected
    assert after["chosen"] == {NEUTRAL.get(code, code) for code in before["chosen"]}
    assert after["chosen"] == {
        "to_ship",
        "packed",
        "shipping",
        "delivered",
        "completed",
    }


def test_webhook_events_of_their_neutral_kind(before_and_after):
    _before, after, _version = before_and_after
    assert after["kinds"] == {3: "order_changed"}


def test_saved_filters_find_what_they_found(before_and_after):
    before, after, _version = before_and_after
    assert before["saved"]["Gone listings"][0] == SAVED_FILTERS[1][2]
    assert after["saved"]["Ready to ship, settled"] == (
        "[('status', 'in', ['to_ship']), ('payout_amount', '>', 0), "
        "('sale_status', '!=', 'error')]",
        "{'group_by': ['payout_read_at:month'], 'pivot_measures': ['platform_coins']}",
        '["payout_amount desc"]',
    )
    assert after["saved"]["Gone listings"] == (
        "[('listing_status', '=', 'deleted_by_marketplace')]",
        "{}",
        "[]",
    )
    assert after["saved"]["Lines of shipped orders"] == (
        "[('order_id.status', '=', 'shipping'), ('variation_id', '!=', False)]",
        "{}",
        '["seller_subtotal"]',
    )
