from odoo.addons.component.core import Component


class ShopeeBinder(Component):
    """Binder of every Shopee binding (external id per Shopee shop)."""

    _name = "shopee.binder"
    _inherit = ["marketplace.binder", "shopee.base"]
    _apply_on = ["shopee.order", "shopee.product.binding"]
