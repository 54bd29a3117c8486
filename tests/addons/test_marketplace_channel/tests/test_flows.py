"""The base's flows through a channel that is only the contract: pulls,
bindings, Bulk Binding, sale orders with money, stock push under sync rules,
errors and retries, with no real channel installed."""

from odoo.tests import tagged

from odoo.addons.queue_job.exception import RetryableJobError

from ..fake_api import API, STOCK_CALL_LIMIT, Refused, Throttled
from .common import SHOP, TestChannelCase, at, item, order

CABLE, SHIRT = "501", "502"


def settlement(rows, seller_voucher, platform_voucher, shipping, commission):
    """What the fake pays: ``rows`` ((item id, sku id, seller price))."""
    items_total = sum(price for _i, _s, price in rows)
    buyer = items_total - seller_voucher - platform_voucher + shipping
    return {
        "rows": [
            {"item_id": i, "sku_id": s, "seller_price": f"{price:,.2f}"}
            for i, s, price in rows
        ],
        "items_total": f"{items_total:,.2f}",
        "seller_voucher": seller_voucher,
        "platform_voucher": str(platform_voucher),
        "shipping_paid": shipping,
        "buyer_paid": f"{buyer:,.2f}",
        "commission": 65,
        "payout": f"{buyer + platform_voucher - commission:,.2f}",
    }


@tagged("post_install", "-at_install")
class TestPullOrders(TestChannelCase):
    def put_orders(self):
        API.put_order(
            SHOP,
            order(
                "TC-1",
                [
                    (CABLE, "0", "TC-CABLE\n", "500.00", "pending"),
                    (CABLE, "0", "TC-CABLE\n", "500.00", "pending"),
                    (SHIRT, "9021", "TC-SHIRT-M", "1,299.00", "canceled"),
                ],
                minutes=1,
            ),
        )
        API.put_order(
            SHOP, order("TC-2", [(CABLE, "0", "", "500.00", "shipped")], minutes=2)
        )
        API.put_order(
            SHOP,
            order("TC-3", [(SHIRT, "9021", "TC-SHIRT-M", "1,299.00", "canceled")], 3),
        )
        API.put_order(
            SHOP,
            order("TC-4", [(CABLE, "0", "TC-CABLE", "500.00", "unpaid")], minutes=4),
        )
        # changed after the window: not listed
        API.put_order(
            SHOP, order("TC-5", [(CABLE, "0", "", "500.00", "pending")], minutes=90)
        )

    def test_a_pull_imports_the_window_in_the_channels_chunks(self):
        self.put_orders()
        job = self.pull_orders()
        self.assertEqual(job.state, "completed", job.error_message)
        orders = {o.name: o for o in self.orders()}
        self.assertEqual(sorted(orders), ["TC-1", "TC-2", "TC-3", "TC-4"])
        self.assertEqual(job.orders_listed, 4)
        # the capabilities' order_chunk_size (3) decides the reads
        reads = [len(call["order_ids"]) for call in API.calls_of("get_orders")]
        self.assertEqual(sorted(reads), [1, 3])
        # items' statuses make the order's, by the base's documented rule
        self.assertEqual(orders["TC-1"].status, "to_ship")
        self.assertEqual(orders["TC-1"].raw_status, "canceled, pending")
        self.assertEqual(orders["TC-2"].status, "shipping")
        self.assertEqual(orders["TC-3"].status, "cancelled")
        self.assertEqual(orders["TC-4"].status, "awaiting_payment")
        # one row per unit on the marketplace, one line per SKU in Odoo
        cable = orders["TC-1"].line_ids.filtered(lambda line: line.item_id == CABLE)
        self.assertEqual((cable.quantity, cable.price_unit), (2.0, 500.0))
        self.assertEqual(cable.sku, "TC-CABLE")
        self.assertEqual(orders["TC-1"].amount_total, 2299.0)
        self.assertEqual(orders["TC-1"].recipient_state, "กรุงเทพมหานคร")
        self.assertEqual(
            str(orders["TC-1"].date_order), "2026-12-01 04:31:00"
        )  # +0700 text in UTC

    def test_pulling_again_writes_nothing_new(self):
        self.put_orders()
        self.pull_orders()
        before = {o.name: (o.id, len(o.line_ids)) for o in self.orders()}
        job = self.pull_orders()
        self.assertEqual(job.state, "completed", job.error_message)
        after = {o.name: (o.id, len(o.line_ids)) for o in self.orders()}
        self.assertEqual(after, before)
        self.assertEqual(sum(job.step_ids.mapped("created_count")), 0)
        # an order changed since: updated in place, its lines too
        API.orders[(SHOP, "TC-4")]["items"][0]["status"] = "pending"
        API.orders[(SHOP, "TC-4")]["updated_at"] = at(5)
        self.pull_orders()
        changed = self.orders().filtered(lambda o: o.name == "TC-4")
        self.assertEqual(changed.status, "to_ship")
        self.assertEqual(changed.id, before["TC-4"][0])
        self.assertEqual(len(changed.line_ids), 1)

    def test_a_listing_cut_by_a_passing_trouble_goes_on_where_it_stopped(self):
        """The channel keeps its place in ``progress``; the base saves it with
        the job and gives it back. Called directly: in a test, every
        transaction is one, and the saved place would be rolled back with the
        failed try."""
        self.put_orders()
        API.fail_next("list_orders", Throttled("call limit"), after=1)
        job = self.pull_job(-60, 60)
        job.sudo().write({"state": "processing"})
        postponed = None
        try:
            job.sudo()._run_pull_orders()
        except RetryableJobError as error:
            postponed = error
        self.assertIn("call limit", str(postponed))
        self.env.invalidate_all()
        self.assertIn('"offset": 2', job.sudo().step_ids.listing_progress)
        job.sudo()._run_pull_orders()
        offsets = [call["offset"] for call in API.calls_of("list_orders")]
        # page 2 failed, then was asked again: page 1 was not read twice
        self.assertEqual(offsets, [0, 2, 2])
        self.assertEqual(job.orders_listed, 4)

    def test_a_chunk_read_that_fails_for_now_is_retried(self):
        self.put_orders()
        API.fail_next("get_orders", Throttled("system busy"))
        job = self.pull_orders()
        self.assertEqual(job.state, "completed", job.error_message)
        self.assertEqual(len(self.orders()), 4)
        self.assertEqual(len(API.calls_of("get_orders")), 3)

    def test_a_refusal_fails_the_job_with_the_marketplaces_reason(self):
        self.put_orders()
        API.fail_next("list_orders", Refused("app suspended"))
        job = self.pull_orders()
        self.assertEqual(job.state, "failed")
        self.assertIn("app suspended", job.error_message)
        self.assertFalse(self.orders())


