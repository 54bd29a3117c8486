"""The test channel's push route: the base's webhook half does the rest."""

from odoo import http

from odoo.addons.connector_marketplace.controllers.webhook import (
    MarketplaceWebhookController,
    body_limit,
)


class TestChannelWebhookController(MarketplaceWebhookController):
    @http.route(
        "/marketplace/test_channel/webhook/<int:account_id>",
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        save_session=False,
        readonly=False,
        max_content_length=body_limit,
    )
    def test_channel_webhook(self, account_id, **kwargs):
        return self._handle_push(account_id, "test_channel")
