"""Shopee orders to sale orders with Shopee's own money (recorded traffic).

The simulator's hand-written orders (simulator/seeds/orders) are real-shaped:
integer money, lines without SKU, a SKU ending with a newline, a bundle deal
whose lines show 0, vouchers, coins, a payment promotion, Thai addresses, an
empty top-level carrier. The pull queues the sale_orders job, which reads the
escrow in one batch and the tracking numbers, then makes the sale orders.
"""

import json
from datetime import datetime, timedelta

from odoo.tests import tagged

from .common import ShopeeTestCase
from .test_pull_orders import epoch, query_of

# (item, model) of every line of the seed orders
SEED_LISTINGS = [
    ("23011000101", "0"),
    ("23011000102", "170010001"),
    ("23011000102", "170010002"),
    ("23011000102", "170010003"),
    ("23011000103", "0"),
    ("23011000104", "170010005"),
    ("23011000105", "0"),
    ("23011000106", "0"),
    ("23011000107", "0"),
    ("23011000108", "170010006"),
    ("23011000108", "170010007"),
    ("23011000108", "170010008"),
    ("23011000109", "170010010"),
    ("23011000112", "170010111"),
    ("23011000112", "170010131"),
    ("23011000113", "0"),
]
SINCE, UNTIL = datetime(2026, 10, 1), datetime(2026, 10, 6)
SCENARIO = {
    "reset": {
        "orders": 0,
        "seed": 1,
        "include_seed_orders": True,
        "time_from": epoch(SINCE + timedelta(hours=1)),
        "time_to": epoch(UNTIL - timedelta(hours=1)),
    }
}
BUNDLE, PROCESSED, SHIPPED = "251020B8T5NW3C", "251020B8T5NW3C", "2510212HZ6RJ0D"


def answers(cassette, path):
    return [
        (request, json.loads(response["body"]["string"]))
        for request, response in zip(cassette.requests, cassette.responses, strict=True)
        if request.path.endswith(path)
    ]


def sell_seed_listings(cls):
    """The shop of ``cls`` makes sale orders of the seed orders: each of
    their listings is bound to a product with stock."""
    cls.warehouse = cls.env["stock.warehouse"].search(
        [("company_id", "=", cls.env.company.id)], limit=1
    )
    cls.shop.write(
        {
            "warehouse_id": cls.warehouse.id,
            "sale_orders_from": datetime(2026, 9, 1),
            "auto_create_sale_orders": True,
            "auto_push_stock": False,
        }
    )
    for item, model in SEED_LISTINGS:
        product = cls.env["product.product"].create(
            {"name": f"Listing {item}/{model}", "is_storable": True}
        )
        cls.env["stock.quant"]._update_available_quantity(
            product, cls.warehouse.lot_stock_id, 50
        )
        cls.env["marketplace.product.binding"].create(
            {
                "shop_id": cls.shop.id,
                "external_item_id": item,
                "external_variation_id": model,
                "product_id": product.id,
            }
        )


