from odoo import fields, models


class ShopeeBinding(models.AbstractModel):
    """Link between a marketplace record and its Shopee object, per shop.

    ``external_id`` is a Char: Shopee ids are int64 and order_sn a string.
    """

    _name = "shopee.binding"
    _inherit = "external.binding"
    _description = "Shopee Binding (abstract)"

    backend_id = fields.Many2one(
        "shopee.shop",
        string="Shopee shop",
        required=True,
        ondelete="restrict",
        index=True,
    )
    external_id = fields.Char(string="ID on Shopee", index=True)

    _sql_constraints = [
        (
            "shopee_uniq",
            "unique(backend_id, external_id)",
            "A binding already exists with the same Shopee id.",
        ),
    ]
