"""A Thai seller's first day (issue 17): nothing zeroed by surprise, rules
that say what they do, the marketplace's quantity as it is, bindings the
marketplace can use."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .test_stock import StockCase


@tagged("post_install", "-at_install")
class TestRulesSayWhatTheyDo(StockCase):
    def test_a_second_rule_of_the_same_scope_is_refused(self):
        """An abandoned New saved as a 0/0/0 rule beside the seller's
        buffer-10 rule won (older first): it is refused, naming the rule."""
        mine = self.rule(buffer_qty=10, min_online_qty=5)
        with self.assertRaises(ValidationError) as caught:
            self.rule()
        self.assertIn(mine.name, str(caught.exception))
        self.assertEqual(self.quantities(self.cable)[self.cable], 20)
        # the same for a category and a product; another one is fine
        self.rule(scope="category", categ_id=self.categ.id, buffer_qty=1)
        with self.assertRaises(ValidationError):
            self.rule(scope="category", categ_id=self.categ.id)
        self.rule(scope="category", categ_id=self.parent_categ.id)
        self.rule(scope="product", product_id=self.cable.id)
        with self.assertRaises(ValidationError):
            self.rule(scope="product", product_id=self.cable.id)
        # an archived rule leaves its place, and takes it back only if free
        mine.active = False
        other = self.rule(buffer_qty=3)
        with self.assertRaises(ValidationError):
            mine.active = True
        self.assertTrue(other.active)

    def test_a_hidden_category_does_not_make_a_second_shop_wide_rule(self):
        """The form hides a shop-wide rule's category, not its value: two
        shop-wide rules with different hidden categories were both accepted."""
        first = self.rule(categ_id=self.categ.id, product_id=self.cable.id)
        self.assertFalse(first.categ_id or first.product_id)
        with self.assertRaises(ValidationError):
            self.rule(categ_id=self.parent_categ.id)
        first.write({"categ_id": self.parent_categ.id})
        self.assertFalse(first.categ_id)
        first.write({"scope": "category", "categ_id": self.categ.id})
        first.write({"product_id": self.cable.id})
        self.assertEqual(first.categ_id, self.categ)
        self.assertFalse(first.product_id)
        first.scope = "all"
        self.assertFalse(first.categ_id)

    def test_preview_says_why_a_rule_applies_to_nothing(self):
        loose = self.rule(scope="product", product_id=self.loose.id)
        preview = self.preview(loose)
        self.assertFalse(preview.line_ids)
        self.assertIn(self.loose.display_name, preview.empty_reason)
        self.assertIn("no listing", preview.empty_reason)
        shadowed = self.rule(scope="category", categ_id=self.categ.id)
        self.rule(scope="product", product_id=self.cable.id)
        preview = self.preview(shadowed)
        self.assertFalse(preview.line_ids)
        self.assertIn("more specific rule", preview.empty_reason)
        shop_wide = self.rule(buffer_qty=2)
        preview = self.preview(shop_wide)
        self.assertEqual(set(preview.line_ids.product_id), {self.shirt_m, self.shirt_l})
        self.assertFalse(preview.empty_reason)

    def preview(self, rule):
        action = rule.action_preview()
        return self.env["marketplace.stock.preview"].browse(action["res_id"])

    def test_deleting_a_rule_pushes_what_it_held_back(self):
        self.shop.auto_push_stock = True
        rule = self.rule(buffer_qty=10)
        self.env.cr.flush()
        with self.shopee_stock():
            self.run_queue_jobs()
        self.assertEqual(self.cable_listing.last_pushed_qty, 20)
        self.calls.clear()
        rule.unlink()
        self.env.cr.flush()
        with self.shopee_stock():
            self.run_queue_jobs()
        self.assertIn(("101", [("0", 30)]), self.calls)


@tagged("post_install", "-at_install")
class TestNothingZeroedBySurprise(StockCase):
    """Bulk Binding's Create product made products with 0 on hand: the next
    automatic push (caused by an unrelated sale order) set live listings
    from 19, 14 and 5 to 0."""

    def setUp(self):
        super().setUp()
        self.shop.auto_push_stock = True
        listings = self.env["marketplace.product.binding"]
        self.live = listings.create(
            [
                {
                    "shop_id": self.shop.id,
                    "external_item_id": "301",
                    "name": "Phone stand",
                    "sku": "STAND-1",
                    "price": 199,
                },
                {
                    "shop_id": self.shop.id,
                    "external_item_id": "302",
                    "name": "Screen film",
                    "sku": "FILM-1",
                    "price": 99,
                },
            ]
        )
        self.live.sudo().write({"marketplace_stock": 19, "origin": "pulled"})
        self.live[1].sudo().marketplace_stock = 5
        self.env["marketplace.push.mark"].search([]).unlink()

    def bulk_create(self, initial_stock):
        wizard = self.env["marketplace.product.bind.wizard"].create(
            {
                "shop_id": self.shop.id,
                "binding_ids": [(6, 0, self.live.ids)],
                "initial_stock": initial_stock,
            }
        )
        wizard.action_preview()
        wizard.line_ids.filtered(lambda line: line.kind == "listing").write(
            {"create_product": True}
        )
        wizard.action_confirm()
        self.env.cr.flush()
        with self.shopee_stock():
            self.run_queue_jobs()
        self.env.invalidate_all()

    def test_created_products_start_with_the_listings_stock(self):
        self.bulk_create("marketplace")
        stand, film = self.live.product_id
        self.assertEqual(stand.qty_available, 19)
        self.assertEqual(film.qty_available, 5)
        moves = self.env["stock.move"].search(
            [("product_id", "in", self.live.product_id.ids)]
        )
        self.assertTrue(all("Initial stock" in move.reference for move in moves))
        # what Shopee shows is what Odoo pushes: nothing lowered
        self.assertFalse([call for call in self.calls if call[1] == [("0", 0)]])

    def test_or_bound_with_pushing_held_until_the_seller_confirms(self):
        self.bulk_create("hold")
        self.assertEqual(self.live.product_id.mapped("qty_available"), [0, 0])
        self.assertEqual(self.calls, [], "nothing pushed over Shopee's 19 and 5")
        self.assertTrue(all(self.live.mapped("push_held")))
        # an unrelated stock change still pushes nothing for them
        self.env["stock.quant"]._update_available_quantity(
            self.cable, self.warehouse.lot_stock_id, -1
        )
        self.env.cr.flush()
        with self.shopee_stock():
            self.run_queue_jobs()
        self.assertNotIn("301", [item for item, _models in self.calls])
        # the seller counts the stand: still held, the seller said so
        self.assertTrue(all(self.live.mapped("push_held_by_seller")))
        self.set_stock(self.live[0].product_id, 12)
        self.env.cr.flush()
        with self.shopee_stock():
            self.run_queue_jobs()
        self.assertNotIn("301", [item for item, _models in self.calls])
        self.assertTrue(self.live[0].push_held)
        # then confirms: pushed
        self.live[0].action_confirm_push()
        self.env.cr.flush()
        with self.shopee_stock():
            self.run_queue_jobs()
        self.assertIn(("301", [("0", 12)]), self.calls)
        self.assertFalse(self.live[0].push_held)
        # a confirmed 0 is the seller's word: pushed, not held again
        self.live[1].action_confirm_push()
        self.env.cr.flush()
        with self.shopee_stock():
            self.run_queue_jobs()
        self.env.invalidate_all()
        self.assertIn(("302", [("0", 0)]), self.calls)
        self.assertFalse(self.live[1].push_held)
        self.assertEqual(self.live[1].marketplace_stock, 0)

    def test_only_inventory_administrators_count_the_initial_stock(self):
        """The listing's stock is an inventory adjustment: a marketplace
        manager who may not adjust inventory holds the push instead."""
        manager = new_test_user(
            self.env,
            login="mp_bind_mgr",
            groups="connector_marketplace.group_marketplace_manager,"
            "stock.group_stock_user,product.group_product_manager",
        )
        Wizard = self.env["marketplace.product.bind.wizard"].with_user(manager)
        self.assertEqual(
            Wizard.with_context(default_shop_id=self.shop.id).new({}).initial_stock,
            "hold",
        )
        wizard = Wizard.create(
            {
                "shop_id": self.shop.id,
                "binding_ids": [(6, 0, self.live.ids)],
                "initial_stock": "marketplace",
            }
        )
        wizard.action_preview()
        wizard.line_ids.filtered(lambda line: line.kind == "listing").write(
            {"create_product": True}
        )
        with self.assertRaises(UserError) as caught:
            wizard.action_confirm()
        self.assertIn("inventory administrator", str(caught.exception))
        self.assertFalse(self.live.product_id, "nothing bound, nothing created")
        self.assertEqual(
            self.env["marketplace.product.bind.wizard"].new({}).initial_stock,
            "marketplace",
            "an inventory administrator (the admin) counts it from the listing",
        )

    def test_the_dashboard_says_which_listings_are_held(self):
        self.bulk_create("hold")
        data = self.env["marketplace.dashboard"].get_dashboard_data()
        [banner] = [b for b in data["banners"] if b.get("model")]
        self.assertIn("2 listing(s)", banner["message"])
        self.assertEqual(self.env[banner["model"]].search(banner["domain"]), self.live)
        self.live.action_confirm_push()
        data = self.env["marketplace.dashboard"].get_dashboard_data()
        self.assertFalse([b for b in data["banners"] if b.get("model")])

    def test_a_push_to_zero_right_after_binding_is_held_and_said(self):
        """A listing bound by hand to a product Odoo has 0 of, while the
        marketplace shows 19: held, and the job says why."""
        empty = self.env["product.product"].create(
            {"name": "Stand (Odoo)", "is_storable": True}
        )
        self.live[0].product_id = empty
        # the next automatic push, caused by an unrelated stock change
        self.env["stock.quant"]._update_available_quantity(
            self.cable, self.warehouse.lot_stock_id, -1
        )
        self.env.cr.flush()
        with self.shopee_stock():
            self.run_queue_jobs()
        self.assertEqual([item for item, _m in self.calls], ["101"], "the cable only")
        self.assertTrue(self.live[0].push_held)
        self.assertIn("19", self.live[0].push_hold_reason)
        job = self.env["marketplace.job"].search(
            [("shop_id", "=", self.shop.id), ("job_type", "=", "push_stock")], limit=1
        )
        self.assertIn("held", job.result_summary)
        self.assertFalse(self.live[0].push_held_by_seller)
        # Odoo's own hold lifts once Odoo has stock to offer
        self.calls.clear()
        self.set_stock(empty, 7)
        self.env.cr.flush()
        with self.shopee_stock():
            self.run_queue_jobs()
        self.assertIn(("301", [("0", 7)]), self.calls)
        self.assertFalse(self.live[0].push_held)

    def hold_by_odoo(self):
        empty = self.env["product.product"].create(
            {"name": "Stand (Odoo)", "is_storable": True}
        )
        self.live[0].product_id = empty
        self.push({"product_ids": [empty.id]})
        self.assertTrue(self.live[0].push_held)
        return empty

    def test_rebinding_or_archiving_lifts_odoos_hold(self):
        self.hold_by_odoo()
        self.live[0].product_id = self.loose
        self.assertFalse(self.live[0].push_held)
        self.live[0].product_id = self.env["product.product"].create(
            {"name": "Stand again", "is_storable": True}
        )
        self.push({"product_ids": self.live[0].product_id.ids})
        self.assertTrue(self.live[0].push_held)
        self.live[0].active = False
        self.assertFalse(self.live[0].push_held)

    def test_the_sellers_zero_and_an_old_bindings_zero_are_pushed(self):
        """Only a 0 for want of stock, right after binding, is held: a 0 of
        the seller's rule, or of a listing bound days ago, is pushed."""
        few = self.env["product.product"].create({"name": "Few", "is_storable": True})
        self.set_stock(few, 3)
        self.live[0].product_id = few
        self.rule(scope="product", product_id=few.id, min_online_qty=5)
        self.push({"product_ids": [few.id]})
        self.assertIn(("301", [("0", 0)]), self.calls)
        self.assertFalse(self.live[0].push_held)
        none = self.env["product.product"].create({"name": "None", "is_storable": True})
        self.live[1].product_id = none
        self.live[1].sudo().bound_at = fields.Datetime.now() - timedelta(days=2)
        self.push({"product_ids": [none.id]})
        self.assertIn(("302", [("0", 0)]), self.calls)
        self.assertFalse(self.live[1].push_held)


