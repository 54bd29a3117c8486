"""Shipping Lazada orders from Odoo (recorded traffic): pack, ready to ship,
the tracking number on the delivery, the air waybill attached and printed
with others as one PDF, a refusal, and the delivery validated once Lazada
says shipped."""

import io

from PyPDF2 import PdfFileReader

from odoo.tests import tagged

from .common import LazadaTestCase, lazada_order, unit
from .test_orders import CABLE, EARBUDS

ORDER_E, ORDER_F = 301000000000011, 301000000000012


def ship_orders():
    return [
        lazada_order(ORDER_E, [unit(*CABLE, 129), unit(*CABLE, 129)], minutes=1),
        lazada_order(ORDER_F, [unit(*EARBUDS, 1059)], minutes=2),
    ]


def pdf_text(data):
    reader = PdfFileReader(io.BytesIO(data))
    return reader.getNumPages(), "".join(
        reader.getPage(i).extractText() for i in range(reader.getNumPages())
    )


@tagged("post_install", "-at_install")
class TestLazadaFulfilment(LazadaTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cable, cls.earbuds = cls.storable(
            ("USB-C cable 1 m", CABLE[2]), ("Earbuds Pro", EARBUDS[2])
        )

    def setUp(self):
        super().setUp()
        self.shop.auto_create_sale_orders = True
        self.set_stock(self.cable, 30)
        self.set_stock(self.earbuds, 5)

    def deliveries(self):
        return self.orders().sale_order_id.picking_ids.sorted(
            lambda p: p.marketplace_order_id.name
        )

    def test_ship_and_print_two_orders(self):
        with self.lazada_cassette("fulfilment_pull", {"put_orders": ship_orders()}):
            self.pull_orders()
        deliveries = self.deliveries()
        self.assertEqual(len(deliveries), 2)
        with self.lazada_cassette("fulfilment_ship", setup=False):
            wizard = self.env["marketplace.ship.wizard"].browse(
                deliveries.action_marketplace_ship()["res_id"]
            )
            self.assertEqual(wizard.mode_id.key, "pickup")
            self.assertIn("Lazada allocates the carrier", wizard.note)
            wizard.action_confirm()
            self.run_queue_jobs()
        self.env.invalidate_all()
        calls = self.lazada_calls()
        self.assertEqual(calls.count("/order/fulfill/pack"), 2)
        self.assertEqual(calls.count("/order/package/rts"), 2)
        for delivery in deliveries:
            order = delivery.marketplace_order_id
            self.assertEqual(order.shipment_state, "arranged")
            self.assertTrue(order.tracking_number)
            self.assertEqual(delivery.carrier_tracking_ref, order.tracking_number)
            pages, text = pdf_text(delivery.marketplace_label_id.raw)
            self.assertEqual(pages, 1)
            self.assertIn(order.tracking_number, text)
        # ready to ship: Lazada's packed-and-handed-over step
        self.assertEqual(
            set(deliveries.marketplace_order_id.mapped("raw_status")), {"ready_to_ship"}
        )
        pages, _text = pdf_text(deliveries._marketplace_labels_pdf())
        self.assertEqual(pages, 2)

        if self.recording:
            for order_id in (ORDER_E, ORDER_F):
                self.simulator_call("POST", f"orders/{order_id}", {"status": "shipped"})
        with self.lazada_cassette("fulfilment_shipped", setup=False):
            self.env["marketplace.job"]._queue_for(
                self.shop,
                "import_orders",
                {"order_refs": [str(ORDER_E), str(ORDER_F)]},
            )
            self.run_queue_jobs()
        self.env.invalidate_all()
        self.assertEqual(deliveries.mapped("state"), ["done", "done"])

    def test_a_refused_pack_leaves_the_delivery_as_it_was(self):
        with self.lazada_cassette(
            "fulfilment_refused",
            {
                "put_orders": ship_orders()[:1],
                "faults": [
                    {
                        "kind": "business_error",
                        "path": "/order/fulfill/pack",
                        "code": "700024",
                        "message": "The order is being processed, try later",
                        "times": 1,
                    }
                ],
            },
        ):
            self.pull_orders()
            delivery = self.deliveries()
            wizard = self.env["marketplace.ship.wizard"].browse(
                delivery.action_marketplace_ship()["res_id"]
            )
            wizard.action_confirm()
            self.run_queue_jobs()
        self.env.invalidate_all()
        order = delivery.marketplace_order_id
        self.assertEqual(order.shipment_state, "refused")
        self.assertIn("being processed", order.shipment_error)
        self.assertEqual(order.status, "to_ship")
        self.assertFalse(delivery.marketplace_label_id)
        self.assertEqual(delivery.state, "assigned")
