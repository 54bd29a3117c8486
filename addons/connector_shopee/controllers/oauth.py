"""Shopee sends the seller back here after the authorization page.

``GET /marketplace/shopee/oauth/<account id>?code=…&shop_id=…&state=…`` (or
``main_account_id`` instead of ``shop_id``): the state, the manager check,
the result page and the error handling are the base's
(``connector_marketplace/controllers/oauth.py``); the Shopee account checks
the answer and trades the code for tokens (``_marketplace_authorize``).
"""

from odoo import http

from odoo.addons.connector_marketplace.controllers.oauth import (
    MarketplaceOAuthController,
)


class ShopeeOAuthController(MarketplaceOAuthController):
    @http.route(
        "/marketplace/shopee/oauth/<int:account_id>",
        type="http",
        auth="public",
        methods=["GET"],
        sitemap=False,
    )
    def shopee_oauth_callback(
        self,
        account_id,
        code=None,
        shop_id=None,
        main_account_id=None,
        state=None,
        **kwargs,
    ):
        """Trade Shopee's one-time code for tokens and create the shop(s)."""
        return self._oauth_callback(
            account_id,
            "shopee",
            state,
            {"code": code, "shop_id": shop_id, "main_account_id": main_account_id},
        )
