from odoo import fields, models


class ShopeeOrder(models.Model):
    """Binding of a marketplace order to its Shopee order (order_sn)."""

    _name = "shopee.order"
    _inherit = "shopee.binding"
    _inherits = {"marketplace.order": "odoo_id"}
    _description = "Shopee Order"

    odoo_id = fields.Many2one(
        "marketplace.order",
        string="Marketplace order",
        required=True,
        ondelete="cascade",
        index=True,
    )

    _sql_constraints = [
        (
            "odoo_uniq",
            "unique(backend_id, odoo_id)",
            "A marketplace order can be bound once per Shopee shop.",
        ),
    ]


class MarketplaceOrder(models.Model):
    _inherit = "marketplace.order"

    shopee_bind_ids = fields.One2many(
        "shopee.order", "odoo_id", string="Shopee bindings", readonly=True
    )
