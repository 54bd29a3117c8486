"""Shopee order (get_order_detail) → marketplace order and lines."""

import json

from odoo.addons.component.core import Component
from odoo.addons.connector.components.mapper import mapping, only_create
from odoo.addons.connector_marketplace.components.mapper import epoch

# Shopee's order_status (shopee-api.md §5) in the base's lifecycle.
STATUSES = {
    "UNPAID": "awaiting_payment",
    "PENDING": "awaiting_payment",
    "READY_TO_SHIP": "to_ship",
    # the pick-up failed: the seller arranges the shipment again
    "RETRY_SHIP": "to_ship",
    # Brazil only: the seller uploads the invoice before shipping
    "INVOICE_PENDING": "to_ship",
    # shipment arranged, tracking number given, waiting for the carrier
    "PROCESSED": "packed",
    "SHIPPED": "shipping",
    "TO_CONFIRM_RECEIVE": "delivered",
    "COMPLETED": "completed",
    "IN_CANCEL": "cancel_requested",
    "CANCELLED": "cancelled",
    "TO_RETURN": "returned",
}


class ShopeeOrderImportMapper(Component):
    _name = "shopee.order.import.mapper"
    _inherit = ["marketplace.import.mapper", "shopee.base"]
    _apply_on = "shopee.order"

    direct = [
        (epoch("create_time"), "date_order"),
        (epoch("update_time"), "date_updated"),
        (epoch("pay_time"), "date_paid"),
        (epoch("ship_by_date"), "ship_by_date"),
    ]
    children = [("item_list", "line_ids", "marketplace.order.line")]

    @only_create
    @mapping
    def backend(self, record):
        return {
            "backend_id": self.backend_record.id,
            "shop_id": self.backend_record.marketplace_shop_id.id,
            "name": record["order_sn"],
        }

    @mapping
    def status(self, record):
        raw = record.get("order_status") or ""
        return {
            "raw_status": raw,
            "status": STATUSES.get(raw.strip().upper(), "unknown"),
        }

    @mapping
    def currency(self, record):
        # One search per currency and chunk, not per order.
        name = record.get("currency") or ""
        known = self.__dict__.setdefault("_currency_ids", {})
        if name not in known:
            known[name] = (
                self.env["res.currency"]
                .with_context(active_test=False)
                .search([("name", "=", name)], limit=1)
                .id
                or False
            )
        return {"currency_id": known[name]}

    @mapping
    def amounts(self, record):
        return {
            "amount_total": float(record.get("total_amount") or 0.0),
            "shipping_fee": float(record.get("estimated_shipping_fee") or 0.0),
            "cod": bool(record.get("cod")),
        }

    @mapping
    def sale_sync(self, record):
        # Imported or changed: its sale order is brought in line afterwards.
        return {"needs_sale_sync": True}

    @staticmethod
    def carrier(record):
        """Real Thai orders leave the top-level carrier empty: take the
        package's, else the one chosen at checkout."""
        if record.get("shipping_carrier"):
            return record["shipping_carrier"]
        for package in record.get("package_list") or []:
            if package.get("shipping_carrier"):
                return package["shipping_carrier"]
        return record.get("checkout_shipping_carrier") or False

    @mapping
    def details(self, record):
        return {
            "payment_method": record.get("payment_method") or False,
            "shipping_carrier": self.carrier(record),
            "buyer_username": record.get("buyer_username") or False,
            "buyer_user_id": str(record.get("buyer_user_id") or "") or False,
            "message_to_seller": record.get("message_to_seller") or False,
            "note": record.get("note") or False,
            "cancel_by": record.get("cancel_by") or False,
            "cancel_reason": record.get("cancel_reason") or False,
        }

    @mapping
    def recipient(self, record):
        # Kept as Shopee sends it: masked, e.g. "s****a", "******89".
        address = record.get("recipient_address") or {}
        return {
            "recipient_name": address.get("name") or False,
            "recipient_phone": address.get("phone") or False,
            "recipient_address": address.get("full_address") or False,
            "recipient_district": address.get("district") or False,
            "recipient_city": address.get("city") or False,
            "recipient_state": address.get("state") or False,
            "recipient_zip": address.get("zipcode") or False,
            "recipient_region": address.get("region") or False,
        }

    @mapping
    def raw_payload(self, record):
        return {
            "raw_payload": json.dumps(
                record, ensure_ascii=False, indent=2, sort_keys=True
            )
        }


def line_sku(item):
    """The SKU of an order line: model_sku sometimes ends with a newline (a
    real Shopee quirk)."""
    return (item.get("model_sku") or "").strip() or (item.get("item_sku") or "").strip()


class ShopeeOrderLineImportMapper(Component):
    _name = "shopee.order.line.import.mapper"
    _inherit = ["marketplace.import.mapper", "shopee.base"]
    _apply_on = "marketplace.order.line"

    @mapping
    def line(self, item):
        item_id = str(item.get("item_id") or "")
        model_id = str(item.get("model_id") or "")
        sku = line_sku(item)
        key = "/".join(
            [
                item_id,
                model_id or "0",
                str(item.get("order_item_id") or ""),
                str(item.get("promotion_group_id") or ""),
            ]
        )
        return {
            "external_key": key,
            "item_id": item_id or False,
            "variation_id": model_id if model_id not in ("", "0") else False,
            "sku": sku or False,
            "name": item.get("item_name") or sku or item_id,
            "variation_name": item.get("model_name") or False,
            "quantity": float(item.get("model_quantity_purchased") or 0),
            "price_original": float(item.get("model_original_price") or 0.0),
            "price_unit": float(item.get("model_discounted_price") or 0.0),
            "promotion_type": item.get("promotion_type") or False,
        }

    @mapping
    def product(self, item):
        # A new order's lines are created with their listing and product
        # (see the importer's _batch_mapping_options); later changes of an
        # order's lines are matched by _assign_products after the import.
        resolve = self.options.product_resolver
        if not (resolve and self.options.for_create):
            return {}
        model_id = str(item.get("model_id") or "")
        shop = self.backend_record.marketplace_shop_id
        binding, product = resolve(
            shop,
            shop.company_id,
            str(item.get("item_id") or "") or False,
            model_id if model_id not in ("", "0") else False,
            line_sku(item) or False,
        )
        values = {}
        if binding:
            values["product_binding_id"] = binding.id
        if product:
            values["product_id"] = product.id
        return values


class ShopeeOrderLineMapChild(Component):
    _name = "shopee.order.line.map.child"
    _inherit = ["marketplace.keyed.map.child", "shopee.base"]
    _apply_on = "marketplace.order.line"
