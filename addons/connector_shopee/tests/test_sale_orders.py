"""Marketplace orders become sale orders: money, stock, statuses, customers.

The orders are real-shaped Shopee answers (integer amounts, SKU-less lines,
bundle deals, Thai addresses, vouchers and coins) imported through the
Shopee importer; the escrow and tracking reads are the backend's, answered
here by the shapes Shopee sends (the cassette-based runs are in
test_sale_orders_cassettes).
"""

import threading
from contextlib import contextmanager
from datetime import datetime, timedelta
from unittest import mock

import psycopg2

from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import UserError
from odoo.tests import common, tagged
from odoo.tools import mute_logger

from odoo.addons.connector_marketplace.tests.common import (
    CommittedDataMixin,
    NoLivePortMixin,
)

from ..components.money import money_from_escrow
from .common import SHOP_ID, ShopeeTestCase, registry_without_loading_lock

ADDRESS = {
    "name": "ส****ย",
    "phone": "******21",
    "town": "",
    "district": "",
    "city": "เขตคลองเตย",
    "state": "กรุงเทพมหานคร",
    "region": "TH",
    "zipcode": "10110",
    "full_address": "123/45 ถนนสุขุมวิท แขวงคลองเตย เขตคลองเตย กรุงเทพมหานคร 10110",
}


def shopee_order(order_sn, status, lines, **money):
    """A get_order_detail answer and its escrow, consistent as Shopee's are.

    :param lines: dicts with item_id, model_id, qty, price (unit, before
        discounts), seller_discount and shopee_discount (for the line),
        sku (may be ""), bundle (its discounted price is 0 in the detail)
    """
    shipping = money.get("shipping", 40)
    voucher_seller = money.get("voucher_seller", 0)
    voucher_shopee = money.get("voucher_shopee", 0)
    coins = money.get("coins", 0)
    now = money.get("update_time", 1790000000)
    items, escrow_items = [], []
    for index, line in enumerate(lines):
        qty = line.get("qty", 1)
        subtotal = line["price"] * qty
        seller_discount = line.get("seller_discount", 0)
        shopee_discount = line.get("shopee_discount", 0)
        discounted_unit = (subtotal - seller_discount) // qty
        items.append(
            {
                "item_id": line["item_id"],
                "item_name": line.get("name", f"Item {line['item_id']}"),
                "item_sku": line.get("sku", ""),
                "model_id": line.get("model_id", 0),
                "model_name": line.get("model_name", ""),
                "model_sku": line.get("sku", ""),
                "model_quantity_purchased": qty,
                "model_original_price": line["price"],
                "model_discounted_price": 0 if line.get("bundle") else discounted_unit,
                "promotion_type": "bundle_deal" if line.get("bundle") else "",
                "order_item_id": line["item_id"] + index,
                "promotion_group_id": 7 if line.get("bundle") else 0,
            }
        )
        escrow_items.append(
            {
                "item_id": line["item_id"],
                "model_id": line.get("model_id", 0),
                "quantity_purchased": qty,
                "original_price": subtotal,
                "discounted_price": subtotal - seller_discount - shopee_discount,
                "seller_discount": seller_discount,
                "shopee_discount": shopee_discount,
                "activity_type": "bundle_deal" if line.get("bundle") else "",
            }
        )
    original = sum(i["original_price"] for i in escrow_items)
    seller_disc = sum(i["seller_discount"] for i in escrow_items)
    shopee_disc = sum(i["shopee_discount"] for i in escrow_items)
    buyer_total = (
        original
        - seller_disc
        - shopee_disc
        - voucher_seller
        - voucher_shopee
        - coins
        + shipping
    )
    detail = {
        "order_sn": order_sn,
        "region": "TH",
        "currency": "THB",
        "cod": False,
        "total_amount": buyer_total,
        "order_status": status,
        "shipping_carrier": "",
        "checkout_shipping_carrier": "Flash Express",
        "estimated_shipping_fee": shipping,
        "create_time": money.get("create_time", 1789990000),
        "update_time": now,
        "buyer_user_id": money.get("buyer_user_id", 836201272),
        "buyer_username": money.get("buyer_username", "ploy.shop"),
        "recipient_address": ADDRESS,
        "message_to_seller": "",
        "item_list": items,
        "package_list": [
            {
                "package_number": f"OFG{order_sn}",
                "logistics_status": "LOGISTICS_READY",
                "shipping_carrier": "Flash Express",
            }
        ],
    }
    escrow = {
        "order_sn": order_sn,
        "order_income": {
            "buyer_total_amount": buyer_total,
            "original_price": original,
            "seller_discount": seller_disc,
            "shopee_discount": shopee_disc,
            "voucher_from_seller": voucher_seller,
            "voucher_from_shopee": voucher_shopee,
            "coins": coins,
            "buyer_paid_shipping_fee": shipping,
            "actual_shipping_fee": shipping + 10,
            "shopee_shipping_rebate": 10,
            "commission_fee": round(original * 0.05),
            "service_fee": round(original * 0.03),
            "seller_transaction_fee": round(buyer_total * 0.02),
            "buyer_transaction_fee": 0,
            "payment_promotion": 0,
            "cross_border_tax": 0,
            "escrow_amount": buyer_total - round(original * 0.1),
            "items": escrow_items,
        },
    }
    return detail, escrow


