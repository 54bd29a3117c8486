"""Shopee push notifications: verify, store, queue; answer in milliseconds.

``POST /marketplace/shopee/webhook/<account id>``, the URL the account form
shows (register it in Shopee's console, Push Mechanism). Shopee signs each
push: ``Authorization = hex(HMAC-SHA256(push partner key, registered URL + "|"
+ raw body))``, over the URL Odoo registered (never the request's Host, which
a proxy rewrites). The API partner key is accepted too, with a warning: some
apps sign pushes with it.

The limits, the answers and "never a 500" are the base's
(``connector_marketplace/controllers/webhook.py``); an unknown shop with a
good signature is answered 2xx and kept as ignored (Shopee disables pushes
that keep failing), with an empty body, as Shopee wants.
"""

import hmac
from hashlib import sha256

from odoo import http

from odoo.addons.connector_marketplace.controllers.webhook import (
    MAX_BODY,
    MarketplaceWebhookController,
    body_limit,
)

__all__ = ["MAX_BODY", "ShopeeWebhookController", "push_signature"]


def push_signature(key, url, body):
    return hmac.new(key.encode(), url.encode() + b"|" + body, sha256).hexdigest()


class ShopeeWebhookController(MarketplaceWebhookController):
    @http.route(
        "/marketplace/shopee/webhook/<int:account_id>",
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        save_session=False,
        # auth="none" routes are read-only by default in Odoo 18.
        readonly=False,
        # Odoo parses a form body into the parameters before the handler
        # runs: a body over the limit is refused (413) before that.
        max_content_length=body_limit,
    )
    def shopee_webhook(self, account_id, **kwargs):
        return self._handle_push(account_id, "shopee")