@tagged("post_install", "-at_install")
class TestCatalogue(TestChannelCase):
    def put_items(self):
        API.put_item(SHOP, item(CABLE, [("0", "TC-CABLE\n", "550.00", 12)]))
        API.put_item(
            SHOP,
            item(
                SHIRT,
                [
                    ("9021", "TC-SHIRT-M", "1,299.00", 4),
                    ("9022", "NEW-SHIRT-L", "1,299.00", 7),
                ],
            ),
        )
        API.put_item(SHOP, item("503", [("0", "GONE", "10.00", 0)], status="deleted"))

    def pull_products(self):
        job = self.job("pull_products", {})
        self.run_queue_jobs()
        self.env.invalidate_all()
        return job

    def listings(self):
        return (
            self.env["marketplace.product.binding"]
            .with_context(active_test=False)
            .search([("shop_id", "=", self.shop.id)])
        )

    def test_pull_products_binds_by_sku(self):
        self.put_items()
        job = self.pull_products()
        self.assertEqual(job.state, "completed", job.error_message)
        by_key = {
            (b.external_item_id, b.external_variation_id): b for b in self.listings()
        }
        self.assertEqual(len(by_key), 4)
        self.assertEqual(by_key[(CABLE, "0")].product_id, self.cable)
        self.assertEqual(by_key[(CABLE, "0")].sku, "TC-CABLE")
        self.assertEqual(by_key[(CABLE, "0")].price, 550.0)
        self.assertEqual(by_key[(SHIRT, "9021")].product_id, self.shirt_m)
        self.assertFalse(by_key[(SHIRT, "9022")].product_id)
        self.assertEqual(by_key[(SHIRT, "9022")].marketplace_stock, 7)
        self.assertFalse(by_key[("503", "0")].active)
        self.assertEqual(by_key[("503", "0")].listing_status, "deleted_by_seller")
        # item_chunk_size 2: three items, two reads
        self.assertEqual(len(API.calls_of("get_items")), 2)

    def test_bulk_binding_creates_the_missing_product(self):
        self.put_items()
        self.pull_products()
        loose = self.listings().filtered(lambda b: b.sku == "NEW-SHIRT-L")
        wizard = self.env["marketplace.product.bind.wizard"].create(
            {
                "shop_id": self.shop.id,
                "binding_ids": [(6, 0, loose.ids)],
                "initial_stock": "hold",
            }
        )
        wizard.action_preview()
        wizard.line_ids.filtered(lambda line: line.kind == "listing").write(
            {"create_product": True}
        )
        wizard.action_confirm()
        self.assertEqual(loose.product_id.default_code, "NEW-SHIRT-L")
        self.assertTrue(loose.push_held_by_seller)


