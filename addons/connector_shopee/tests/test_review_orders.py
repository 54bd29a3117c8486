"""Orders, money and jobs (review fixes 9-16): exact money at any quantity,
no endless jobs, escrow errors that do not stop the shop, set-aside orders
read again, one customer per buyer, listing progress on the job, crons that
only queue jobs, the dashboard's sales, the guide's menus."""

import threading
from datetime import timedelta
from unittest import mock

import psycopg2

from odoo import SUPERUSER_ID, api, fields
from odoo.tests import common, tagged

from odoo.addons.connector_marketplace.exceptions import (
    MarketplaceCredentialsError,
    MarketplacePermissionError,
)
from odoo.addons.connector_marketplace.tests.common import (
    CommittedDataMixin,
    NoLivePortMixin,
)
from odoo.addons.queue_job.exception import RetryableJobError

from ..api import ShopeeClient
from ..components.backend_adapter import ShopeeAdapter
from .common import registry_without_loading_lock
from .test_sale_orders import SaleOrderCase, shopee_order


@tagged("post_install", "-at_install")
class TestMoneyEdges(SaleOrderCase):
    def test_no_false_mismatch_at_any_quantity(self):
        """999 units sold for 9,985 ฿: 9.994995… a unit, 9.99 on the line
        (two decimals): the 4.99 ฿ of rounding is an adjustment, not a
        difference to correct."""
        self.env["stock.quant"]._update_available_quantity(
            self.cable, self.warehouse.lot_stock_id, 1000
        )
        for order_sn, qty, price, discount in (
            ("260901QTY0001", 999, 10, 5),
            ("260901QTY0002", 200, 34, 135),
            ("260901QTY0003", 7, 143, 1),
        ):
            with self.subTest(qty=qty):
                detail, escrow = shopee_order(
                    order_sn,
                    "READY_TO_SHIP",
                    [
                        {
                            "item_id": 101,
                            "qty": qty,
                            "price": price,
                            "seller_discount": discount,
                        }
                    ],
                    shipping=0,
                )
                order = self.import_order(detail, escrow)
                self.sync_sale_orders(order)
                self.assertFalse(order.amount_mismatch, order.amount_difference)
                self.assertEqual(order.sale_target_amount, qty * price - discount)
                self.assertAlmostEqual(
                    order.sale_order_id.amount_total, order.sale_target_amount, 2
                )

    def test_free_gift_is_priced_zero(self):
        detail, escrow = shopee_order(
            "260901GIFT001",
            "READY_TO_SHIP",
            [
                {"item_id": 106, "price": 1290},
                # the gift: its whole price is the seller's discount
                {"item_id": 101, "price": 159, "seller_discount": 159},
            ],
        )
        order = self.import_order(detail, escrow)
        self.sync_sale_orders(order)
        gift = order.sale_order_id.order_line.filtered(
            lambda line: line.product_id == self.cable
        )
        self.assertEqual(gift.price_unit, 0.0)
        self.assertFalse(order.amount_mismatch)
        self.assertAlmostEqual(order.sale_order_id.amount_total, 1290 + 40, 2)

    def test_an_order_in_another_currency_waits_with_a_clear_error(self):
        usd = self.env.ref("base.USD")
        usd.active = True
        detail, escrow = shopee_order(
            "260901USD0001", "READY_TO_SHIP", [{"item_id": 101, "price": 10}]
        )
        detail["currency"] = "USD"
        order = self.import_order(detail, escrow)
        self.assertEqual(order.currency_id, usd)
        job = self.sync_sale_orders(order)
        self.assertFalse(order.sale_order_id, "never booked in baht")
        self.assertEqual(order.sale_status, "error")
        self.assertIn("USD", order.sale_status_note)
        self.assertIn("THB", order.sale_status_note)
        self.assertIn("260901USD0001", job.result_summary)
        # nothing is queued for it until something changes
        before = self.env["marketplace.job"].search([])
        for _run in range(3):
            self.env["marketplace.shop"]._cron_sale_orders()
        self.assertFalse(
            self.env["marketplace.job"].search([("job_type", "=", "sale_orders")])
            - before
        )
        # the seller gives the shop a pricelist in dollars: it is made then
        pricelist = self.env["product.pricelist"].create(
            {"name": "Shopee USD", "currency_id": usd.id}
        )
        self.shop.pricelist_id = pricelist
        with self.shopee_reads():
            self.run_queue_jobs()
        self.env.invalidate_all()
        self.assertEqual(order.sale_order_id.currency_id, usd)
        self.assertEqual(order.sale_status, "created")


