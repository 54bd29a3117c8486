"""Stock to the marketplace: sync rules, push_stock, automatic push, drift.

Shopee's update_stock is answered here with Shopee's shapes (success_list,
failure_list); the cassette-based runs are in test_stock_cassettes.
"""

from contextlib import contextmanager
from datetime import datetime
from unittest import mock

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from odoo.addons.connector_marketplace.models.marketplace_sync_rule import (
    online_quantity,
)

from .common import ShopeeTestCase


class StockCase(ShopeeTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.env.company.id)], limit=1
        )
        cls.shop.write({"warehouse_id": cls.warehouse.id, "auto_push_stock": False})
        cls.parent_categ = cls.env["product.category"].create({"name": "Gadgets"})
        cls.categ = cls.env["product.category"].create(
            {"name": "Cables", "parent_id": cls.parent_categ.id}
        )
        make = cls.env["product.product"].create
        cls.cable = make(
            {"name": "Cable", "is_storable": True, "categ_id": cls.categ.id}
        )
        cls.shirt_m = make({"name": "Shirt M", "is_storable": True})
        cls.shirt_l = make({"name": "Shirt L", "is_storable": True})
        cls.loose = make({"name": "Not bound", "is_storable": True})
        bindings = cls.env["marketplace.product.binding"]
        cls.cable_listing = bindings.create(
            {
                "shop_id": cls.shop.id,
                "external_item_id": "101",
                "product_id": cls.cable.id,
            }
        )
        cls.shirt_m_listing = bindings.create(
            {
                "shop_id": cls.shop.id,
                "external_item_id": "102",
                "external_variation_id": "1",
                "product_id": cls.shirt_m.id,
            }
        )
        cls.shirt_l_listing = bindings.create(
            {
                "shop_id": cls.shop.id,
                "external_item_id": "102",
                "external_variation_id": "2",
                "product_id": cls.shirt_l.id,
            }
        )
        for product, qty in ((cls.cable, 30), (cls.shirt_m, 14), (cls.shirt_l, 10)):
            cls.set_stock(product, qty)
        # what setting the stock up marked or queued is not the tests' business
        cls.env.cr.flush()
        cls.env["marketplace.push.mark"].search([]).unlink()
        cls.env["queue.job"].search([("state", "=", "pending")]).button_cancelled()

    def setUp(self):
        super().setUp()
        self.calls = []

    @classmethod
    def set_stock(cls, product, quantity):
        cls.env["stock.quant"].with_context(inventory_mode=True).create(
            {
                "product_id": product.id,
                "location_id": cls.warehouse.lot_stock_id.id,
                "inventory_quantity": quantity,
            }
        ).action_apply_inventory()

    def rule(self, **values):
        return self.env["marketplace.sync.rule"].create(
            dict({"shop_id": self.shop.id}, **values)
        )

    def quantities(self, *products):
        products = self.env["product.product"].union(*products)
        return {
            product: values[0]
            for product, values in zip(
                products,
                [self.shop._stock_quantities(products)[p.id] for p in products],
                strict=True,
            )
        }

    @contextmanager
    def shopee_stock(self, failures=None):
        """The backend's update_stock, answered as Shopee does."""
        failures = failures or {}

        def update(backend, updates):
            if backend != self.backend:
                return {"success": {(i, m): q for i, m, q in updates}, "failure": {}}
            item_ids = {item_id for item_id, _m, _q in updates}
            self.assertEqual(len(item_ids), 1, "Shopee's calls are per item")
            self.calls.append((item_ids.pop(), [(m, q) for _i, m, q in updates]))
            answer = {"success": {}, "failure": {}}
            for item_id, model_id, qty in updates:
                key = (item_id, model_id)
                if key in failures:
                    answer["failure"][key] = failures[key]
                else:
                    answer["success"][key] = qty
            return answer

        with mock.patch.object(type(self.backend), "_marketplace_update_stock", update):
            yield

    def push(self, payload, failures=None, failed=()):
        """A push_stock job of ``payload``; ``failed`` as run_queue_jobs'."""
        with self.shopee_stock(failures):
            job = self.shop._create_push_stock_job(payload)
            self.run_queue_jobs(failed=failed)
        self.env.invalidate_all()
        return job


