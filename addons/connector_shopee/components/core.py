"""Base of the Shopee components: their collection is the ``shopee.shop``."""

from odoo.addons.component.core import AbstractComponent


class ShopeeBaseComponent(AbstractComponent):
    _name = "shopee.base"
    _inherit = "marketplace.base"
    _collection = "shopee.shop"
