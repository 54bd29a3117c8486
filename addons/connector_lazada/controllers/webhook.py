"""Lazada push notifications: verify, store, queue; answer well within
Lazada's 500 ms.

``POST /marketplace/lazada/webhook/<account id>``, the URL the account form
shows. Lazada signs each push: ``Authorization = hex(HMAC-SHA256(app secret,
app key + raw body))``. The limits, the answers and "never a 500" are the
base's (``connector_marketplace/controllers/webhook.py``); the work a push
asks for runs later, in a job.
"""

from odoo import http

from odoo.addons.connector_marketplace.controllers.webhook import (
    MarketplaceWebhookController,
    body_limit,
)


class LazadaWebhookController(MarketplaceWebhookController):
    @http.route(
        "/marketplace/lazada/webhook/<int:account_id>",
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        save_session=False,
        # auth="none" routes are read-only by default in Odoo 18.
        readonly=False,
        max_content_length=body_limit,
    )
    def lazada_webhook(self, account_id, **kwargs):
        return self._handle_push(account_id, "lazada")
