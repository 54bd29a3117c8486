"""Stock pushed to Shopee's update_stock (recorded traffic).

The simulator answers as Shopee does: a success_list, a failure_list of the
models it refused (stock below the reserved stock), a whole-call refusal of a
deleted item, and ``error_busi_update_stock_failed`` when every model of the
call failed.
"""

import json

from odoo.tests import tagged

from .common import ShopeeTestCase

CABLE, SHIRT, CASE, OLD = "23011000101", "23011000102", "23011000104", "23011000111"
SHIRT_M, SHIRT_L = "170010001", "170010002"
SCENARIO = {"reset": {"orders": 0, "seed": 1, "include_seed_orders": False}}


def exchanges(cassette, path):
    """[(request body, answer)] of ``path`` in the cassette, in order."""
    return [
        (json.loads(request.body), json.loads(response["body"]["string"]))
        for request, response in zip(cassette.requests, cassette.responses, strict=True)
        if request.path.endswith(path)
    ]


@tagged("post_install", "-at_install")
class TestPushStockToShopee(ShopeeTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.env.company.id)], limit=1
        )
        cls.shop.write({"warehouse_id": cls.warehouse.id, "auto_push_stock": False})
        cls.listing = {}
        for key, name, qty in (
            ((CABLE, "0"), "Cable", 30),
            ((SHIRT, SHIRT_M), "Shirt Red M", 14),
            ((SHIRT, SHIRT_L), "Shirt Red L", 10),
            ((OLD, "0"), "Old wired earphones", 5),
            ((CASE, "999"), "A model Shopee does not know", 7),
        ):
            product = cls.env["product.product"].create(
                {"name": name, "is_storable": True}
            )
            cls.env["stock.quant"]._update_available_quantity(
                product, cls.warehouse.lot_stock_id, qty
            )
            cls.listing[key] = cls.env["marketplace.product.binding"].create(
                {
                    "shop_id": cls.shop.id,
                    "external_item_id": key[0],
                    "external_variation_id": key[1],
                    "product_id": product.id,
                }
            )
        cls.env["marketplace.sync.rule"].create(
            {"shop_id": cls.shop.id, "buffer_qty": 2}
        )
        cls.env.cr.flush()
        cls.env["queue.job"].search([("state", "=", "pending")]).button_cancelled()

    def test_push_every_listing(self):
        if self.recording:
            self.simulator_setup(SCENARIO)
            # 40 units of the red L are in buyers' carts: Shopee refuses less
            self.simulator_call(
                "POST", f"items/{SHIRT}/models/{SHIRT_L}", {"reserved_stock": 40}
            )
        with self.shopee_cassette("push_stock_to_shopee", setup=False) as cassette:
            job = self.shop._create_push_stock_job({})
            self.run_queue_jobs()
        self.assertEqual(job.state, "completed", job.error_message)
        self.env.invalidate_all()
        calls = exchanges(cassette, "product/update_stock")
        # one call per item, the rule's quantity (free stock − buffer 2)
        sent = {
            body["item_id"]: {
                model["model_id"]: model["seller_stock"][0]["stock"]
                for model in body["stock_list"]
            }
            for body, _answer in calls
        }
        self.assertEqual(
            sent,
            {
                int(CABLE): {0: 28},
                int(SHIRT): {int(SHIRT_M): 12, int(SHIRT_L): 8},
                int(OLD): {0: 3},
                int(CASE): {999: 5},
            },
        )
        answers = {body["item_id"]: answer for body, answer in calls}
        # accepted: what Shopee says it set is what Odoo remembers
        cable = self.listing[(CABLE, "0")]
        self.assertEqual(
            answers[int(CABLE)]["response"]["success_list"][0]["stock"], 28
        )
        self.assertEqual((cable.last_pushed_qty, cable.last_push_error), (28, False))
        self.assertEqual(self.listing[(SHIRT, SHIRT_M)].last_pushed_qty, 12)
        # refused model of an accepted call: its own reason
        [refused] = answers[int(SHIRT)]["response"]["failure_list"]
        shirt_l = self.listing[(SHIRT, SHIRT_L)]
        # Shopee's words, kept, after what they mean and what to do
        self.assertTrue(
            shirt_l.last_push_error.endswith(f"(Shopee: {refused['failed_reason']})")
        )
        self.assertIn("Shopee keeps units for orders", shirt_l.last_push_error)
        self.assertFalse(shirt_l.last_pushed_at)
        # deleted item: the whole call refused
        self.assertEqual(answers[int(OLD)]["error"], "error_item_uneditable")
        old = self.listing[(OLD, "0")].last_push_error
        self.assertIn(answers[int(OLD)]["message"], old)
        self.assertTrue(old.startswith("The item is deleted, banned or locked"), old)
        # every model refused: Shopee's failure_list still says why
        self.assertEqual(answers[int(CASE)]["error"], "error_busi_update_stock_failed")
        [wrong] = answers[int(CASE)]["response"]["failure_list"]
        self.assertEqual(
            self.listing[(CASE, "999")].last_push_error,
            "Shopee has no such variation for this item: pull the products "
            "again, then bind the variation Shopee shows (Bulk Binding). "
            f"(Shopee: {wrong['failed_reason']})",
        )
        self.assertIn("2 listings pushed, 0 unchanged, 3 failed", job.result_summary)
        if self.recording:
            stock = {
                (str(row["item_id"]), str(row["model_id"])): row["stock"]
                for row in self.simulator_call("GET", "stock?shop_id=600100200")[
                    "stock"
                ]
            }
            self.assertEqual(stock[(CABLE, "0")], 28, "Shopee now shows 28")
