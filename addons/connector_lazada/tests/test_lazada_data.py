"""Lazada's data as real Thai shops send it, read without an API call."""

import hashlib
import hmac
from datetime import datetime

from odoo.tests import TransactionCase, tagged

from ..api.client import classify_error, lazada_sign, push_signature
from ..api.exceptions import (
    LazadaParamError,
    LazadaRateLimitError,
    LazadaServerError,
    LazadaSignError,
    LazadaTokenExpiredError,
)
from ..components.adapter import lazada_time, stock_payload
from ..components.mapper import (
    amount,
    lines_of,
    money_from_items,
    order_total,
    parse_time,
)


def row(item_id, sku_id, sku, status="pending", price=100.0, **extra):
    values = {
        "order_item_id": 100000000000000 + len(extra),
        "product_id": item_id,
        "sku_id": sku_id,
        "sku": sku,
        "status": status,
        "name": "สายชาร์จ USB-C",
        "item_price": price,
        "paid_price": price,
        "voucher_seller": 0,
        "voucher_platform": 0,
        "shipping_amount": 0,
    }
    values.update(extra)
    return values


@tagged("post_install", "-at_install")
class TestLazadaData(TransactionCase):
    def test_sign_is_lazadas(self):
        """The API path, then the sorted names and values, HMAC-SHA256 by the
        secret, upper-case hex (the example computed by hand here)."""
        params = {"app_key": "120001", "timestamp": "1700000000000", "b": "2"}
        expected = (
            hmac.new(
                b"secret",
                b"/orders/getapp_key120001b2timestamp1700000000000",
                hashlib.sha256,
            )
            .hexdigest()
            .upper()
        )
        self.assertEqual(lazada_sign("secret", "/orders/get", params), expected)
        with_sign = dict(params, sign="ANYTHING")
        self.assertEqual(lazada_sign("secret", "/orders/get", with_sign), expected)
        self.assertEqual(
            push_signature("120001", "secret", b'{"a":1}'),
            hmac.new(b"secret", b'120001{"a":1}', hashlib.sha256).hexdigest(),
        )

    def test_errors_say_what_to_do(self):
        self.assertIs(classify_error("ApiCallLimit", "ISV", ""), LazadaRateLimitError)
        self.assertIs(
            classify_error("IllegalAccessToken", "ISV", ""), LazadaTokenExpiredError
        )
        self.assertIs(classify_error("IncompleteSignature", "ISV", ""), LazadaSignError)
        self.assertIs(classify_error("ServiceTimeout", "ISP", ""), LazadaServerError)
        self.assertIs(classify_error("Whatever", "SYSTEM", ""), LazadaServerError)
        self.assertIs(classify_error("MissingParameter", "ISV", ""), LazadaParamError)

    def test_amounts_and_times_in_every_shape(self):
        self.assertEqual(amount("1,152.00"), 1152.0)
        self.assertEqual(amount(137.8), 137.8)
        self.assertEqual(amount(""), 0.0)
        # "+0700" without colon, with a space; ISO with colon: both UTC
        self.assertEqual(
            parse_time("2026-11-20 14:03:11 +0700"), datetime(2026, 11, 20, 7, 3, 11)
        )
        self.assertEqual(
            parse_time("2021-05-27T23:59:59+07:00"), datetime(2021, 5, 27, 16, 59, 59)
        )
        self.assertFalse(parse_time(""))
        self.assertEqual(
            lazada_time(datetime(2026, 11, 20, 7, 3, 11)), "2026-11-20T14:03:11+07:00"
        )

    def test_one_line_per_listing_from_rows_per_unit(self):
        """Two units of one SKU are one line of 2; a cancelled unit is left
        out while others live; the SKU's trailing newline is the data's."""
        rows = [
            row(4001, 5001, "BGH-USBC-CABLE-1M\n", price=99.0, paid_price=90.0),
            row(4001, 5001, "BGH-USBC-CABLE-1M\n", price=99.0, paid_price=90.0),
            row(4002, 5002, "BGH-TSHIRT-RED-M", status="canceled", price=259.0),
        ]
        lines = lines_of(rows)
        self.assertEqual(len(lines), 1)
        self.assertEqual(lines[0]["quantity"], 2)
        self.assertEqual(lines[0]["item_total"], 198.0)
        # what the buyer pays: the live units after vouchers (and shipping)
        self.assertEqual(order_total(rows), 180.0)
        every_unit_cancelled = lines_of([dict(r, status="canceled") for r in rows])
        self.assertEqual(
            sorted(line["quantity"] for line in every_unit_cancelled), [1, 2]
        )

    def test_money_from_rows(self):
        """The buyer paid the rows' paid prices and the shipping; the sale
        is the items' prices less the seller's voucher plus the shipping."""
        rows = [
            row(
                4001,
                5001,
                "A",
                price=1152.0,
                paid_price=1014.2,
                voucher_seller=100.0,
                voucher_platform=37.8,
                shipping_amount=30,
                shipping_fee_original=45,
                shipping_fee_discount_platform=15,
            ),
            row(4002, 5002, "B", status="canceled", price=500.0, paid_price=500.0),
        ]
        money = money_from_items(rows)
        amounts = money["amounts"]
        self.assertEqual(amounts["items_subtotal"], 1152.0)
        self.assertEqual(amounts["seller_voucher"], 100.0)
        self.assertEqual(amounts["platform_voucher"], 37.8)
        self.assertEqual(amounts["buyer_shipping_fee"], 30.0)
        self.assertEqual(amounts["platform_shipping_subsidy"], 15.0)
        self.assertEqual(amounts["buyer_total"], 1044.2)
        # the seller's sale = lines - seller voucher + shipping
        self.assertAlmostEqual(
            amounts["buyer_total"] + amounts["platform_voucher"], 1152 - 100 + 30
        )
        self.assertEqual(
            money["items"],
            [
                {
                    "item_id": "4001",
                    "variation_id": "5001",
                    "subtotal": 1152.0,
                    "deal": False,
                }
            ],
        )

    def test_stock_payload_is_lazadas_xml(self):
        xml = stock_payload([("4001", "5001", "SKU <&>", 7), ("4002", "0", "", 0)])
        self.assertEqual(
            xml,
            "<Request><Product><Skus>"
            "<Sku><ItemId>4001</ItemId><SkuId>5001</SkuId>"
            "<SellerSku>SKU &lt;&amp;&gt;</SellerSku>"
            "<SellableQuantity>7</SellableQuantity></Sku>"
            "<Sku><ItemId>4002</ItemId><SellableQuantity>0</SellableQuantity></Sku>"
            "</Skus></Product></Request>",
        )
