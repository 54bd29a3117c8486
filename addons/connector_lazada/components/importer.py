"""Lazada importers: orders by update window and id, listings per SKU."""

from odoo.addons.component.core import Component
from odoo.addons.connector_marketplace.components.importer import ChunkResult
from odoo.addons.connector_marketplace.models.marketplace_product_binding import (
    clean_sku,
)

from .mapper import NO_SKU_ID, item_key, parse_time


class LazadaOrderBatchImporter(Component):
    _name = "lazada.order.batch.importer"
    _inherit = ["marketplace.batch.importer", "lazada.base"]
    _apply_on = "lazada.order"

    def _external_id_of(self, record):
        return str(record["order_id"])


class LazadaOrderImporter(Component):
    _name = "lazada.order.importer"
    _inherit = ["marketplace.record.importer", "lazada.base"]
    _apply_on = "lazada.order"

    def _is_uptodate(self, binding):
        """Data never goes back in time (a push and a pull may cross)."""
        incoming = parse_time(self.external_data.get("updated_at"))
        if incoming and binding.date_updated and incoming != binding.date_updated:
            return incoming < binding.date_updated
        return super()._is_uptodate(binding)

    def _batch_mapping_options(self, records):
        """New lines get their listing and product when created, looked up
        once for the chunk."""
        options = super()._batch_mapping_options(records)
        item_ids, skus = set(), set()
        for record in records:
            for row in record.get("items") or []:
                item_ids.add(item_key(row)[0])
                skus.add(clean_sku(row.get("sku")))
        shop = self.backend_record.marketplace_shop_id
        options["product_resolver"] = self.env[
            "marketplace.order.line"
        ]._product_resolver(shop, list(item_ids - {""}), list(skus - {""}))
        return options


class LazadaListingImporter(Component):
    _name = "lazada.listing.importer"
    _inherit = ["marketplace.record.importer", "lazada.base"]
    _apply_on = "lazada.product.binding"


class LazadaListingBatchImporter(Component):
    _name = "lazada.listing.batch.importer"
    _inherit = ["marketplace.batch.importer", "lazada.base"]
    _apply_on = "lazada.product.binding"

    def import_chunk(self, items):
        """The listings (one per SKU) of ``items`` ([item id, status])."""
        item_ids = [str(item_id) for item_id, _status in items]
        records = [
            dict(
                sku,
                item_id=str(product["item_id"]),
                attributes=product.get("attributes") or {},
                status=product.get("status") or "",
                updated_time=product.get("updated_time"),
            )
            for product in self.backend_adapter.read(item_ids)
            for sku in product.get("skus") or []
        ]
        outcomes = self.component(usage="record.importer").run_batch(
            [(f"{r['item_id']}/{r.get('SkuId') or NO_SKU_ID}", r) for r in records]
        )
        result = ChunkResult(self.model.browse())
        result.bindings = self.model.browse(
            list(dict.fromkeys(binding.id for binding, _o in outcomes if binding))
        )
        result.outcomes.update(outcome for _b, outcome in outcomes)
        returned = {r["item_id"] for r in records}
        result.missing = [item_id for item_id in item_ids if item_id not in returned]
        return result
