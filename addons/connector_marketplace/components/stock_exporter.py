"""The stock exporter: quantities to the marketplace, in the calls the
channel declares (``ChannelCapabilities.stock_batching``).

The job step decides what to send (rules, holds, what the marketplace
already has); this component only groups the listings into the channel's
calls, sends them through the backend's ``_marketplace_update_stock`` and
sorts the answers. One call that the marketplace cannot take now
(``RetryableJobError``) does not stop the others: its listings are handed
back to be sent again by the step's next try. A call refused for good marks
its listings with the reason, unless the app's credentials or permissions
are refused: that ends the step, and pauses the shop.
"""

from dataclasses import dataclass, field

from odoo.addons.component.core import Component
from odoo.addons.queue_job.exception import FailedJobError, RetryableJobError

from ..exceptions import MarketplaceCredentialsError, MarketplacePermissionError


@dataclass
class StockPushResult:
    #: {listing: quantity the marketplace now shows}
    accepted: dict = field(default_factory=dict)
    #: {listing: the marketplace's reason, or None when its answer left the
    #: listing out}
    refused: dict = field(default_factory=dict)
    #: listings of the calls to send again, and the last passing trouble
    retry: list = field(default_factory=list)
    retry_error: Exception = None


def stock_batches(sends, batching, size):
    """``sends`` ([(listing, quantity)]) grouped into calls: per item
    (``"item"``: one item's variations, at most ``size`` a call) or across
    items (``"sku"``: at most ``size`` listings a call), in their order."""
    if size < 1:
        raise ValueError(f"stock batch size must be positive, not {size}")
    if batching == "item":
        groups = {}
        for send in sends:
            groups.setdefault(send[0].external_item_id, []).append(send)
        groups = list(groups.values())
    elif batching == "sku":
        groups = [list(sends)]
    else:
        raise ValueError(f"unknown stock batching {batching!r}")
    return [
        group[index : index + size]
        for group in groups
        for index in range(0, len(group), size)
    ]


class MarketplaceStockExporter(Component):
    """Generic for every channel (no ``_collection``); a channel may extend
    it in its own collection."""

    _name = "marketplace.stock.exporter"
    _inherit = "marketplace.base"
    _usage = "stock.exporter"
    _apply_on = "marketplace.product.binding"

    def push(self, sends):
        """Send ``sends`` ([(listing, quantity)]).

        :returns: a :class:`StockPushResult`
        """
        backend = self.backend_record
        capabilities = backend._marketplace_capabilities()
        result = StockPushResult()
        for batch in stock_batches(
            sends, capabilities.stock_batching, capabilities.stock_batch_size
        ):
            updates = [
                (listing.external_item_id, listing.external_variation_id, quantity)
                for listing, quantity in batch
            ]
            try:
                answer = backend._marketplace_update_stock(updates)
            except (MarketplaceCredentialsError, MarketplacePermissionError):
                # the app itself is refused: every call would be, and the
                # shop's scheduled work pauses (the job's failure hook)
                raise
            except RetryableJobError as error:
                result.retry += [listing for listing, _quantity in batch]
                result.retry_error = error
                continue
            except FailedJobError as error:
                answer = {
                    "success": {},
                    "failure": dict.fromkeys(
                        [(item, variation) for item, variation, _q in updates],
                        str(error),
                    ),
                }
            for listing, _quantity in batch:
                key = (listing.external_item_id, listing.external_variation_id)
                if key in answer["success"]:
                    result.accepted[listing] = answer["success"][key]
                else:
                    result.refused[listing] = answer["failure"].get(key)
        return result
