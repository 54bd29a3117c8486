from odoo import fields, models


class ShopeeProductBinding(models.Model):
    """Binding of a product binding (a listing) to its Shopee item and model.

    ``external_id`` is ``"<item_id>/<model_id>"``, model 0 for an item
    without variations.
    """

    _name = "shopee.product.binding"
    _inherit = "shopee.binding"
    _inherits = {"marketplace.product.binding": "odoo_id"}
    _description = "Shopee Listing"

    odoo_id = fields.Many2one(
        "marketplace.product.binding",
        string="Product binding",
        required=True,
        ondelete="cascade",
        index=True,
    )

    _sql_constraints = [
        (
            "odoo_uniq",
            "unique(backend_id, odoo_id)",
            "A product binding is bound once per Shopee shop.",
        ),
    ]


class MarketplaceProductBinding(models.Model):
    _inherit = "marketplace.product.binding"

    shopee_bind_ids = fields.One2many(
        "shopee.product.binding", "odoo_id", string="Shopee bindings", readonly=True
    )
