"""The Lazada adapters against a Lazada that changes while it is read: the
order listing's pages, orders without their rows, refusals per SKU, the
sellable stock."""

from contextlib import ExitStack
from datetime import datetime, timedelta

from odoo.tests import tagged

from ..api.exceptions import LazadaParamError
from ..components.adapter import ORDERS_PAGE
from ..components.mapper import parse_time, sellable
from .common import LazadaTestCase

START = datetime(2026, 12, 1, 0, 0, 0)  # UTC


def lazada_text(moment):
    return (moment + timedelta(hours=7)).strftime("%Y-%m-%d %H:%M:%S +0700")


class FakeOrders:
    """/orders/get over orders whose ``updated_at`` may change between
    pages, as Lazada's do: window inclusive, sorted by change then id."""

    def __init__(self, count, same_second=0):
        self.updated = {
            300000000000000 + n: START + timedelta(seconds=n if n >= same_second else 0)
            for n in range(count)
        }
        self.calls = []
        self.after_first_page = None

    def __call__(self, api_path, **params):
        assert api_path == "/orders/get", api_path
        self.calls.append(params)
        low = parse_time(params["update_after"])
        high = parse_time(params["update_before"])
        found = sorted(
            (moment, order_id)
            for order_id, moment in self.updated.items()
            if low <= moment <= high
        )
        page = found[params["offset"] : params["offset"] + params["limit"]]
        if len(self.calls) == 1 and self.after_first_page:
            self.after_first_page(self)
        return {
            "count": len(page),
            "countTotal": len(found),
            "orders": [
                {"order_id": order_id, "updated_at": lazada_text(moment)}
                for moment, order_id in page
            ],
        }


@tagged("post_install", "-at_install")
class TestLazadaAdapters(LazadaTestCase):
    def adapter(self, model):
        stack = ExitStack()
        self.addCleanup(stack.close)
        work = stack.enter_context(self.backend.work_on(model))
        return work.component(usage="backend.adapter")

    def test_an_order_changing_while_pages_are_read_loses_no_other(self):
        """Order 10 changes after the window while page one is read: every
        order after it moves one place back; none is skipped."""
        lazada = FakeOrders(250)
        first = min(lazada.updated)

        def change(fake):
            fake.updated[first + 10] = START + timedelta(days=2)

        lazada.after_first_page = change
        adapter = self.adapter("lazada.order")
        adapter._get = lazada
        refs = adapter.search(START, START + timedelta(days=1))
        self.assertEqual(sorted(refs), sorted(str(i) for i in lazada.updated))
        self.assertEqual(len(refs), len(set(refs)), "each order once")

    def test_a_page_of_one_second_steps_by_offset(self):
        """More orders changed in one second than a page holds: the offset
        steps over them, the listing ends."""
        lazada = FakeOrders(ORDERS_PAGE * 2 + 30, same_second=ORDERS_PAGE * 2)
        adapter = self.adapter("lazada.order")
        adapter._get = lazada
        progress = {}
        refs = adapter.search(START, START + timedelta(days=1), progress)
        self.assertEqual(len(refs), len(lazada.updated))
        self.assertEqual([c["offset"] for c in lazada.calls[:2]], [0, ORDERS_PAGE])
        self.assertIsNone(progress["cursor"], "the listing is over")

    def test_a_listing_without_its_count_reads_to_the_end(self):
        lazada = FakeOrders(ORDERS_PAGE * 2 + 5)
        adapter = self.adapter("lazada.order")

        def without_count(api_path, **params):
            return dict(lazada(api_path, **params), countTotal=None)

        adapter._get = without_count
        refs = adapter.search(START, START + timedelta(days=1))
        self.assertEqual(len(refs), len(lazada.updated))

    def test_an_order_without_its_rows_is_left_out(self):
        """Lazada answered /orders/items/get without one order: importing it
        with no rows would delete its lines; it waits for the next pull."""
        adapter = self.adapter("lazada.order")
        asked = []
        adapter.read_items = lambda refs: {"301": [{"sku": "A", "status": "pending"}]}

        def get(api_path, **params):
            asked.append(params["order_id"])
            return {"order_id": int(params["order_id"])}

        adapter._get = get
        orders = adapter.read(["301", "302"])
        self.assertEqual([o["order_id"] for o in orders], [301])
        self.assertEqual(asked, ["301"])

    def test_refusals_named_by_a_raw_seller_sku_are_matched(self):
        listings = self.adapter("lazada.product.binding")
        rows = [
            ("41", "51", "BGH-CASE-IP15-BLK", 3),
            ("41", "52", "BGH-CASE-IP15-CLR", 4),
        ]
        error = LazadaParamError(
            "E501: Update product failed",
            code="501",
            response={
                "detail": [
                    {"seller_sku": "BGH-CASE-IP15-BLK\n", "message": "SKU not exist"}
                ]
            },
        )
        failures, unmatched = listings._sku_failures(error, rows)
        self.assertEqual(failures, {("41", "51"): "SKU not exist"})
        self.assertEqual(unmatched, 0)
        # a refusal naming no row: which of the others were set is unknown
        error.response["detail"].append({"seller_sku": "SOMETHING-ELSE"})
        self.assertEqual(listings._sku_failures(error, rows)[1], 1)

    def test_the_stock_is_what_buyers_can_still_buy(self):
        sku = {
            "quantity": 30,
            "multiWarehouseInventories": [
                {"sellableQuantity": 22, "occupyQuantity": 5, "withholdQuantity": 3},
                {"sellableQuantity": 4},
            ],
        }
        self.assertEqual(sellable(sku), 26)
        self.assertEqual(sellable({"quantity": 7}), 7)
        self.assertEqual(sellable({}), 0)
