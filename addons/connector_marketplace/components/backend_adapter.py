"""Backend adapters: the only components that talk to the marketplace.

A channel's adapter turns the marketplace's errors into job outcomes:
``RetryableJobError`` when trying later may help (throttling, outages,
timeouts), a failure with a message the seller can act on otherwise.
"""

from odoo.addons.component.core import AbstractComponent


class MarketplaceAdapter(AbstractComponent):
    """Contract of the record adapters used by the generic importers.

    * ``search(since, until)`` → list of external ids updated in the window
    * ``read(external_ids)`` → list of records (dicts), missing ones left
      out; raises :class:`~..exceptions.RecordsNotFound` when the marketplace
      refuses the whole batch as "not found"
    """

    _name = "marketplace.adapter"
    _inherit = ["base.backend.adapter.crud", "marketplace.base"]
    _usage = "backend.adapter"
