from odoo import fields, models

from .marketplace_channel_backend import LABEL_FORMATS, SHIP_MODES


class MarketplaceShop(models.Model):
    _inherit = "marketplace.shop"

    label_format = fields.Selection(
        LABEL_FORMATS,
        string="Shipping labels",
        default="a4",
        required=True,
        help="The page of the shipping labels (air waybills) Odoo asks the "
        "marketplace for: A4 for an office printer, 100 × 150 mm for a "
        "thermal label printer.",
    )
    ship_mode = fields.Selection(
        SHIP_MODES,
        string="Usual way to ship",
        help="Chosen in advance when you arrange shipments (set it from the "
        "Arrange shipment window, with 'Use as the shop's default').",
    )
    ship_address_ref = fields.Char(
        string="Usual pick-up address id",
        help="The marketplace's id of the pick-up address you chose.",
    )
    ship_address_label = fields.Char(string="Usual pick-up address")