class SaleOrderCase(ShopeeTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.env.company.id)], limit=1
        )
        cls.shop.write(
            {
                "warehouse_id": cls.warehouse.id,
                "sale_orders_from": datetime(2026, 1, 1),
                "auto_create_sale_orders": True,
                # the reservations would queue stock pushes to Shopee: not
                # these tests' business (test_stock's TestAutomaticPush)
                "auto_push_stock": False,
            }
        )
        product = cls.env["product.product"]
        cls.cable = product.create(
            {"name": "USB-C Cable", "is_storable": True, "default_code": "BGH-USBC-1M"}
        )
        cls.shirt_red = product.create({"name": "T-Shirt Red L", "is_storable": True})
        cls.shirt_black = product.create(
            {"name": "T-Shirt Black M", "is_storable": True}
        )
        cls.earbuds = product.create({"name": "TWS Earbuds", "is_storable": True})
        for item, model, prod in (
            ("101", "0", cls.cable),
            ("102", "2", cls.shirt_red),
            ("102", "3", cls.shirt_black),
            ("106", "0", cls.earbuds),
        ):
            cls.env["marketplace.product.binding"].create(
                {
                    "shop_id": cls.shop.id,
                    "external_item_id": item,
                    "external_variation_id": model,
                    "product_id": prod.id,
                }
            )
            cls.env["stock.quant"]._update_available_quantity(
                prod, cls.warehouse.lot_stock_id, 20
            )
        cls.escrows, cls.tracking = {}, {}

    def import_order(self, detail, escrow=None):
        """Import an order as a pull's chunk does; remember its escrow."""
        if escrow:
            self.escrows[detail["order_sn"]] = escrow
        with self.backend.work_on("shopee.order") as work:
            importer = work.component(usage="record.importer")
            binding = importer.run(detail["order_sn"], detail)
        binding.odoo_id.line_ids._assign_products()
        return binding.odoo_id

    @contextmanager
    def shopee_reads(self):
        """The backend's settlement and tracking reads, answered as Shopee
        does (its escrow, through the Shopee money mapper)."""
        backend_class = type(self.backend)
        with (
            mock.patch.object(
                backend_class,
                "_marketplace_read_money",
                lambda backend, refs: {
                    r: money_from_escrow(self.escrows[r])
                    for r in refs
                    if r in self.escrows
                },
            ),
            mock.patch.object(
                backend_class,
                "_marketplace_read_tracking",
                lambda backend, refs: {
                    r: self.tracking[r] for r in refs if r in self.tracking
                },
            ),
        ):
            yield

    def run_queued_jobs(self):
        """Run what is queued now, Shopee's reads answered: every job of the
        shop that was waiting completes. Returns those jobs."""
        queued = self.env["marketplace.job"].search(
            [("shop_id", "=", self.shop.id), ("state", "=", "pending")]
        )
        with self.shopee_reads():
            self.run_queue_jobs()
        self.env.invalidate_all()
        self.assertEqual(
            queued.mapped("state"),
            ["completed"] * len(queued),
            queued.mapped("error_message"),
        )
        return queued

    def sync_sale_orders(self, orders, force=False):
        """The sale_orders job of these orders, through queue_job."""
        with self.shopee_reads():
            job = self.shop._queue_sale_orders_job(orders, force=force)
            self.run_queue_jobs()
        self.assertEqual(job.state, "completed", job.error_message)
        self.env.invalidate_all()
        return job


