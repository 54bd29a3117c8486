"""The State's cancellations (shopee-api.md §5.3–5.5): the seller's
``cancel_order``, a buyer's cancellation request (control API) and the
seller's answer to it, ``handle_buyer_cancellation``.

A mixin of :class:`~shopee_simulator.state.State`: every public method
takes the state's lock. ``self.cancel_requests`` maps an order_sn to the
buyer's latest request: ``shop_id``, ``reason``, the order status and the
packages' logistics statuses before it (a rejection puts them back),
``requested_at``, ``outcome`` (pending, accepted, rejected, cancelled: an
UNPAID order the buyer cancelled at once, closed: the order left IN_CANCEL
through the control API or the traffic) and ``answered_at``.
``self.seller_cancellations`` lists the seller's cancellations in order.
"""

import copy

from . import generator, logistics
from .errors import ApiError, param_error

# cancel_order's cancel_reason → the order's cancel_reason text.
CANCEL_REASONS = {
    "OUT_OF_STOCK": generator.SELLER_CANCEL_REASON,
    "CUSTOMER_REQUEST": "Customer Request",
    "UNDELIVERABLE_AREA": "Undeliverable Area",
    "COD_NOT_SUPPORTED": "COD Not Supported",
}
UNDELIVERABLE_AREA_REGIONS = ("TW", "MY")
# "Only before the order has been shipped" (the reference page).
SELLER_CANCELLABLE = ("UNPAID", "READY_TO_SHIP", "PROCESSED", "RETRY_SHIP")
# A paid order not shipped yet: the buyer asks, the seller answers.
BUYER_REQUESTABLE = ("READY_TO_SHIP", "PROCESSED", "RETRY_SHIP")
OPERATIONS = ("ACCEPT", "REJECT")
# A shipment was requested from the carrier: cancelled, not merely invalid.
SHIPMENT_REQUESTED = frozenset(
    (logistics.ARRANGED, "LOGISTICS_PICKUP_RETRY", "LOGISTICS_PICKUP_FAILED")
)
NOT_FOUND = ("error_not_found", "Wrong parameters, detail: the order is not found.")
CANNOT_CANCEL = ("order.error_limit", "Can not cancel this order.")
NOT_IN_CANCEL = (
    "order.cancel_order_invalid_status",
    "Invalid order_status.The order status should be IN_CANCEL.",
)


