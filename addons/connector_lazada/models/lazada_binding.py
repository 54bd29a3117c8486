from odoo import fields, models


class LazadaBinding(models.AbstractModel):
    """Link between a marketplace record and its Lazada object, per shop.

    ``external_id`` is a Char: Lazada's ids are 15-digit numbers.
    """

    _name = "lazada.binding"
    _inherit = "external.binding"
    _description = "Lazada Binding (abstract)"

    backend_id = fields.Many2one(
        "lazada.shop",
        string="Lazada shop",
        required=True,
        ondelete="restrict",
        index=True,
    )
    external_id = fields.Char(string="ID on Lazada", index=True)

    _sql_constraints = [
        (
            "lazada_uniq",
            "unique(backend_id, external_id)",
            "A binding already exists with the same Lazada id.",
        ),
    ]


class LazadaOrder(models.Model):
    """Binding of a marketplace order to its Lazada order (order_id)."""

    _name = "lazada.order"
    _inherit = "lazada.binding"
    _inherits = {"marketplace.order": "odoo_id"}
    _description = "Lazada Order"

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
            "A marketplace order can be bound once per Lazada shop.",
        ),
    ]


class LazadaProductBinding(models.Model):
    """Binding of a listing to its Lazada SKU.

    ``external_id`` is ``"<ItemId>/<SkuId>"``: every Lazada SKU has its own
    SkuId, an item without variations has one SKU.
    """

    _name = "lazada.product.binding"
    _inherit = "lazada.binding"
    _inherits = {"marketplace.product.binding": "odoo_id"}
    _description = "Lazada Listing"

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
            "A product binding is bound once per Lazada shop.",
        ),
    ]


class MarketplaceOrder(models.Model):
    _inherit = "marketplace.order"

    lazada_bind_ids = fields.One2many(
        "lazada.order", "odoo_id", string="Lazada bindings", readonly=True
    )


class MarketplaceProductBinding(models.Model):
    _inherit = "marketplace.product.binding"

    lazada_bind_ids = fields.One2many(
        "lazada.product.binding", "odoo_id", string="Lazada bindings", readonly=True
    )
