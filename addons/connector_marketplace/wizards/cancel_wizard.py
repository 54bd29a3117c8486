"""Cancel a marketplace order's sale order: on the marketplace too."""

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.marketplace_channel_backend import CANCEL_REASONS
from ..tools.actions import notification


class CancelWizard(models.TransientModel):
    _name = "marketplace.cancel.wizard"
    _description = "Cancel Marketplace Orders"

    sale_order_ids = fields.Many2many("sale.order", readonly=True)
    order_ids = fields.Many2many(
        "marketplace.order", string="Marketplace orders", readonly=True
    )
    reason = fields.Selection(CANCEL_REASONS, required=True, default="out_of_stock")
    reason_note = fields.Char(compute="_compute_reason_note")

    @api.depends("reason", "order_ids")
    def _compute_reason_note(self):
        for wizard in self:
            refused = wizard._reason_refused_by()
            wizard.reason_note = refused and self.env._(
                "%(shops)s take another reason: choose one of theirs.",
                shops=", ".join(refused.mapped("name")),
            )

    def _reason_refused_by(self):
        self.ensure_one()
        return self.order_ids.shop_id.filtered(
            lambda shop: (
                self.reason
                not in shop.sudo()
                ._get_channel_backend()
                ._marketplace_capabilities()
                .cancel_reasons
            )
        )

    @api.model
    def _open(self, sale_orders):
        wizard = self.create(
            {
                "sale_order_ids": [fields.Command.set(sale_orders.ids)],
                "order_ids": [fields.Command.set(sale_orders.marketplace_order_id.ids)],
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Cancel on the marketplace"),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_confirm(self):
        self.ensure_one()
        if self._reason_refused_by():
            raise UserError(self.reason_note)
        jobs = self.order_ids._queue_per_shop("cancel_orders", reason=self.reason)
        self.order_ids.sudo().write({"cancel_error": False})
        return notification(
            self.env._("Cancelling on the marketplace"),
            self.env._(
                "The marketplace is asked to cancel %(orders)s (%(jobs)s). The "
                "sale order is cancelled, and its stock released, once the "
                "marketplace has cancelled the order; if it refuses, the sale "
                "order stays and its chatter says why.",
                orders=", ".join(self.order_ids.mapped("name")),
                jobs=", ".join(jobs.mapped("name")),
            ),
            kind="warning",
            sticky=True,
            close=True,
        )
