"""Shipping from Odoo through a channel that is only the contract: the
Arrange shipment window, the ship job, labels on the deliveries and one PDF
of several, refusals, retries, orders placed a moment ago."""

import io
from datetime import timedelta

from PyPDF2 import PdfFileReader

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.connector_marketplace.models.marketplace_job_ship import (
    SHIPMENT_KEYS,
)

from ..fake_api import API, Refused, Throttled, local_time
from .common import SHOP, TestChannelCase, order
from .test_flows import CABLE, settlement


def pdf_pages(data):
    return PdfFileReader(io.BytesIO(data)).getNumPages()


class FulfilmentCase(TestChannelCase):
    def setUp(self):
        super().setUp()
        self.shop.auto_create_sale_orders = True
        self.set_stock(self.cable, 50)

    def put_paid_order(self, order_id, minutes=0, **extra):
        API.put_order(
            SHOP,
            order(
                order_id,
                [(CABLE, "0", "TC-CABLE", "500.00", "pending")],
                minutes=minutes,
                settlement=settlement([(CABLE, "0", 500.0)], 0, 0, 40, 20),
                **extra,
            ),
        )

    def deliveries(self, *order_ids):
        orders = self.orders().filtered(lambda o: o.name in order_ids)
        pickings = orders.sale_order_id.picking_ids
        self.assertEqual(len(pickings), len(order_ids), "one delivery per order")
        return pickings.sorted(lambda p: p.marketplace_order_id.name)

    def open_wizard(self, pickings):
        action = pickings.action_marketplace_ship()
        return self.env["marketplace.ship.wizard"].browse(action["res_id"])

    def ship(self, pickings, failed=(), **choices):
        wizard = self.open_wizard(pickings)
        wizard.write(choices)
        wizard.action_confirm()
        self.run_queue_jobs(failed=failed)
        self.env.invalidate_all()
        return wizard

    def last_job(self, job_type):
        return self.env["marketplace.job"].search(
            [("shop_id", "=", self.shop.id), ("job_type", "=", job_type)],
            order="id desc",
            limit=1,
        )