@tagged("post_install", "-at_install")
class TestTheMarketplacesQuantity(StockCase):
    def test_after_a_push_the_accepted_quantity_is_shown(self):
        self.cable_listing.sudo().marketplace_stock = 28
        job = self.push({"product_ids": [self.cable.id]})
        self.assertEqual(job.state, "completed", job.error_message)
        self.assertEqual(self.cable_listing.marketplace_stock, 30)
        self.assertTrue(self.cable_listing.marketplace_stock_at)
        data = self.env["marketplace.dashboard"].get_dashboard_data()
        [row] = [r for r in data["stock"]["lowest"] if r["id"] == self.cable_listing.id]
        self.assertEqual(row["marketplace"], 30)
        self.assertTrue(row["marketplace_at"])


@tagged("post_install", "-at_install")
class TestBindingsTheMarketplaceCanUse(StockCase):
    def test_item_with_variations_needs_its_variation(self):
        """The guide's manual binding (item id only) of an item with
        variations is refused at once, naming its variations."""
        self.shirt_m_listing.sudo().origin = "pulled"
        self.shirt_l_listing.sudo().origin = "pulled"
        with self.assertRaises(ValidationError) as caught:
            self.env["marketplace.product.binding"].create(
                {
                    "shop_id": self.shop.id,
                    "external_item_id": "102",
                    "product_id": self.loose.id,
                }
            )
        message = str(caught.exception)
        self.assertIn("102", message)
        self.assertIn("1", message)
        self.assertIn("2", message)
        # a variation it does not have either
        with self.assertRaises(ValidationError):
            self.env["marketplace.product.binding"].create(
                {
                    "shop_id": self.shop.id,
                    "external_item_id": "102",
                    "external_variation_id": "9",
                    "product_id": self.loose.id,
                }
            )


@tagged("post_install", "-at_install")
class TestListsThatAddUp(StockCase):
    def test_a_grouped_bindings_list_sums_no_price_nor_stock(self):
        """Grouped by shop, Product Bindings summed the listings' prices."""
        groups = self.env["marketplace.product.binding"].web_read_group(
            [("shop_id", "=", self.shop.id)],
            ["price", "marketplace_stock", "last_pushed_qty"],
            ["shop_id"],
        )["groups"]
        [group] = groups
        self.assertEqual(group["shop_id_count"], 3)
        for meaningless in ("price", "marketplace_stock", "last_pushed_qty"):
            self.assertNotIn(meaningless, group)
