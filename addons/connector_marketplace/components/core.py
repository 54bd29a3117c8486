"""Base of every marketplace component.

Channel addons inherit it in their own base component, which sets their
``_collection`` (the channel's shop backend); the generic flow lives here, with no
collection, so each channel only writes what differs.
"""

from odoo.addons.component.core import AbstractComponent


class MarketplaceBaseComponent(AbstractComponent):
    _name = "marketplace.base"
    _inherit = "base.connector"