@tagged("post_install", "-at_install")
class TestFulfilment(FulfilmentCase):
    def test_a_delivery_shipped_from_odoo_gets_its_tracking_number_and_label(self):
        self.put_paid_order("TC-40")
        self.pull_orders()
        delivery = self.deliveries("TC-40")
        self.assertTrue(delivery.marketplace_can_ship)

        wizard = self.open_wizard(delivery)
        # the marketplace's ways, its default address, the recommended time
        self.assertEqual(
            wizard.option_ids.filtered(lambda o: o.kind == "mode").mapped("key"),
            ["pickup", "manual"],
        )
        self.assertEqual(wizard.mode_id.key, "pickup")
        self.assertEqual(wizard.address_id.key, "A1")
        self.assertEqual(wizard.slot_id.key, "TC-40-S2")
        wizard.action_confirm()
        self.assertEqual(delivery.marketplace_shipment_state, "requested")
        self.run_queue_jobs()
        self.env.invalidate_all()

        self.assertEqual(
            [(c["order_id"], c["mode"], c["slot"]) for c in API.calls_of("ship")],
            [("TC-40", "pickup", "TC-40-S2")],
        )
        mp_order = delivery.marketplace_order_id
        self.assertEqual(mp_order.shipment_state, "arranged")
        self.assertEqual(mp_order.status, "packed", "imported again after shipping")
        self.assertEqual(delivery.carrier_tracking_ref, "TRKTC-40")
        label = delivery.marketplace_label_id
        self.assertEqual(label.mimetype, "application/pdf")
        self.assertTrue(label.raw.startswith(b"%PDF"))
        self.assertEqual(
            (label.res_model, label.res_id), ("stock.picking", delivery.id)
        )
        self.assertEqual(self.last_job("ship_orders").state, "completed")
        self.assertEqual(self.last_job("print_labels").state, "completed")
        self.assertFalse(delivery.marketplace_can_ship, "arranged once")

    def test_a_label_still_being_made_is_asked_again_until_ready(self):
        API.label_delay = 2
        self.put_paid_order("TC-41")
        self.pull_orders()
        delivery = self.deliveries("TC-41")
        self.ship(delivery)
        self.assertEqual(len(API.calls_of("get_labels")), 3)
        self.assertTrue(delivery.marketplace_label_id)
        self.assertIn("1 labels attached", self.last_job("print_labels").result_summary)

    def test_print_labels_of_several_deliveries_gives_one_pdf(self):
        for order_id in ("TC-42", "TC-43"):
            self.put_paid_order(order_id)
        self.pull_orders()
        deliveries = self.deliveries("TC-42", "TC-43")
        self.ship(deliveries)
        self.assertEqual(len(API.calls_of("ship")), 2)
        action = deliveries.action_marketplace_print_labels()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertEqual(
            action["url"],
            "/marketplace/labels?picking_ids={},{}".format(*deliveries.ids),
        )
        self.assertEqual(pdf_pages(deliveries._marketplace_labels_pdf()), 2)

    def test_print_labels_fetches_the_missing_ones_first(self):
        self.put_paid_order("TC-44")
        self.pull_orders()
        delivery = self.deliveries("TC-44")
        self.ship(delivery)
        delivery.marketplace_label_id.unlink()
        action = delivery.action_marketplace_print_labels()
        self.assertEqual(action["tag"], "display_notification")
        self.run_queue_jobs()
        self.assertTrue(delivery.marketplace_label_id)

    def test_labels_of_an_order_not_arranged_are_refused_clearly(self):
        self.put_paid_order("TC-45")
        self.pull_orders()
        delivery = self.deliveries("TC-45")
        with self.assertRaisesRegex(UserError, "Arrange the shipment of TC-45 first"):
            delivery.action_marketplace_print_labels()

    def test_a_refused_shipment_leaves_the_delivery_as_it_was(self):
        self.put_paid_order("TC-46")
        self.pull_orders()
        delivery = self.deliveries("TC-46")
        API.fail_next("ship", Refused("the parcel is over 30 kg"))
        self.ship(delivery)
        mp_order = delivery.marketplace_order_id
        self.assertEqual(mp_order.shipment_state, "refused")
        self.assertIn("the parcel is over 30 kg", delivery.marketplace_shipment_error)
        self.assertEqual(mp_order.status, "to_ship")
        self.assertEqual(delivery.state, "assigned")
        self.assertFalse(delivery.marketplace_label_id)
        self.assertFalse(delivery.carrier_tracking_ref)
        job = self.last_job("ship_orders")
        self.assertEqual(job.state, "failed")
        self.assertIn("TC-46: The marketplace refused: the parcel", job.error_message)
        self.assertFalse(self.last_job("print_labels"))
        # the seller may try again
        self.assertTrue(delivery.marketplace_can_ship)
        self.ship(delivery)
        self.assertEqual(mp_order.shipment_state, "arranged")

    def test_a_passing_trouble_ships_once_when_tried_again(self):
        self.put_paid_order("TC-47")
        self.pull_orders()
        delivery = self.deliveries("TC-47")
        API.fail_next("ship", Throttled("busy"))
        self.ship(delivery)
        self.assertEqual(len(API.calls_of("ship")), 2)
        self.assertEqual(delivery.marketplace_shipment_state, "arranged")
        # its step delivered again (a node lost the answer): nothing is
        # shipped twice
        job = self.last_job("ship_orders")
        payload = job._payload_dict()
        job._job_ship_orders(
            payload["order_ids"], {key: payload[key] for key in SHIPMENT_KEYS}
        )
        self.assertEqual(len(API.calls_of("ship")), 2)
        self.assertEqual(delivery.marketplace_shipment_state, "arranged")

    def test_orders_placed_a_moment_ago_wait_unless_the_seller_says_so(self):
        self.put_paid_order("TC-48")
        self.pull_orders()
        # placed 10 minutes ago, in real time
        self.put_paid_order("TC-49")
        API.orders[SHOP, "TC-49"]["created_at"] = local_time(
            fields.Datetime.now() - timedelta(minutes=10)
        )
        self.pull_orders()
        deliveries = self.deliveries("TC-48", "TC-49")
        wizard = self.open_wizard(deliveries)
        self.assertEqual(wizard.recent_order_ids.name, "TC-49")
        self.assertIn("less than 60 minutes ago", wizard.recent_note)
        self.assertEqual(wizard.order_count, 1)
        wizard.action_confirm()
        self.run_queue_jobs()
        self.assertEqual([c["order_id"] for c in API.calls_of("ship")], ["TC-48"])
        self.ship(deliveries[1], include_recent=True)
        self.assertEqual(
            [c["order_id"] for c in API.calls_of("ship")], ["TC-48", "TC-49"]
        )

    def test_an_order_that_moved_on_before_its_shipment_is_left_out(self):
        self.put_paid_order("TC-54")
        self.pull_orders()
        delivery = self.deliveries("TC-54")
        wizard = self.open_wizard(delivery)
        wizard.action_confirm()
        # the buyer cancelled it in the meantime
        delivery.marketplace_order_id.status = "cancelled"
        self.run_queue_jobs()
        self.env.invalidate_all()
        self.assertFalse(API.calls_of("ship"))
        self.assertFalse(delivery.marketplace_order_id.shipment_state)
        self.assertIn(
            "TC-54: It is Cancelled",
            self.last_job("ship_orders").error_message
            or self.last_job("ship_orders").result_summary,
        )

    def test_own_carrier_needs_the_tracking_number(self):
        self.put_paid_order("TC-50")
        self.pull_orders()
        delivery = self.deliveries("TC-50")
        wizard = self.open_wizard(delivery)
        wizard.mode_id = wizard.option_ids.filtered(lambda o: o.key == "manual")
        with self.assertRaisesRegex(UserError, "tracking number"):
            wizard.action_confirm()
        wizard.tracking_number = " KEX123456 "
        wizard.set_as_default = True
        wizard.action_confirm()
        self.run_queue_jobs()
        self.assertEqual(API.calls_of("ship")[0]["mode"], "manual")
        self.assertEqual(delivery.carrier_tracking_ref, "KEX123456")
        self.assertEqual(self.shop.ship_mode, "manual")

    def test_deliveries_that_cannot_be_shipped_are_named(self):
        self.put_paid_order("TC-51")
        API.put_order(
            SHOP, order("TC-52", [(CABLE, "0", "TC-CABLE", "500.00", "shipped")])
        )
        self.pull_orders()
        shipped = self.orders().filtered(lambda o: o.name == "TC-52")
        self.env["marketplace.job"].browse()._queue_for(
            self.shop, "sale_orders", {"order_ids": shipped.ids, "force": True}
        )
        self.run_queue_jobs()
        with self.assertRaisesRegex(UserError, "TC-52: It is In transit"):
            self.open_wizard(self.deliveries("TC-52"))
        wizard = self.open_wizard(self.deliveries("TC-51") | self.deliveries("TC-52"))
        self.assertEqual(wizard.order_ids.name, "TC-51")
        self.assertIn("TC-52", wizard.skipped_note)

    def test_a_marketplace_user_ships_and_prints(self):
        user = self.env["res.users"].create(
            {
                "name": "Packer",
                "login": "packer@example.com",
                "groups_id": [
                    fields.Command.set(
                        [
                            self.env.ref("stock.group_stock_user").id,
                            self.env.ref(
                                "connector_marketplace.group_marketplace_user"
                            ).id,
                        ]
                    )
                ],
            }
        )
        self.put_paid_order("TC-53")
        self.pull_orders()
        delivery = self.deliveries("TC-53").with_user(user)
        wizard = self.open_wizard(delivery)
        wizard.action_confirm()
        self.run_queue_jobs()
        self.assertEqual(pdf_pages(delivery._marketplace_labels_pdf()), 1)


