"""A test-channel shop on the in-memory marketplace, jobs run through
queue_job as in production."""

import json
from datetime import datetime, timedelta

from odoo import fields

from odoo.addons.connector_marketplace.tests.common import MarketplaceTestCase

from ..fake_api import API, local_time

SHOP = "TS-1"
NOW = datetime(2026, 12, 1, 5, 0, 0)  # UTC: 12:00 in Bangkok


def at(minutes):
    """Marketplace time text, ``minutes`` after NOW."""
    return local_time(NOW + timedelta(minutes=minutes))


def order(order_id, rows, minutes=0, settlement=None, **extra):
    """An order as the fake sends it: ``rows`` one per unit, each
    ``(item id, sku id, sku, paid price text, status)``."""
    return dict(
        {
            "order_id": order_id,
            "created_at": at(minutes - 30),
            "updated_at": at(minutes),
            "price": "{:,.2f}".format(sum(float(r[3].replace(",", "")) for r in rows)),
            "shipping_fee": 40,
            "address": {
                "name": "ส***ย",
                "phone": "66*****89",
                "line": "99/1 ถ.สุขุมวิท",
                "city": "",
                "province": "กรุงเทพมหานคร",
                "post_code": "10110",
            },
            "items": [
                {
                    "order_item_id": f"{order_id}-{index}",
                    "item_id": item_id,
                    "sku_id": sku_id,
                    "sku": sku,
                    "name": f"Item {item_id}",
                    "item_price": price,
                    "paid_price": price,
                    "status": status,
                }
                for index, (item_id, sku_id, sku, price, status) in enumerate(rows)
            ],
            "settlement": settlement,
        },
        **extra,
    )


def item(item_id, skus, status="active", name=None):
    """An item with ``skus``: (sku id, seller SKU, price text, quantity)."""
    return {
        "item_id": item_id,
        "name": name or f"Item {item_id}",
        "status": status,
        "updated_at": at(0),
        "skus": [
            {"sku_id": sku_id, "seller_sku": sku, "price": price, "quantity": qty}
            for sku_id, sku, price, qty in skus
        ],
    }


def create_test_shop(cls, account_name):
    """An account of the test channel (push key "push-key") with shop SHOP,
    on ``cls``: ``account``, ``backend``, ``shop``."""
    cls.account = cls.env["marketplace.account"].create(
        {
            "name": account_name,
            "channel": "test_channel",
            "environment": "simulator",
            "test_channel_push_key": "push-key",
        }
    )
    cls.backend = cls.env["test.channel.shop"].create(
        {
            "account_id": cls.account.id,
            "name": "ร้านทดสอบ",
            "external_id": SHOP,
            "access_token_expires_at": fields.Datetime.now() + timedelta(hours=4),
            "auto_create_sale_orders": False,
            "lang": "en_US",
        }
    )
    cls.shop = cls.backend.marketplace_shop_id


class TestChannelCase(MarketplaceTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        create_test_shop(cls, "Test channel")
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.env.company.id)], limit=1
        )
        cls.shop.warehouse_id = cls.warehouse
        product = cls.env["product.product"]
        cls.cable = product.create(
            {"name": "USB-C cable", "default_code": "TC-CABLE", "is_storable": True}
        )
        cls.shirt_m = product.create(
            {"name": "Shirt M", "default_code": "TC-SHIRT-M", "is_storable": True}
        )

    def setUp(self):
        super().setUp()
        API.reset()
        self.addCleanup(API.reset)

    def set_stock(self, product, quantity):
        self.env["stock.quant"]._update_available_quantity(
            product, self.warehouse.lot_stock_id, quantity
        )

    def job(self, job_type, payload):
        return self.env["marketplace.job"].create(
            {
                "job_type": job_type,
                "account_id": self.account.id,
                "shop_id": self.shop.id,
                "payload": json.dumps(payload),
            }
        )

    def pull_job(self, since, until):
        """A pull_orders job with the guide's payload, minutes from NOW."""

        def utc(minutes):
            moment = NOW + timedelta(minutes=minutes)
            return fields.Datetime.to_string(moment).replace(" ", "T") + "Z"

        return self.job("pull_orders", {"since": utc(since), "until": utc(until)})

    def pull_orders(self, since=-60, until=60, failed=()):
        job = self.pull_job(since, until)
        self.run_queue_jobs(failed=failed)
        self.env.invalidate_all()
        return job

    def orders(self):
        return self.env["marketplace.order"].search([("shop_id", "=", self.shop.id)])
