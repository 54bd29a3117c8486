from odoo.addons.component.core import Component
from odoo.addons.connector_marketplace.components.importer import ChunkResult


class TestChannelOrderBatchImporter(Component):
    _name = "test.channel.order.batch.importer"
    _inherit = ["marketplace.batch.importer", "test.channel.base"]
    _apply_on = "test.channel.order"

    def _external_id_of(self, record):
        return record["order_id"]


class TestChannelOrderImporter(Component):
    _name = "test.channel.order.importer"
    _inherit = ["marketplace.record.importer", "test.channel.base"]
    _apply_on = "test.channel.order"


class TestChannelListingImporter(Component):
    _name = "test.channel.listing.importer"
    _inherit = ["marketplace.record.importer", "test.channel.base"]
    _apply_on = "test.channel.listing"


class TestChannelListingBatchImporter(Component):
    _name = "test.channel.listing.batch.importer"
    _inherit = ["marketplace.batch.importer", "test.channel.base"]
    _apply_on = "test.channel.listing"

    def import_chunk(self, items):
        """The listings (one per SKU) of ``items`` ([item id, status])."""
        item_ids = [item_id for item_id, _status in items]
        records = [
            dict(
                sku,
                item_id=item["item_id"],
                name=item["name"],
                status=item["status"],
                updated_at=item["updated_at"],
            )
            for item in self.backend_adapter.read(item_ids)
            for sku in item["skus"]
        ]
        outcomes = self.component(usage="record.importer").run_batch(
            [(f"{r['item_id']}/{r['sku_id']}", r) for r in records]
        )
        result = ChunkResult(self.model.browse())
        result.bindings = self.model.browse(
            list(dict.fromkeys(b.id for b, _o in outcomes if b))
        )
        result.outcomes.update(outcome for _b, outcome in outcomes)
        returned = {r["item_id"] for r in records}
        result.missing = [item_id for item_id in item_ids if item_id not in returned]
        return result