@tagged("post_install", "-at_install")
class TestSyncRules(StockCase):
    def test_guides_example(self):
        """Buffer 10, minimum 5, rounding 0: free 30 → 20, 14 → 0, 10 → 0."""
        self.rule(buffer_qty=10, min_online_qty=5, rounding=0)
        got = self.quantities(self.cable, self.shirt_m, self.shirt_l)
        self.assertEqual(got[self.cable], 20)
        self.assertEqual(got[self.shirt_m], 0)  # 14 − 10 = 4 < 5
        self.assertEqual(got[self.shirt_l], 0)

    def test_arithmetic_edges(self):
        self.assertEqual(online_quantity(30, 0, buffer=0, allocation=50), 15)
        self.assertEqual(online_quantity(31, 0, allocation=50), 15, "integers, down")
        self.assertEqual(online_quantity(47, 0, rounding=5), 45)
        self.assertEqual(online_quantity(10, 12), 0, "demand above stock: 0")
        self.assertEqual(online_quantity(5, 0, buffer=10), 0)
        self.assertEqual(
            online_quantity(40, 5, buffer=10, allocation=50, rounding=5, minimum=10), 10
        )
        self.assertEqual(online_quantity(30, 0), 30, "no rule: all the free stock")
        self.assertEqual(online_quantity(29.9999999, 0), 30, "unit-conversion noise")
        self.assertEqual(online_quantity(29.5, 0), 29, "half a unit is not sold")

    def test_most_specific_active_rule_wins(self):
        shop_wide = self.rule(buffer_qty=1)
        parent = self.rule(
            scope="category", categ_id=self.parent_categ.id, buffer_qty=2
        )
        self.assertEqual(
            self.quantities(self.cable)[self.cable], 28, "nearest parent category"
        )
        child = self.rule(scope="category", categ_id=self.categ.id, buffer_qty=3)
        self.assertEqual(
            self.quantities(self.cable)[self.cable], 27, "its own category"
        )
        product_rule = self.rule(
            scope="product", product_id=self.cable.id, buffer_qty=4
        )
        self.assertEqual(
            self.quantities(self.cable)[self.cable], 26, "the product's rule"
        )
        # an inactive rule does not apply (two active rules for the same
        # products are refused: test_first_day)
        (product_rule | child | parent).active = False
        self.assertEqual(self.quantities(self.cable)[self.cable], 29)
        self.assertEqual(self.quantities(self.shirt_m)[self.shirt_m], 13, "shop-wide")
        shop_wide.active = False
        self.assertEqual(self.quantities(self.cable)[self.cable], 30, "no rule")

    def test_bad_values_are_refused(self):
        for values, message in (
            ({"buffer_qty": -1}, "negative"),
            ({"allocation": 101}, "between 0 and 100"),
            ({"allocation": -5}, "between 0 and 100"),
            ({"rounding": -2}, "negative"),
            ({"min_online_qty": -1}, "negative"),
            ({"scope": "product"}, "product"),
        ):
            with self.subTest(values), self.assertRaises(ValidationError) as caught:
                self.rule(**values)
            self.assertIn(message, str(caught.exception))

    def test_open_marketplace_demand_is_kept(self):
        """Units of orders without a confirmed sale order (unpaid, waiting for
        bindings) are not offered again."""
        order = self.env["marketplace.order"].create(
            {
                "shop_id": self.shop.id,
                "name": "260901DEMAND01",
                "status": "awaiting_payment",
                "line_ids": [
                    (
                        0,
                        0,
                        {
                            "external_key": "1",
                            "name": "Cable",
                            "quantity": 4,
                            "item_id": "101",
                        },
                    )
                ],
            }
        )
        order.line_ids._assign_products()
        self.assertEqual(self.quantities(self.cable)[self.cable], 26)
        order.status = "cancelled"
        self.assertEqual(self.quantities(self.cable)[self.cable], 30)

    def test_preview_lists_each_bound_product(self):
        rule = self.rule(buffer_qty=10, min_online_qty=5)
        action = self.shop.action_stock_preview()
        preview = self.env["marketplace.stock.preview"].browse(action["res_id"])
        by_product = {line.product_id: line for line in preview.line_ids}
        self.assertEqual(by_product[self.cable].free_qty, 30)
        self.assertEqual(by_product[self.cable].quantity, 20)
        self.assertEqual(by_product[self.cable].rule_id, rule)
        self.assertEqual(by_product[self.shirt_m].quantity, 0)
        self.assertNotIn(self.loose, by_product)


