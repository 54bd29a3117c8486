"""The test channel's backend: every hook of the channel contract, on the
in-memory marketplace (``..fake_api``), and nothing else of the base."""

from datetime import timedelta

from odoo import fields, models
from odoo.exceptions import UserError

from odoo.addons.connector_marketplace.models.marketplace_channel_backend import (
    ChannelCapabilities,
)

from ..components.mapper import money_from_settlement
from ..fake_api import STOCK_CALL_LIMIT


class TestChannelShop(models.Model):
    _name = "test.channel.shop"
    _description = "Test Channel Shop"
    _inherit = "marketplace.channel.backend"
    _inherits = {"marketplace.shop": "marketplace_shop_id"}

    marketplace_shop_id = fields.Many2one(
        "marketplace.shop", required=True, ondelete="cascade", index=True
    )

    def _marketplace_capabilities(self):
        return ChannelCapabilities(
            order_chunk_size=3,
            item_chunk_size=2,
            # the fake takes SKUs of any items in one call, as Lazada does
            stock_batching="sku",
            stock_batch_size=STOCK_CALL_LIMIT,
            can_ship=True,
            can_print_labels=True,
            ship_batch_size=2,
            label_batch_size=2,
            ship_wait_minutes=60,
            can_cancel=True,
            cancel_reasons=("out_of_stock", "buyer_asked"),
        )

    def _marketplace_refresh_tokens(self):
        # The in-memory marketplace needs no token: the hook only says until
        # when the shop's authorization holds.
        self.ensure_one()
        expires = fields.Datetime.now() + timedelta(hours=4)
        self.access_token_expires_at = expires
        return expires

    def _marketplace_check_connection(self):
        self.ensure_one()
        with self.work_on("test.channel.shop") as work:
            work.component(usage="backend.adapter").check()
        return True

    def _marketplace_list_orders(self, since, until, progress=None):
        self.ensure_one()
        with self.work_on("test.channel.order") as work:
            return work.component(usage="batch.importer").list_updated(
                since, until, progress=progress
            )

    def _marketplace_import_orders(self, order_refs):
        self.ensure_one()
        with self.work_on("test.channel.order") as work:
            result = work.component(usage="batch.importer").import_chunk(order_refs)
        result.records = result.bindings.odoo_id
        return result

    def _marketplace_items_in_unimported_orders(self):
        self.ensure_one()
        since = self.order_sync_point or fields.Datetime.now()
        until = fields.Datetime.now()
        if since >= until:
            return set()
        with self.work_on("test.channel.order") as work:
            adapter = work.component(usage="backend.adapter")
            refs = adapter.search(since, until)
            orders = adapter.read(refs) if refs else []
        return {row["item_id"] for order in orders for row in order["items"]}

    def _marketplace_read_money(self, order_refs):
        self.ensure_one()
        with self.work_on("test.channel.order") as work:
            settlements = work.component(usage="backend.adapter").read_settlements(
                order_refs
            )
        return {ref: money_from_settlement(data) for ref, data in settlements.items()}

    def _marketplace_read_tracking(self, order_refs):
        self.ensure_one()
        with self.work_on("test.channel.order") as work:
            return work.component(usage="backend.adapter").read_tracking(order_refs)

    def _marketplace_list_items(self, since=None, until=None):
        self.ensure_one()
        with self.work_on("test.channel.listing") as work:
            return work.component(usage="backend.adapter").search(since, until)

    def _marketplace_import_items(self, items):
        self.ensure_one()
        with self.work_on("test.channel.listing") as work:
            result = work.component(usage="batch.importer").import_chunk(items)
        result.records = result.bindings.odoo_id
        return result

    def _marketplace_shipping_options(self, order_refs):
        self.ensure_one()
        with self.work_on("test.channel.order") as work:
            return work.component(usage="backend.adapter").shipping_options(
                order_refs[0]
            )

    def _marketplace_ship(self, order_refs, shipment):
        self.ensure_one()
        with self.work_on("test.channel.order") as work:
            adapter = work.component(usage="backend.adapter")
            return {ref: adapter.ship(ref, shipment) for ref in order_refs}

    def _marketplace_fetch_labels(self, order_refs, label_format):
        self.ensure_one()
        with self.work_on("test.channel.order") as work:
            labels = work.component(usage="backend.adapter").labels(order_refs)
        return {
            "ready": {ref: pdf for ref, pdf in labels.items() if pdf},
            "pending": [ref for ref, pdf in labels.items() if pdf is None],
            "failed": {
                ref: self.env._("No shipment arranged.")
                for ref in order_refs
                if ref not in labels
            },
        }

    def _marketplace_cancel(self, order_refs, reason):
        self.ensure_one()
        with self.work_on("test.channel.order") as work:
            adapter = work.component(usage="backend.adapter")
            return {ref: adapter.cancel(ref, reason) for ref in order_refs}

    def _marketplace_answer_cancellation(self, order_refs, accept):
        self.ensure_one()
        with self.work_on("test.channel.order") as work:
            adapter = work.component(usage="backend.adapter")
            return {ref: adapter.answer_cancellation(ref, accept) for ref in order_refs}

    def _marketplace_update_stock(self, updates):
        self.ensure_one()
        with self.work_on("test.channel.listing") as work:
            return work.component(usage="backend.adapter").update_stock(updates)

    def _marketplace_read_stock(self, item_ids):
        self.ensure_one()
        with self.work_on("test.channel.listing") as work:
            return work.component(usage="backend.adapter").read_stock(item_ids)


class MarketplaceShop(models.Model):
    _inherit = "marketplace.shop"

    test_channel_backend_ids = fields.One2many(
        "test.channel.shop", "marketplace_shop_id", readonly=True
    )

    def _get_channel_backend(self):
        self.ensure_one()
        if self.channel != "test_channel":
            return super()._get_channel_backend()
        if not self.test_channel_backend_ids:
            raise UserError(self.env._("This test shop has no backend."))
        return self.test_channel_backend_ids[:1]