@tagged("post_install", "-at_install")
class TestCancellation(FulfilmentCase):
    def sale_of(self, order_id):
        return self.orders().filtered(lambda o: o.name == order_id).sale_order_id

    def reserved(self):
        quants = self.env["stock.quant"].search(
            [
                ("product_id", "=", self.cable.id),
                ("location_id", "child_of", self.warehouse.lot_stock_id.id),
            ]
        )
        return sum(quants.mapped("reserved_quantity"))

    def test_cancelling_the_sale_order_cancels_on_the_marketplace_first(self):
        self.put_paid_order("TC-60")
        self.pull_orders()
        sale = self.sale_of("TC-60")
        self.assertEqual(self.reserved(), 1)
        action = sale.action_cancel()
        self.assertEqual(action["res_model"], "marketplace.cancel.wizard")
        self.assertEqual(sale.state, "sale", "nothing cancelled before the answer")
        wizard = self.env["marketplace.cancel.wizard"].browse(action["res_id"])
        wizard.reason = "undeliverable"
        self.assertIn("take another reason", wizard.reason_note)
        with self.assertRaisesRegex(UserError, "another reason"):
            wizard.action_confirm()
        wizard.reason = "out_of_stock"
        wizard.action_confirm()
        self.run_queue_jobs()
        self.env.invalidate_all()
        self.assertEqual(API.calls_of("cancel")[0]["reason"], "out_of_stock")
        self.assertEqual(sale.marketplace_order_id.status, "cancelled")
        self.assertEqual(sale.state, "cancel")
        self.assertEqual(sale.picking_ids.state, "cancel")
        self.assertEqual(self.reserved(), 0)

    def test_a_refused_cancellation_keeps_the_sale_order_and_says_why(self):
        self.put_paid_order("TC-61")
        self.pull_orders()
        sale = self.sale_of("TC-61")
        API.fail_next("cancel", Refused("the parcel is with the carrier"))
        wizard = self.env["marketplace.cancel.wizard"].browse(
            sale.action_cancel()["res_id"]
        )
        wizard.action_confirm()
        self.run_queue_jobs()
        self.env.invalidate_all()
        self.assertEqual(sale.state, "sale")
        self.assertEqual(self.reserved(), 1)
        self.assertIn("the parcel is with the carrier", sale.marketplace_cancel_error)
        self.assertIn("the parcel is with the carrier", sale.message_ids[:1].body or "")
        job = self.last_job("cancel_orders")
        self.assertEqual(job.state, "failed")

    def test_a_shipped_order_is_cancelled_in_odoo_only(self):
        API.put_order(
            SHOP, order("TC-62", [(CABLE, "0", "TC-CABLE", "500.00", "shipped")])
        )
        self.pull_orders()
        shipped = self.orders().filtered(lambda o: o.name == "TC-62")
        self.env["marketplace.job"]._queue_for(
            self.shop, "sale_orders", {"order_ids": shipped.ids, "force": True}
        )
        self.run_queue_jobs()
        # (its delivery is done: Odoo's own rules decide)
        self.assertFalse(shipped._cancel_problem() is None)
        self.assertFalse(API.calls_of("cancel"))

    def buyer_asks_to_cancel(self, order_id):
        self.put_paid_order(order_id)
        self.pull_orders()
        for row in API.orders[SHOP, order_id]["items"]:
            row["status"] = "requested_cancel"
        API.orders[SHOP, order_id]["updated_at"] = local_time(
            fields.Datetime.from_string("2026-12-01 05:05:00")
        )
        self.pull_orders()
        sale = self.sale_of(order_id)
        self.assertEqual(sale.marketplace_status, "cancel_requested")
        return sale

    def test_accepting_a_buyers_request_cancels_and_releases_the_stock(self):
        self.shop.user_id = self.env.user
        sale = self.buyer_asks_to_cancel("TC-63")
        todo = sale.activity_ids.filtered(
            lambda a: a.marketplace_cause == "cancel_requested"
        )
        self.assertEqual(len(todo), 1)
        sale.action_marketplace_accept_cancellation()
        self.run_queue_jobs()
        self.env.invalidate_all()
        self.assertEqual(API.calls_of("answer_cancellation")[0]["accept"], True)
        self.assertEqual(sale.state, "cancel")
        self.assertEqual(self.reserved(), 0)
        self.assertFalse(todo.exists(), "the to-do is done")

    def test_the_buyers_request_is_answered_not_cancelled_over(self):
        sale = self.buyer_asks_to_cancel("TC-65")
        with self.assertRaisesRegex(UserError, "answer with Accept cancellation"):
            sale.action_cancel()
        self.assertEqual(sale.state, "sale")

    def test_rejecting_a_buyers_request_lets_the_order_go_on(self):
        sale = self.buyer_asks_to_cancel("TC-64")
        sale.action_marketplace_reject_cancellation()
        self.run_queue_jobs()
        self.env.invalidate_all()
        self.assertEqual(sale.marketplace_status, "to_ship")
        self.assertEqual(sale.state, "sale")
        self.assertEqual(self.reserved(), 1)
        self.assertIn("rejected", self.last_job("answer_cancellation").result_summary)
