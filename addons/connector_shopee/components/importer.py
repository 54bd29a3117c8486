"""Shopee order importers: listing by window, upsert by order_sn."""

from odoo.addons.component.core import Component
from odoo.addons.connector_marketplace.components.mapper import epoch_to_datetime


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