@tagged("post_install", "-at_install")
class TestNoEndlessJobs(SaleOrderCase):
    def sale_jobs(self):
        return self.env["marketplace.job"].search([("job_type", "=", "sale_orders")])

    def test_provisional_order_cancelled_before_its_escrow(self):
        detail, _escrow = shopee_order(
            "260901PROV001", "READY_TO_SHIP", [{"item_id": 101, "price": 159}]
        )
        order = self.import_order(detail)  # no escrow yet
        self.sync_sale_orders(order)
        self.assertTrue(order.prices_provisional)
        detail = dict(
            detail, order_status="CANCELLED", update_time=detail["update_time"] + 60
        )
        self.import_order(detail)
        self.sync_sale_orders(order)
        self.assertEqual(order.sale_order_id.state, "cancel")
        before = self.sale_jobs()
        for _run in range(3):
            self.env["marketplace.shop"]._cron_sale_orders()
        self.assertEqual(self.sale_jobs(), before, "nothing can change any more")

    def test_order_in_error_is_not_tried_again_and_again(self):
        detail, escrow = shopee_order(
            "260901ERR0001", "READY_TO_SHIP", [{"item_id": 101, "price": 159}]
        )
        order = self.import_order(detail, escrow)
        with mock.patch.object(
            type(self.env["marketplace.sale.order.builder"]),
            "_sale_order_values",
            side_effect=ValueError("no route"),
        ):
            self.sync_sale_orders(order)
        self.assertEqual(order.sale_status, "error")
        before = self.sale_jobs()
        for _run in range(3):
            self.env["marketplace.shop"]._cron_sale_orders()
        self.assertEqual(self.sale_jobs(), before)
        # the order changes on Shopee: tried again
        detail = dict(detail, update_time=detail["update_time"] + 60, note="x")
        self.import_order(detail)
        self.env["marketplace.shop"]._cron_sale_orders()
        self.assertEqual(len(self.sale_jobs() - before), 1)

    def test_provisional_prices_are_read_again_then_left_alone(self):
        """An escrow that does not come is asked for again, less and less
        often, never every ten minutes for ever."""
        detail, _escrow = shopee_order(
            "260901PROV002", "READY_TO_SHIP", [{"item_id": 101, "price": 159}]
        )
        order = self.import_order(detail)
        self.sync_sale_orders(order)
        self.assertTrue(order.prices_provisional)
        self.assertTrue(order.payout_retry_at)
        before = self.sale_jobs()
        for _run in range(3):
            self.env["marketplace.shop"]._cron_sale_orders()
        self.assertEqual(self.sale_jobs(), before, "not yet")
        order.sudo().payout_retry_at = fields.Datetime.now() - timedelta(seconds=1)
        self.env["marketplace.shop"]._cron_sale_orders()
        self.assertEqual(len(self.sale_jobs() - before), 1, "its time came")

    def test_an_escrow_missing_for_months_is_asked_once_a_day(self):
        detail, _escrow = shopee_order(
            "260901PROV003", "READY_TO_SHIP", [{"item_id": 101, "price": 159}]
        )
        order = self.import_order(detail)
        self.sync_sale_orders(order)
        order.sudo().write(
            {"payout_tries": 100, "payout_retry_at": fields.Datetime.now()}
        )
        self.env["marketplace.shop"]._cron_sale_orders()
        with self.shopee_reads():
            self.run_queue_jobs()
        self.env.invalidate_all()
        self.assertEqual(order.payout_tries, 101)
        delay = order.payout_retry_at - fields.Datetime.now()
        self.assertGreater(delay, timedelta(hours=23))
        self.assertLessEqual(delay, timedelta(days=1))


