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

    def to_internal_batch(self, external_ids):
        """{external id: binding} of those of ``external_ids`` that are bound,
        in one query (``to_internal`` for a chunk)."""
        ids = [ext_id for ext_id in external_ids if not self._is_empty_id(ext_id)]
        if not ids:
            return {}
        context = self.env.context
        bindings = self.model.with_context(active_test=False).search(
            [
                (self._external_field, "in", ids),
                (self._backend_field, "=", self.backend_record.id),
            ]
        )
        # pylint: disable=context-overridden
        bindings = bindings.with_context(context)  # without active_test, as to_internal
        return {binding[self._external_field]: binding for binding in bindings}