@tagged("post_install", "-at_install")
class TestSaleOrders(SaleOrderCase):
    def test_order_becomes_confirmed_sale_order_with_reserved_stock(self):
        detail, escrow = shopee_order(
            "260901SALE0001",
            "READY_TO_SHIP",
            [
                {
                    "item_id": 101,
                    "qty": 2,
                    "price": 159,
                    "seller_discount": 60,
                    "sku": "BGH-USBC-1M\n",
                },
                {"item_id": 102, "model_id": 2, "price": 299, "seller_discount": 40},
                {"item_id": 102, "model_id": 3, "price": 299, "seller_discount": 40},
            ],
            shipping=38,
            voucher_seller=20,
        )
        order = self.import_order(detail, escrow)
        self.assertEqual(order.unbound_line_count, 0, "SKU-less lines found by ids")
        job = self.sync_sale_orders(order)
        self.assertIn("1 sale orders created", job.result_summary)
        sale = order.sale_order_id
        self.assertEqual(sale.state, "sale")
        self.assertEqual(sale.client_order_ref, "260901SALE0001")
        self.assertEqual(sale.warehouse_id, self.warehouse)
        self.assertEqual(order.sale_status, "created")
        lines = sale.order_line
        product_lines = lines.filtered("marketplace_order_line_id")
        self.assertEqual(
            sorted(product_lines.mapped("price_unit")), [129.0, 259.0, 259.0]
        )
        tax = product_lines.tax_id
        self.assertEqual(tax.amount, 7.0)
        self.assertEqual(tax.price_include_override, "tax_included")
        voucher = lines.filtered(lambda line: line.marketplace_money_kind == "voucher")
        shipping = lines.filtered(
            lambda line: line.marketplace_money_kind == "shipping"
        )
        self.assertEqual(voucher.price_unit, -20.0)
        self.assertEqual(shipping.price_unit, 38.0)
        # the seller's sale: buyer paid + Shopee's part = the sale order's total
        self.assertEqual(order.sale_target_amount, 2 * 159 - 60 + 2 * 259 - 20 + 38)
        self.assertAlmostEqual(sale.amount_total, order.sale_target_amount, places=2)
        self.assertFalse(order.amount_mismatch)
        self.assertFalse(order.prices_provisional)
        # fees stay on the marketplace order, never on the sale order
        self.assertTrue(order.commission_fee)
        self.assertFalse(lines.filtered(lambda line: "ommission" in line.name))
        # stock reserved, delivery made
        picking = sale.picking_ids
        self.assertEqual(len(picking), 1)
        self.assertEqual(picking.state, "assigned")
        self.assertEqual(
            sum(
                picking.move_ids.filtered(lambda m: m.product_id == self.cable).mapped(
                    "quantity"
                )
            ),
            2,
        )

    def test_bundle_deal_vouchers_and_coins(self):
        """Bundle lines have no discounted price in the detail: the escrow's
        subtotals price them; Shopee's voucher and coins are part of the sale."""
        detail, escrow = shopee_order(
            "260901SALE0002",
            "PROCESSED",
            [
                {"item_id": 106, "price": 1290, "seller_discount": 400, "bundle": True},
                {"item_id": 101, "price": 159, "seller_discount": 30, "bundle": True},
            ],
            shipping=0,
            voucher_shopee=50,
            coins=12,
        )
        self.assertEqual(detail["item_list"][0]["model_discounted_price"], 0)
        self.assertNotEqual(
            detail["total_amount"],
            sum(i["model_original_price"] for i in detail["item_list"]),
        )
        order = self.import_order(detail, escrow)
        self.sync_sale_orders(order)
        sale = order.sale_order_id
        prices = sorted(
            sale.order_line.filtered("marketplace_order_line_id").mapped("price_unit")
        )
        self.assertEqual(prices, [129.0, 890.0])
        self.assertEqual(order.sale_target_amount, 890 + 129)
        self.assertAlmostEqual(sale.amount_total, 1019.0, places=2)
        self.assertEqual(order.buyer_total, 1019 - 50 - 12)
        self.assertEqual(order.platform_coins, 12)

    def test_small_difference_adjusts_large_one_flags(self):
        detail, escrow = shopee_order(
            "260901SALE0003", "READY_TO_SHIP", [{"item_id": 101, "price": 159}]
        )
        escrow["order_income"]["buyer_total_amount"] += 1  # Shopee rounding
        order = self.import_order(detail, escrow)
        self.sync_sale_orders(order)
        adjustment = order.sale_order_id.order_line.filtered(
            lambda line: line.marketplace_money_kind == "adjustment"
        )
        self.assertEqual(adjustment.price_unit, 1.0)
        self.assertFalse(order.amount_mismatch)
        self.assertAlmostEqual(
            order.sale_order_id.amount_total, order.sale_target_amount
        )

        detail, escrow = shopee_order(
            "260901SALE0004", "READY_TO_SHIP", [{"item_id": 101, "price": 159}]
        )
        escrow["order_income"]["buyer_total_amount"] += 25
        order = self.import_order(detail, escrow)
        self.sync_sale_orders(order)
        self.assertTrue(order.amount_mismatch)
        self.assertEqual(order.amount_difference, 25.0)
        self.assertEqual(order.sale_order_id.state, "sale", "stock still reserved")
        activity = self.shop.activity_ids.filtered(
            lambda a: a.marketplace_cause == f"amounts:{order.id}"
        )
        self.assertIn(order.name, activity.summary)

    def test_provisional_prices_until_the_escrow_comes(self):
        detail, escrow = shopee_order(
            "260901SALE0005",
            "READY_TO_SHIP",
            [{"item_id": 106, "price": 1290, "seller_discount": 400, "bundle": True}],
        )
        order = self.import_order(detail)  # Shopee has no escrow yet
        job = self.sync_sale_orders(order)
        self.assertIn("provisional", job.result_summary)
        sale = order.sale_order_id
        self.assertEqual(sale.state, "sale", "stock reserved at once")
        self.assertTrue(order.prices_provisional)
        bundle_line = sale.order_line.filtered("marketplace_order_line_id")
        self.assertEqual(bundle_line.price_unit, 1290.0, "never 0, marked provisional")
        with self.assertRaises(UserError):
            sale._create_invoices()
        # the escrow arrives; the cron's sweep once the time to ask again came
        # (ten minutes after the first try) reprices
        self.escrows[order.name] = escrow
        self.assertGreater(order.payout_retry_at, fields.Datetime.now())
        order.sudo().payout_retry_at = fields.Datetime.now()
        self.env["marketplace.shop"]._cron_sale_orders()
        self.assertEqual(self.run_queued_jobs().job_type, "sale_orders")
        self.assertFalse(order.prices_provisional)
        self.assertEqual(bundle_line.price_unit, 890.0)
        self.assertAlmostEqual(sale.amount_total, order.sale_target_amount)

    def test_escrow_batch_refused_for_one_unknown_order(self):
        """Shopee may refuse a whole escrow batch for one order it does not
        know: the halves are asked again, the others get their escrow."""
        from ..api import ShopeeClient, ShopeeError

        calls = []

        def call(
            client, method, path, params=None, body=None, public=False, file=False
        ):
            order_sns = body["order_sn_list"]
            calls.append(order_sns)
            if "UNKNOWN" in order_sns:
                raise ShopeeError(
                    "Order SN provided is invalid.", code="order_not_found"
                )
            return {
                "response": [
                    {"escrow_detail": {"order_sn": sn, "order_income": {"coins": 1}}}
                    for sn in order_sns
                ]
            }

        with mock.patch.object(ShopeeClient, "call", call):
            settlements = self.backend._marketplace_read_money(
                ["A", "B", "UNKNOWN", "C"]
            )
        self.assertEqual(sorted(settlements), ["A", "B", "C"])
        self.assertEqual(settlements["A"]["amounts"]["platform_coins"], 1.0)
        self.assertEqual(
            calls,
            [
                ["A", "B", "UNKNOWN", "C"],
                ["A", "B"],
                ["UNKNOWN", "C"],
                ["UNKNOWN"],
                ["C"],
            ],
        )

    def test_waiting_for_bindings_then_bound(self):
        detail, escrow = shopee_order(
            "260901SALE0006",
            "READY_TO_SHIP",
            [
                {"item_id": 101, "price": 159},
                {"item_id": 555, "model_id": 9, "price": 99},  # no SKU, not bound
            ],
        )
        order = self.import_order(detail, escrow)
        job = self.sync_sale_orders(order)
        self.assertIn("1 waiting", job.result_summary)
        self.assertFalse(order.sale_order_id)
        self.assertEqual(order.sale_status, "waiting")
        self.assertIn("Item 555", order.sale_status_note)
        self.assertTrue(
            self.shop.activity_ids.filtered(lambda a: a.marketplace_cause == "bindings")
        )
        # the seller binds the listing: the order gets its sale order, no pull
        mug = self.env["product.product"].create({"name": "Mug", "is_storable": True})
        self.env["marketplace.product.binding"].create(
            {
                "shop_id": self.shop.id,
                "external_item_id": "555",
                "external_variation_id": "9",
                "product_id": mug.id,
            }
        )
        self.assertEqual(self.run_queued_jobs().job_type, "sale_orders")
        self.assertTrue(order.sale_order_id)
        self.assertEqual(order.sale_status, "created")
        self.assertIn(mug, order.sale_order_id.order_line.product_id)

    def test_statuses_and_dates_that_create_no_sale_order(self):
        unpaid, _escrow = shopee_order(
            "260901SALE0007", "UNPAID", [{"item_id": 101, "price": 159}]
        )
        old, old_escrow = shopee_order(
            "260901SALE0008",
            "READY_TO_SHIP",
            [{"item_id": 101, "price": 159}],
            create_time=int(datetime(2025, 6, 1).timestamp()),
        )
        orders = self.import_order(unpaid) | self.import_order(old, old_escrow)
        job = self.sync_sale_orders(orders)
        self.assertIn("2 without sale order", job.result_summary)
        self.assertFalse(orders.sale_order_id)
        # the seller asks for the old one (Create Sale Order): made
        older = orders.filtered(lambda o: o.name == "260901SALE0008")
        with self.shopee_reads():
            older.action_create_sale_order()
        self.assertEqual(older.sale_order_id.state, "sale")

    def test_customers_per_buyer_with_thai_delivery_address(self):
        first, e1 = shopee_order(
            "260901SALE0009", "READY_TO_SHIP", [{"item_id": 101, "price": 159}]
        )
        second, e2 = shopee_order(
            "260901SALE0010", "READY_TO_SHIP", [{"item_id": 106, "price": 1290}]
        )
        orders = self.import_order(first, e1) | self.import_order(second, e2)
        self.sync_sale_orders(orders)
        partners = orders.sale_order_id.partner_id
        self.assertEqual(len(partners), 1, "one customer per buyer")
        self.assertEqual(partners.ref, "shopee:836201272")
        delivery = orders.sale_order_id.partner_shipping_id
        self.assertEqual(len(delivery), 1)
        self.assertEqual(delivery.parent_id, partners)
        self.assertEqual(delivery.name, "ส****ย", "masked stays masked")
        self.assertIn("ถนนสุขุมวิท", delivery.street)
        self.assertEqual(delivery.zip, "10110")
        self.assertEqual(delivery.state_id.country_id.code or "TH", "TH")
        # one customer for the shop
        self.shop.customer_policy = "shop"
        third, e3 = shopee_order(
            "260901SALE0011",
            "READY_TO_SHIP",
            [{"item_id": 101, "price": 159}],
            buyer_user_id=42,
        )
        order = self.import_order(third, e3)
        self.sync_sale_orders(order)
        self.assertEqual(order.sale_order_id.partner_id, self.shop.shop_partner_id)