@tagged("post_install", "-at_install")
class TestEscrowErrors(SaleOrderCase):
    def refuse_escrow(self):
        return mock.patch.object(
            type(self.backend),
            "_marketplace_read_money",
            side_effect=MarketplacePermissionError(
                "The Shopee app may not call payment/get_escrow_detail_batch."
            ),
        )

    def test_missing_payment_permission_neither_fails_nor_pauses(self):
        detail, _escrow = shopee_order(
            "260901PERM001", "READY_TO_SHIP", [{"item_id": 101, "price": 159}]
        )
        order = self.import_order(detail)
        with (
            self.refuse_escrow(),
            mock.patch.object(
                type(self.backend), "_marketplace_read_tracking", lambda b, refs: {}
            ),
        ):
            job = self.shop._queue_sale_orders_job(order)
            self.run_queue_jobs()
        self.assertEqual(job.state, "completed", job.error_message)
        self.assertEqual(order.sale_order_id.state, "sale")
        self.assertTrue(order.prices_provisional)
        self.assertIn("may not call", order.payout_error)
        self.assertIn("may not call", job.result_summary)
        self.assertFalse(self.shop.sync_paused, "the shop's pulls go on")

    def test_refused_credentials_still_pause_the_shop(self):
        """Not a note: a wrong key fails every call, the shop's work pauses."""
        detail, _escrow = shopee_order(
            "260901PERM003", "READY_TO_SHIP", [{"item_id": 101, "price": 159}]
        )
        order = self.import_order(detail)
        with mock.patch.object(
            type(self.backend),
            "_marketplace_read_money",
            side_effect=MarketplaceCredentialsError("Shopee refused the signature."),
        ):
            job = self.shop._queue_sale_orders_job(order)
            # refused: the marketplace job fails, the queue job ends quietly
            self.run_queue_jobs()
        self.assertEqual((job.state, job.error_kind), ("failed", "refused"))
        self.assertTrue(self.shop.sync_paused)
        self.assertFalse(order.payout_error)

    def test_the_button_behaves_as_the_job(self):
        detail, _escrow = shopee_order(
            "260901PERM002", "READY_TO_SHIP", [{"item_id": 101, "price": 159}]
        )
        order = self.import_order(detail)
        with self.refuse_escrow():
            order.action_create_sale_order()
        self.assertEqual(order.sale_order_id.state, "sale")
        self.assertTrue(order.prices_provisional)
        self.assertIn("may not call", order.payout_error)
        self.assertFalse(self.shop.sync_paused)


def order_list_and_details(pages, details):
    """ShopeeAdapter._call answering get_order_list from ``pages`` ({cursor:
    (order_sns, next cursor)}) and get_order_detail from ``details``."""
    asked = []

    def call(adapter, method, path, params=None, body=None, **kwargs):
        asked.append((path, dict(params or {})))
        if path == "order/get_order_list":
            cursor = params["cursor"]
            if cursor not in pages:
                raise RetryableJobError("Shopee is throttling requests")
            order_sns, next_cursor = pages[cursor]
            return {
                "response": {
                    "order_list": [{"order_sn": sn} for sn in order_sns],
                    "more": bool(next_cursor),
                    "next_cursor": next_cursor,
                }
            }
        if path == "order/get_order_detail":
            refs = params["order_sn_list"].split(",")
            return {
                "response": {"order_list": [details[r] for r in refs if r in details]}
            }
        raise AssertionError(f"unexpected call {path}")

    return call, asked


