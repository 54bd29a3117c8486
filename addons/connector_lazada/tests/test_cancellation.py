"""Cancellations from Odoo on Lazada (recorded traffic): the seller cancels
a sale order (validate, then create, for a reason Lazada offers), and the
buyer's cancellation request is accepted or rejected from the sale order."""

from odoo.tests import tagged

from .common import LazadaTestCase, lazada_order, unit
from .test_orders import CABLE

ORDER_G, ORDER_H, ORDER_I = 301000000000021, 301000000000022, 301000000000023


@tagged("post_install", "-at_install")
class TestLazadaCancellation(LazadaTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        (cls.cable,) = cls.storable(("USB-C cable 1 m", CABLE[2]))

    def setUp(self):
        super().setUp()
        self.shop.write({"auto_create_sale_orders": True, "user_id": self.env.uid})
        self.set_stock(self.cable, 30)

    def sale(self):
        return self.orders().sale_order_id

    def reimport(self, order_id):
        self.env["marketplace.job"]._queue_for(
            self.shop, "import_orders", {"order_refs": [str(order_id)]}
        )
        self.run_queue_jobs()
        self.env.invalidate_all()

    def test_the_seller_cancels_on_lazada_then_in_odoo(self):
        order = lazada_order(ORDER_G, [unit(*CABLE, 129), unit(*CABLE, 129)])
        with self.lazada_cassette("cancel_by_seller", {"put_orders": [order]}):
            self.pull_orders()
            sale = self.sale()
            self.assertEqual(sale.picking_ids.state, "assigned")
            action = sale.action_cancel()
            wizard = self.env["marketplace.cancel.wizard"].browse(action["res_id"])
            wizard.reason = "buyer_asked"
            self.assertTrue(wizard.reason_note, "Lazada takes no such reason")
            wizard.reason = "out_of_stock"
            wizard.action_confirm()
            self.run_queue_jobs()
        self.env.invalidate_all()
        calls = self.lazada_calls()
        self.assertIn("/order/reverse/cancel/validate", calls)
        self.assertIn("/order/reverse/cancel/create", calls)
        self.assertEqual(self.orders().status, "cancelled")
        self.assertEqual(sale.state, "cancel")
        self.assertEqual(sale.picking_ids.state, "cancel")

    def buyer_asks(self, order_id, cassette):
        order = lazada_order(order_id, [unit(*CABLE, 129)])
        with self.lazada_cassette(cassette + "_pull", {"put_orders": [order]}):
            self.pull_orders()
        if self.recording:
            self.simulator_call("POST", f"orders/{order_id}/buyer_cancel", {})
        with self.lazada_cassette(cassette + "_request", setup=False):
            self.reimport(order_id)
        sale = self.sale()
        self.assertEqual(sale.marketplace_status, "cancel_requested")
        self.assertIn("cancellation requested", self.orders().raw_status)
        self.assertTrue(
            sale.activity_ids.filtered(
                lambda a: a.marketplace_cause == "cancel_requested"
            )
        )
        return sale

    def test_accepting_the_buyers_request_cancels_the_sale_order(self):
        sale = self.buyer_asks(ORDER_H, "cancel_accept")
        with self.lazada_cassette("cancel_accept", setup=False):
            sale.action_marketplace_accept_cancellation()
            self.run_queue_jobs()
        self.env.invalidate_all()
        self.assertIn("/order/reverse/cancel/seller/decide", self.lazada_calls())
        self.assertEqual(sale.marketplace_status, "cancelled")
        self.assertEqual(sale.state, "cancel")

    def test_rejecting_the_buyers_request_lets_the_order_go_on(self):
        sale = self.buyer_asks(ORDER_I, "cancel_reject")
        with self.lazada_cassette("cancel_reject", setup=False):
            sale.action_marketplace_reject_cancellation()
            self.run_queue_jobs()
        self.env.invalidate_all()
        self.assertEqual(sale.marketplace_status, "to_ship")
        self.assertEqual(sale.state, "sale")
        self.assertEqual(sale.picking_ids.state, "assigned")
