"""Shipping Shopee orders from Odoo (recorded traffic): shipping parameters,
ship_order with the recommended pick-up time, the air waybill made, waited
for, downloaded and attached, one PDF of several, a refusal, and the
delivery validated once Shopee says shipped."""

import io
import json

from PyPDF2 import PdfFileReader

from odoo.tests import tagged

from .common import ShopeeTestCase
from .test_sale_orders_cassettes import SCENARIO, SINCE, UNTIL, sell_seed_listings

# the seed orders waiting to be shipped: Kerry (pick-up or drop-off) and J&T
# (pick-up only), both in Bangkok
KERRY, JNT = "2510207M4XB2QP", "2510236FJ9UA2H"


def pdf_text(data):
    reader = PdfFileReader(io.BytesIO(data))
    return reader.getNumPages(), "".join(
        reader.getPage(i).extractText() for i in range(reader.getNumPages())
    )


def bodies(cassette, path):
    return [
        json.loads(request.body)
        for request in cassette.requests
        if request.path.endswith(path)
    ]


@tagged("post_install", "-at_install")
class TestShopeeFulfilment(ShopeeTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        sell_seed_listings(cls)
        cls.shop.label_format = "thermal"

    def pull(self, name):
        with self.shopee_cassette(name, SCENARIO):
            job = self.create_pull_job(SINCE, UNTIL)
            self.run_queue_jobs()
        self.assertEqual(job.state, "completed", job.error_message)
        self.env.invalidate_all()

    def delivery(self, order_sn):
        order = self.env["marketplace.order"].search(
            [("shop_id", "=", self.shop.id), ("name", "=", order_sn)]
        )
        return order.sale_order_id.picking_ids

    def test_ship_two_orders_and_print_their_labels_as_one_pdf(self):
        self.pull("fulfilment_pull")
        deliveries = self.delivery(KERRY) | self.delivery(JNT)
        self.assertTrue(all(deliveries.mapped("marketplace_can_ship")))
        with self.shopee_cassette("fulfilment_ship", setup=False) as cassette:
            action = deliveries.action_marketplace_ship()
            wizard = self.env["marketplace.ship.wizard"].browse(action["res_id"])
            # Shopee's ways for the first parcel, its default pick-up address
            self.assertEqual(
                wizard.option_ids.filtered(lambda o: o.kind == "mode").mapped("key"),
                ["pickup", "dropoff"],
            )
            self.assertTrue(wizard.address_id)
            self.assertFalse(wizard.slot_id, "several parcels: each its own time")
            # placed in October: no hour to wait
            self.assertFalse(wizard.recent_order_ids)
            wizard.set_as_default = True
            wizard.action_confirm()
            self.run_queue_jobs()
        self.env.invalidate_all()

        ships = bodies(cassette, "logistics/ship_order")
        self.assertEqual({body["order_sn"] for body in ships}, {KERRY, JNT})
        for body in ships:
            self.assertEqual(
                str(body["pickup"]["address_id"]), wizard.address_id.key, body
            )
            self.assertTrue(body["pickup"]["pickup_time_id"])
        self.assertEqual(self.shop.ship_mode, "pickup")
        self.assertEqual(self.shop.ship_address_ref, wizard.address_id.key)
        # the document asked for on the shop's thermal setting, made, then read
        created = bodies(cassette, "logistics/create_shipping_document")
        self.assertEqual(
            {e["shipping_document_type"] for b in created for e in b["order_list"]},
            {"THERMAL_AIR_WAYBILL"},
        )
        for delivery in deliveries:
            order = delivery.marketplace_order_id
            self.assertEqual(order.shipment_state, "arranged")
            self.assertEqual(order.status, "packed", "PROCESSED, imported again")
            self.assertTrue(order.tracking_number)
            self.assertEqual(delivery.carrier_tracking_ref, order.tracking_number)
            pages, text = pdf_text(delivery.marketplace_label_id.raw)
            self.assertEqual(pages, 1)
            self.assertIn(order.tracking_number, text)
            self.assertIn(order.name, text)
            self.assertEqual(delivery.state, "assigned", "not left yet")

        action = deliveries.action_marketplace_print_labels()
        self.assertEqual(action["type"], "ir.actions.act_url")
        pages, text = pdf_text(deliveries._marketplace_labels_pdf())
        self.assertEqual(pages, 2)

        # Shopee says shipped: the delivery is done
        if self.recording:
            for order_sn in (KERRY, JNT):
                self.simulator_call(
                    "POST", f"orders/{order_sn}", {"order_status": "SHIPPED"}
                )
        with self.shopee_cassette("fulfilment_shipped", setup=False):
            job = self.env["marketplace.job"]._queue_for(
                self.shop, "import_orders", {"order_refs": [KERRY, JNT]}
            )
            self.run_queue_jobs()
        self.assertEqual(job.state, "completed", job.error_message)
        self.env.invalidate_all()
        self.assertEqual(deliveries.mapped("state"), ["done", "done"])

    def test_a_refusal_leaves_the_delivery_as_it_was(self):
        self.pull("fulfilment_refused_pull")
        delivery = self.delivery(KERRY)
        if self.recording:
            self.simulator_call(
                "POST",
                "faults",
                {
                    "kind": "error",
                    "path": "/api/v2/logistics/ship_order",
                    "error": "logistics.ship_order_pickup_time_invalid",
                    "message": "The pickup time is no longer available.",
                    "times": 1,
                },
            )
        with self.shopee_cassette("fulfilment_refused", setup=False):
            wizard = self.env["marketplace.ship.wizard"].browse(
                delivery.action_marketplace_ship()["res_id"]
            )
            self.assertTrue(wizard.slot_id, "one parcel: its recommended time")
            wizard.action_confirm()
            self.run_queue_jobs()
        self.env.invalidate_all()
        order = delivery.marketplace_order_id
        self.assertEqual(order.shipment_state, "refused")
        self.assertIn("pickup time is no longer available", order.shipment_error)
        self.assertEqual(order.status, "to_ship")
        self.assertFalse(delivery.marketplace_label_id)
        self.assertEqual(delivery.state, "assigned")
        self.assertTrue(delivery.marketplace_can_ship, "the seller may try again")
