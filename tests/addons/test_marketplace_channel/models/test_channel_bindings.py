from odoo import fields, models


class TestChannelBinding(models.AbstractModel):
    _name = "test.channel.binding"
    _inherit = "external.binding"
    _description = "Test Channel Binding (abstract)"

    backend_id = fields.Many2one(
        "test.channel.shop", required=True, ondelete="restrict", index=True
    )
    external_id = fields.Char(index=True)

    _sql_constraints = [
        (
            "test_channel_uniq",
            "unique(backend_id, external_id)",
            "A binding already exists with the same id.",
        ),
    ]


class TestChannelOrder(models.Model):
    _name = "test.channel.order"
    _inherit = "test.channel.binding"
    _inherits = {"marketplace.order": "odoo_id"}
    _description = "Test Channel Order"

    odoo_id = fields.Many2one(
        "marketplace.order", required=True, ondelete="cascade", index=True
    )


class TestChannelListing(models.Model):
    """``external_id`` is ``"<item id>/<sku id>"``."""

    _name = "test.channel.listing"
    _inherit = "test.channel.binding"
    _inherits = {"marketplace.product.binding": "odoo_id"}
    _description = "Test Channel Listing"

    odoo_id = fields.Many2one(
        "marketplace.product.binding", required=True, ondelete="cascade", index=True
    )
