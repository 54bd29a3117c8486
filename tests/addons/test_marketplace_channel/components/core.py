from odoo.addons.component.core import AbstractComponent, Component


class TestChannelBase(AbstractComponent):
    _name = "test.channel.base"
    _inherit = "marketplace.base"
    _collection = "test.channel.shop"


class TestChannelBinder(Component):
    _name = "test.channel.binder"
    _inherit = ["marketplace.binder", "test.channel.base"]
    _apply_on = ["test.channel.order", "test.channel.listing"]
