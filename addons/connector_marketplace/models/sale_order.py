from odoo import fields, models
from odoo.exceptions import UserError


class SaleOrder(models.Model):
    _inherit = "sale.order"

    marketplace_order_id = fields.Many2one(
        "marketplace.order",
        string="Marketplace order",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    marketplace_prices_provisional = fields.Boolean(
        related="marketplace_order_id.prices_provisional",
        string="Provisional prices",
    )
    marketplace_status = fields.Selection(related="marketplace_order_id.status")
    marketplace_cancel_error = fields.Char(related="marketplace_order_id.cancel_error")
    marketplace_amount_mismatch = fields.Boolean(
        related="marketplace_order_id.amount_mismatch", string="Amounts do not match"
    )

    def init(self):
        # Never two sale orders for one marketplace order, whatever runs at once.
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS sale_order_marketplace_order_uniq "
            "ON sale_order (marketplace_order_id) "
            "WHERE marketplace_order_id IS NOT NULL"
        )

    def _create_invoices(self, grouped=False, final=False, date=None):
        provisional = self.filtered("marketplace_prices_provisional")
        if provisional:
            raise UserError(
                self.env._(
                    "The prices of %(orders)s are provisional: the marketplace's "
                    "settlement has not been read yet. Re-sync the marketplace order "
                    "first.",
                    orders=", ".join(provisional.mapped("name")),
                )
            )
        return super()._create_invoices(grouped=grouped, final=final, date=date)

    def action_cancel(self):
        """A sale order of an order the seller may still cancel on the
        marketplace is cancelled there first (a window asks why)."""
        asked = self.filtered(
            lambda so: so.marketplace_order_id.status == "cancel_requested"
        )
        if asked:
            raise UserError(
                self.env._(
                    "The buyer asks to cancel %(orders)s: answer with Accept "
                    "cancellation (or Reject cancellation) instead.",
                    orders=", ".join(asked.mapped("name")),
                )
            )
        to_ask = self.filtered(
            lambda so: (
                so.marketplace_order_id
                and so.state != "cancel"
                and not so.marketplace_order_id._cancel_problem()
            )
        )
        if to_ask:
            if to_ask != self:
                raise UserError(
                    self.env._(
                        "Cancel the sale orders of marketplace orders (%(orders)s) "
                        "apart from the others: they are cancelled on the marketplace "
                        "first.",
                        orders=", ".join(to_ask.mapped("name")),
                    )
                )
            return self.env["marketplace.cancel.wizard"]._open(to_ask)
        return super().action_cancel()

    def action_marketplace_accept_cancellation(self):
        return self.marketplace_order_id.action_accept_cancellation()

    def action_marketplace_reject_cancellation(self):
        return self.marketplace_order_id.action_reject_cancellation()

    def action_view_marketplace_order(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "marketplace.order",
            "res_id": self.marketplace_order_id.id,
            "view_mode": "form",
        }


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    marketplace_order_line_id = fields.Many2one(
        "marketplace.order.line", readonly=True, copy=False, index="btree_not_null"
    )
    marketplace_money_kind = fields.Selection(
        [
            ("voucher", "Seller voucher"),
            ("shipping", "Shipping"),
            ("adjustment", "Adjustment"),
        ],
        readonly=True,
        copy=False,
    )
