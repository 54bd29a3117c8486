"""Orders on Shopee: listing by update time, details by chunks of 50."""

import logging
from datetime import timezone

from odoo.addons.component.core import Component
from odoo.addons.connector_marketplace.exceptions import RecordsNotFound
from odoo.addons.queue_job.exception import FailedJobError

from ..api.client import error_suffix

_logger = logging.getLogger(__name__)

# get_order_list accepts at most 15 days between time_from and time_to.
MAX_WINDOW_SECONDS = 15 * 24 * 3600
LIST_PAGE_SIZE = 100
DETAIL_CHUNK_SIZE = 50
# A runaway cursor must not loop forever.
MAX_PAGES_PER_WINDOW = 10000
DETAIL_OPTIONAL_FIELDS = (
    "buyer_user_id",
    "buyer_username",
    "estimated_shipping_fee",
    "recipient_address",
    "actual_shipping_fee",
    "note",
    "item_list",
    "pay_time",
    "cancel_by",
    "cancel_reason",
    "buyer_cancel_reason",
    "package_list",
    "shipping_carrier",
    "payment_method",
    "total_amount",
    "fulfillment_flag",
    "pickup_done_time",
)


def to_epoch(moment):
    """Naive UTC datetime (as Odoo stores it) → Unix seconds."""
    return int(moment.replace(tzinfo=timezone.utc).timestamp())


def split_windows(time_from, time_to, max_seconds=MAX_WINDOW_SECONDS):
    """Cut [time_from, time_to] (Unix seconds) into windows Shopee accepts."""
    windows = []
    start = time_from
    while start < time_to:
        end = min(start + max_seconds, time_to)
        windows.append((start, end))
        start = end
    return windows


class ShopeeOrderAdapter(Component):
    _name = "shopee.order.adapter"
    _inherit = "shopee.adapter"
    _apply_on = "shopee.order"

    def search(self, since, until, progress=None):
        """order_sn of every order updated in [since, until], each once.

        ``progress`` (a dict) is filled page by page with what was listed
        (``order_refs``, the base reads their count); given again after a
        failure, the listing goes on from the page that failed instead of
        starting over.
        """
        progress = {} if progress is None else progress
        progress.setdefault("window", 0)
        progress.setdefault("cursor", "")
        # (18.0.1.x saved the listing of a failed try as "order_sns")
        listed = progress.setdefault("order_refs", progress.pop("order_sns", []))
        windows = split_windows(to_epoch(since), to_epoch(until))
        while progress["window"] < len(windows):
            time_from, time_to = windows[progress["window"]]
            self._list_window(time_from, time_to, progress)
            progress.update(window=progress["window"] + 1, cursor="")
        return list(dict.fromkeys(listed))

    def _list_window(self, time_from, time_to, progress):
        cursor = progress["cursor"]
        for _page in range(MAX_PAGES_PER_WINDOW):
            data = self._call(
                "GET",
                "order/get_order_list",
                params={
                    "time_range_field": "update_time",
                    "time_from": time_from,
                    "time_to": time_to,
                    "page_size": LIST_PAGE_SIZE,
                    "cursor": cursor,
                },
            )
            page = data.get("response") or {}
            progress["order_refs"].extend(
                order["order_sn"] for order in page.get("order_list") or []
            )
            if not page.get("more"):
                return
            next_cursor = page.get("next_cursor")
            if not next_cursor or next_cursor == cursor:
                raise FailedJobError(
                    self.env._("Shopee said more orders follow but sent no new cursor.")
                )
            cursor = progress["cursor"] = next_cursor
        raise FailedJobError(
            self.env._(
                "Shopee kept sending pages of orders: stopped after %(pages)s.",
                pages=MAX_PAGES_PER_WINDOW,
            )
        )

    def read(self, order_sns):  # pylint: disable=method-required-super
        """Details of the orders, with the optional fields the import uses.

        Orders Shopee does not return are left out; a chunk Shopee refuses as
        "not found" raises ``RecordsNotFound`` (the importer splits it).
        """
        orders = []
        for index in range(0, len(order_sns), DETAIL_CHUNK_SIZE):
            chunk = order_sns[index : index + DETAIL_CHUNK_SIZE]
            data = self._call(
                "GET",
                "order/get_order_detail",
                params={
                    "order_sn_list": ",".join(chunk),
                    "response_optional_fields": ",".join(DETAIL_OPTIONAL_FIELDS),
                },
                not_found=chunk,
            )
            orders.extend((data.get("response") or {}).get("order_list") or [])
        return orders

    def read_escrow(self, order_sns):
        """{order_sn: escrow detail} (``get_escrow_detail_batch``, ≤ 50 a call).

        An order whose escrow Shopee does not give (yet) is left out.
        """
        escrows = {}
        for index in range(0, len(order_sns), DETAIL_CHUNK_SIZE):
            escrows.update(
                self._read_escrow_batch(order_sns[index : index + DETAIL_CHUNK_SIZE])
            )
        return escrows

    def _read_escrow_batch(self, order_sns):
        """One batch; when Shopee refuses it for an order it does not know,
        the halves are asked again, so that one order costs only itself."""
        try:
            data = self._call(
                "POST",
                "payment/get_escrow_detail_batch",
                body={"order_sn_list": order_sns},
                not_found=order_sns,
                not_found_codes=("order_not_found",),
            )
        except RecordsNotFound as error:
            unknown_order = (
                error_suffix(getattr(error.__cause__, "code", "")) == "order_not_found"
            )
            # (no escrow for any of them yet: nothing to split)
            if len(order_sns) == 1 or not unknown_order:
                return {}
            half = len(order_sns) // 2
            return {
                **self._read_escrow_batch(order_sns[:half]),
                **self._read_escrow_batch(order_sns[half:]),
            }
        response = data.get("response")
        entries = (
            response
            if isinstance(response, list)
            else ((response or {}).get("order_list") or [])
        )
        escrows = {}
        for entry in entries:
            detail = (
                entry.get("escrow_detail", entry) if isinstance(entry, dict) else {}
            )
            if detail.get("order_sn") and detail.get("order_income"):
                escrows[detail["order_sn"]] = detail
        return escrows

    def read_tracking_numbers(self, order_sns):
        """{order_sn: tracking number} of shipped orders (one call each)."""
        numbers = {}
        for order_sn in order_sns:
            try:
                data = self._call(
                    "GET",
                    "logistics/get_tracking_number",
                    params={"order_sn": order_sn},
                    not_found=[order_sn],
                    # Shopee's answer for an order it does not know
                    not_found_codes=("invalid_error",),
                )
            except RecordsNotFound:
                continue
            number = (data.get("response") or {}).get("tracking_number")
            if number:
                numbers[order_sn] = number
        return numbers
