"""Shopee listings → product bindings: mapper, record and batch importers."""

from odoo.addons.component.core import Component
from odoo.addons.connector.components.mapper import mapping, only_create
from odoo.addons.connector_marketplace.components.importer import ChunkResult
from odoo.addons.connector_marketplace.components.mapper import epoch_to_datetime
from odoo.addons.connector_marketplace.models.marketplace_product_binding import (
    GONE_STATUSES,
    clean_sku,
)


def listing_id(listing):
    return f"{listing['item_id']}/{listing['model_id']}"


# Shopee's item_status in the base's listing states.
LISTING_STATUSES = {
    "NORMAL": "normal",
    "UNLIST": "unlisted",
    "REVIEWING": "under_review",
    "BANNED": "banned",
    "SELLER_DELETE": "deleted_by_seller",
    "SHOPEE_DELETE": "deleted_by_marketplace",
}


def listing_status(raw):
    return LISTING_STATUSES.get((raw or "").strip().upper(), "unknown")


class ShopeeProductImportMapper(Component):
    _name = "shopee.product.import.mapper"
    _inherit = ["marketplace.import.mapper", "shopee.base"]
    _apply_on = "shopee.product.binding"

    @only_create
    @mapping
    def identity(self, listing):
        return {
            "backend_id": self.backend_record.id,
            "shop_id": self.backend_record.marketplace_shop_id.id,
            "external_item_id": listing["item_id"],
            "external_variation_id": listing["model_id"],
            "origin": "pulled",
        }

    @mapping
    def listing(self, listing):
        status = listing_status(listing.get("item_status"))
        return {
            "name": listing.get("item_name") or False,
            "variation_name": listing.get("model_name") or False,
            "sku": clean_sku(listing.get("sku")) or False,
            "price": float(listing.get("price") or 0.0),
            "marketplace_stock": int(listing.get("stock") or 0),
            "listing_status": status,
            "date_listing_updated": epoch_to_datetime(listing.get("update_time")),
            "active": status not in GONE_STATUSES,
        }


class ShopeeProductImporter(Component):
    _name = "shopee.product.importer"
    _inherit = ["marketplace.record.importer", "shopee.base"]
    _apply_on = "shopee.product.binding"

    def _is_uptodate(self, binding):
        """An unchanged listing is skipped, unless its binding's active flag
        says otherwise: a listing deactivated by mistake (a pull of a window
        taken for a whole one, an archive) is active again once seen."""
        listed = listing_status(self.external_data.get("item_status"))
        return super()._is_uptodate(binding) and binding.active == (
            listed not in GONE_STATUSES
        )

    def _create(self, values):
        """A listing bound by hand before it was pulled keeps its row."""
        existing = (
            self.env["marketplace.product.binding"]
            .with_context(active_test=False)
            .search(
                [
                    ("shop_id", "=", values["shop_id"]),
                    ("external_item_id", "=", values["external_item_id"]),
                    ("external_variation_id", "=", values["external_variation_id"]),
                ],
                limit=1,
            )
        )
        if existing:
            values = dict(values, odoo_id=existing.id)
        return super()._create(values)


class ShopeeProductBatchImporter(Component):
    _name = "shopee.product.batch.importer"
    _inherit = ["marketplace.batch.importer", "shopee.base"]
    _apply_on = "shopee.product.binding"

    def _external_id_of(self, record):
        return listing_id(record)

    def import_chunk(self, items):
        """Upsert the listings of ``items`` ([item_id, status] pairs).

        Listings Shopee no longer returns become inactive: the models gone
        from a returned item, and every listing of an item listed in a gone
        status that Shopee does not return any more.
        """
        statuses = {str(item_id): status for item_id, status in items}
        listings = self._read_isolating(list(statuses))
        importer = self.component(usage="record.importer")
        result = ChunkResult(self.model.browse())
        for listing in listings:
            result.bindings |= importer.run(listing_id(listing), listing)
            result.outcomes[importer.outcome] += 1
        returned = {listing["item_id"] for listing in listings}
        seen = {listing_id(listing) for listing in listings}
        known = self.model.with_context(active_test=False).search(
            [
                ("backend_id", "=", self.backend_record.id),
                ("external_item_id", "in", list(statuses)),
                ("active", "=", True),
            ]
        )
        gone = known.filtered(
            lambda b: (
                (b.external_item_id in returned and b.external_id not in seen)
                or (
                    b.external_item_id not in returned
                    and listing_status(statuses.get(b.external_item_id))
                    in GONE_STATUSES
                )
            )
        )
        for binding in gone:
            status = listing_status(statuses.get(binding.external_item_id))
            binding.write(
                {
                    "active": False,
                    "listing_status": status if status in GONE_STATUSES else "unknown",
                }
            )
        result.outcomes["gone"] += len(gone)
        result.missing = [
            item_id
            for item_id, status in statuses.items()
            if item_id not in returned and listing_status(status) not in GONE_STATUSES
        ]
        return result
