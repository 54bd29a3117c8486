from odoo.addons.component.core import Component


class ShopeeShopAdapter(Component):
    _name = "shopee.shop.adapter"
    _inherit = "shopee.adapter"
    _apply_on = "shopee.shop"

    def read_info(self):
        """get_shop_info answers at the top level, not under ``response``."""
        return self._call("GET", "shop/get_shop_info")
