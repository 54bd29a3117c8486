"""Company consistency is enforced on the server, not only hinted by the
views' domains (review fix 5): a rule, a listing or a shop of one company
never points at another company's stock, shop, tax or prices."""

from itertools import product

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common import ShopeeTestCase

# AccessError and ValidationError are UserErrors
REFUSED = UserError
WHY = ("compan", "belongs to its shop", "access")


@tagged("post_install", "-at_install")
class TestCompaniesStayApart(ShopeeTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create(
            {"name": "Other seller", "country_id": cls.env.ref("base.th").id}
        )
        cls.warehouse_a = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.env.company.id)], limit=1
        )
        cls.warehouse_b = cls.env["stock.warehouse"].create(
            {"name": "Other warehouse", "code": "OTH", "company_id": cls.company_b.id}
        )
        cls.pricelist_b = cls.env["product.pricelist"].create(
            {"name": "Other prices", "company_id": cls.company_b.id}
        )
        tax_group = cls.env["account.tax.group"].create(
            {"name": "Other VAT group", "company_id": cls.company_b.id}
        )
        cls.tax_b = cls.env["account.tax"].create(
            {
                "name": "Other VAT",
                "tax_group_id": tax_group.id,
                "country_id": cls.company_b.country_id.id,
                "amount": 7.0,
                "type_tax_use": "sale",
                "company_id": cls.company_b.id,
            }
        )
        cls.product_b = cls.env["product.product"].create(
            {
                "name": "Other product",
                "is_storable": True,
                "company_id": cls.company_b.id,
            }
        )
        cls.account_b = cls.env["marketplace.account"].create(
            {
                "name": "Other account",
                "channel": "shopee",
                "company_id": cls.company_b.id,
            }
        )
        cls.shop_b = cls.env["marketplace.shop"].create(
            {"name": "Other shop", "account_id": cls.account_b.id, "external_id": "77"}
        )
        cls.manager = new_test_user(
            cls.env,
            login="mp_company_manager",
            groups="connector_marketplace.group_marketplace_manager,stock.group_stock_user",
        )
        cls.user = new_test_user(
            cls.env,
            login="mp_company_user",
            groups="connector_marketplace.group_marketplace_user",
        )
        cls.both = new_test_user(
            cls.env,
            login="mp_company_both",
            groups="connector_marketplace.group_marketplace_manager,stock.group_stock_user",
            company_ids=[Command.set((cls.env.company | cls.company_b).ids)],
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Shared cable", "is_storable": True}
        )
        cls.binding = cls.env["marketplace.product.binding"].create(
            {
                "shop_id": cls.shop.id,
                "external_item_id": "101",
                "product_id": cls.product.id,
            }
        )
        cls.rule = cls.env["marketplace.sync.rule"].create({"shop_id": cls.shop.id})

    def assertSaysWhy(self, caught):
        message = str(caught.exception).lower()
        self.assertTrue(any(word in message for word in WHY), message)

    def test_a_rule_never_sells_another_companys_stock(self):
        """Also for a manager of both companies (the record rules let them
        read the other company's locations)."""
        for who, values in product(
            (self.manager, self.both),
            (
                {
                    "source": "locations",
                    "location_ids": [Command.set(self.warehouse_b.lot_stock_id.ids)],
                },
                {
                    "source": "warehouses",
                    "warehouse_ids": [Command.set(self.warehouse_b.ids)],
                },
                {"scope": "product", "product_id": self.product_b.id},
            ),
        ):
            with self.subTest(user=who.login, values=values):
                with self.assertRaises(REFUSED) as caught, self.env.cr.savepoint():
                    self.rule.with_user(who).write(values)
            self.assertSaysWhy(caught)
        with self.assertRaises(REFUSED), self.env.cr.savepoint():
            self.env["marketplace.sync.rule"].with_user(self.manager).create(
                {
                    "shop_id": self.shop.id,
                    "source": "warehouses",
                    "warehouse_ids": [Command.set(self.warehouse_b.ids)],
                }
            )
        self.assertEqual(self.rule.source, "warehouse")

    def test_a_rule_never_moves_to_another_companys_shop(self):
        with self.assertRaises(REFUSED), self.env.cr.savepoint():
            self.rule.with_user(self.manager).write({"shop_id": self.shop_b.id})
        # a manager of both companies moves it with what it says
        rule = self.rule.with_user(self.both)
        with self.assertRaises(REFUSED), self.env.cr.savepoint():
            rule.write(
                {
                    "shop_id": self.shop_b.id,
                    "source": "warehouses",
                    "warehouse_ids": [Command.set(self.warehouse_a.ids)],
                }
            )
        self.assertEqual(self.rule.shop_id, self.shop)

    def test_a_listing_stays_on_its_shop(self):
        for who in (self.user, self.manager, self.both):
            with self.subTest(user=who.login), self.assertRaises(REFUSED) as caught:
                with self.env.cr.savepoint():
                    self.binding.with_user(who).write({"shop_id": self.shop_b.id})
            self.assertSaysWhy(caught)
        self.assertEqual(self.binding.shop_id, self.shop)
        self.assertEqual(self.binding.company_id, self.env.company)

    def test_a_listing_sells_a_product_of_its_company(self):
        with self.assertRaises(REFUSED), self.env.cr.savepoint():
            self.binding.with_user(self.manager).write(
                {"product_id": self.product_b.id}
            )
        with self.assertRaises(REFUSED), self.env.cr.savepoint():
            self.env["marketplace.product.binding"].with_user(self.both).create(
                {
                    "shop_id": self.shop.id,
                    "external_item_id": "102",
                    "product_id": self.product_b.id,
                }
            )

    def test_a_shop_uses_its_companys_warehouse_tax_and_prices(self):
        for who, values in product(
            (self.manager, self.both),
            (
                {"warehouse_id": self.warehouse_b.id},
                {"pricelist_id": self.pricelist_b.id},
                {"sale_tax_id": self.tax_b.id},
                {"shipping_product_id": self.product_b.id},
                {"discount_product_id": self.product_b.id},
            ),
        ):
            with self.subTest(user=who.login, values=values):
                with self.assertRaises(REFUSED) as caught, self.env.cr.savepoint():
                    self.shop.with_user(who).write(values)
            self.assertSaysWhy(caught)
        self.assertFalse(self.shop.pricelist_id)