@tagged("post_install", "-at_install")
class TestSaleOrders(TestChannelCase):
    def setUp(self):
        super().setUp()
        self.shop.auto_create_sale_orders = True
        self.set_stock(self.cable, 30)
        self.set_stock(self.shirt_m, 10)
        API.put_item(SHOP, item(CABLE, [("0", "TC-CABLE", "550.00", 12)]))
        API.put_item(SHOP, item(SHIRT, [("9021", "TC-SHIRT-M", "1,299.00", 4)]))
        self.job("pull_products", {})
        self.run_queue_jobs()

    def test_a_settled_order_gets_its_sale_order_at_the_sellers_money(self):
        API.put_order(
            SHOP,
            order(
                "TC-10",
                [
                    (CABLE, "0", "TC-CABLE", "450.00", "pending"),
                    (CABLE, "0", "TC-CABLE", "450.00", "pending"),
                    (SHIRT, "9021", "TC-SHIRT-M", "1,199.00", "pending"),
                ],
                settlement=settlement(
                    [(CABLE, "0", 1000.0), (SHIRT, "9021", 1299.0)],
                    seller_voucher=50,
                    platform_voucher=100,
                    shipping=40,
                    commission=65,
                ),
            ),
        )
        job = self.pull_orders()
        self.assertEqual(job.state, "completed", job.error_message)
        mp_order = self.orders()
        sale = mp_order.sale_order_id
        self.assertEqual(sale.state, "sale")
        # the seller's sale: lines at the seller's prices, less the seller's
        # voucher, plus the shipping the buyer paid (the platform's voucher is
        # the marketplace's money, not a discount of the seller)
        self.assertAlmostEqual(sale.amount_total, 1000 + 1299 - 50 + 40)
        self.assertEqual(mp_order.buyer_total, 2299 - 50 - 100 + 40)
        self.assertEqual(mp_order.platform_voucher, 100.0)
        self.assertEqual(mp_order.commission_fee, 65.0)
        self.assertFalse(mp_order.amount_mismatch)
        cable_line = sale.order_line.filtered(
            lambda line: line.product_id == self.cable
        )
        self.assertEqual((cable_line.product_uom_qty, cable_line.price_unit), (2, 500))
        delivery = sale.picking_ids
        self.assertEqual(delivery.state, "assigned")
        self.assertEqual(
            delivery.move_ids.filtered(lambda m: m.product_id == self.cable).quantity,
            2,
        )

    def test_an_unsettled_order_is_provisional_and_asked_again(self):
        API.put_order(
            SHOP, order("TC-11", [(CABLE, "0", "TC-CABLE", "450.00", "pending")])
        )
        self.pull_orders()
        mp_order = self.orders()
        self.assertEqual(mp_order.sale_order_id.state, "sale")
        self.assertFalse(mp_order.payout_read_at)
        self.assertEqual(mp_order.payout_tries, 1)
        self.assertTrue(mp_order.payout_retry_at)