@tagged("post_install", "-at_install")
class TestSaleOrdersFromShopee(ShopeeTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        sell_seed_listings(cls)

    def test_seed_orders_become_sale_orders(self):
        with self.shopee_cassette("sale_orders_from_shopee", SCENARIO) as cassette:
            job = self.create_pull_job(SINCE, UNTIL)
            self.run_queue_jobs()
        self.assertEqual(job.state, "completed", job.error_message)
        self.env.invalidate_all()
        orders = self.env["marketplace.order"].search([("shop_id", "=", self.shop.id)])
        self.assertEqual(len(orders), 8)
        sale_jobs = self.env["marketplace.job"].search(
            [("shop_id", "=", self.shop.id), ("job_type", "=", "sale_orders")]
        )
        self.assertEqual(sale_jobs.mapped("state"), ["completed"], "queued by the pull")

        # which orders get a sale order: the shop's statuses, nothing else
        statuses = set(self.shop.sale_order_status_ids.mapped("code"))
        for order in orders:
            self.assertEqual(
                bool(order.sale_order_id), order.status in statuses, order.name
            )
        self.assertFalse(
            orders.filtered(lambda o: o.status == "awaiting_payment").sale_order_id
        )
        self.assertFalse(
            orders.filtered(lambda o: o.status == "cancelled").sale_order_id
        )

        # one escrow batch for the orders that get a sale order
        [(request, batch)] = answers(cassette, "payment/get_escrow_detail_batch")
        asked = json.loads(request.body)["order_sn_list"]
        self.assertEqual(
            set(asked), set(orders.filtered("sale_order_id").mapped("name"))
        )
        escrows = {
            e["escrow_detail"]["order_sn"]: e["escrow_detail"]
            for e in batch["response"]
        }

        # the seller's sale, from Shopee's money and not from the lines:
        # Σ (original − seller discount) − seller voucher + shipping paid
        for order in orders.filtered("sale_order_id"):
            income = escrows[order.name]["order_income"]
            expected = (
                sum(i["original_price"] - i["seller_discount"] for i in income["items"])
                - income["voucher_from_seller"]
                + income["buyer_paid_shipping_fee"]
            )
            sale = order.sale_order_id
            self.assertAlmostEqual(sale.amount_total, expected, 2, msg=order.name)
            self.assertEqual(sale.state, "sale")
            self.assertEqual(sale.date_order, order.date_order, "the buyer's date")
            self.assertFalse(order.amount_mismatch, order.name)
        # a bundle deal shows 0 on Shopee's lines; not on the sale order
        bundle = orders.filtered(lambda o: o.name == BUNDLE)
        product_lines = bundle.sale_order_id.order_line.filtered(
            lambda line: line.product_id.type == "consu"
        )
        self.assertTrue(product_lines)
        self.assertFalse(product_lines.filtered(lambda line: not line.price_unit))

        # tracking numbers from Shopee on the deliveries; shipped → done
        numbers = {
            query_of(r)["order_sn"]: a["response"]["tracking_number"]
            for r, a in answers(cassette, "logistics/get_tracking_number")
        }
        self.assertEqual(
            set(numbers),
            {PROCESSED, SHIPPED}
            | set(orders.filtered(lambda o: o.status == "completed").mapped("name")),
        )
        for order_sn in (PROCESSED, SHIPPED):
            order = orders.filtered(lambda o, sn=order_sn: o.name == sn)
            self.assertTrue(numbers[order_sn])
            self.assertEqual(order.tracking_number, numbers[order_sn])
            self.assertEqual(
                order.sale_order_id.picking_ids.mapped("carrier_tracking_ref"),
                [numbers[order_sn]],
            )
        shipped = orders.filtered(lambda o: o.name == SHIPPED)
        self.assertEqual(shipped.sale_order_id.picking_ids.state, "done")
        waiting = orders.filtered(lambda o: o.status == "to_ship")
        self.assertEqual(
            set(waiting.sale_order_id.picking_ids.mapped("state")),
            {"assigned"},
            "stock reserved for the orders to ship",
        )

    def test_orders_shopee_does_not_know(self):
        with self.shopee_cassette("sale_orders_unknown_to_shopee", SCENARIO):
            numbers = self.backend._marketplace_read_tracking(
                [SHIPPED, "251099NOTEXIST"]
            )
            self.assertEqual(list(numbers), [SHIPPED], "the unknown one is skipped")
            self.assertTrue(numbers[SHIPPED])
            # Shopee refuses a whole batch for one order it does not know:
            # the others still get their escrow
            settlements = self.backend._marketplace_read_money(
                [SHIPPED, "251099NOTEXIST"]
            )
            self.assertEqual(list(settlements), [SHIPPED])
            self.assertTrue(settlements[SHIPPED]["amounts"]["buyer_total"])
