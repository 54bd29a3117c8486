"""Lazada's products as listings (one per SKU), bound by SKU; stock pushed
to /product/stock/sellable/update in calls of at most 50 SKUs, each refused
SKU with its own reason (recorded traffic)."""

import json
from urllib.parse import parse_qsl
from xml.etree import ElementTree

from odoo.tests import tagged

from .common import SELLER_ID, LazadaTestCase

SCENARIO = {"reset": {"orders": 0, "seed": 1, "include_seed_orders": False}}
CABLE, SHIRT, CASE, STAND = "4102300101", "4102300102", "4102300104", "4102300109"
DELETED = "4102300111"
SHIRT_M, SHIRT_L = "17301000201", "17301000202"


def answers(cassette, path):
    return [
        json.loads(response["body"]["string"])
        for request, response in zip(cassette.requests, cassette.responses, strict=True)
        if request.path.endswith(path)
    ]


def pushed_rows(cassette):
    """[[(ItemId, SkuId, SellableQuantity)] per stock call]"""
    calls = []
    for request in cassette.requests:
        if not request.path.endswith("/product/stock/sellable/update"):
            continue
        body = (
            request.body.decode() if isinstance(request.body, bytes) else request.body
        )
        payload = dict(parse_qsl(body))["payload"]
        calls.append(
            [
                (
                    sku.findtext("ItemId"),
                    sku.findtext("SkuId"),
                    int(sku.findtext("SellableQuantity")),
                )
                for sku in ElementTree.fromstring(payload).iter("Sku")
            ]
        )
    return calls


@tagged("post_install", "-at_install")
class TestLazadaProducts(LazadaTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cable, cls.case_black, cls.stand_black = cls.storable(
            ("USB-C cable 1 m", "BGH-USBC-CABLE-1M"),
            ("iPhone 15 case, black", "BGH-CASE-IP15-BLK"),
            ("Phone stand, black", "BGH-STAND-BLK"),
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
        with self.lazada_cassette(cassette_name, scenario, setup=setup) as cassette:
            job, created = self.shop._create_pull_products_job(origin="user", full=True)
            self.assertTrue(created)
            self.run_queue_jobs()
        self.assertEqual(job.state, "completed", job.error_message)
        self.env.invalidate_all()
        return job, cassette

    def test_products_become_listings_bound_by_sku(self):
        job, cassette = self.pull("pull_products", SCENARIO)
        [page] = answers(cassette, "/products/get")
        products = page["data"]["products"]
        self.assertEqual(
            self.lazada_calls(),
            ["/products/get"] + ["/product/item/get"] * len(products),
        )
        expected = {
            (str(product["item_id"]), str(sku["SkuId"])): (
                sku["SellerSku"] or ""
            ).strip()
            for answer in answers(cassette, "/product/item/get")
            for product in [answer["data"]]
            for sku in product["skus"]
        }
        got = {
            (b.external_item_id, b.external_variation_id): b.sku or ""
            for b in self.listings()
        }
        self.assertEqual(got, expected, "one listing per SKU, SellerSku trimmed")
        self.assertEqual(job.items_listed, len(products))
        # the shirt's three SKUs are three listings of one item
        self.assertEqual(len(self.listings(external_item_id=SHIRT)), 3)
        # filter=all leaves deleted products out: no listing for them
        self.assertFalse(self.listings(external_item_id=DELETED))
        self.assertNotIn(int(DELETED), [p["item_id"] for p in products])
        # automatic binding: exact SKU, also through a trailing newline or space
        mine = self.cable | self.case_black | self.stand_black
        bound = {b.sku: b.product_id for b in self.listings() if b.product_id in mine}
        self.assertEqual(
            bound,
            {
                "BGH-USBC-CABLE-1M": self.cable,
                "BGH-CASE-IP15-BLK": self.case_black,
                "BGH-STAND-BLK": self.stand_black,
            },
        )
        cable = self.listings(sku="BGH-USBC-CABLE-1M")
        self.assertEqual(cable.marketplace_stock, 240)

        # again: nothing new, nothing duplicated
        count = len(self.listings())
        self.pull("pull_products_again", setup=False)
        self.assertEqual(len(self.listings()), count)


@tagged("post_install", "-at_install")
class TestLazadaPushStock(LazadaTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop.write({"auto_push_stock": False})
        cls.listing = {}
        rows = [
            ((CABLE, "17301000101"), "BGH-USBC-CABLE-1M", 30),
            ((SHIRT, SHIRT_M), "BGH-TSHIRT-RED-M", 14),
            ((SHIRT, SHIRT_L), "BGH-TSHIRT-RED-L", 10),
            ((DELETED, "17301001101"), "BGH-WIRED-OLD", 5),
            ((CASE, "99999999"), "A SKU Lazada does not know", 7),
        ]
        # enough more listings of the film's SKUs to need a second call
        rows += [
            (("4102300112", str(17301001102 + n)), f"FILM-{n}", 20 + n)
            for n in range(5)
        ]
        rows += [(("4102300112", f"9{n:07d}"), f"UNKNOWN-{n}", 3) for n in range(45)]
        for key, name, qty in rows:
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

    def test_push_in_calls_of_fifty_skus_each_refusal_its_own(self):
        with self.lazada_cassette("push_stock", SCENARIO) as cassette:
            job = self.shop._create_push_stock_job({})
            self.run_queue_jobs()
        self.assertEqual(job.state, "completed", job.error_message)
        self.env.invalidate_all()
        calls = pushed_rows(cassette)
        self.assertEqual([len(call) for call in calls], [50, 5])
        sent = {(item, sku): qty for call in calls for item, sku, qty in call}
        # the rule's quantity: free stock less the buffer of 2
        self.assertEqual(sent[(CABLE, "17301000101")], 28)
        self.assertEqual(sent[(SHIRT, SHIRT_M)], 12)
        self.assertEqual(sent[(SHIRT, SHIRT_L)], 8)
        self.assertEqual(len(sent), len(self.listing))
        # accepted SKUs remember what Lazada set
        cable = self.listing[(CABLE, "17301000101")]
        self.assertEqual((cable.last_pushed_qty, cable.last_push_error), (28, False))
        # refused ones keep Lazada's reason, the others of the call went through
        details = [
            entry
            for answer in answers(cassette, "/product/stock/sellable/update")
            for entry in answer.get("detail") or []
        ]
        refused = {entry["sku_id"] for entry in details}
        self.assertIn("99999999", refused)
        self.assertIn("17301001101", refused)
        unknown = self.listing[(CASE, "99999999")]
        self.assertIn("SKU not exist", unknown.last_push_error)
        self.assertFalse(unknown.last_pushed_at)
        deleted = self.listing[(DELETED, "17301001101")]
        self.assertTrue(deleted.last_push_error)
        self.assertEqual(self.listing[(SHIRT, SHIRT_L)].last_pushed_qty, 8)
        failed = len(refused)
        self.assertIn(
            f"{len(self.listing) - failed} listings pushed, 0 unchanged, "
            f"{failed} failed",
            job.result_summary,
        )
        if self.recording:
            stock = {
                (str(row["item_id"]), str(row["sku_id"])): row["sellable"]
                for row in self.simulator_call("GET", f"stock?seller_id={SELLER_ID}")[
                    "stock"
                ]
            }
            self.assertEqual(stock[(CABLE, "17301000101")], 28, "Lazada shows 28")
