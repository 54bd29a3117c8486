"""Lazada's orders, items and products in the base's neutral words.

Real Lazada data (lazada-api.md §8b): one item row per unit, a status per
row, the order's ``price`` a string with a thousands separator while other
amounts are numbers, times as ``2026-11-20 14:03:11 +0700`` or ISO 8601,
empty strings for absent values, SKUs of any shape.
"""

import json
import re
from datetime import datetime, timedelta, timezone

from odoo.addons.component.core import Component
from odoo.addons.connector.components.mapper import mapping, only_create
from odoo.addons.connector_marketplace.models.marketplace_order import (
    order_status_of_items,
)
from odoo.addons.connector_marketplace.models.marketplace_product_binding import (
    GONE_STATUSES,
    NO_VARIATION,
    clean_sku,
)

BANGKOK = timezone(timedelta(hours=7))
# older item rows have no sku_id: their listing key uses the base's
# "no variation"
NO_SKU_ID = NO_VARIATION

# Lazada's item statuses (lazada-api.md §4) in the base's lifecycle. Lost or
# damaged parcels and scrapped packages have left the stock and never reached
# the buyer: as shipped.
ITEM_STATUSES = {
    "unpaid": "awaiting_payment",
    "pending": "to_ship",
    "repacked": "packed",
    "packed": "packed",
    "ready_to_ship_pending": "packed",
    "ready_to_ship": "packed",
    "shipped": "shipping",
    "failed_delivery": "shipping",
    "lost_by_3pl": "shipping",
    "damaged_by_3pl": "shipping",
    "shipped_back_failed": "shipping",
    "delivered": "delivered",
    "package_scrapped": "shipping",
    "confirmed": "completed",
    "canceled": "cancelled",
    "cancelled": "cancelled",
    "returned": "returned",
    "shipped_back": "returned",
    "shipped_back_success": "returned",
}
GONE_ITEM_STATUSES = ("canceled", "cancelled")


def item_status(row):
    """An item row's status in the base's lifecycle: an item whose buyer asks
    to cancel keeps Lazada's status and says so by ``need_cancel_confirm``."""
    status = (row.get("status") or "").strip().lower()
    asked = row.get("need_cancel_confirm")
    if (asked is True or str(asked).lower() == "true") and (
        status not in GONE_ITEM_STATUSES
    ):
        return "cancel_requested"
    return ITEM_STATUSES.get(status, "unknown")


# /products/get's product status and SKU status
LISTING_STATUSES = {
    "active": "normal",
    "inactive": "unlisted",
    "pending": "under_review",
    "rejected": "unlisted",
    "deleted": "deleted_by_seller",
    "pending qc": "under_review",
    # taken down by Lazada (a listing rule broken) until the seller fixes it
    "suspended": "banned",
}


def amount(value):
    """A Lazada amount: a number, or a string such as ``"1,152.00"``."""
    if value in (None, "", False):
        return 0.0
    if isinstance(value, (int, float)):
        return float(value)
    return float(str(value).replace(",", "").strip() or 0)


def parse_time(value):
    """A Lazada time as a naive UTC datetime, or False."""
    text = str(value or "").strip()
    if not text:
        return False
    # "2026-11-20 14:03:11 +0700" → ISO 8601
    text = re.sub(r"^(\S+) (\S+) ([+-]\d{2}):?(\d{2})$", r"\1T\2\3:\4", text)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return False
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BANGKOK)
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def item_key(row):
    """(item id, SKU id) of an order row: the listing it sold."""
    return str(row.get("product_id") or ""), str(row.get("sku_id") or NO_SKU_ID)


def live_rows(rows):
    """The rows the sale order is made of: cancelled units are left out,
    unless every unit is (the order itself is cancelled)."""
    live = [r for r in rows if (r.get("status") or "") not in GONE_ITEM_STATUSES]
    return live or list(rows)


def lines_of(rows):
    """One line per listing from the rows, which are one per unit."""
    lines = {}
    for row in live_rows(rows):
        line = lines.setdefault(item_key(row), dict(row, quantity=0, item_total=0.0))
        line["quantity"] += 1
        line["item_total"] += amount(row.get("item_price"))
    return list(lines.values())