@tagged("post_install", "-at_install")
class TestPullsOnTheJobsRecord(SaleOrderCase):
    def setUp(self):
        super().setUp()
        self.shop.auto_create_sale_orders = False

    def test_set_aside_order_is_read_again_by_the_next_pull(self):
        detail, _escrow = shopee_order(
            "260901ASIDE01", "READY_TO_SHIP", [{"item_id": 101, "price": 159}]
        )
        self.env["marketplace.order.missing"].sudo().create(
            {"shop_id": self.shop.id, "name": "260901ASIDE01", "reason": "test"}
        )
        # the next pull's window does not list it: Shopee did not change it
        call, asked = order_list_and_details({"": ([], "")}, {"260901ASIDE01": detail})
        with mock.patch.object(ShopeeAdapter, "_call", call):
            job = self.create_pull_job(None, None)
            self.run_queue_jobs()
        self.assertEqual(job.state, "completed", job.error_message)
        order = self.env["marketplace.order"].search([("name", "=", "260901ASIDE01")])
        self.assertTrue(order, "imported without waiting for a change on Shopee")
        missing = self.env["marketplace.order.missing"].search(
            [("name", "=", "260901ASIDE01")]
        )
        self.assertEqual(missing.state, "recovered")

    def test_listing_progress_lives_on_the_job(self):
        """A listing stopped by a failed page goes on from that page in its
        next try, wherever that runs: the pages read are kept with the job (a
        step row), saved in a transaction of their own (the try's is rolled
        back). Called directly: in a test, every transaction is one; the
        fault suite proves it across a real restart."""
        pages = {"": (["A1", "A2"], "c1"), "c2": (["C1"], "")}
        call, asked = order_list_and_details(pages, {})
        job = self.create_pull_job(None, None)
        job.sudo().write({"state": "processing"})
        with mock.patch.object(ShopeeAdapter, "_call", call):
            # (not assertRaises: its savepoint would take back the step that
            # the listing saved in "its own" transaction, here a savepoint)
            postponed = None
            try:
                job.sudo()._run_pull_orders()
            except RetryableJobError as error:
                postponed = error
            self.assertIn("throttling", str(postponed), "the try is postponed")
            self.env.invalidate_all()
            [step] = job.sudo().step_ids
            self.assertIn('"c1"', step.listing_progress)
            self.assertIn("the next try goes on from there", step.notes)
            pages["c1"] = (["B1"], "c2")
            job.sudo()._run_pull_orders()
        cursors = [p["cursor"] for path, p in asked if path == "order/get_order_list"]
        self.assertEqual(cursors, ["", "c1", "c1", "c2"])
        self.assertEqual(job.orders_listed, 4)
        self.assertFalse(step.listing_progress, "done: forgotten")