@tagged("post_install", "-at_install")
class TestSaleOrderStatus(SaleOrderCase):
    def order_at(self, order_sn, status="READY_TO_SHIP", **money):
        detail, escrow = shopee_order(
            order_sn, status, [{"item_id": 101, "qty": 2, "price": 159}], **money
        )
        order = self.import_order(detail, escrow)
        self.sync_sale_orders(order)
        return order, detail

    def move_to(self, order, detail, status, seconds=60):
        detail = dict(
            detail, order_status=status, update_time=detail["update_time"] + seconds
        )
        self.import_order(detail)
        self.assertTrue(order.needs_sale_sync)
        self.sync_sale_orders(order)
        return detail

    def test_shipped_then_completed(self):
        order, detail = self.order_at("260901STAT0001")
        self.tracking[order.name] = "TH0123456789A"
        detail = self.move_to(order, detail, "PROCESSED")
        picking = order.sale_order_id.picking_ids
        self.assertEqual(picking.state, "assigned", "processed: nothing yet")
        detail = self.move_to(order, detail, "SHIPPED")
        self.assertEqual(order.tracking_number, "TH0123456789A")
        self.assertEqual(picking.carrier_tracking_ref, "TH0123456789A")
        self.assertEqual(picking.carrier_id.name, "Flash Express", "from the package")
        self.assertEqual(picking.state, "done")
        self.assertEqual(sum(picking.move_ids.mapped("quantity")), 2)
        detail = self.move_to(order, detail, "COMPLETED")
        self.assertTrue(order.sale_order_id.locked)
        # a status that moves backwards, an order already done: nothing breaks
        self.move_to(order, detail, "SHIPPED", seconds=120)
        self.assertEqual(picking.state, "done")
        self.assertEqual(len(order.sale_order_id), 1)

    def test_cancelled_before_shipping_releases_the_stock(self):
        order, detail = self.order_at("260901STAT0002")
        sale = order.sale_order_id
        self.assertEqual(sale.picking_ids.state, "assigned")
        detail = self.move_to(order, detail, "IN_CANCEL")
        # a to-do for the salesperson, on the sale order, due within a day
        request = sale.activity_ids.filtered(
            lambda a: a.marketplace_cause == "cancel_requested"
        )
        self.assertEqual(len(request), 1)
        self.assertEqual(request.user_id, sale.user_id or self.shop.user_id)
        self.assertLessEqual(
            request.date_deadline, fields.Date.context_today(sale) + timedelta(days=1)
        )
        self.move_to(order, detail, "CANCELLED")
        self.assertFalse(
            sale.activity_ids.filtered(
                lambda a: a.marketplace_cause == "cancel_requested"
            ),
            "answered: the to-do is done",
        )
        self.assertEqual(sale.state, "cancel")
        self.assertEqual(sale.picking_ids.state, "cancel")
        quants = self.env["stock.quant"].search(
            [
                ("product_id", "=", self.cable.id),
                ("location_id", "child_of", self.warehouse.lot_stock_id.id),
            ]
        )
        self.assertEqual(sum(quants.mapped("reserved_quantity")), 0)

    def test_cancelled_after_shipping_is_flagged_for_the_return(self):
        order, detail = self.order_at("260901STAT0003")
        self.tracking[order.name] = "TH0000000001B"
        detail = self.move_to(order, detail, "SHIPPED")
        self.move_to(order, detail, "TO_RETURN")
        self.assertEqual(order.sale_order_id.state, "sale")
        activity = self.shop.activity_ids.filtered(
            lambda a: a.marketplace_cause == f"return:{order.id}"
        )
        self.assertIn(order.name, activity.summary)

    def test_reimport_after_the_sale_order_exists(self):
        order, detail = self.order_at("260901STAT0004")
        sale = order.sale_order_id
        self.import_order(dict(detail))  # the same answer again: unchanged
        self.assertFalse(order.needs_sale_sync)
        self.move_to(order, detail, "READY_TO_SHIP", seconds=5)
        self.assertEqual(order.sale_order_id, sale, "never a second sale order")
        self.assertEqual(
            self.env["sale.order"].search_count(
                [("marketplace_order_id", "=", order.id)]
            ),
            1,
        )

    def sweep(self):
        """The pull cron's sweep of orders whose sale order is due; returns
        the jobs it queued (all completed)."""
        self.env["marketplace.shop"]._cron_sale_orders()
        return self.run_queued_jobs()

    def test_sale_order_made_by_hand_follows_its_order(self):
        """Automatic creation off: a sale order made with Create Sale Order
        still follows Shopee, and its reservation goes when Shopee cancels."""
        self.shop.auto_create_sale_orders = False
        detail, escrow = shopee_order(
            "260901HAND0001", "READY_TO_SHIP", [{"item_id": 101, "price": 159}]
        )
        order = self.import_order(detail, escrow)
        self.assertFalse(self.sweep(), "no job: nothing is made automatically")
        self.assertFalse(order.sale_order_id)
        with self.shopee_reads():
            order.action_create_sale_order()
        sale = order.sale_order_id
        self.assertEqual(sale.picking_ids.state, "assigned")
        detail = dict(detail, order_status="CANCELLED", update_time=1790000060)
        self.import_order(detail)
        self.assertEqual(self.sweep().job_type, "sale_orders")
        self.assertEqual(sale.state, "cancel")
        self.assertEqual(sale.picking_ids.state, "cancel")

    def test_locked_sale_order_gets_the_escrow_prices(self):
        """Locked ("Lock Confirmed Sales", or completed) before Shopee's money
        came: repriced all the same, and locked again."""
        detail, escrow = shopee_order(
            "260901LOCK0001",
            "READY_TO_SHIP",
            [{"item_id": 106, "price": 1290, "seller_discount": 400, "bundle": True}],
        )
        order = self.import_order(detail)  # no escrow yet: provisional
        self.sync_sale_orders(order)
        sale = order.sale_order_id
        sale.action_lock()
        self.escrows[order.name] = escrow
        order.sudo().payout_retry_at = fields.Datetime.now()  # time to ask again
        self.assertEqual(self.sweep().job_type, "sale_orders")
        self.assertFalse(order.prices_provisional)
        self.assertAlmostEqual(sale.amount_total, order.sale_target_amount)
        self.assertTrue(sale.locked, "locked again")

    def test_one_bad_order_does_not_hold_the_others(self):
        """A shipped order of a serial-numbered product cannot have its
        delivery validated without serials: that order is in error, named in
        the job; the others of the chunk get their sale orders."""
        camera = self.env["product.product"].create(
            {"name": "Action camera", "is_storable": True, "tracking": "serial"}
        )
        self.env["marketplace.product.binding"].create(
            {
                "shop_id": self.shop.id,
                "external_item_id": "107",
                "product_id": camera.id,
            }
        )
        self.env["stock.quant"]._update_available_quantity(
            camera, self.warehouse.lot_stock_id, 3
        )
        good = self.import_order(
            *shopee_order("260901GOOD0001", "SHIPPED", [{"item_id": 101, "price": 159}])
        )
        bad = self.import_order(
            *shopee_order("260901BAD00001", "SHIPPED", [{"item_id": 107, "price": 990}])
        )
        job = self.sync_sale_orders(good | bad)
        self.assertEqual(good.sale_order_id.picking_ids.state, "done")
        self.assertFalse(bad.sale_order_id, "rolled back, not half made")
        self.assertEqual(bad.sale_status, "error")
        self.assertFalse(
            bad.needs_sale_sync, "tried again once it changes, not every run"
        )
        self.assertFalse(good.needs_sale_sync)
        self.assertIn("260901BAD00001", job.result_summary)
        self.assertTrue(
            self.shop.activity_ids.filtered(
                lambda a: a.marketplace_cause == "sale_errors"
            )
        )


