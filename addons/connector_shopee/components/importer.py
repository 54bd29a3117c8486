"""Shopee order importers: listing by window, upsert by order_sn."""

from odoo.addons.component.core import Component
from odoo.addons.connector_marketplace.components.mapper import epoch_to_datetime

from .mapper import line_sku


class ShopeeOrderBatchImporter(Component):
    _name = "shopee.order.batch.importer"
    _inherit = ["marketplace.batch.importer", "shopee.base"]
    _apply_on = "shopee.order"

    def _external_id_of(self, record):
        return record["order_sn"]


class ShopeeOrderImporter(Component):
    _name = "shopee.order.importer"
    _inherit = ["marketplace.record.importer", "shopee.base"]
    _apply_on = "shopee.order"

    def _is_uptodate(self, binding):
        """Data never goes back in time: older data is skipped; data of the
        same second is skipped only when it is the same (two changes can
        happen within one second)."""
        incoming = epoch_to_datetime(self.external_data.get("update_time"))
        if incoming and binding.date_updated and incoming != binding.date_updated:
            return incoming < binding.date_updated
        return super()._is_uptodate(binding)

    def _batch_mapping_options(self, records):
        """New lines get their listing and product when created, by the rules
        of ``_assign_products`` looked up once for the chunk (which then finds
        nothing to change), instead of a write per line afterwards."""
        options = super()._batch_mapping_options(records)
        item_ids, skus = set(), set()
        for record in records:
            for item in record.get("item_list") or []:
                item_ids.add(str(item.get("item_id") or ""))
                skus.add(line_sku(item))
        shop = self.backend_record.marketplace_shop_id
        options["product_resolver"] = self.env[
            "marketplace.order.line"
        ]._product_resolver(shop, list(item_ids - {""}), list(skus - {""}))
        return options
