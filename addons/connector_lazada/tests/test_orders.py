"""Lazada orders through the base's jobs: a pull with the guide's payload,
statuses from the items' statuses, one line per SKU from rows per unit,
sale orders at Lazada's money, with reserved stock."""

from odoo.tests import tagged

from .common import LazadaTestCase, lazada_order, unit

CABLE = (4100000001, 10000000011, "BGH-USBC-CABLE-1M")
SHIRT = (4100000002, 10000000021, "BGH-TSHIRT-RED-M")
EARBUDS = (4100000003, 10000000031, "BGH-EARBUDS-PRO")
ORDER_A, ORDER_B, ORDER_C, ORDER_D, ORDER_LATE = (
    301000000000001,
    301000000000002,
    301000000000003,
    301000000000004,
    301000000000005,
)


def order_a():
    """Two cables (the seller's voucher 5 each, the SKU ending in a newline
    as real ones do) and earbuds (the platform's voucher 37.80), shipping 40."""
    cable = (CABLE[0], CABLE[1], CABLE[2] + "\n")
    return lazada_order(
        ORDER_A,
        [
            unit(*cable, 129, paid_price=124, voucher_seller=5, shipping_amount=40),
            unit(*cable, 129, paid_price=124, voucher_seller=5),
            unit(*EARBUDS, 1059, paid_price=1021.2, voucher_platform=37.8),
        ],
        minutes=1,
    )


def window_orders():
    return [
        order_a(),
        lazada_order(
            ORDER_B,
            [unit(*CABLE, 129), unit(*SHIRT, 259, status="canceled")],
            minutes=2,
        ),
        lazada_order(ORDER_C, [unit(*SHIRT, 259, status="delivered")], minutes=3),
        lazada_order(ORDER_D, [unit(*CABLE, 129, status="unpaid")], minutes=4),
        # changed after the window: not listed
        lazada_order(ORDER_LATE, [unit(*CABLE, 129)], minutes=90),
    ]


@tagged("post_install", "-at_install")
class TestLazadaPullOrders(LazadaTestCase):
    def test_a_pull_imports_the_window(self):
        scenario = {"put_orders": window_orders()}
        with self.lazada_cassette("pull_orders", scenario):
            job = self.pull_orders()
        self.assertEqual(job.state, "completed", job.error_message)
        orders = {o.name: o for o in self.orders()}
        self.assertEqual(
            sorted(orders), sorted(str(o) for o in (ORDER_A, ORDER_B, ORDER_C, ORDER_D))
        )
        self.assertEqual(job.orders_listed, 4)
        self.assertEqual(
            self.lazada_calls(),
            ["/orders/get", "/orders/items/get"] + ["/order/get"] * 4,
            "one listing page, then the chunk's items in one call",
        )
        a, b = orders[str(ORDER_A)], orders[str(ORDER_B)]
        # the items' statuses make the order's, by the base's rule
        self.assertEqual(a.status, "to_ship")
        self.assertEqual(b.status, "to_ship")
        self.assertEqual(b.raw_status, "canceled, pending")
        self.assertEqual(orders[str(ORDER_C)].status, "delivered")
        self.assertEqual(orders[str(ORDER_D)].status, "awaiting_payment")
        # one row per unit on Lazada, one line per SKU in Odoo; a cancelled
        # unit is not a line of an order that goes on
        cable = a.line_ids.filtered(lambda line: line.item_id == str(CABLE[0]))
        # the seller's price, before the vouchers (the order's money)
        self.assertEqual((cable.quantity, cable.price_unit), (2.0, 129.0))
        self.assertEqual(cable.sku, CABLE[2])
        self.assertEqual(cable.variation_id, str(CABLE[1]))
        self.assertEqual(b.line_ids.mapped("sku"), [CABLE[2]])
        # the price text "1,317.00", less both vouchers, plus the shipping
        self.assertAlmostEqual(a.amount_total, 1317 - 47.8 + 40)
        # the cancelled shirt of B is not in what its buyer pays
        self.assertAlmostEqual(b.amount_total, 129)
        self.assertTrue(a.cod)
        self.assertEqual(str(a.date_order), "2026-12-01 04:31:00")  # +0700 in UTC
        self.assertEqual(a.recipient_zip, "10110")
        self.assertEqual(a.recipient_phone, "66********41")

    def test_a_job_of_a_shop_is_of_its_account(self):
        """A job made with its shop only (as over RPC) takes the shop's
        account, however many accounts there are."""
        self.env["marketplace.account"].create(
            {"name": "Another account", "channel": "lazada"}
        )
        job = self.env["marketplace.job"].create(
            {"job_type": "pull_orders", "shop_id": self.shop.id}
        )
        self.assertEqual(job.account_id, self.account)

    def test_pulling_again_writes_nothing_new_and_a_change_updates_in_place(self):
        scenario = {"put_orders": window_orders()}
        with self.lazada_cassette("pull_orders_twice", scenario):
            self.pull_orders()
            before = {o.name: (o.id, len(o.line_ids)) for o in self.orders()}
            job = self.pull_orders()
        self.assertEqual(job.state, "completed", job.error_message)
        after = {o.name: (o.id, len(o.line_ids)) for o in self.orders()}
        self.assertEqual(after, before)
        self.assertEqual(sum(job.step_ids.mapped("created_count")), 0)
        # the buyer pays order D: Lazada moves its item to pending
        if self.recording:
            self.simulator_call(
                "POST",
                f"orders/{ORDER_D}",
                {"status": "pending", "updated_at": "2026-12-01 12:05:00 +0700"},
            )
        with self.lazada_cassette("pull_orders_paid", setup=False):
            self.pull_orders()
        paid = self.orders().filtered(lambda o: o.name == str(ORDER_D))
        self.assertEqual(paid.status, "to_ship")
        self.assertEqual(paid.id, before[str(ORDER_D)][0])


@tagged("post_install", "-at_install")
class TestLazadaSaleOrders(LazadaTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cable, cls.earbuds = cls.storable(
            ("USB-C cable", CABLE[2]), ("Earbuds", EARBUDS[2])
        )

    def test_an_order_gets_its_sale_order_at_lazadas_money(self):
        self.shop.auto_create_sale_orders = True
        self.set_stock(self.cable, 30)
        self.set_stock(self.earbuds, 5)
        with self.lazada_cassette("sale_orders", {"put_orders": [order_a()]}):
            job = self.pull_orders()
        self.assertEqual(job.state, "completed", job.error_message)
        mp_order = self.orders()
        sale = mp_order.sale_order_id
        self.assertEqual(sale.state, "sale")
        self.assertFalse(mp_order.prices_provisional)
        # the seller's sale: the items' prices, less the seller's voucher,
        # plus the shipping the buyer paid; the platform's voucher is
        # Lazada's money, not the seller's discount
        self.assertAlmostEqual(sale.amount_total, 2 * 129 + 1059 - 10 + 40)
        self.assertAlmostEqual(mp_order.buyer_total, 2 * 124 + 1021.2 + 40)
        self.assertAlmostEqual(mp_order.platform_voucher, 37.8)
        self.assertFalse(mp_order.amount_mismatch)
        cable_line = sale.order_line.filtered(
            lambda line: line.product_id == self.cable
        )
        self.assertEqual((cable_line.product_uom_qty, cable_line.price_unit), (2, 129))
        # VAT 7 % included in Lazada's prices
        self.assertTrue(cable_line.tax_id.price_include)
        delivery = sale.picking_ids
        self.assertEqual(delivery.state, "assigned")
        self.assertEqual(
            delivery.move_ids.filtered(lambda m: m.product_id == self.cable).quantity,
            2,
        )