@tagged("post_install", "-at_install")
class TestCronsOnlyQueueJobs(SaleOrderCase):
    def test_crons_call_no_marketplace_themselves(self):
        shop_model = self.env["marketplace.shop"]
        self.backend.sudo().access_token_expires_at = fields.Datetime.now() + timedelta(
            minutes=20
        )
        self.shop.sudo().write({"sync_paused": True, "sync_pause_reason": "wrong key"})
        self.account.sudo().shopee_push_partner_key = "push-key"
        before = self.env["marketplace.job"].search([])
        with mock.patch.object(
            ShopeeClient, "call", side_effect=AssertionError("a cron called Shopee")
        ):
            self.env["shopee.shop"]._cron_refresh_tokens()
            self.env["marketplace.account"]._cron_shopee_lost_pushes()
            shop_model._cron_pull_orders()
        jobs = (self.env["marketplace.job"].search([]) - before).filtered(
            lambda job: job.account_id == self.account  # (not the demo data's)
        )
        self.assertEqual(
            sorted(jobs.mapped("job_type")),
            ["check_connection", "recover_webhooks", "refresh_tokens"],
        )
        self.assertTrue(all(job.origin == "cron" for job in jobs))
        # and again: one of each is waiting already
        shop_model._cron_pull_orders()
        self.env["shopee.shop"]._cron_refresh_tokens()
        self.env["marketplace.account"]._cron_shopee_lost_pushes()
        self.assertEqual(
            (self.env["marketplace.job"].search([]) - before).filtered(
                lambda job: job.account_id == self.account
            ),
            jobs,
        )

    def setUp(self):
        super().setUp()
        # only this test's shop and account do scheduled work
        self.env["marketplace.account"].search(
            [("id", "!=", self.account.id)]
        ).active = False
        (self.env["marketplace.shop"].search([]) - self.shop).write(
            {"auto_import_orders": False, "sync_paused": False}
        )

    def test_refresh_job_refreshes(self):
        self.backend.sudo().access_token_expires_at = fields.Datetime.now() + timedelta(
            minutes=20
        )
        self.env["shopee.shop"]._cron_refresh_tokens()
        job = self.env["marketplace.job"].search(
            [("job_type", "=", "refresh_tokens"), ("shop_id", "=", self.shop.id)]
        )
        refreshed = []

        def refresh(backend, seen):
            refreshed.append(backend)
            return {"access_token": "new", "expires_at": fields.Datetime.now()}

        with mock.patch.object(type(self.backend), "_refresh_tokens", refresh):
            self.run_queue_jobs()
        self.assertEqual(job.state, "completed", job.error_message)
        self.assertEqual(refreshed, [self.backend])

    def test_check_connection_job_resumes_a_paused_shop(self):
        self.shop.sudo().write({"sync_paused": True, "sync_pause_reason": "wrong key"})
        self.env["marketplace.shop"]._cron_pull_orders()
        job = self.env["marketplace.job"].search(
            [("job_type", "=", "check_connection")]
        )
        self.assertEqual(len(job), 1)
        with mock.patch.object(
            type(self.backend), "_marketplace_check_connection", return_value=True
        ):
            self.run_queue_jobs()
        self.assertEqual(job.state, "completed", job.error_message)
        self.assertFalse(self.shop.sync_paused)

    def test_a_lasting_refusal_is_tested_less_and_less_often(self):
        self.shop.sudo().write({"sync_paused": True, "sync_pause_reason": "key"})
        refused = mock.patch.object(
            type(self.backend),
            "_marketplace_check_connection",
            side_effect=MarketplaceCredentialsError("still refused"),
        )
        delays = []
        with refused:
            for _run in range(4):
                self.env["marketplace.shop"]._cron_pull_orders()
                self.run_queue_jobs()
                delays.append(self.shop.sync_check_at - fields.Datetime.now())
                # the cron runs again before its time: nothing is queued
                before = self.env["marketplace.job"].search([])
                self.env["marketplace.shop"]._cron_pull_orders()
                self.assertEqual(self.env["marketplace.job"].search([]), before)
                self.shop.sudo().sync_check_at = fields.Datetime.now()
        self.assertTrue(self.shop.sync_paused)
        minutes = [round(delay.total_seconds() / 60) for delay in delays]
        self.assertEqual(minutes, [10, 20, 40, 80])

    def test_no_lost_pushes_read_for_an_account_without_shop(self):
        self.account.sudo().shopee_push_partner_key = "push-key"
        lonely = self.env["marketplace.account"].create(
            {
                "name": "No shop yet",
                "channel": "shopee",
                "environment": "simulator",
                "shopee_partner_id": "2000001",
                "shopee_partner_key": "key",
            }
        )
        self.env["marketplace.account"]._cron_shopee_lost_pushes()
        jobs = self.env["marketplace.job"].search(
            [("job_type", "=", "recover_webhooks")]
        )
        self.assertEqual(jobs.account_id, self.account)
        self.assertNotIn(lonely, jobs.account_id)


