from odoo import http
from odoo.http import request


class MarketplaceLabelController(http.Controller):
    @http.route("/marketplace/labels", type="http", auth="user", methods=["GET"])
    def labels(self, picking_ids="", **_kwargs):
        """The shipping labels of deliveries as one PDF, in the order asked."""
        try:
            ids = [int(part) for part in picking_ids.split(",") if part]
        except ValueError:
            return request.not_found()
        if not ids or not request.env.user.has_group(
            "connector_marketplace.group_marketplace_user"
        ):
            return request.not_found()
        pickings = request.env["stock.picking"].browse(ids).exists()
        pdf = pickings._marketplace_labels_pdf()
        if not pdf:
            return request.not_found()
        filename = (
            pickings.marketplace_label_id.name
            if len(pickings) == 1
            else f"labels-{len(pickings)}.pdf"
        )
        return request.make_response(
            pdf,
            headers=[
                ("Content-Type", "application/pdf"),
                ("Content-Length", str(len(pdf))),
                ("Content-Disposition", http.content_disposition(filename)),
            ],
        )
