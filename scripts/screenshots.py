"""The demo path of the README in headless Chromium, in one language.

Connect the shop on the simulator's consent page → import its orders → the
job → the orders → import its listings → Bulk Binding → a sale order with
its delivery → a sync rule → a stock push → a Shopee push received → the
dashboard; one PNG per screen in ``<out>/<lang>``. Every step presses the
button a seller would press. Driven with Playwright on the machine's
Chromium (no browser download).
"""

import argparse
import json
import re
import time
from pathlib import Path

import requests
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1440, "height": 900}
ACCOUNT_XMLID = "connector_shopee.demo_account_simulator"
LAZADA_ACCOUNT_XMLID = "connector_lazada.demo_account_simulator"
# A product the seller sells in the shop only: on no marketplace listing.
OFFLINE_ONLY = "BGH-TOTE-BAG"


class Rpc:
    """JSON-RPC as admin, to prepare the database and wait for jobs."""

    def __init__(self, url, db):
        self.url, self.session = url, requests.Session()
        answer = self.session.post(
            f"{url}/web/session/authenticate",
            json={"params": {"db": db, "login": "admin", "password": "admin"}},
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
            raise RuntimeError(json.dumps(answer["error"], indent=1)[:2000])
        return answer.get("result")

    def ref(self, xmlid):
        module, name = xmlid.split(".")
        [data] = self.call(
            "ir.model.data",
            "search_read",
            [("module", "=", module), ("name", "=", name)],
            ["res_id"],
        )
        return data["res_id"]

    def wait_jobs(self, shop_id, timeout=180, expected_failures=()):
        """Wait until every job of the shop has ended; fail on a failed one
        (but the ids in ``expected_failures``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            jobs = self.call(
                "marketplace.job",
                "search_read",
                [("shop_id", "=", shop_id)],
                ["name", "state", "error_message"],
            )
            if jobs and all(job["state"] in ("completed", "failed") for job in jobs):
                failed = [
                    job
                    for job in jobs
                    if job["state"] == "failed" and job["id"] not in expected_failures
                ]
                if failed:
                    raise RuntimeError(f"jobs failed: {failed}")
                return jobs
            time.sleep(1)
        raise TimeoutError("the shop's jobs did not finish")


def wait_for_odoo(url, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/web/login", timeout=5).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(1)
    raise TimeoutError(f"Odoo did not answer on {url}")


def prepare(rpc, odoo_url, simulator_url):
    """The demo account talks to this run's simulator; links come back here."""
    rpc.call("ir.config_parameter", "set_param", "web.base.url", odoo_url)
    rpc.call("ir.config_parameter", "set_param", "web.base.url.freeze", "True")
    account_id = rpc.ref(ACCOUNT_XMLID)
    rpc.call(
        "product.product",
        "create",
        {"name": "ถุงผ้าหน้าร้าน", "default_code": OFFLINE_ONLY, "is_storable": True},
    )
    rpc.call(
        "marketplace.account",
        "write",
        [account_id],
        {"shopee_simulator_url": simulator_url},
    )
    return account_id


class Tour:
    def __init__(self, page, odoo_url, out):
        self.page, self.odoo_url, self.out = page, odoo_url, out
        out.mkdir(parents=True, exist_ok=True)

    def shot(self, name):
        # Not "networkidle": the web client keeps its bus connection open.
        self.page.wait_for_load_state("load")
        time.sleep(1.0)  # let the web client settle its last render
        self.page.screenshot(path=str(self.out / f"{name}.png"))
        print(f"    {self.out.name}/{name}.png")

    def goto(self, path, selector=".o_action_manager .o_view_controller"):
        self.page.goto(f"{self.odoo_url}{path}")
        self.page.wait_for_selector(selector)

    def save(self, timeout=30):
        """Save a new record: the URL then ends with its id."""
        self.page.click(".o_form_button_save")
        deadline = time.monotonic() + timeout
        while not re.search(r"/\d+(\?.*)?$", self.page.url):
            if time.monotonic() > deadline:
                self.page.screenshot(path=str(self.out / "error-save.png"))
                raise TimeoutError(f"not saved: {self.page.url}")
            # (not time.sleep: Playwright learns of URL changes while it waits)
            self.page.wait_for_timeout(200)
        time.sleep(0.5)

    def pick(self, field, text):
        """Choose a many2one value by typing, as a user does."""
        self.page.fill(f"div[name={field}] input", text)
        self.page.click(".o-autocomplete--dropdown-item a")
        time.sleep(0.3)

    def login(self):
        self.page.goto(f"{self.odoo_url}/web/login")
        self.page.fill("input[name=login]", "admin")
        self.page.fill("input[name=password]", "admin")
        self.page.click("button[type=submit]")
        self.page.wait_for_selector(".o_main_navbar")

    def run(self, rpc, account_id):
        page = self.page
        self.goto(
            f"/odoo/action-connector_marketplace.marketplace_account_action/{account_id}"
        )
        self.shot("01-account")
        page.click("button[name=action_shopee_connect]")
        page.wait_for_selector("form")
        self.shot("02-consent")
        page.click("button[name=authorize]")
        page.wait_for_url("**/marketplace/shopee/oauth/**")
        self.shot("03-shop-connected")
        # by itself, a moment later: back inside Odoo, on the shop
        page.wait_for_selector(
            ".o_form_view button[name=action_import_orders]", timeout=15000
        )
        self.shot("03b-back-on-the-shop")
        [shop] = rpc.call(
            "marketplace.shop", "search_read", [("account_id", "=", account_id)], ["id"]
        )
        page.click("button[name=action_import_orders]")
        page.wait_for_selector(".o_notification")
        self.shot("04-shop-import")
        rpc.wait_jobs(shop["id"])
        self.goto("/odoo/action-connector_marketplace.marketplace_job_action")
        self.shot("05-jobs")
        page.click(".o_data_row .o_data_cell")
        page.wait_for_selector(".o_form_view")
        self.shot("06-job")
        page.click(".o_notebook a[name=queue_jobs]")
        page.wait_for_selector(".o_notebook .o_field_one2many .o_data_row")
        self.shot("06b-job-steps")
        self.guides_pull(rpc, shop["id"])
        self.goto("/odoo/action-connector_marketplace.marketplace_order_action")
        self.shot("07-orders")
        page.click(".o_data_row .o_data_cell")
        page.wait_for_selector(".o_form_view")
        self.shot("08-order")
        self.products(rpc, shop["id"])
        self.sale_order(rpc, shop["id"])
        self.stock(rpc, shop["id"])
        self.webhook(rpc, account_id, shop["id"])
        self.goto(
            "/odoo/action-connector_marketplace.marketplace_dashboard_action",
            ".o_marketplace_dashboard table",
        )
        # the daily bars scale to the best day (they were all 2 px high)
        heights = page.evaluate(
            "() => [...document.querySelectorAll('.o_mp_bar')]"
            ".map((bar) => bar.getBoundingClientRect().height)"
        )
        if heights and max(heights) < 100:
            raise AssertionError(f"the dashboard's daily bars do not scale: {heights}")
        self.shot("16-dashboard")
        page.click(".o_marketplace_dashboard .o_mp_tile.text-danger >> nth=1")
        page.wait_for_selector(".o_list_view")
        self.shot("16b-dashboard-out-of-stock")
        self.refused_push(rpc, shop["id"])

    def lazada(self, rpc, account_id):
        """The guide on the demo's Lazada shop: connect, orders, listings,
        stock; then both channels side by side."""
        page = self.page
        rpc.call(
            "marketplace.account",
            "write",
            [account_id],
            {"lazada_simulator_url": rpc.lazada_simulator_url},
        )
        self.goto(
            f"/odoo/action-connector_marketplace.marketplace_account_action/{account_id}"
        )
        self.shot("20-lazada-account")
        page.click("button[name=action_lazada_connect]")
        page.wait_for_selector("form")
        self.shot("21-lazada-consent")
        page.click("button[name=authorize]")
        page.wait_for_url("**/marketplace/lazada/oauth/**")
        self.shot("22-lazada-connected")
        page.wait_for_selector(
            ".o_form_view button[name=action_import_orders]", timeout=15000
        )
        [shop] = rpc.call(
            "marketplace.shop", "search_read", [("account_id", "=", account_id)], ["id"]
        )
        page.click("button[name=action_import_orders]")
        page.wait_for_selector(".o_notification")
        rpc.wait_jobs(shop["id"])
        rpc.call("marketplace.shop", "action_import_products", [shop["id"]])
        rpc.wait_jobs(shop["id"])
        self.goto("/odoo/action-connector_marketplace.marketplace_order_action")
        self.group_by("Channel")
        self.shot("23-orders-by-channel")
        [order] = rpc.call(
            "marketplace.order",
            "search_read",
            [("shop_id", "=", shop["id"]), ("line_ids", "!=", False)],
            ["id"],
            limit=1,
        )
        self.goto(
            f"/odoo/action-connector_marketplace.marketplace_order_action/{order['id']}"
        )
        self.shot("24-lazada-order")
        self.goto(
            "/odoo/action-connector_marketplace.marketplace_product_binding_action"
        )
        self.group_by("Channel")
        self.shot("25-lazada-bindings")
        rpc.call(
            "marketplace.sync.rule", "create", {"shop_id": shop["id"], "buffer_qty": 2}
        )
        rpc.call("marketplace.shop", "action_push_stock", [shop["id"]])
        rpc.wait_jobs(shop["id"])
        self.goto("/odoo/action-connector_marketplace.marketplace_job_action")
        self.group_by("Channel")
        self.shot("26-jobs-by-channel")
        self.goto(
            "/odoo/action-connector_marketplace.marketplace_dashboard_action",
            ".o_marketplace_dashboard table",
        )
        self.shot("27-dashboard-two-channels")

    def fulfilment(self, rpc, account_id):
        """After the order, on the Shopee shop: a delivery shipped from Odoo
        (the Arrange shipment window), its label and tracking number, the
        delivery done once Shopee says shipped, and a buyer's cancellation
        request on its sale order."""
        page = self.page
        [shop] = rpc.call(
            "marketplace.shop", "search_read", [("account_id", "=", account_id)], ["id"]
        )
        hour_ago = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() - 3600))
        orders = rpc.call(
            "marketplace.order",
            "search_read",
            [
                ("shop_id", "=", shop["id"]),
                ("status", "=", "to_ship"),
                ("sale_order_id.state", "=", "sale"),
                ("date_order", "<", hour_ago),
            ],
            ["name", "sale_order_id"],
            limit=2,
            order="date_order desc",
        )
        if len(orders) < 2:
            raise AssertionError(f"two Shopee orders to ship are needed: {orders}")
        shipped, asking = orders
        [delivery] = rpc.call(
            "stock.picking",
            "search_read",
            [
                ("sale_id", "=", shipped["sale_order_id"][0]),
                ("picking_type_code", "=", "outgoing"),
            ],
            ["id"],
        )
        self.goto(f"/odoo/action-stock.action_picking_tree_all/{delivery['id']}")
        self.shot("30-delivery-to-ship")
        page.click("button[name=action_marketplace_ship]")
        page.wait_for_selector(".modal .o_form_view div[name=mode_id]")
        self.shot("31-arrange-shipment")
        page.click(".modal button[name=action_confirm]")
        page.wait_for_selector(".o_notification")
        rpc.wait_jobs(shop["id"])
        self.goto(f"/odoo/action-stock.action_picking_tree_all/{delivery['id']}")
        page.wait_for_selector(
            "div[name=marketplace_label_id] a, div[name=marketplace_label_id] span"
        )
        self.shot("32-delivery-label")
        simulator = rpc.simulator_url
        requests.post(
            f"{simulator}/_simulator/orders/{shipped['name']}",
            json={"order_status": "SHIPPED"},
            timeout=10,
        ).raise_for_status()
        requests.post(
            f"{simulator}/_simulator/orders/{asking['name']}/buyer_cancel",
            json={},
            timeout=10,
        ).raise_for_status()
        rpc.call("marketplace.shop", "action_import_orders", [shop["id"]])
        rpc.wait_jobs(shop["id"])
        self.goto(f"/odoo/action-stock.action_picking_tree_all/{delivery['id']}")
        self.shot("33-delivery-shipped")
        self.goto(f"/odoo/action-sale.action_orders/{asking['sale_order_id'][0]}")
        page.wait_for_selector("button[name=action_marketplace_accept_cancellation]")
        self.shot("34-buyer-asks-to-cancel")

    def group_by(self, label):
        """Group the list by a filter of the search panel's Group By."""
        page = self.page
        page.click(".o_searchview_dropdown_toggler")
        page.click(f".o_group_by_menu .o_menu_item:has-text('{label}')")
        page.keyboard.press("Escape")
        page.wait_for_selector(".o_group_header")

    def guides_pull(self, rpc, shop_id):
        """The guide's §1 by hand: Marketplace > Jobs > New, its payload
        {"since": "2024-11-01T00:00:00", "until": null}: midnight in the
        user's time zone, not UTC."""
        page = self.page
        self.goto("/odoo/action-connector_marketplace.marketplace_job_action/new")
        page.click("div[name=job_type] input[data-value=pull_orders]")
        # as the guide fills it: the account, then its shop
        self.pick("account_id", "Shopee Thailand")
        self.pick("shop_id", "Bangkok")
        page.click("div[name=payload] .ace_content")
        page.keyboard.press("Control+A")
        # (inserted as pasted: typed, the editor would close each bracket)
        page.keyboard.insert_text('{"since": "2024-11-01T00:00:00", "until": null}')
        self.save()
        rpc.wait_jobs(shop_id, timeout=300)
        page.reload()
        page.wait_for_selector(".o_form_view .o_field_widget[name=window_start]")
        self.shot("06c-guides-pull")

    def refused_push(self, rpc, shop_id):
        """The guide's §6: the stock of a product without binding. The job
        says what to change, and offers no Retry that would fail the same."""
        [product_id] = rpc.call(
            "product.product", "search", [("default_code", "=", OFFLINE_ONLY)]
        )
        job_id = rpc.call(
            "marketplace.job",
            "create",
            {
                "job_type": "push_stock",
                "shop_id": shop_id,
                "payload": json.dumps({"product_ids": [product_id]}),
            },
        )
        rpc.wait_jobs(shop_id, expected_failures=(job_id,))
        self.goto(f"/odoo/action-connector_marketplace.marketplace_job_action/{job_id}")
        self.shot("17-job-refused")

    def products(self, rpc, shop_id):
        """The guide's §2: listings imported, most bound by SKU, the rest by
        Bulk Binding (three products created from their listings)."""
        page = self.page
        self.goto(
            f"/odoo/action-connector_marketplace.marketplace_shop_action/{shop_id}"
        )
        page.click("button[name=action_import_products]")
        page.wait_for_selector(".o_notification")
        rpc.wait_jobs(shop_id)
        self.goto(
            "/odoo/action-connector_marketplace.marketplace_product_binding_action"
        )
        self.shot("09-bindings")
        self.manual_binding_refused(rpc, shop_id)
        self.goto(
            "/odoo/action-connector_marketplace.marketplace_product_binding_action"
        )
        page.click("button[name=action_bulk_binding]")
        page.wait_for_selector(".modal .o_form_view")
        page.click(".modal button[name=action_preview]")
        page.wait_for_selector(".modal .o_field_one2many .o_data_row")
        self.shot("10-bulk-binding")
        toggles = page.locator(
            ".modal .o_field_one2many .o_data_row .o_field_boolean_toggle input"
        )
        for index in range(min(3, toggles.count())):
            toggles.nth(index).click()
            time.sleep(0.3)
        page.click(".modal button[name=action_confirm]")
        page.wait_for_selector(".modal", state="detached")
        self.goto(
            "/odoo/action-connector_marketplace.marketplace_product_binding_action"
        )
        self.shot("11-bindings-after")

    def manual_binding_refused(self, rpc, shop_id):
        """The guide's §2 by hand: only the item id of an item that has
        variations. Refused on Save, naming its variations."""
        page = self.page
        [listing] = rpc.call(
            "marketplace.product.binding",
            "search_read",
            [("shop_id", "=", shop_id), ("external_variation_id", "!=", "0")],
            ["external_item_id"],
            limit=1,
        )
        self.goto(
            "/odoo/action-connector_marketplace.marketplace_product_binding_action/new"
        )
        self.pick("shop_id", "Bangkok")
        page.fill("div[name=external_item_id] input", listing["external_item_id"])
        self.pick("product_id", "BGH-CLEANKIT")
        page.click(".o_form_button_save")
        page.wait_for_selector(".modal .modal-body")
        self.shot("09b-binding-refused")
        page.click(".modal .btn-primary")
        page.click(".o_form_button_cancel")

    def bind_these_listings(self, rpc, shop_id):
        """Create Sale Order on an order with a listing not bound yet: its
        listing named, and the way to bind it."""
        page = self.page
        orders = rpc.call(
            "marketplace.order",
            "search_read",
            [
                ("shop_id", "=", shop_id),
                ("unbound_line_count", ">", 0),
                ("sale_order_id", "=", False),
                ("status", "in", ["to_ship", "packed"]),
            ],
            ["id"],
            limit=1,
        )
        if not orders:
            return
        self.goto(
            "/odoo/action-connector_marketplace.marketplace_order_action/"
            f"{orders[0]['id']}"
        )
        page.click("button[name=action_create_sale_order]")
        page.wait_for_selector(".modal .modal-body")
        self.shot("12b-bind-these-listings")
        page.click(".modal .btn-primary")
        page.click("button[name=action_bind_listings]")
        page.wait_for_selector(".o_list_view")
        self.shot("12c-listings-to-bind")

    def sale_order(self, rpc, shop_id):
        """The guide's §4: Create Sale Order on an order whose lines are bound."""
        page = self.page
        [order] = rpc.call(
            "marketplace.order",
            "search_read",
            [
                ("shop_id", "=", shop_id),
                ("status", "=", "to_ship"),
                ("unbound_line_count", "=", 0),
                ("sale_order_id", "=", False),
            ],
            ["id"],
            limit=1,
        )
        self.order_id = order["id"]
        self.goto(
            f"/odoo/action-connector_marketplace.marketplace_order_action/{order['id']}"
        )
        page.click("button[name=action_create_sale_order]")
        page.wait_for_selector(".o_form_view .o_field_widget[name=partner_id]")
        self.shot("12-sale-order")
        self.bind_these_listings(rpc, shop_id)

    def stock(self, rpc, shop_id):
        """The guide's §3: a sync rule (buffer 10, minimum 5), then a push_stock
        job from Marketplace > Jobs with an empty payload."""
        page = self.page
        self.goto("/odoo/action-connector_marketplace.marketplace_sync_rule_action/new")
        self.pick("shop_id", "Bangkok")
        page.fill("div[name=buffer_qty] input", "10")
        page.fill("div[name=min_online_qty] input", "5")
        self.save()
        self.shot("13-sync-rule")
        # an abandoned New beside it: refused, naming the rule
        self.goto("/odoo/action-connector_marketplace.marketplace_sync_rule_action/new")
        self.pick("shop_id", "Bangkok")
        page.click(".o_form_button_save")
        page.wait_for_selector(".modal .modal-body")
        self.shot("13b-second-rule-refused")
        page.click(".modal .btn-primary")
        page.click(".o_form_button_cancel")
        # a product's rule for a product no listing sells: Preview says so
        self.goto("/odoo/action-connector_marketplace.marketplace_sync_rule_action/new")
        self.pick("shop_id", "Bangkok")
        page.click("div[name=scope] input[data-value=product]")
        self.pick("product_id", OFFLINE_ONLY)
        self.save()
        page.click("button[name=action_preview]")
        page.wait_for_selector(".modal .alert")
        self.shot("13c-rule-applies-to-none")
        page.click(".modal .btn-close")
        self.goto("/odoo/action-connector_marketplace.marketplace_job_action/new")
        page.click("div[name=job_type] input[data-value=push_stock]")
        self.pick("account_id", "Shopee Thailand")
        self.pick("shop_id", "Bangkok")
        self.save()
        rpc.wait_jobs(shop_id)
        page.reload()
        page.wait_for_selector(".o_form_view")
        self.shot("14-push-stock")
        self.stock_change_reaches_shopee(rpc, shop_id)

    def stock_change_reaches_shopee(self, rpc, shop_id, timeout=60):
        """The guide's promise: change a product's stock in Odoo, and Shopee
        shows it, less the buffer of 10, within a minute, with no job made
        by hand."""
        [binding] = rpc.call(
            "marketplace.product.binding",
            "search_read",
            [("shop_id", "=", shop_id), ("sku", "=", "BGH-POWERBANK-10K")],
            ["product_id", "external_item_id", "external_variation_id"],
        )
        product_id = binding["product_id"][0]
        [warehouse] = rpc.call(
            "stock.warehouse", "search_read", [], ["lot_stock_id"], limit=1
        )
        quant_id = rpc.call(
            "stock.quant",
            "create",
            {
                "product_id": product_id,
                "location_id": warehouse["lot_stock_id"][0],
                "inventory_quantity": 77,
            },
            context={"inventory_mode": True},
        )
        rpc.call("stock.quant", "action_apply_inventory", [quant_id])
        # what the rule gives, as Preview stock shows it: free − open demand
        # (orders still to ship without a sale order) − buffer 10
        action = rpc.call("marketplace.shop", "action_stock_preview", [shop_id])
        [line] = rpc.call(
            "marketplace.stock.preview.line",
            "search_read",
            [("preview_id", "=", action["res_id"]), ("binding_id", "=", binding["id"])],
            ["free_qty", "demand_qty", "quantity"],
        )
        wanted, free, demand = line["quantity"], line["free_qty"], line["demand_qty"]
        assert wanted == max(0, int(free - demand) - 10), line
        key = (binding["external_item_id"], binding["external_variation_id"])
        started = time.monotonic()
        while True:
            rows = requests.get(
                f"{rpc.simulator_url}/_simulator/stock?shop_id=600100200", timeout=10
            ).json()["stock"]
            shown = {(str(r["item_id"]), str(r["model_id"])): r["stock"] for r in rows}
            if shown[key] == wanted:
                print(
                    f"    stock changed in Odoo: Shopee shows {wanted} "
                    f"(free {free:g} - open demand {demand:g} - buffer 10) after "
                    f"{time.monotonic() - started:.0f} s"
                )
                return
            if time.monotonic() - started > timeout:
                raise TimeoutError(f"Shopee shows {shown[key]}, not {wanted}")
            time.sleep(2)

    def webhook(self, rpc, account_id, shop_id):
        """The guide's §5: Shopee pushes an order's change; Odoo verifies it,
        imports the order, and its sale order follows, with no pull."""
        [account] = rpc.call(
            "marketplace.account", "read", [account_id], ["shopee_webhook_url"]
        )
        simulator = rpc.simulator_url
        requests.post(
            f"{simulator}/_simulator/push",
            json={"url": account["shopee_webhook_url"], "enabled": True},
            timeout=10,
        ).raise_for_status()
        # the order whose sale order was made above
        [order] = rpc.call(
            "marketplace.order", "read", [self.order_id], ["name", "sale_order_id"]
        )
        requests.post(
            f"{simulator}/_simulator/orders/{order['name']}",
            json={"order_status": "PROCESSED"},
            timeout=10,
        ).raise_for_status()
        requests.get(f"{simulator}/_simulator/pushes?wait=5", timeout=10)
        started = time.monotonic()
        while True:
            [now] = rpc.call(
                "marketplace.order",
                "read",
                [self.order_id],
                ["status", "tracking_number"],
            )
            pickings = rpc.call(
                "stock.picking",
                "search_read",
                [("sale_id", "=", order["sale_order_id"][0])],
                ["carrier_tracking_ref"],
            )
            refs = [picking["carrier_tracking_ref"] for picking in pickings]
            if now["status"] == "packed" and now["tracking_number"] in refs:
                print(
                    f"    pushed: {order['name']} processed, tracking "
                    f"{now['tracking_number']} on its delivery after "
                    f"{time.monotonic() - started:.0f} s"
                )
                break
            if time.monotonic() - started > 60:
                raise TimeoutError(f"the push did not reach the sale order: {now}")
            time.sleep(1)
        rpc.wait_jobs(shop_id)
        self.goto("/odoo/action-connector_marketplace.marketplace_webhook_event_action")
        self.shot("15-webhooks")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--odoo", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--simulator", required=True)
    parser.add_argument("--lazada-simulator", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--lang", choices=("en", "th"), default="en")
    args = parser.parse_args()
    wait_for_odoo(args.odoo)
    rpc = Rpc(args.odoo, args.db)
    rpc.simulator_url = args.simulator
    rpc.lazada_simulator_url = args.lazada_simulator
    account_id = prepare(rpc, args.odoo, args.simulator)
    admin_id = rpc.ref("base.user_admin")
    lang = args.lang
    rpc.call(
        "res.users",
        "write",
        [admin_id],
        {"lang": "th_TH" if lang == "th" else "en_US"},
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        # a Thai seller's browser: Odoo shows times in the browser's time zone
        context = browser.new_context(
            viewport=VIEWPORT, locale=lang, timezone_id="Asia/Bangkok"
        )
        page = context.new_page()
        tour = Tour(page, args.odoo, Path(args.out) / lang)
        tour.login()
        tour.run(rpc, account_id)
        tour.fulfilment(rpc, account_id)
        tour.lazada(rpc, rpc.ref(LAZADA_ACCOUNT_XMLID))
        context.close()
        browser.close()


if __name__ == "__main__":
    main()
