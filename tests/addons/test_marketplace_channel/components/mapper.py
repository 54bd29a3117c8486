"""The fake marketplace's data in the base's neutral words."""

import json

from odoo.addons.component.core import Component
from odoo.addons.connector.components.mapper import mapping, only_create
from odoo.addons.connector_marketplace.models.marketplace_order import (
    order_status_of_items,
)
from odoo.addons.connector_marketplace.models.marketplace_product_binding import (
    GONE_STATUSES,
    clean_sku,
)

from ..fake_api import amount, parse_time

# the fake's statuses of an order's items, in the base's lifecycle
ITEM_STATUSES = {
    "unpaid": "awaiting_payment",
    "pending": "to_ship",
    "packed": "packed",
    "shipped": "shipping",
    "delivered": "delivered",
    "canceled": "cancelled",
    "requested_cancel": "cancel_requested",
    "returned": "returned",
}
LISTING_STATUSES = {
    "active": "normal",
    "inactive": "unlisted",
    "deleted": "deleted_by_seller",
}


def lines_of(rows):
    """One line per item and SKU from the rows, which are one per unit."""
    lines = {}
    for row in rows:
        key = (row["item_id"], row["sku_id"])
        line = lines.setdefault(key, dict(row, quantity=0, paid_total=0.0))
        line["quantity"] += 1
        line["paid_total"] += amount(row["paid_price"])
    return list(lines.values())


def money_from_settlement(settlement):
    """What ``marketplace.order._apply_money`` takes."""
    return {
        "amounts": {
            "buyer_total": amount(settlement["buyer_paid"]),
            "items_subtotal": amount(settlement["items_total"]),
            "seller_voucher": amount(settlement["seller_voucher"]),
            "platform_voucher": amount(settlement["platform_voucher"]),
            "buyer_shipping_fee": amount(settlement["shipping_paid"]),
            "commission_fee": amount(settlement["commission"]),
            "payout_amount": amount(settlement["payout"]),
        },
        "items": [
            {
                "item_id": row["item_id"],
                "variation_id": row["sku_id"],
                "subtotal": amount(row["seller_price"]),
                "deal": False,
            }
            for row in settlement["rows"]
        ],
        "payload": settlement,
    }


class TestChannelOrderMapper(Component):
    _name = "test.channel.order.mapper"
    _inherit = ["marketplace.import.mapper", "test.channel.base"]
    _apply_on = "test.channel.order"

    children = [("items", "line_ids", "marketplace.order.line")]

    def _map_child(self, map_record, from_attr, to_attr, model_name):
        if from_attr != "items" or from_attr not in map_record.source:
            return super()._map_child(map_record, from_attr, to_attr, model_name)
        return self._get_map_child_component(model_name).get_items(
            lines_of(map_record.source["items"]), map_record, to_attr, self.options
        )

    @only_create
    @mapping
    def identity(self, record):
        return {
            "backend_id": self.backend_record.id,
            "shop_id": self.backend_record.marketplace_shop_id.id,
            "name": record["order_id"],
        }

    @mapping
    def status(self, record):
        raw = [row["status"] for row in record["items"]]
        return {
            "raw_status": ", ".join(sorted(set(raw))),
            "status": order_status_of_items(
                ITEM_STATUSES.get(status, "unknown") for status in raw
            ),
        }

    @mapping
    def order(self, record):
        address = record.get("address") or {}
        return {
            "date_order": parse_time(record["created_at"]),
            "date_updated": parse_time(record["updated_at"]),
            "currency_id": self.env.ref("base.THB").id,
            "amount_total": amount(record["price"]),
            "shipping_fee": amount(record.get("shipping_fee")),
            "recipient_name": address.get("name") or False,
            "recipient_phone": address.get("phone") or False,
            "recipient_address": address.get("line") or False,
            "recipient_city": address.get("city") or False,
            "recipient_state": address.get("province") or False,
            "recipient_zip": address.get("post_code") or False,
            "needs_sale_sync": True,
            "raw_payload": json.dumps(record, ensure_ascii=False, sort_keys=True),
        }


class TestChannelOrderLineMapper(Component):
    _name = "test.channel.order.line.mapper"
    _inherit = ["marketplace.import.mapper", "test.channel.base"]
    _apply_on = "marketplace.order.line"

    @mapping
    def line(self, line):
        return {
            "external_key": f"{line['item_id']}/{line['sku_id']}",
            "item_id": line["item_id"],
            "variation_id": line["sku_id"],
            "sku": clean_sku(line.get("sku")) or False,
            "name": line["name"],
            "quantity": line["quantity"],
            "price_original": amount(line["item_price"]),
            "price_unit": line["paid_total"] / line["quantity"],
        }


class TestChannelOrderLineMapChild(Component):
    _name = "test.channel.order.line.map.child"
    _inherit = ["marketplace.keyed.map.child", "test.channel.base"]
    _apply_on = "marketplace.order.line"


class TestChannelListingMapper(Component):
    _name = "test.channel.listing.mapper"
    _inherit = ["marketplace.import.mapper", "test.channel.base"]
    _apply_on = "test.channel.listing"

    @only_create
    @mapping
    def identity(self, listing):
        return {
            "backend_id": self.backend_record.id,
            "shop_id": self.backend_record.marketplace_shop_id.id,
            "external_item_id": listing["item_id"],
            "external_variation_id": listing["sku_id"],
            "origin": "pulled",
        }

    @mapping
    def listing(self, listing):
        status = LISTING_STATUSES.get(listing["status"], "unknown")
        return {
            "name": listing["name"],
            "variation_name": listing.get("variation") or False,
            "sku": clean_sku(listing.get("seller_sku")) or False,
            "price": amount(listing["price"]),
            "marketplace_stock": int(listing["quantity"]),
            "listing_status": status,
            "date_listing_updated": parse_time(listing["updated_at"]),
            "active": status not in GONE_STATUSES,
        }