@tagged("post_install", "-at_install")
class TestPushStock(StockCase):
    def test_push_sets_seller_stock_one_call_per_item(self):
        self.rule(buffer_qty=10, min_online_qty=5)
        job = self.push({})
        self.assertEqual(job.state, "completed", job.error_message)
        calls = dict(self.calls)
        self.assertEqual(calls["101"], [("0", 20)])
        self.assertEqual(
            sorted(calls["102"]), [("1", 0), ("2", 0)], "one call, both models"
        )
        self.assertEqual(len(self.calls), 2)
        self.assertEqual(self.cable_listing.last_pushed_qty, 20)
        self.assertTrue(self.cable_listing.last_pushed_at)
        self.assertIn("3 listings pushed, 0 unchanged, 0 failed", job.result_summary)
        # again: nothing changed, nothing sent
        self.calls.clear()
        job = self.push({})
        self.assertEqual(self.calls, [])
        self.assertIn("0 listings pushed, 3 unchanged", job.result_summary)
        # forced: sent anyway
        job = self.push({"force": True})
        self.assertEqual(len(self.calls), 2)

    def test_product_without_binding_is_reported_others_pushed(self):
        job = self.push({"product_ids": [self.cable.id, self.loose.id]})
        self.assertEqual(job.state, "completed")
        self.assertIn(
            f"product {self.loose.display_name} has no binding on shop",
            job.result_summary,
        )
        self.assertEqual(self.calls, [("101", [("0", 30)])])

    def test_only_products_without_binding_fail_clearly(self):
        job = self.push({"product_ids": [self.loose.id]})
        self.assertEqual((job.state, job.error_kind), ("failed", "refused"))
        self.assertIn("has no binding on shop", job.error_message)
        self.assertEqual(self.calls, [])

    def test_inactive_listing_skipped_and_partial_failure(self):
        self.shirt_l_listing.write(
            {"active": False, "listing_status": "deleted_by_seller"}
        )
        job = self.push(
            {"product_ids": [self.cable.id, self.shirt_m.id, self.shirt_l.id]},
            failures={("102", "1"): "stock is less than reserved stock"},
        )
        self.assertEqual(job.state, "completed")
        self.assertIn("skipped: it is inactive", job.result_summary)
        self.assertIn("stock is less than reserved stock", job.result_summary)
        self.assertIn("1 listings pushed, 0 unchanged, 1 failed", job.result_summary)
        self.assertEqual(
            self.shirt_m_listing.last_push_error, "stock is less than reserved stock"
        )
        self.assertEqual(
            self.cable_listing.last_pushed_qty, 30, "the others are pushed"
        )

    def test_bad_payloads(self):
        for payload, message in (
            ('{"product_ids": "1,2"}', "list of product ids"),
            ('{"force": "yes"}', "true or false"),
            ('{"products": [1]}', "Unknown key"),
        ):
            with self.subTest(payload), self.assertRaises(ValidationError) as caught:
                self.env["marketplace.job"].create(
                    {
                        "job_type": "push_stock",
                        "account_id": self.account.id,
                        "shop_id": self.shop.id,
                        "payload": payload,
                    }
                )
            self.assertIn(message, str(caught.exception))

    def test_access_users_push_managers_edit_rules(self):
        user = new_test_user(
            self.env,
            login="mp_stock_user",
            groups="connector_marketplace.group_marketplace_user",
        )
        action = self.shop.with_user(user).action_push_stock()
        self.assertIn("was queued", action["params"]["message"])
        with self.assertRaises(AccessError):
            self.env["marketplace.sync.rule"].with_user(user).create(
                {"shop_id": self.shop.id}
            )
        manager = new_test_user(
            self.env,
            login="mp_stock_mgr",
            groups="connector_marketplace.group_marketplace_manager",
        )
        self.env["marketplace.sync.rule"].with_user(manager).create(
            {"shop_id": self.shop.id}
        )


