"""Binders: external id ↔ binding record, per backend (shop)."""

from odoo.addons.component.core import AbstractComponent


class MarketplaceBinder(AbstractComponent):
    """Generic binder of the marketplace bindings.

    Bindings ``_inherits`` their marketplace record and carry ``backend_id``,
    ``external_id`` (a Char: ids are int64 or strings such as order_sn) and
    ``sync_date``, which is what ``base.binder`` expects.
    """

    _name = "marketplace.binder"
    _inherit = ["base.binder", "marketplace.base"]