class Cancellations:
    def _reset_cancellations(self):
        self.cancel_requests = {}
        self.seller_cancellations = []

    def cancellations(self):
        """What the control API shows: buyers' requests, sellers' cancellations."""
        with self.lock:
            return {
                "requests": sorted(
                    (
                        dict(record, order_sn=sn)
                        for sn, record in self.cancel_requests.items()
                    ),
                    key=lambda record: (record["requested_at"], record["order_sn"]),
                ),
                "seller_cancellations": copy.deepcopy(self.seller_cancellations),
            }

    # -- the seller cancels (cancel_order) ---------------------------------------------

    def cancel_order(self, shop_id, order_sn, reason, item_list=()):
        """Cancel an order not shipped yet; its update_time. Raises ApiError."""
        with self.lock:
            order = self.orders.get(shop_id, {}).get(order_sn)
            if order is None:
                raise ApiError(*NOT_FOUND)
            if order["order_status"] not in SELLER_CANCELLABLE:
                raise ApiError(*CANNOT_CANCEL)
            region = self.shops[shop_id].get("region") or "TH"
            if (
                reason == "UNDELIVERABLE_AREA"
                and region not in UNDELIVERABLE_AREA_REGIONS
            ):
                raise param_error(
                    "cancel_reason UNDELIVERABLE_AREA only applies to TW and MY shops."
                )
            if reason == "COD_NOT_SUPPORTED" and not order.get("cod"):
                raise param_error(
                    "cancel_reason COD_NOT_SUPPORTED only applies to COD orders."
                )
            lines = {
                (line["item_id"], line["model_id"])
                for line in order.get("item_list") or []
            }
            for item_id, model_id in item_list if reason == "OUT_OF_STOCK" else ():
                if (item_id, model_id) not in lines:
                    raise param_error(
                        f"item_id {item_id} model_id {model_id} is not in the order."
                    )
            before = copy.deepcopy(order)
            self._cancel(shop_id, order, "seller", CANCEL_REASONS[reason])
            self.seller_cancellations.append(
                {
                    "order_sn": order_sn,
                    "shop_id": shop_id,
                    "cancel_reason": reason,
                    "item_list": [
                        {"item_id": item_id, "model_id": model_id}
                        for item_id, model_id in item_list
                    ],
                    "status_before": before["order_status"],
                    "at": order["update_time"],
                }
            )
            self._order_pushes(shop_id, order, before)
            return order["update_time"]

    def _cancel(self, shop_id, order, cancel_by, reason, arranged=()):
        """CANCELLED now: who and why, packages cancelled, stock given back.

        A package whose shipment was requested (``arranged`` names those a
        request for cancellation hid) becomes LOGISTICS_REQUEST_CANCELED, any
        other LOGISTICS_INVALID (§5.4)."""
        requested = set(arranged) | {
            parcel["package_number"]
            for parcel in order.get("package_list") or []
            if parcel.get("logistics_status") in SHIPMENT_REQUESTED
        }
        generator.apply_status(
            order, "CANCELLED", self.now(), self.order_terms(shop_id, order)
        )
        order.update(cancel_by=cancel_by, cancel_reason=reason)
        for parcel in order.get("package_list") or []:
            if parcel["package_number"] in requested:
                parcel["logistics_status"] = "LOGISTICS_REQUEST_CANCELED"
            self.pending_tracking.discard((order["order_sn"], parcel["package_number"]))
        order["update_time"] = self.now()
        self._sync_stock(shop_id, order)

    # -- the buyer asks (control API) ---------------------------------------------------

    def buyer_cancel(self, order_sn, reason=None):
        """The buyer asks to cancel: (order, request record), None when no shop
        has the order; ValueError when its status does not allow it.

        A paid order not shipped goes IN_CANCEL and waits for the seller; an
        UNPAID one is cancelled at once (buyers need nobody's leave for that).
        """
        with self.lock:
            shop_id, order = self._find_order(order_sn)
            if order is None:
                return None
            status = order["order_status"]
            if status not in ("UNPAID", *BUYER_REQUESTABLE):
                raise ValueError(
                    f"the buyer cannot cancel an order in {status} (only UNPAID, "
                    f"{', '.join(BUYER_REQUESTABLE)})"
                )
            reason = reason or generator.BUYER_CANCEL_REASONS[0]
            before = copy.deepcopy(order)
            order["buyer_cancel_reason"] = reason
            if status == "UNPAID":
                self._cancel(shop_id, order, "buyer", reason)
                record = self._record_request(shop_id, before, order, "cancelled")
                record["answered_at"] = order["update_time"]
            else:
                order["order_status"] = "IN_CANCEL"
                order["update_time"] = self.now()
                record = self._record_request(shop_id, before, order)
            self._order_pushes(shop_id, order, before)
            return copy.deepcopy(order), dict(record, order_sn=order_sn)

    def _record_request(self, shop_id, before, order, outcome="pending"):
        record = {
            "shop_id": shop_id,
            "reason": order.get("buyer_cancel_reason") or "",
            "status_before": before["order_status"],
            "logistics_before": {
                parcel["package_number"]: parcel.get("logistics_status")
                for parcel in before.get("package_list") or []
            },
            "requested_at": order["update_time"],
            "outcome": outcome,
            "answered_at": None,
        }
        self.cancel_requests[order["order_sn"]] = record
        return record

    def _note_cancel_request(self, shop_id, before, order):
        """A status change of the control API or the traffic: a move to
        IN_CANCEL is a buyer's request, a move away closes it."""
        was, status = before["order_status"], order["order_status"]
        if was == status:
            return
        if status == "IN_CANCEL" and was in BUYER_REQUESTABLE:
            self._record_request(shop_id, before, order)
        elif was == "IN_CANCEL":
            record = self.cancel_requests.get(order["order_sn"])
            if record is not None and record["outcome"] == "pending":
                record.update(outcome="closed", answered_at=order["update_time"])

    def _forget_cancellation(self, order_sn):
        self.cancel_requests.pop(order_sn, None)

    def _pending_request(self, shop_id, order):
        """The request an IN_CANCEL order waits on. Start-up and replaced
        orders have none recorded: they were READY_TO_SHIP before (PROCESSED
        when a package has a shipment)."""
        record = self.cancel_requests.get(order["order_sn"])
        if record is not None and record["outcome"] == "pending":
            return record
        parcels = order.get("package_list") or []
        arranged = any(p.get("logistics_status") in SHIPMENT_REQUESTED for p in parcels)
        return {
            "shop_id": shop_id,
            "reason": order.get("buyer_cancel_reason") or "",
            "status_before": "PROCESSED" if arranged else "READY_TO_SHIP",
            "logistics_before": {},
            "requested_at": order["update_time"],
            "outcome": "pending",
            "answered_at": None,
        }

    # -- the seller answers (handle_buyer_cancellation) ----------------------------------

    def handle_buyer_cancellation(self, shop_id, order_sn, operation):
        """ACCEPT cancels, REJECT puts the order back; its update_time."""
        with self.lock:
            order = self.orders.get(shop_id, {}).get(order_sn)
            if order is None:
                raise ApiError(*NOT_FOUND)
            if order["order_status"] != "IN_CANCEL":
                raise ApiError(*NOT_IN_CANCEL)
            record = self._pending_request(shop_id, order)
            before = copy.deepcopy(order)
            if operation == "ACCEPT":
                reason = (
                    order.get("buyer_cancel_reason")
                    or record["reason"]
                    or generator.BUYER_CANCEL_REASONS[0]
                )
                arranged = [
                    number
                    for number, status in record["logistics_before"].items()
                    if status in SHIPMENT_REQUESTED
                ]
                self._cancel(shop_id, order, "buyer", reason, arranged)
            else:
                self._put_back(shop_id, order, record)
            record.update(
                outcome="accepted" if operation == "ACCEPT" else "rejected",
                answered_at=order["update_time"],
            )
            self.cancel_requests[order_sn] = record
            self._order_pushes(shop_id, order, before)
            return order["update_time"]

    def _put_back(self, shop_id, order, record):
        status = record["status_before"]
        if status not in BUYER_REQUESTABLE:
            status = "READY_TO_SHIP"
        generator.apply_status(
            order, status, self.now(), self.order_terms(shop_id, order)
        )
        for parcel in order.get("package_list") or []:
            previous = record["logistics_before"].get(parcel["package_number"])
            if previous:
                parcel["logistics_status"] = previous
        order["update_time"] = self.now()
        self._sync_stock(shop_id, order)
