from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.pdf import merge_pdf

from ..tools.actions import notification


class StockPicking(models.Model):
    _inherit = "stock.picking"

    marketplace_order_id = fields.Many2one(
        "marketplace.order",
        related="sale_id.marketplace_order_id",
        store=True,
        index="btree_not_null",
        string="Marketplace order",
    )
    marketplace_shipment_state = fields.Selection(
        related="marketplace_order_id.shipment_state", string="Marketplace shipment"
    )
    marketplace_shipment_error = fields.Char(
        related="marketplace_order_id.shipment_error"
    )
    marketplace_label_id = fields.Many2one(
        "ir.attachment", string="Shipping label", readonly=True, copy=False
    )
    marketplace_can_ship = fields.Boolean(compute="_compute_marketplace_can_ship")

    @api.depends(
        "state",
        "marketplace_order_id.status",
        "marketplace_order_id.shipment_state",
    )
    def _compute_marketplace_can_ship(self):
        for picking in self:
            order = picking.marketplace_order_id
            picking.marketplace_can_ship = bool(
                order
                and picking.picking_type_code == "outgoing"
                and picking.state not in ("done", "cancel")
                and not order._ship_problem()
            )

    def _marketplace_pickings(self):
        if not self.env.user.has_group("connector_marketplace.group_marketplace_user"):
            raise AccessError(
                self.env._("Only marketplace users ship and print marketplace orders.")
            )
        pickings = self.filtered(
            lambda p: p.marketplace_order_id and p.picking_type_code == "outgoing"
        )
        if not pickings:
            raise UserError(
                self.env._("None of these transfers is a marketplace order's delivery.")
            )
        return pickings

    def action_marketplace_ship(self):
        """Open the Arrange shipment window for these deliveries."""
        pickings = self._marketplace_pickings()
        wizard = self.env["marketplace.ship.wizard"]._start(pickings)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Arrange shipment"),
            "res_model": "marketplace.ship.wizard",
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_marketplace_print_labels(self):
        """One PDF of the labels of these deliveries; the labels not fetched
        yet are asked for, and the seller prints again when they are in."""
        pickings = self._marketplace_pickings()
        missing = pickings.filtered(lambda p: not p.marketplace_label_id)
        if not missing:
            return {
                "type": "ir.actions.act_url",
                "url": "/marketplace/labels?picking_ids="
                + ",".join(map(str, pickings.ids)),
                "target": "new",
            }
        orders = missing.marketplace_order_id
        unarranged = orders.filtered(
            lambda o: o.shipment_state != "arranged" and o.status != "packed"
        )
        if unarranged:
            raise UserError(
                self.env._(
                    "Arrange the shipment of %(orders)s first: the marketplace makes "
                    "a label once the shipment is arranged.",
                    orders=", ".join(unarranged.mapped("name")),
                )
            )
        jobs = orders._queue_per_shop("print_labels")
        return notification(
            self.env._("Fetching labels"),
            self.env._(
                "%(count)s labels are being fetched from the marketplace (%(jobs)s)."
                " Print again in a minute: you get one PDF of all of them.",
                count=len(missing),
                jobs=", ".join(jobs.mapped("name")),
            ),
            kind="info",
        )

    def _marketplace_labels_pdf(self):
        """The labels of these deliveries as one PDF, in their order (None
        when none has a label)."""
        self.check_access("read")
        labels = [p.marketplace_label_id for p in self if p.marketplace_label_id]
        if not labels:
            return None
        return merge_pdf([label.sudo().raw for label in labels])
