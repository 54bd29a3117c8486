"""Cancellations from Odoo on Shopee (recorded traffic): the seller cancels
a sale order (cancel_order, out of stock, with the order's items), and the
buyer's request (IN_CANCEL) is accepted or rejected from the sale order."""

from odoo.tests import tagged

from .common import ShopeeTestCase
from .test_fulfilment_cassettes import JNT, KERRY, bodies
from .test_sale_orders_cassettes import SCENARIO, SINCE, UNTIL, sell_seed_listings


@tagged("post_install", "-at_install")
class TestShopeeCancellation(ShopeeTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        sell_seed_listings(cls)
        cls.shop.user_id = cls.env.user

    def pull(self, name):
        with self.shopee_cassette(name, SCENARIO):
            job = self.create_pull_job(SINCE, UNTIL)
            self.run_queue_jobs()
        self.assertEqual(job.state, "completed", job.error_message)
        self.env.invalidate_all()

    def sale(self, order_sn):
        return (
            self.env["marketplace.order"]
            .search([("shop_id", "=", self.shop.id), ("name", "=", order_sn)])
            .sale_order_id
        )

    def reimport(self, order_sn):
        self.env["marketplace.job"]._queue_for(
            self.shop, "import_orders", {"order_refs": [order_sn]}
        )
        self.run_queue_jobs()
        self.env.invalidate_all()

    def test_the_seller_cancels_on_shopee_then_in_odoo(self):
        self.pull("cancel_pull")
        sale = self.sale(KERRY)
        self.assertEqual(sale.picking_ids.state, "assigned")
        with self.shopee_cassette("cancel_by_seller", setup=False) as cassette:
            action = sale.action_cancel()
            wizard = self.env["marketplace.cancel.wizard"].browse(action["res_id"])
            wizard.reason = "undeliverable"
            self.assertTrue(wizard.reason_note, "not for a Thai shop")
            wizard.reason = "out_of_stock"
            wizard.action_confirm()
            self.run_queue_jobs()
        self.env.invalidate_all()
        [body] = bodies(cassette, "order/cancel_order")
        self.assertEqual(body["cancel_reason"], "OUT_OF_STOCK")
        lines = sale.marketplace_order_id.line_ids
        self.assertEqual(
            {(i["item_id"], i["model_id"]) for i in body["item_list"]},
            {(int(line.item_id), int(line.variation_id)) for line in lines},
        )
        self.assertEqual(sale.marketplace_status, "cancelled")
        self.assertEqual(sale.state, "cancel")
        self.assertEqual(sale.picking_ids.state, "cancel")

    def test_the_buyers_request_accepted_and_rejected(self):
        self.pull("cancel_request_pull")
        if self.recording:
            for order_sn in (KERRY, JNT):
                self.simulator_call("POST", f"orders/{order_sn}/buyer_cancel", {})
        with self.shopee_cassette("cancel_request", setup=False):
            self.reimport(KERRY)
            self.reimport(JNT)
        accepted, rejected = self.sale(KERRY), self.sale(JNT)
        for sale in accepted | rejected:
            self.assertEqual(sale.marketplace_status, "cancel_requested")
            self.assertTrue(
                sale.activity_ids.filtered(
                    lambda a: a.marketplace_cause == "cancel_requested"
                )
            )
        with self.shopee_cassette("cancel_request_answers", setup=False) as cassette:
            accepted.action_marketplace_accept_cancellation()
            rejected.action_marketplace_reject_cancellation()
            self.run_queue_jobs()
        self.env.invalidate_all()
        answers = {
            body["order_sn"]: body["operation"]
            for body in bodies(cassette, "order/handle_buyer_cancellation")
        }
        self.assertEqual(answers, {KERRY: "ACCEPT", JNT: "REJECT"})
        self.assertEqual(accepted.state, "cancel")
        self.assertEqual(rejected.state, "sale")
        self.assertEqual(rejected.marketplace_status, "to_ship")
        self.assertEqual(rejected.picking_ids.state, "assigned")
        self.assertFalse(
            (accepted | rejected).activity_ids.filtered(
                lambda a: a.marketplace_cause == "cancel_requested"
            ),
            "answered: the to-dos are done",
        )