@tagged("post_install", "-at_install")
class TestStockPush(TestChannelCase):
    def setUp(self):
        super().setUp()
        self.shirt_l = self.env["product.product"].create(
            {"name": "Shirt L", "default_code": "TC-SHIRT-L", "is_storable": True}
        )
        for product, quantity in (
            (self.cable, 30),
            (self.shirt_m, 16),
            (self.shirt_l, 25),
        ):
            self.set_stock(product, quantity)
        API.put_item(SHOP, item(CABLE, [("0", "TC-CABLE", "550.00", 1)]))
        API.put_item(
            SHOP,
            item(
                SHIRT,
                [
                    ("9021", "TC-SHIRT-M", "1,299.00", 1),
                    ("9022", "TC-SHIRT-L", "1,299.00", 1),
                ],
            ),
        )
        self.job("pull_products", {})
        self.run_queue_jobs()
        self.env["marketplace.sync.rule"].create(
            {"shop_id": self.shop.id, "buffer_qty": 10, "min_online_qty": 5}
        )
        self.run_queue_jobs()  # the rule's own push
        API.calls.clear()

    def push(self):
        job = self.job("push_stock", {"force": True})
        self.run_queue_jobs()
        self.env.invalidate_all()
        return job

    def stock(self):
        return API.read_stock(SHOP, [CABLE, SHIRT])

    def test_the_rules_result_goes_out_in_the_channels_batches(self):
        job = self.push()
        self.assertEqual(job.state, "completed", job.error_message)
        self.assertEqual(
            self.stock(), {(CABLE, "0"): 20, (SHIRT, "9021"): 6, (SHIRT, "9022"): 15}
        )
        calls = [call["updates"] for call in API.calls_of("update_stock")]
        self.assertEqual(
            [len(updates) for updates in calls],
            [STOCK_CALL_LIMIT, 3 - STOCK_CALL_LIMIT],
        )
        # SKU batching: one call holds SKUs of different items
        self.assertEqual(len({item_id for item_id, _s, _q in calls[0]}), 2)
        # each answer on its own listing
        self.assertEqual(
            self.listing_results(),
            {
                (CABLE, "0"): (20, 20, False),
                (SHIRT, "9021"): (6, 6, False),
                (SHIRT, "9022"): (15, 15, False),
            },
        )

    def listing_results(self):
        """{(item, SKU): (last pushed, marketplace stock, push error)}"""
        return {
            (b.external_item_id, b.external_variation_id): (
                b.last_pushed_qty,
                b.marketplace_stock,
                b.last_push_error,
            )
            for b in self.env["marketplace.product.binding"].search(
                [("shop_id", "=", self.shop.id)]
            )
        }

    def test_a_sku_the_marketplace_refuses_is_reported_the_others_pushed(self):
        """The refused SKU shares its call with an accepted one: the answer
        is sorted per SKU, not per call."""
        before = self.listing_results()
        del API.items[(SHOP, SHIRT)]["skus"][0]  # 9021, in the first call
        job = self.push()
        self.assertEqual(job.state, "completed", job.error_message)
        calls = [call["updates"] for call in API.calls_of("update_stock")]
        self.assertEqual(
            [(i, s) for i, s, _q in calls[0]], [(CABLE, "0"), (SHIRT, "9021")]
        )
        results = self.listing_results()
        self.assertEqual(results[(CABLE, "0")], (20, 20, False))
        self.assertEqual(results[(SHIRT, "9022")], (15, 15, False))
        # the refused one keeps what it had, with the reason
        self.assertEqual(results[(SHIRT, "9021")][:2], before[(SHIRT, "9021")][:2])
        self.assertEqual(results[(SHIRT, "9021")][2], "SKU not found")
        self.assertIn("1 failed", job.result_summary)

    def test_a_revoked_app_fails_the_push_and_pauses_the_shop(self):
        """A refusal of the app itself is not a refusal of one listing."""
        API.revoked.add(SHOP)
        job = self.push()
        self.assertEqual(job.state, "failed")
        self.assertIn("cancelled this app's authorization", job.error_message)
        self.assertTrue(self.shop.sync_paused)
        self.assertEqual(len(API.calls_of("update_stock")), 1, "no call after it")
        self.assertFalse(any(e for _p, _s, e in self.listing_results().values()))

    def test_a_call_that_fails_for_now_is_sent_again(self):
        """The other calls of the step go on; the step is tried again and
        the marketplace ends with the rules' result. (That the retry leaves
        out what the marketplace accepted rests on a save in a transaction of
        its own, which a test's single transaction takes back: the fault
        suite proves it.)"""
        for product in (self.cable, self.shirt_m, self.shirt_l):
            self.set_stock(product, 10)
        API.fail_next("update_stock", Throttled("call limit"), after=1)
        job = self.push()
        self.assertEqual(job.state, "completed", job.error_message)
        calls = [call["updates"] for call in API.calls_of("update_stock")]
        self.assertEqual(len(calls), 4, "two calls, the second throttled: both again")
        self.assertEqual(calls[3], calls[1])
        self.assertEqual(
            self.stock(), {(CABLE, "0"): 30, (SHIRT, "9021"): 16, (SHIRT, "9022"): 25}
        )
