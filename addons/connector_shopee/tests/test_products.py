"""Product bindings: automatic match, hand binding, Bulk Binding, order lines.

The catalogue pull itself (Shopee traffic) is in test_pull_products.
"""

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import ShopeeTestCase


@tagged("post_install", "-at_install")
class TestProductBindings(ShopeeTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        product = cls.env["product.product"]
        cls.cable = product.create(
            {"name": "USB-C Cable", "is_storable": True, "default_code": "BGH-USBC-1M"}
        )
        cls.case_black = product.create(
            {"name": "Case Black", "is_storable": True, "barcode": "8850000000017"}
        )
        # two products with the same Internal Reference: ambiguous
        cls.shirt_a = product.create(
            {"name": "T-Shirt A", "is_storable": True, "default_code": "BGH-TSHIRT"}
        )
        cls.shirt_b = product.create(
            {"name": "T-Shirt B", "is_storable": True, "default_code": "BGH-TSHIRT"}
        )
        # not storable: never a candidate
        cls.service = product.create(
            {"name": "Gift wrap", "type": "service", "default_code": "BGH-WRAP"}
        )

    def listing(self, item, model="0", sku=None, **values):
        return self.env["marketplace.product.binding"].create(
            dict(
                {
                    "shop_id": self.shop.id,
                    "external_item_id": item,
                    "external_variation_id": model,
                    "sku": sku,
                    "name": f"Listing {item}",
                    "origin": "pulled",
                },
                **values,
            )
        )

    def test_automatic_match_exact_ambiguous_none(self):
        exact = self.listing("101", sku="BGH-USBC-1M\n")  # a real trailing newline
        by_barcode = self.listing("104", "5", sku="8850000000017")
        ambiguous = self.listing("102", sku="BGH-TSHIRT")
        no_sku = self.listing("103")
        unknown = self.listing("105", sku="NOT-IN-ODOO")
        service = self.listing("106", sku="BGH-WRAP")
        wrong_case = self.listing("107", sku="bgh-usbc-1m")
        listings = (
            exact | by_barcode | ambiguous | no_sku | unknown | service | wrong_case
        )
        result = listings._auto_match()
        self.assertEqual(result, {"bound": 2, "ambiguous": 1, "unmatched": 3})
        self.assertEqual(exact.sku, "BGH-USBC-1M", "the SKU is trimmed")
        self.assertEqual(exact.product_id, self.cable)
        self.assertEqual(by_barcode.product_id, self.case_black)
        self.assertFalse(ambiguous.product_id)
        self.assertEqual(ambiguous.match_state, "ambiguous")
        self.assertEqual(ambiguous.candidate_product_ids, self.shirt_a | self.shirt_b)
        for listing in (no_sku, unknown, service, wrong_case):
            self.assertEqual(listing.match_state, "to_bind", listing.sku)
        # choosing one resolves the ambiguity
        ambiguous.product_id = self.shirt_b
        self.assertEqual(ambiguous.match_state, "bound")
        self.assertFalse(ambiguous.candidate_product_ids)

    def test_other_company_products_are_not_candidates(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        self.cable.company_id = other
        listing = self.listing("101", sku="BGH-USBC-1M")
        listing._auto_match()
        self.assertFalse(listing.product_id)

    @mute_logger("odoo.sql_db")
    def test_hand_binding_and_constraints(self):
        binding = self.listing("999", sku="X", origin="manual")
        binding.product_id = self.cable
        self.assertEqual(binding.match_state, "bound")
        with self.assertRaises(ValidationError):
            self.listing("not-a-number")
        with self.assertRaises(IntegrityError), self.env.cr.savepoint():
            self.listing("999")  # same item and model on the shop
        # the same product may be bound to several listings
        second = self.listing("998", product_id=self.cable.id)
        self.assertEqual(self.cable.marketplace_binding_count, 2)
        self.assertEqual(second.product_id, self.cable)

    def test_order_lines_follow_a_new_binding(self):
        order = self.env["marketplace.order"].create(
            {
                "shop_id": self.shop.id,
                "name": "260101LINES001",
                "line_ids": [
                    (
                        0,
                        0,
                        {
                            "external_key": "a",
                            "name": "Cable",
                            "quantity": 1,
                            "item_id": "101",
                            "sku": False,
                        },
                    ),
                    (
                        0,
                        0,
                        {
                            "external_key": "b",
                            "name": "Shirt",
                            "quantity": 2,
                            "item_id": "102",
                            "variation_id": "7",
                            "sku": "BGH-TSHIRT",
                        },
                    ),
                    (
                        0,
                        0,
                        {
                            "external_key": "c",
                            "name": "Case",
                            "quantity": 1,
                            "sku": "8850000000017",
                        },
                    ),
                ],
            }
        )
        order.line_ids._assign_products()
        cable, shirt, case = order.line_ids.sorted("external_key")
        self.assertFalse(cable.product_id, "no SKU, no listing yet")
        self.assertFalse(shirt.product_id, "its SKU is ambiguous")
        self.assertEqual(case.product_id, self.case_black, "by barcode")
        self.assertEqual(order.unbound_line_count, 2)
        # the seller binds the listings: the lines follow without a new pull
        self.listing("101", product_id=self.cable.id)
        shirt_listing = self.listing("102", "7", sku="BGH-TSHIRT")
        self.assertEqual(cable.product_id, self.cable)
        self.assertEqual(cable.product_binding_id.external_item_id, "101")
        self.assertFalse(shirt.product_id)
        shirt_listing.product_id = self.shirt_a
        self.assertEqual(shirt.product_id, self.shirt_a)
        self.assertEqual(order.unbound_line_count, 0)

    def test_bulk_binding_preview_and_confirm(self):
        to_match = self.listing("101", sku="BGH-USBC-1M")
        ambiguous = self.listing("102", sku="BGH-TSHIRT")
        orphan = self.listing("103", sku="BGH-NEW-ITEM", price=259.0, name="New Item")
        bound = self.listing("104", product_id=self.case_black.id)
        wizard = (
            self.env["marketplace.product.bind.wizard"]
            .with_context(
                active_model="product.product",
                active_ids=(
                    self.cable | self.shirt_a | self.shirt_b | self.case_black
                ).ids,
            )
            .create({"shop_id": self.shop.id})
        )
        wizard.action_preview()
        self.assertEqual(wizard.matched_count, 1)
        self.assertEqual(wizard.ambiguous_count, 1)
        self.assertEqual(wizard.listing_count, 1)
        self.assertEqual(wizard.bound_count, 1)
        self.assertEqual(wizard.product_count, 0)
        self.assertFalse(to_match.product_id, "the preview binds nothing")
        line = wizard.line_ids.filtered(lambda line: line.binding_id == orphan)
        line.create_product = True
        action = wizard.action_confirm()
        self.assertIn("1 listing(s) bound", action["params"]["message"])
        self.assertEqual(to_match.product_id, self.cable)
        self.assertFalse(ambiguous.product_id)
        self.assertEqual(bound.product_id, self.case_black)
        created = orphan.product_id
        self.assertEqual(created.default_code, "BGH-NEW-ITEM")
        self.assertEqual(created.name, "New Item")
        self.assertEqual(created.list_price, 259.0)
        self.assertTrue(created.is_storable)

    def test_bulk_binding_products_without_listing(self):
        self.listing("101", sku="BGH-USBC-1M")
        wizard = self.env["marketplace.product.bind.wizard"].create(
            {"shop_id": self.shop.id, "product_ids": [(6, 0, self.case_black.ids)]}
        )
        wizard.action_preview()
        self.assertEqual(wizard.product_count, 1)
        self.assertEqual(wizard.listing_count, 1)

    def test_access_users_bind_managers_configure(self):
        user = new_test_user(
            self.env,
            login="mp_bind_user",
            groups="connector_marketplace.group_marketplace_user",
        )
        listing = self.listing("101", sku="X")
        listing.with_user(user).product_id = self.cable
        self.assertEqual(listing.product_id, self.cable)
        with self.assertRaises(AccessError):
            listing.with_user(user).unlink()
        with self.assertRaises(AccessError):
            self.shop.with_user(user).auto_import_products = False
        self.shop.with_user(
            self.env.ref("base.user_admin")
        ).auto_import_products = False
