"""Lazada sends the seller back here after the authorization page:
``GET /marketplace/lazada/oauth/<account id>?code=…&state=…``. The state,
the manager check, the result page and the errors are the base's; the
Lazada account trades the code for tokens (``_marketplace_authorize``)."""

from odoo import http

from odoo.addons.connector_marketplace.controllers.oauth import (
    MarketplaceOAuthController,
)


class LazadaOAuthController(MarketplaceOAuthController):
    @http.route(
        "/marketplace/lazada/oauth/<int:account_id>",
        type="http",
        auth="public",
        methods=["GET"],
        sitemap=False,
    )
    def lazada_oauth_callback(self, account_id, code=None, state=None, **kwargs):
        return self._oauth_callback(account_id, "lazada", state, {"code": code})
