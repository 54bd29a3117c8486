import json

from odoo import api, models

# the fake's push types as the base's event kinds
EVENT_KINDS = {1: "order_changed", 2: "authorization_cancelled"}


class MarketplaceWebhookEvent(models.Model):
    _inherit = "marketplace.webhook.event"

    @api.model
    def _event_kind(self, account, message):
        if account.channel != "test_channel":
            return super()._event_kind(account, message)
        return EVENT_KINDS.get(message.get("type"), "other")

    @api.model
    def _event_code(self, account, message):
        if account.channel != "test_channel":
            return super()._event_code(account, message)
        code = message.get("type")
        return code if isinstance(code, int) and not isinstance(code, bool) else False

    @api.model
    def _event_msg_id(self, account, message):
        if account.channel != "test_channel":
            return super()._event_msg_id(account, message)
        return message.get("id") or False

    @api.model
    def _dedup_content(self, account, message):
        if account.channel != "test_channel":
            return super()._dedup_content(account, message)
        return {key: message.get(key) for key in ("shop", "type", "order", "sent")}

    def _process_channel_event(self):
        self.ensure_one()
        if self.channel != "test_channel":
            return super()._process_channel_event()
        message = self._test_channel_message()
        shop = self.shop_id
        if self.kind == "order_changed":
            if not message.get("order"):
                return "failed", self.env._("The push names no order.")
            if shop.auth_state != "connected":
                return "ignored", self.env._("The shop is not connected.")
            job = shop._queue_webhook_import(message["order"], self)
            return "done", self.env._(
                "Order %(order)s imported again by job %(job)s.",
                order=message["order"],
                job=job.name,
            )
        if self.kind == "authorization_cancelled":
            shop._disconnect(self.env._("the seller cancelled the authorization."))
            return "done", self.env._("Shop %(shop)s disconnected.", shop=shop.name)
        return "not_handled", self.env._("This push is not handled.")

    def _test_channel_message(self):
        try:
            message = json.loads(self.sudo().raw_body or "{}")
        except ValueError:
            return {}
        return message if isinstance(message, dict) else {}
