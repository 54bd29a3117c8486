"""Pulling the Shopee catalogue into product bindings (recorded traffic).

The simulator's catalogue of shop 600100200 (simulator/seeds/items.json) is
as messy as real ones: items without SKU, models without SKU, SKUs ending
with a newline, an unlisted item, a deleted item, a screen film with 60
models. Every job runs through queue_job.
"""

import json
from collections import Counter

from odoo.tests import tagged

from .common import ShopeeTestCase
from .test_pull_orders import query_of

# Shopee's item_status as the base's listing states (pinned here, not read
# from the importer's table).
LISTING_STATES = {
    "NORMAL": "normal",
    "UNLIST": "unlisted",
    "REVIEWING": "under_review",
    "BANNED": "banned",
    "SELLER_DELETE": "deleted_by_seller",
    "SHOPEE_DELETE": "deleted_by_marketplace",
}

SCENARIO = {"reset": {"orders": 0, "seed": 1, "include_seed_orders": False}}
FILM = "23011000112"


def answers(cassette, path):
    """The JSON answers Shopee gave to ``path`` in the cassette, in order."""
    return [
        json.loads(response["body"]["string"])
        for request, response in zip(cassette.requests, cassette.responses, strict=True)
        if request.path.endswith(path)
    ]


@tagged("post_install", "-at_install")
class TestPullProducts(ShopeeTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        make = cls.env["product.product"].create
        cls.cable = make(
            {
                "name": "USB-C Cable",
                "is_storable": True,
                "default_code": "BGH-USBC-CABLE-1M",
            }
        )
        cls.case_black = make(
            {
                "name": "iPhone 15 Case Black",
                "is_storable": True,
                "default_code": "BGH-CASE-IP15-BLK",  # Shopee's ends with "\n"
            }
        )
        cls.charger = make(
            {
                "name": "Car Charger 38W",
                "is_storable": True,
                "barcode": "BGH-CARCHG-38W",  # by barcode, newline trimmed
            }
        )
        cls.power_a = make(
            {
                "name": "Power Bank",
                "is_storable": True,
                "default_code": "BGH-POWERBANK-10K",
            }
        )
        cls.power_b = make(
            {
                "name": "Power Bank (old)",
                "is_storable": True,
                "barcode": "BGH-POWERBANK-10K",
            }
        )

    def listings(self, **domain):
        return (
            self.env["marketplace.product.binding"]
            .with_context(active_test=False)
            .search(
                [("shop_id", "=", self.shop.id)]
                + [(key, "=", value) for key, value in domain.items()]
            )
        )

    def pull(self, cassette_name, scenario=None, setup=True):
        with self.shopee_cassette(cassette_name, scenario, setup=setup) as cassette:
            job, created = self.shop._create_pull_products_job(origin="user", full=True)
            self.assertTrue(created)
            self.run_queue_jobs()
        self.assertEqual(job.state, "completed", job.error_message)
        self.assertEqual(set(job.sudo().queue_job_ids.mapped("state")), {"done"})
        self.env.invalidate_all()
        return job, cassette

    def expected_listings(self, cassette):
        """(item, model) → (sku, status) as Shopee's answers list them."""
        expected = {}
        model_answers = answers(cassette, "get_model_list")
        model_requests = [
            query_of(r)["item_id"]
            for r in cassette.requests
            if r.path.endswith("get_model_list")
        ]
        models = dict(zip(model_requests, model_answers, strict=True))
        for answer in answers(cassette, "get_item_base_info"):
            for item in answer["response"]["item_list"]:
                item_id = str(item["item_id"])
                status = item["item_status"]
                if item["has_model"]:
                    for model in models[item_id]["response"]["model"]:
                        expected[(item_id, str(model["model_id"]))] = (
                            model["model_sku"],
                            status,
                        )
                else:
                    expected[(item_id, "0")] = (item["item_sku"], status)
        return expected

    def test_whole_catalogue_then_again(self):
        job, cassette = self.pull("pull_products_catalogue", SCENARIO)
        # Shopee's minimum: one page of items, one base-info chunk, one model
        # list per item with models
        paths = Counter(r.path.rsplit("/", 1)[-1] for r in cassette.requests)
        [listing] = answers(cassette, "get_item_list")
        items = listing["response"]["item"]
        with_models = [
            item
            for answer in answers(cassette, "get_item_base_info")
            for item in answer["response"]["item_list"]
            if item["has_model"]
        ]
        self.assertEqual(
            dict(paths),
            {
                "get_item_list": 1,
                "get_item_base_info": 1,
                "get_model_list": len(with_models),
            },
        )
        statuses = query_of(cassette.requests[0])
        self.assertIn("item_status", statuses)
        self.assertFalse(listing["response"]["has_next_page"])
        self.assertEqual(job.items_listed, len(items))
        # every (item, model) is one binding, SKU trimmed, status kept
        expected = self.expected_listings(cassette)
        self.assertGreater(len(expected), 70, "the film alone has 60 models")
        bindings = self.listings()
        got = {
            (b.external_item_id, b.external_variation_id): (
                b.sku or "",
                b.listing_status,
            )
            for b in bindings
        }
        self.assertEqual(
            got,
            {
                key: ((sku or "").strip(), LISTING_STATES[status])
                for key, (sku, status) in expected.items()
            },
        )
        self.assertEqual(len(self.listings(external_item_id=FILM)), 60)
        # gone listings inactive, unlisted ones still there
        by_status = {b.listing_status: b.active for b in bindings}
        self.assertFalse(by_status["deleted_by_seller"])
        self.assertTrue(by_status["unlisted"])
        # automatic match: exact (also through a trailing newline and the
        # barcode), ambiguous with its candidates, none without SKU
        bound = {b.sku: b.product_id for b in bindings if b.product_id}
        self.assertEqual(
            bound,
            {
                "BGH-USBC-CABLE-1M": self.cable,
                "BGH-CASE-IP15-BLK": self.case_black,
                "BGH-CARCHG-38W": self.charger,
            },
        )
        [ambiguous] = self.listings(match_state="ambiguous")
        self.assertEqual(ambiguous.sku, "BGH-POWERBANK-10K")
        self.assertEqual(ambiguous.candidate_product_ids, self.power_a | self.power_b)
        self.assertTrue(
            self.listings(sku=False), "SKU-less listings wait for the seller"
        )
        # the stock is Shopee's seller stock, the price the current one
        cable = self.listings(sku="BGH-USBC-CABLE-1M")
        [cable_item] = [
            item
            for answer in answers(cassette, "get_item_base_info")
            for item in answer["response"]["item_list"]
            if str(item["item_id"]) == cable.external_item_id
        ]
        self.assertEqual(
            cable.marketplace_stock,
            cable_item["stock_info_v2"]["seller_stock"][0]["stock"],
        )
        self.assertEqual(cable.price, cable_item["price_info"][0]["current_price"])
        # what each number counts: read from Shopee, and what Product
        # Bindings lists (the active ones; the deleted one is inactive)
        listings = self.env["marketplace.product.binding"]
        active = listings.search_count([("shop_id", "=", self.shop.id)])
        inactive = listings.with_context(active_test=False).search_count(
            [("shop_id", "=", self.shop.id), ("active", "=", False)]
        )
        self.assertEqual((active + inactive, bool(inactive)), (len(expected), True))
        self.assertIn(f"{len(expected)} listings read", job.result_summary)
        self.assertIn(
            f"The shop has {active} active listings in Product Bindings",
            job.result_summary,
        )
        self.assertIn(f"and {inactive} inactive", job.result_summary)

        # again: nothing new, nothing duplicated
        count = len(bindings)
        first_pull = self.shopee_calls()
        self.assertEqual(
            first_pull,
            ["/api/v2/product/get_item_list", "/api/v2/product/get_item_base_info"]
            + ["/api/v2/product/get_model_list"] * len(with_models),
            "listed, then read, then the models of the items that have some",
        )
        job, _cassette = self.pull(
            "pull_products_catalogue_again", SCENARIO, setup=False
        )
        self.assertEqual(self.shopee_calls(), first_pull * 2, "the same calls again")
        self.assertEqual(len(self.listings()), count)
        self.assertIn("0 new", job.result_summary)

    def test_deleted_listing_becomes_inactive(self):
        self.pull("pull_products_before_delete", SCENARIO)
        cable = self.listings(sku="BGH-USBC-CABLE-1M")
        self.assertTrue(cable.active)
        self.assertEqual(cable.product_id, self.cable)
        if self.recording:
            self.simulator_call(
                "POST",
                f"items/{cable.external_item_id}",
                {"item_status": "SELLER_DELETE"},
            )
        self.pull("pull_products_after_delete", setup=False)
        self.assertFalse(cable.active, "gone listings are kept, inactive")
        self.assertEqual(cable.listing_status, "deleted_by_seller")
        self.assertEqual(cable.product_id, self.cable, "its binding is kept")

    def test_item_list_pages_by_offset(self):
        """A generated catalogue of 120 items: two pages, chunks of 50."""
        scenario = {
            "reset": {
                "orders": 0,
                "seed": 3,
                "include_seed_orders": False,
                "items": 120,
                "models_per_item": 0,
            }
        }
        job, cassette = self.pull("pull_products_pages", scenario)
        pages = [
            query_of(r) for r in cassette.requests if r.path.endswith("get_item_list")
        ]
        self.assertEqual([p["offset"] for p in pages], ["0", "100"])
        chunks = [
            len(query_of(r)["item_id_list"].split(","))
            for r in cassette.requests
            if r.path.endswith("get_item_base_info")
        ]
        self.assertEqual(sorted(chunks), [20, 50, 50])
        self.assertEqual(job.items_listed, 120)
        self.assertEqual(len(self.listings()), 120)
        self.assertEqual(
            len(job.sudo().queue_job_ids), 2 + len(chunks), "start, chunks, finish"
        )