@tagged("post_install", "-at_install")
class TestAutomaticPush(StockCase):
    def setUp(self):
        super().setUp()
        self.shop.auto_push_stock = True
        self.push({})  # everything known to Shopee
        self.calls.clear()
        self.env["marketplace.job"].search(
            [("shop_id", "=", self.shop.id)]
        ).sudo()._fail_with("history")

    def auto_jobs(self):
        return self.env["marketplace.job"].search(
            [("shop_id", "=", self.shop.id), ("origin", "=", "stock")]
        )

    def test_hundred_moves_make_one_job(self):
        for _index in range(100):
            self.env["stock.quant"]._update_available_quantity(
                self.cable, self.warehouse.lot_stock_id, -0.1
            )
        self.env.cr.flush()  # the transaction's pre-commit hook
        job = self.auto_jobs()
        self.assertEqual(len(job), 1)
        self.assertEqual(job._payload_dict()["marked"], True)
        self.assertNotIn("product", job.payload, "no product list in its arguments")
        [qjob] = job.sudo().queue_job_ids
        self.assertGreater(qjob.eta, qjob.date_created, "a short delay")
        self.assertTrue(self.cable_listing.push_request)
        self.assertFalse(self.shirt_m_listing.push_request, "only what changed")
        with self.shopee_stock():
            self.run_queue_jobs()
        self.assertEqual(job.state, "completed", job.error_message)
        self.assertEqual(self.calls, [("101", [("0", 20)])])
        self.assertFalse(self.cable_listing.push_request)

    def test_change_during_a_push_is_not_lost(self):
        self.env["stock.quant"]._update_available_quantity(
            self.cable, self.warehouse.lot_stock_id, -1
        )
        self.env.cr.flush()
        job = self.auto_jobs()
        original = type(self.env["marketplace.job"])._clear_push_marks

        changed = []

        def change_then_clear(job_self, bindings, last_mark):
            if not changed:
                # another transaction marks the listing again while this
                # one pushes
                changed.append(True)
                self.cable_listing._request_push()
            return original(job_self, bindings, last_mark)

        with (
            self.shopee_stock(),
            mock.patch.object(type(job), "_clear_push_marks", change_then_clear),
        ):
            self.run_queue_jobs()
        self.assertEqual(job.state, "completed")
        followers = self.auto_jobs() - job
        self.assertEqual(len(followers), 1, "the next push, queued by this one")
        self.assertEqual(followers.state, "completed")
        self.assertFalse(self.cable_listing.push_request, "the mark kept, then pushed")
        # the quantity did not change again: nothing more to send
        self.assertIn("0 listings pushed, 1 unchanged", followers.result_summary)

    def test_push_after_a_shopee_order_becomes_a_sale_order(self):
        self.shop.write(
            {"auto_create_sale_orders": True, "sale_orders_from": datetime(2026, 1, 1)}
        )
        order = self.env["marketplace.order"].create(
            {
                "shop_id": self.shop.id,
                "name": "260901AUTO0001",
                "status": "to_ship",
                "date_order": datetime(2026, 9, 1),
                "line_ids": [
                    (
                        0,
                        0,
                        {
                            "external_key": "1",
                            "name": "Cable",
                            "quantity": 3,
                            "item_id": "101",
                            "price_unit": 129.0,
                        },
                    )
                ],
            }
        )
        order.line_ids._assign_products()
        self.assertEqual(
            self.quantities(self.cable)[self.cable], 27, "open demand first"
        )
        order._create_sale_orders(force=True)
        self.assertEqual(order.sale_order_id.state, "sale")
        self.env.cr.flush()
        self.assertEqual(len(self.auto_jobs()), 1, "the reservation queued a push")
        with self.shopee_stock():
            self.run_queue_jobs()
        self.assertEqual(self.auto_jobs().state, "completed")
        self.assertEqual(self.calls, [("101", [("0", 27)])])

    def test_switch_off(self):
        self.shop.auto_push_stock = False
        self.env["stock.quant"]._update_available_quantity(
            self.cable, self.warehouse.lot_stock_id, -1
        )
        self.env.cr.flush()
        self.assertFalse(self.auto_jobs())


@tagged("post_install", "-at_install")
class TestDriftReconciliation(StockCase):
    def test_drifted_items_are_pushed_busy_ones_skipped(self):
        self.push({})
        self.calls.clear()
        backend_class = type(self.backend)
        shopee_stock = {("101", "0"): 25, ("102", "1"): 14, ("102", "2"): 3}
        with (
            mock.patch.object(
                backend_class,
                "_marketplace_read_stock",
                lambda backend, items: shopee_stock,
            ),
            mock.patch.object(
                backend_class,
                "_marketplace_items_in_unimported_orders",
                lambda backend: {"102"},
            ),
            self.shopee_stock(),
        ):
            self.env["marketplace.shop"]._cron_reconcile_stock()
            self.run_queue_jobs()
        job = self.env["marketplace.job"].search(
            [("shop_id", "=", self.shop.id), ("origin", "=", "cron")], limit=1
        )
        self.assertEqual(job.state, "completed", job.error_message)
        self.assertEqual(self.calls, [("101", [("0", 30)])], "drifted, forced")
        self.assertIn("orders not imported yet", job.result_summary)