def order_total(rows):
    """What the buyer pays for the units that go on: their prices after
    every voucher, and their shipping."""
    return round(
        sum(
            amount(row.get("paid_price")) + amount(row.get("shipping_amount"))
            for row in live_rows(rows)
        ),
        2,
    )


def money_from_items(rows):
    """What ``marketplace.order._apply_money`` takes, from an order's rows.

    Each row carries its share of the order's vouchers and shipping; the
    buyer paid ``paid_price`` (the price after every voucher) and the
    shipping. Lazada's fees and payout come with its finance transactions.
    """
    rows = live_rows(rows)

    def total(name):
        return round(sum(amount(row.get(name)) for row in rows), 2)

    items = {}
    for row in rows:
        key = item_key(row)
        items[key] = items.get(key, 0.0) + amount(row.get("item_price"))
    return {
        "amounts": {
            "buyer_total": round(total("paid_price") + total("shipping_amount"), 2),
            "items_subtotal": total("item_price"),
            "seller_voucher": total("voucher_seller"),
            "platform_voucher": total("voucher_platform"),
            "buyer_shipping_fee": total("shipping_amount"),
            "actual_shipping_fee": total("shipping_fee_original"),
            "platform_shipping_subsidy": total("shipping_fee_discount_platform"),
        },
        "items": [
            {
                "item_id": item_id,
                "variation_id": sku_id,
                "subtotal": round(subtotal, 2),
                "deal": False,
            }
            for (item_id, sku_id), subtotal in items.items()
        ],
        "payload": rows,
    }


def address_line(address):
    parts = [address.get(f"address{i}") for i in range(1, 6)]
    return ", ".join(part.strip() for part in parts if (part or "").strip()) or False


class LazadaOrderImportMapper(Component):
    _name = "lazada.order.import.mapper"
    _inherit = ["marketplace.import.mapper", "lazada.base"]
    _apply_on = "lazada.order"

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
            "name": str(record["order_id"]),
        }

    @mapping
    def status(self, record):
        raw = [(row.get("status") or "").strip().lower() for row in record["items"]]
        if not raw:
            raw = [str(s).strip().lower() for s in record.get("statuses") or []]
        statuses = (
            [item_status(row) for row in record["items"]]
            if record["items"]
            else [ITEM_STATUSES.get(status, "unknown") for status in raw]
        )
        if "cancel_requested" in statuses:
            raw.append("cancellation requested")
        return {
            "raw_status": ", ".join(sorted(set(raw))) or False,
            "status": order_status_of_items(statuses),
        }

    @mapping
    def order(self, record):
        rows = record["items"]
        carriers = [
            r.get("shipment_provider") for r in rows if r.get("shipment_provider")
        ]
        sla = [parse_time(r.get("sla_time_stamp")) for r in rows]
        return {
            "date_order": parse_time(record.get("created_at")),
            "date_updated": parse_time(record.get("updated_at")),
            "ship_by_date": min((d for d in sla if d), default=False),
            "currency_id": self.env.ref("base.THB").id,
            # the units that go on: the order's "price" also counts the
            # cancelled ones
            "amount_total": order_total(rows),
            "shipping_fee": amount(record.get("shipping_fee")),
            "cod": (record.get("payment_method") or "").upper() == "COD",
            "payment_method": record.get("payment_method") or False,
            "shipping_carrier": carriers[0] if carriers else False,
            "message_to_seller": record.get("remarks") or False,
            "cancel_reason": next(
                (r["reason"] for r in rows if r.get("reason")), False
            ),
            "needs_sale_sync": True,
        }

    @mapping
    def recipient(self, record):
        # Kept as Lazada sends it: masked, e.g. "66********41".
        address = record.get("address_shipping") or {}
        name = " ".join(
            part.strip()
            for part in (address.get("first_name"), address.get("last_name"))
            if (part or "").strip()
        )
        buyer = " ".join(
            part.strip()
            for part in (
                record.get("customer_first_name"),
                record.get("customer_last_name"),
            )
            if (part or "").strip()
        )
        return {
            "buyer_username": buyer or False,
            "recipient_name": name or False,
            "recipient_phone": address.get("phone") or False,
            "recipient_address": address_line(address),
            "recipient_city": address.get("city") or False,
            "recipient_state": address.get("address3") or False,
            "recipient_zip": address.get("post_code") or False,
            "recipient_region": "TH",
        }

    @mapping
    def raw_payload(self, record):
        return {
            "raw_payload": json.dumps(
                record, ensure_ascii=False, indent=2, sort_keys=True
            )
        }


