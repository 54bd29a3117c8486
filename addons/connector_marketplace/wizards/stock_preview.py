"""What each bound product would show on the marketplace, and why."""

from odoo import api, fields, models


class StockPreview(models.TransientModel):
    _name = "marketplace.stock.preview"
    _description = "Stock Push Preview"

    shop_id = fields.Many2one("marketplace.shop", required=True, readonly=True)
    rule_id = fields.Many2one("marketplace.sync.rule", readonly=True)
    line_ids = fields.One2many(
        "marketplace.stock.preview.line", "preview_id", readonly=True
    )
    empty_reason = fields.Text(
        readonly=True, help="Why the rule applies to none of the shop's listings."
    )

    @api.model
    def _open(self, shop, rule=None):
        bindings = self.env["marketplace.product.binding"].search(
            [
                ("shop_id", "=", shop.id),
                ("product_id", "!=", False),
                ("active", "=", True),
            ]
        )
        quantities = shop._stock_quantities(bindings.product_id)
        lines = []
        for binding in bindings:
            quantity, applied, free, demand = quantities[binding.product_id.id]
            if rule and applied != rule:
                continue
            lines.append(
                fields.Command.create(
                    {
                        "binding_id": binding.id,
                        "product_id": binding.product_id.id,
                        "free_qty": free,
                        "demand_qty": demand,
                        "rule_id": applied.id,
                        "quantity": quantity,
                        "last_pushed_qty": binding.last_pushed_qty,
                    }
                )
            )
        preview = self.create(
            {
                "shop_id": shop.id,
                "rule_id": rule.id if rule else False,
                "line_ids": lines,
                "empty_reason": rule._why_no_listing() if rule and not lines else False,
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": preview.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Stock preview"),
        }


class StockPreviewLine(models.TransientModel):
    _name = "marketplace.stock.preview.line"
    _description = "Stock Push Preview Line"
    _order = "product_id, id"

    preview_id = fields.Many2one(
        "marketplace.stock.preview", required=True, ondelete="cascade"
    )
    binding_id = fields.Many2one("marketplace.product.binding", string="Listing")
    product_id = fields.Many2one("product.product", string="Product (Odoo)")
    free_qty = fields.Float(string="Free in Odoo", digits="Product Unit of Measure")
    demand_qty = fields.Float(
        string="Open marketplace orders", digits="Product Unit of Measure"
    )
    rule_id = fields.Many2one("marketplace.sync.rule")
    quantity = fields.Integer(string="Marketplace gets")
    last_pushed_qty = fields.Integer(string="Last pushed")
