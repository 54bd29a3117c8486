"""Adapters: the only components that call the (in-memory) marketplace.

Its errors become job outcomes as the contract says: ``Throttled`` retries
later, ``Refused`` fails for good with the marketplace's reason.
"""

from contextlib import contextmanager

from odoo.addons.component.core import Component
from odoo.addons.connector_marketplace.exceptions import (
    MarketplacePermissionError,
    RecordRefusal,
)
from odoo.addons.queue_job.exception import FailedJobError, RetryableJobError

from ..fake_api import API, Refused, Revoked, Throttled


class TestChannelAdapter(Component):
    _name = "test.channel.adapter"
    _inherit = ["marketplace.adapter", "test.channel.base"]
    _apply_on = "test.channel.shop"

    @property
    def _shop(self):
        return self.backend_record.external_id

    @contextmanager
    def _errors(self):
        try:
            yield
        except Throttled as error:
            raise RetryableJobError(
                self.env._("The marketplace is busy (%(error)s).", error=error),
                seconds=5,
            ) from error
        except Revoked as error:
            raise MarketplacePermissionError(
                self.env._("The marketplace refused the app: %(error)s", error=error)
            ) from error
        except Refused as error:
            raise FailedJobError(
                self.env._("The marketplace refused: %(error)s", error=error)
            ) from error

    def check(self):
        with self._errors():
            return API.check(self._shop)


class TestChannelOrderAdapter(Component):
    _name = "test.channel.order.adapter"
    _inherit = "test.channel.adapter"
    _apply_on = "test.channel.order"

    def search(self, since, until, progress=None):
        """Order ids updated in the window, page by page; ``progress`` keeps
        the next page and the ids listed so far, so that a retry goes on."""
        progress = {} if progress is None else progress
        refs = progress.setdefault("order_refs", [])
        offset = progress.get("offset", 0)
        with self._errors():
            while offset is not None:
                page = API.list_orders(self._shop, since, until, offset=offset)
                refs.extend(ref for ref in page["order_ids"] if ref not in refs)
                offset = progress["offset"] = page["next"]
        return list(refs)

    def read(self, order_refs):  # pylint: disable=method-required-super
        with self._errors():
            return API.get_orders(self._shop, order_refs)

    def read_settlements(self, order_refs):
        with self._errors():
            return API.get_settlements(self._shop, order_refs)

    def read_tracking(self, order_refs):
        with self._errors():
            return API.get_tracking(self._shop, order_refs)

    def shipping_options(self, order_ref):
        with self._errors():
            return API.shipping_options(self._shop, order_ref)

    def ship(self, order_ref, shipment):
        """None, or the marketplace's reason for refusing this order."""
        slot = shipment["slot_id"]
        if shipment["mode"] == "pickup" and not slot:
            options = API.shipping_options(self._shop, order_ref)["addresses"][0]
            slot = next(s["id"] for s in options["slots"] if s.get("recommended"))
        with RecordRefusal() as refusal, self._errors():
            API.ship(
                self._shop,
                order_ref,
                shipment["mode"],
                slot=slot,
                tracking=shipment["tracking_numbers"].get(order_ref),
            )
        return refusal.reason

    def cancel(self, order_ref, reason):
        """None, or the marketplace's reason for refusing."""
        with RecordRefusal() as refusal, self._errors():
            API.cancel(self._shop, order_ref, reason)
        return refusal.reason

    def answer_cancellation(self, order_ref, accept):
        with RecordRefusal() as refusal, self._errors():
            API.answer_cancellation(self._shop, order_ref, accept)
        return refusal.reason

    def labels(self, order_refs):
        with self._errors():
            return API.get_labels(self._shop, order_refs)


class TestChannelListingAdapter(Component):
    _name = "test.channel.listing.adapter"
    _inherit = "test.channel.adapter"
    _apply_on = "test.channel.listing"

    def search(self, since=None, until=None):
        with self._errors():
            return API.list_items(self._shop, since, until)

    def read(self, item_ids):  # pylint: disable=method-required-super
        with self._errors():
            return API.get_items(self._shop, item_ids)

    def update_stock(self, updates):
        with self._errors():
            answer = API.update_stock(self._shop, updates)
        return {
            "success": {
                (row["item_id"], row["sku_id"]): row["quantity"]
                for row in answer["success"]
            },
            "failure": {
                (row["item_id"], row["sku_id"]): row["message"]
                for row in answer["errors"]
            },
        }

    def read_stock(self, item_ids):
        with self._errors():
            return API.read_stock(self._shop, item_ids)