COMMITTED_ACCOUNT = "Concurrency (committed by test_sale_orders)"


@tagged("post_install", "-at_install")
class TestConcurrentSaleOrders(
    CommittedDataMixin, NoLivePortMixin, common.TransactionCase
):
    """Two transactions make the sale order of one order at once: one wins,
    the other waits on the order's row and finds it made."""

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
            backend = env["shopee.shop"].create(
                {
                    "account_id": account.id,
                    "name": "Concurrent shop",
                    "external_id": SHOP_ID,
                    "auto_push_stock": False,
                }
            )
            shop = backend.marketplace_shop_id
            product = env["product.product"].create(
                {"name": "Cable", "is_storable": True}
            )
            env["marketplace.product.binding"].create(
                {
                    "shop_id": shop.id,
                    "external_item_id": "101",
                    "product_id": product.id,
                }
            )
            order = env["marketplace.order"].create(
                {
                    "shop_id": shop.id,
                    "name": "260901CONC0001",
                    "status": "to_ship",
                    "date_order": fields.Datetime.now(),
                    "line_ids": [
                        (
                            0,
                            0,
                            {
                                "external_key": "1",
                                "name": "Cable",
                                "quantity": 1,
                                "item_id": "101",
                                "price_unit": 129.0,
                            },
                        )
                    ],
                }
            )
            order.line_ids._assign_products()
            self.account_id, self.order_id = account.id, order.id

    def purge_committed_data(self):
        """The test's account, its order, sale orders, customers, products."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            accounts = (
                env["marketplace.account"]
                .with_context(active_test=False)
                .search([("name", "=", COMMITTED_ACCOUNT)])
            )
            if not accounts:
                return
            orders = env["marketplace.order"].search(
                [("shop_id.account_id", "in", accounts.ids)]
            )
            sales = env["sale.order"].search(
                [("marketplace_order_id", "in", orders.ids)]
            )
            customers = sales.partner_id | sales.partner_shipping_id
            products = (
                env["marketplace.product.binding"]
                .with_context(active_test=False)
                .search([("shop_id.account_id", "in", accounts.ids)])
                .product_id
            ) | orders.line_ids.product_id
            sales._action_cancel()
            orders.sale_order_id = False
            sales.unlink()
            orders.line_ids.unlink()
            orders.unlink()
            accounts.unlink()
            customers.unlink()
            products.active = False  # its (cancelled) stock moves keep it

    @mute_logger("odoo.sql_db")
    def test_two_transactions_one_sale_order(self):
        started, results, retries = threading.Barrier(2), {}, []

        def create(name):
            for attempt in range(3):
                try:
                    with self.registry.cursor() as cr:
                        env = api.Environment(cr, SUPERUSER_ID, {})
                        order = env["marketplace.order"].browse(self.order_id)
                        order.read(["sale_order_id"])  # both snapshots start here
                        if attempt == 0:
                            started.wait(10)
                        results[name] = order._create_sale_orders(force=True)
                        return
                except psycopg2.errors.SerializationFailure:
                    # as queue_job does: postponed, then run in a new transaction
                    retries.append(name)

        with registry_without_loading_lock():
            threads = [threading.Thread(target=create, args=(n,)) for n in ("a", "b")]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            count = env["sale.order"].search_count(
                [("marketplace_order_id", "=", self.order_id)]
            )
        self.assertEqual(count, 1, results)
        self.assertEqual(sum(r["created"] for r in results.values()), 1, results)
        self.assertEqual(len(results), 2, "both finished")