class LazadaOrderLineImportMapper(Component):
    _name = "lazada.order.line.import.mapper"
    _inherit = ["marketplace.import.mapper", "lazada.base"]
    _apply_on = "marketplace.order.line"

    @mapping
    def line(self, line):
        item_id, sku_id = item_key(line)
        sku = clean_sku(line.get("sku"))
        return {
            "external_key": f"{item_id}/{sku_id}",
            "item_id": item_id or False,
            "variation_id": sku_id if sku_id != NO_SKU_ID else False,
            "sku": sku or False,
            "name": line.get("name") or sku or item_id,
            "variation_name": line.get("variation") or False,
            "quantity": line["quantity"],
            "price_original": amount(line.get("item_price")),
            # before vouchers, as the seller priced it (the vouchers are the
            # order's money)
            "price_unit": round(line["item_total"] / line["quantity"], 2),
        }

    @mapping
    def product(self, line):
        resolve = self.options.product_resolver
        if not (resolve and self.options.for_create):
            return {}
        item_id, sku_id = item_key(line)
        shop = self.backend_record.marketplace_shop_id
        binding, product = resolve(
            shop,
            shop.company_id,
            item_id or False,
            sku_id if sku_id != NO_SKU_ID else False,
            clean_sku(line.get("sku")) or False,
        )
        values = {}
        if binding:
            values["product_binding_id"] = binding.id
        if product:
            values["product_id"] = product.id
        return values


class LazadaOrderLineMapChild(Component):
    _name = "lazada.order.line.map.child"
    _inherit = ["marketplace.keyed.map.child", "lazada.base"]
    _apply_on = "marketplace.order.line"


class LazadaListingImportMapper(Component):
    """A listing is one SKU of a product, its product's fields merged in."""

    _name = "lazada.listing.import.mapper"
    _inherit = ["marketplace.import.mapper", "lazada.base"]
    _apply_on = "lazada.product.binding"

    @only_create
    @mapping
    def identity(self, listing):
        return {
            "backend_id": self.backend_record.id,
            "shop_id": self.backend_record.marketplace_shop_id.id,
            "external_item_id": str(listing["item_id"]),
            "external_variation_id": str(listing.get("SkuId") or NO_SKU_ID),
            "origin": "pulled",
        }

    @mapping
    def listing(self, listing):
        attributes = listing.get("attributes") or {}
        product_status = (listing.get("status") or "").strip().lower()
        sku_status = (listing.get("Status") or "").strip().lower()
        status = LISTING_STATUSES.get(product_status, "unknown")
        if status == "normal" and sku_status and sku_status != "active":
            status = LISTING_STATUSES.get(sku_status, "unknown")
        variation = ", ".join(
            f"{value}"
            for key, value in sorted((listing.get("saleProp") or {}).items())
            if value
        )
        return {
            "name": attributes.get("name") or clean_sku(listing.get("SellerSku")),
            "variation_name": variation or False,
            "sku": clean_sku(listing.get("SellerSku")) or False,
            "price": amount(listing.get("special_price") or listing.get("price")),
            "marketplace_stock": sellable(listing),
            "listing_status": status,
            "date_listing_updated": epoch_ms(listing.get("updated_time")),
            "active": status not in GONE_STATUSES,
        }


def sellable(sku):
    """What buyers can still buy of a SKU: the warehouses' sellable
    quantities (``quantity`` also counts the units of open orders)."""
    warehouses = [
        w for w in sku.get("multiWarehouseInventories") or [] if isinstance(w, dict)
    ]
    if warehouses:
        return sum(int(w.get("sellableQuantity") or 0) for w in warehouses)
    for name in ("sellableStock", "Available", "quantity"):
        if sku.get(name) not in (None, ""):
            return int(sku[name])
    return 0


def epoch_ms(value):
    """Lazada's product times: milliseconds since the epoch, as text."""
    try:
        millis = int(value)
    except (TypeError, ValueError):
        return False
    return datetime.fromtimestamp(millis / 1000, timezone.utc).replace(tzinfo=None)
