"""``GET /marketplace/health``: what an external monitor needs, as JSON.

Behind a token (system parameter ``connector_marketplace.health_token``, sent
as the ``X-Marketplace-Token`` header only): no token configured → 404, a
wrong one → 403. A ``token`` in the query string is refused (403) even when
right: URLs land in access logs, proxies and browser histories.

    curl -H "X-Marketplace-Token: $TOKEN" https://odoo.example.com/marketplace/health
"""

import hmac
import json
import logging

from odoo import http
from odoo.http import request

_logger = logging.getLogger("odoo.addons.connector_marketplace.monitoring")

TOKEN_PARAM = "connector_marketplace.health_token"
TOKEN_HEADER = "X-Marketplace-Token"
# The oldest waiting job beyond this makes the status "degraded".
BACKLOG_LIMIT = 15 * 60


class MarketplaceHealth(http.Controller):
    @http.route(
        "/marketplace/health",
        type="http",
        auth="none",
        methods=["GET"],
        csrf=False,
        save_session=False,
    )
    def health(self, **kwargs):
        # No user is logged in here: superuser rights, as no one.
        env = request.env(su=True)
        expected = env["ir.config_parameter"].get_param(TOKEN_PARAM)
        if not expected:
            return request.make_response("", status=404)
        if "token" in request.httprequest.args:
            _logger.warning(
                "Health check refused: the token was sent in the query string; "
                "send it in the %s header",
                TOKEN_HEADER,
            )
            return request.make_response("", status=403)
        given = request.httprequest.headers.get(TOKEN_HEADER) or ""
        if not hmac.compare_digest(given.encode(), expected.encode()):
            return request.make_response("", status=403)
        report = env["marketplace.dashboard"]._health_report()
        return request.make_response(
            json.dumps(report, indent=2, default=str),
            headers=[
                ("Content-Type", "application/json"),
                ("Cache-Control", "no-store"),
            ],
        )
