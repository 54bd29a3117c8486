"""``GET /marketplace/health``: what an external monitor needs, as JSON.

Behind a token (system parameter ``connector_marketplace.health_token``, sent
as the ``X-Marketplace-Token`` header or the ``token`` parameter): no token
configured → 404, a wrong one → 403.

    curl -H "X-Marketplace-Token: $TOKEN" https://odoo.example.com/marketplace/health
"""

import hmac
import json

from odoo import http
from odoo.http import request

TOKEN_PARAM = "connector_marketplace.health_token"
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
    def health(self, token=None, **kwargs):
        env = request.env(user=1, su=True)
        expected = env["ir.config_parameter"].get_param(TOKEN_PARAM)
        if not expected:
            return request.make_response("", status=404)
        given = request.httprequest.headers.get("X-Marketplace-Token") or token or ""
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
