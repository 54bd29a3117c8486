"""What each Lazada push asks for (lazada-api.md §8)."""

import json

from odoo import api, models

# Lazada's message types as the base's event kinds: 0 is a trade order's
# status (one push per order item); the others are kept, not handled yet.
EVENT_KINDS = {0: "order_changed"}


class MarketplaceWebhookEvent(models.Model):
    _inherit = "marketplace.webhook.event"

    @api.model
    def _event_kind(self, account, message):
        if account.channel != "lazada":
            return super()._event_kind(account, message)
        return EVENT_KINDS.get(message.get("message_type"), "other")

    @api.model
    def _event_code(self, account, message):
        if account.channel != "lazada":
            return super()._event_code(account, message)
        code = message.get("message_type")
        return code if isinstance(code, int) and not isinstance(code, bool) else False

    @api.model
    def _event_msg_id(self, account, message):
        # Lazada's pushes carry no message id: the key is the content's.
        if account.channel != "lazada":
            return super()._event_msg_id(account, message)
        return False

    @api.model
    def _dedup_content(self, account, message):
        """Seller, type and data: Lazada delivers a message again, same body,
        when an answer was late."""
        if account.channel != "lazada":
            return super()._dedup_content(account, message)
        return {key: message.get(key) for key in ("seller_id", "message_type", "data")}

    def _process_channel_event(self):
        self.ensure_one()
        if self.channel != "lazada":
            return super()._process_channel_event()
        data = self._lazada_message().get("data") or {}
        if self.kind == "order_changed":
            order_id = str(data.get("trade_order_id") or "").strip()
            if not order_id:
                return "failed", self.env._("The push names no order.")
            shop = self.shop_id
            if shop.auth_state != "connected":
                return "ignored", self.env._("The shop is not connected.")
            job = shop._queue_webhook_import(order_id, self)
            return "done", self.env._(
                "Order %(order)s imported again by job %(job)s.",
                order=order_id,
                job=job.name,
            )
        return "not_handled", self.env._("This push is not handled.")

    def _lazada_message(self):
        try:
            message = json.loads(self.sudo().raw_body or "{}")
        except ValueError:
            return {}
        if not isinstance(message, dict) or not isinstance(message.get("data"), dict):
            return {}
        return message
