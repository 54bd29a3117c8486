"""Base of the Lazada components (their collection is the ``lazada.shop``)
and the binder of every Lazada binding."""

from odoo.addons.component.core import AbstractComponent, Component


class LazadaBaseComponent(AbstractComponent):
    _name = "lazada.base"
    _inherit = "marketplace.base"
    _collection = "lazada.shop"


class LazadaBinder(Component):
    _name = "lazada.binder"
    _inherit = ["marketplace.binder", "lazada.base"]
    _apply_on = ["lazada.order", "lazada.product.binding"]