@tagged("post_install", "-at_install")
class TestDashboardSales(SaleOrderCase):
    # The orders are placed "now", not a minute ago: in the first minute of a
    # Bangkok day, a minute ago is yesterday's column.
    def test_sales_count_orders_without_sale_order(self):
        now = fields.Datetime.now()
        self.shop.sale_orders_from = now + timedelta(days=1)  # not live yet
        detail, escrow = shopee_order(
            "260901DASH001",
            "READY_TO_SHIP",
            [{"item_id": 101, "price": 500}],
            shipping=0,
            create_time=int(now.timestamp()),
        )
        order = self.import_order(detail, escrow)
        self.sync_sale_orders(order)
        self.assertFalse(order.sale_order_id)
        usd = self.env.ref("base.USD")
        usd.active = True
        company = self.env.company
        in_baht = usd._convert(10, company.currency_id, company, fields.Date.today())
        self.assertNotEqual(in_baht, 10)
        dollars, _escrow = shopee_order(
            "260901DASH002",
            "READY_TO_SHIP",
            [{"item_id": 101, "price": 10}],
            shipping=0,
            create_time=int(now.timestamp()),
        )
        dollars["currency"] = "USD"
        self.import_order(dollars)
        data = self.env["marketplace.dashboard"].get_dashboard_data()
        [row] = [r for r in data["sales"]["shops"] if r["shop_id"] == self.shop.id]
        today = row["periods"][0]
        self.assertEqual(today["orders"], 2)
        self.assertAlmostEqual(today["revenue"], 500 + in_baht, 2)

    def test_sale_orders_total_where_there_is_one(self):
        now = fields.Datetime.now()
        self.shop.sale_orders_from = now - timedelta(days=1)
        detail, escrow = shopee_order(
            "260901DASH003",
            "READY_TO_SHIP",
            [{"item_id": 101, "price": 500}],
            shipping=40,
            voucher_shopee=50,
            create_time=int(now.timestamp()),
        )
        order = self.import_order(detail, escrow)
        self.sync_sale_orders(order)
        self.assertEqual(order.amount_total, 490, "what the buyer paid")
        self.assertAlmostEqual(order.sale_order_id.amount_total, 540, 2)
        data = self.env["marketplace.dashboard"].get_dashboard_data()
        [row] = [r for r in data["sales"]["shops"] if r["shop_id"] == self.shop.id]
        self.assertAlmostEqual(row["periods"][0]["revenue"], 540, 2)


@tagged("post_install", "-at_install")
class TestTheGuidesMenus(SaleOrderCase):
    def test_bindings_and_rules_where_the_guide_says(self):
        root = self.env.ref("connector_marketplace.marketplace_menu_root")
        for xmlid, name in (
            (
                "connector_marketplace.marketplace_product_binding_menu",
                "Product Bindings",
            ),
            ("connector_marketplace.marketplace_sync_rule_menu", "Sync Rules"),
            ("connector_marketplace.marketplace_job_menu", "Jobs"),
            ("connector_marketplace.marketplace_order_menu", "Orders"),
            ("connector_marketplace.marketplace_dashboard_menu", "Dashboard"),
        ):
            menu = self.env.ref(xmlid)
            self.assertEqual((menu.parent_id, menu.name), (root, name))
        thai = self.env.ref(
            "connector_marketplace.marketplace_product_binding_menu"
        ).with_context(lang="th_TH")
        self.assertNotEqual(thai.name, "Product Bindings", "in Thai too")


COMMITTED_ACCOUNT = "One buyer (committed by test_review_orders)"
BUYER = 990011223


