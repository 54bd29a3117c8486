import hmac
import json
from hashlib import sha256

from odoo import fields, models

from ..fake_api import API


def push_signature(key, body):
    return hmac.new(key.encode(), body, sha256).hexdigest()


class MarketplaceAccount(models.Model):
    _inherit = "marketplace.account"

    channel = fields.Selection(
        selection_add=[("test_channel", "Test channel")],
        ondelete={"test_channel": "cascade"},
    )
    test_channel_push_key = fields.Char(
        groups="connector_marketplace.group_marketplace_manager"
    )

    def _marketplace_check_push_signature(self, headers, raw_body):
        if self.channel != "test_channel":
            return super()._marketplace_check_push_signature(headers, raw_body)
        key = self.sudo().test_channel_push_key
        signature = (headers.get("X-Test-Signature") or "").strip().lower()
        if (
            key
            and signature
            and hmac.compare_digest(push_signature(key, raw_body), signature)
        ):
            return False
        return None

    def _marketplace_recover_webhooks(self):
        if self.channel != "test_channel":
            return super()._marketplace_recover_webhooks()
        events = self.env["marketplace.webhook.event"].sudo()
        lost = API.lost_pushes()
        for body in lost:
            message = json.loads(body)
            events._receive(
                self,
                body.encode(),
                message,
                shop=self._test_channel_shop(message),
                source="lost",
            )
        return len(lost)

    def _test_channel_shop(self, message):
        return (
            self.env["marketplace.shop"]
            .sudo()
            .search(
                [
                    ("account_id", "=", self.id),
                    ("external_id", "=", message.get("shop")),
                ],
                limit=1,
            )
        )

    def _marketplace_receive_push(self, raw_body, message, signed_with_other_key):
        if self.channel != "test_channel":
            return super()._marketplace_receive_push(
                raw_body, message, signed_with_other_key
            )
        shop = self._test_channel_shop(message)
        events = self.env["marketplace.webhook.event"].sudo()
        if not shop:
            return events._receive(
                self,
                raw_body,
                message,
                state="ignored",
                result=self.env._("No shop of this account has this id."),
            )
        return events._receive(self, raw_body, message, shop=shop)