@tagged("post_install", "-at_install")
class TestOneBuyerOneCustomer(
    CommittedDataMixin, NoLivePortMixin, common.TransactionCase
):
    """Two chunks import orders of the same new buyer at once, in two real
    transactions: one customer is made; the other transaction's insert waits
    for the first, is refused, and its retry (as queue_job would) finds it."""

    def setUp(self):
        super().setUp()  # the cleanup of the committed data comes first
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            account = env["marketplace.account"].create(
                {
                    "name": COMMITTED_ACCOUNT,
                    "channel": "shopee",
                    "environment": "simulator",
                }
            )
            shop = (
                env["shopee.shop"]
                .create(
                    {
                        "account_id": account.id,
                        "name": "One buyer shop",
                        "external_id": "600100299",
                        "auto_push_stock": False,
                    }
                )
                .marketplace_shop_id
            )
            product = env["product.product"].create(
                {"name": "One buyer cable", "is_storable": True}
            )
            orders = env["marketplace.order"].create(
                [
                    {
                        "shop_id": shop.id,
                        "name": name,
                        "status": "to_ship",
                        "buyer_user_id": str(BUYER),
                        "buyer_username": "one.buyer",
                        "date_order": fields.Datetime.now(),
                        "line_ids": [
                            (
                                0,
                                0,
                                {
                                    "external_key": "1",
                                    "name": "Cable",
                                    "quantity": 1,
                                    "price_unit": 129.0,
                                    "product_id": product.id,
                                },
                            )
                        ],
                    }
                    for name in ("260901BUYERA", "260901BUYERB")
                ]
            )
            self.order_ids = orders.ids

    def purge_committed_data(self):
        """The test's account, its orders, sale orders, customers, product."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            accounts = (
                env["marketplace.account"]
                .with_context(active_test=False)
                .search([("name", "=", COMMITTED_ACCOUNT)])
            )
            customers = env["res.partner"].search(
                [("marketplace_buyer_ref", "=", f"shopee:{BUYER}")]
            )
            orders = env["marketplace.order"].search(
                [("shop_id.account_id", "in", accounts.ids)]
            )
            sales = env["sale.order"].search(
                [("marketplace_order_id", "in", orders.ids)]
            )
            products = orders.line_ids.product_id
            sales._action_cancel()
            orders.write({"sale_order_id": False})
            sales.unlink()
            orders.line_ids.unlink()
            orders.unlink()
            accounts.unlink()
            (customers.child_ids | customers).unlink()
            products.active = False  # its (cancelled) stock moves keep it

    def test_two_chunks_one_customer(self):
        started, results, retries = threading.Barrier(2), {}, []

        def create(order_id):
            for attempt in range(3):
                try:
                    with self.registry.cursor() as cr:
                        env = api.Environment(cr, SUPERUSER_ID, {})
                        order = env["marketplace.order"].browse(order_id)
                        env["res.partner"].search_count([])  # the snapshot starts
                        if attempt == 0:
                            started.wait(10)
                        results[order_id] = order._create_sale_orders(force=True)
                        return
                except (RetryableJobError, psycopg2.errors.SerializationFailure):
                    # as queue_job does: postponed, then run in a new transaction
                    retries.append(order_id)

        with registry_without_loading_lock():
            threads = [
                threading.Thread(target=create, args=(order_id,))
                for order_id in self.order_ids
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            customers = env["res.partner"].search(
                [("marketplace_buyer_ref", "=", f"shopee:{BUYER}")]
            )
            sales = env["sale.order"].search(
                [("marketplace_order_id", "in", self.order_ids)]
            )
            self.assertEqual(len(customers), 1, results)
            self.assertEqual(sales.partner_id, customers)
            self.assertEqual(len(sales), 2)
        self.assertEqual(len(retries), 1, "the second one tried again")


@tagged("post_install", "-at_install")
class TestNoSecretInJobRecords(SaleOrderCase):
    """A step that fails on a database error whose text holds a row's values
    (a token in it) stores none of them: not in the queue job's traceback,
    message or result, nor in the marketplace job's error."""

    def test_failed_step_keeps_no_row_values(self):
        detail, _escrow = shopee_order(
            "260901SECRET1", "READY_TO_SHIP", [{"item_id": 101, "price": 159}]
        )
        order = self.import_order(detail)
        failure = psycopg2.errors.CheckViolation(
            'new row violates check constraint "x"\n'
            "DETAIL:  Failing row contains (7, tok-a1b2c3, tok-d4e5f6)."
        )
        with mock.patch.object(
            type(self.backend), "_marketplace_read_money", side_effect=failure
        ):
            job = self.shop._queue_sale_orders_job(order)
            self.run_queue_jobs(failed=["_job_sale_orders"])
        self.assertEqual(job.state, "failed")
        qjobs = job.sudo().queue_job_ids
        stored = "\n".join(
            str(value or "")
            for qjob in qjobs
            for value in (
                qjob.exc_info,
                qjob.exc_message,
                qjob.result,
                qjob.marketplace_last_error,
            )
        )
        self.assertIn("Failing row contains (***)", stored)
        self.assertNotIn("tok-", stored + (job.error_message or ""))
