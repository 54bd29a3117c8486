"""Cancellations (lazada-api.md §6): the seller's, the buyer's requests and
the reverse orders they make, in the shapes of Lazada's Order and Return &
Refund API pages and the "Order Cancellation" guide.

A mixin of :class:`~lazada_simulator.state.State`, like ``Fulfilment``:
every method takes the state's lock, every status change goes through
``orders.set_item_status``, moves the stock and sends the status pushes.

- The seller cancels unshipped items (``/order/reverse/cancel/validate``
  then ``/order/reverse/cancel/create``, with a reason id). Cancelling an
  item of a package cancels the package's other live items too (the guide).
  "Out of Stock" and "Wrong Price or Pricing Error" set the SKU's sellable
  stock to 0 (the guide), after the unit was given back.
- A buyer asks to cancel unshipped items (control API): a reverse order of
  type CANCEL, one line per item. The items keep their status; their rows
  say ``need_cancel_confirm`` true with the ``reverse_order_id`` and
  ``cancel_trigger_time`` (GetOrderItems' fields), the order says
  ``need_cancel_confirm`` true (GetOrder's). A ``message_type`` 10 push
  (``CANCEL_INIT``) goes out per line.
- The seller answers (``/order/reverse/cancel/seller/decide``): agreed, the
  items are cancelled (lines ``CANCEL_SUCCESS``, pushes 10 and 0); refused,
  the lines are ``REQUEST_REJECT`` and the items go on.
- A line whose item leaves the unshipped statuses another way (the control
  API, traffic) closes: ``CANCEL_SUCCESS`` when the item was cancelled (as
  Lazada's auto-cancellation at ``cancel_trigger_time``), else
  ``REQUEST_CANCEL``.

Errors are the pages' numbered ones (ISV, ``E0xxx`` messages): 102 bad item
list, 104 bad reason, 105 bad reverse order id, 106 unknown reverse order
("ROC internal error", as GetReverseOrderDetail documents it), 122 unknown
order, 123 lines that cannot be cancelled, 124 another seller's order, 131
a reverse order awaiting no decision.
"""

import copy
import random

from . import money, orders
from .errors import numbered
from .timefmt import lazada_time

REVERSE_PUSH = 10  # state.PUSH_REVERSE_ORDER
# Items a seller may cancel and a buyer may ask to cancel. The guide says
# "Pending ~ Ready To Ship"; Seller Center no longer cancels ready-to-ship
# orders: ready_to_ship is refused here.
CANCELLABLE = frozenset(("pending", "packed", "repacked", "ready_to_ship_pending"))
# The Thai seller's cancellation reasons (the guide's example answer).
SOURCING_DELAY = "10000019"
OUT_OF_STOCK = "10000021"
WRONG_PRICE = "10000023"
SELLER_REASONS = {
    SOURCING_DELAY: "Sourcing Delay",
    OUT_OF_STOCK: "Out of Stock",
    WRONG_PRICE: "Wrong Price or Pricing Error",
}
ZEROING_REASONS = frozenset((OUT_OF_STOCK, WRONG_PRICE))
# What a buyer's request says when the control API gives no reason.
BUYER_REASON = ("Change of mind", 1000001)
SELLER_INITIATOR = "cancellation-seller"
BUYER_INITIATOR = "cancellation-customer"
# The seller's time to answer a buyer's request (cancel_trigger_time, sla).
RESPONSE_SLA = 2 * 86400
# Reverse statuses of a CANCEL line (GetReverseOrderDetail's enumeration)
# and what the message_type 10 push says (the webhook page's CANCEL keys).
INITIATED = "REQUEST_INITIATE"
REJECTED = "REQUEST_REJECT"
WITHDRAWN = "REQUEST_CANCEL"
CANCELLED = "CANCEL_SUCCESS"
PUSH_STATUS = {INITIATED: "CANCEL_INIT", CANCELLED: "CANCEL_SUCCESS"}
OFC_STATUS = "INITIAL"  # nothing travels back for an unshipped item

VALIDATE_TIP = (
    "The SKU's stock may be set to 0 when the reason is 'Out of Stock' or "
    "'Wrong Price or Pricing Error', to prevent new orders while you adjust "
    "stock or prices. Cancellations count in your seller cancellation rate."
)
CREATE_TIP = (
    "The items have been cancelled and the buyer informed. With 'Out of "
    "Stock' or 'Wrong Price or Pricing Error' the SKU's stock was set to 0: "
    "check your stock and prices under Manage Products."
)


def invalid_lines(ids, why):
    listed = ",".join(str(i) for i in ids)
    return numbered(123, f"E0123: invalid trade order lines {listed}: {why}")


def buyer_id_of(rec, row):
    value = str(row.get("buyer_id") or orders.buyer_id_for(rec["order"]["order_id"]))
    return int(value) if value.isdigit() else 0


class Reverse:
    """Mixed into ``State``: cancellations and reverse orders."""

    def reset_reverse(self, seed=0):
        # seller_id → {reverse_order_id: record}; ids never twice a reset.
        self.reverse_orders = {}
        self.reverse_ids = orders.Ids(random.Random(seed * 11 + 3))

    # -- the seller cancels ----------------------------------------------------------

    def _cancel_rows(self, seller_id, order_id, item_ids):
        """(record, rows) of the seller's order; raises 122, 124 or 123."""
        owner, rec = self._find_order(order_id)
        if rec is None:
            raise numbered(122, "E0122: invalid trade order")
        if owner != seller_id:
            raise numbered(
                124,
                "E0124: invalid seller id for this order line "
                + ",".join(str(i) for i in item_ids),
            )
        rows = {row["order_item_id"]: row for row in rec["items"]}
        unknown = [i for i in item_ids if i not in rows]
        if unknown:
            raise invalid_lines(unknown, "not items of this order")
        return rec, [rows[i] for i in dict.fromkeys(item_ids)]

    @staticmethod
    def _why_not(row):
        """Why the seller cannot cancel the item (None: it can)."""
        if row.get("need_cancel_confirm"):
            return (
                "the buyer asked to cancel it: answer reverse order "
                f"{row['reverse_order_id']} with /order/reverse/cancel/seller/decide"
            )
        if row["status"] not in CANCELLABLE:
            return f"an item in status {row['status']} cannot be cancelled"
        return None

    @staticmethod
    def _package_mates(rec, rows):
        """The other live items of the packages of ``rows`` (cancelled with them)."""
        packages = {row["package_id"] for row in rows if row["package_id"]}
        chosen = {row["order_item_id"] for row in rows}
        return [
            row
            for row in rec["items"]
            if row["package_id"] in packages
            and row["order_item_id"] not in chosen
            and row["status"] in CANCELLABLE
        ]

    def cancel_validate(self, seller_id, order_id, item_ids):
        """OrderCancelValidate's ``data``: the reasons, or tip_type "error"."""
        with self.lock:
            rec, rows = self._cancel_rows(seller_id, order_id, item_ids)
            refused = [(row, self._why_not(row)) for row in rows]
            refused = [(row, why) for row, why in refused if why]
            if refused:
                return {
                    "tip_type": "error",
                    "tip_content": "; ".join(
                        f"{row['order_item_id']}: {why}" for row, why in refused
                    ),
                    "reason_options": [],
                }
            tip = VALIDATE_TIP
            mates = self._package_mates(rec, rows)
            if mates:
                tip += (
                    " The other items of the same package will be cancelled too: "
                    + ", ".join(str(row["order_item_id"]) for row in mates)
                    + "."
                )
            return {
                "tip_type": "warning",
                "tip_content": tip,
                "reason_options": [
                    {"reason_id": reason_id, "reason_name": name}
                    for reason_id, name in SELLER_REASONS.items()
                ],
            }

    def seller_cancel(self, seller_id, order_id, item_ids, reason_id, detail=""):
        """InitReverseOrderCancel: the items (and their package mates) are
        cancelled, or nothing changes and 104 / 122 / 123 / 124 is raised."""
        with self.lock:
            rec, rows = self._cancel_rows(seller_id, order_id, item_ids)
            if reason_id not in SELLER_REASONS:
                raise numbered(104, "E0104: reason is empty or invalid")
            refused = [row for row in rows if self._why_not(row)]
            if refused:
                raise invalid_lines(
                    [row["order_item_id"] for row in refused],
                    self._why_not(refused[0]),
                )
            now = self.now()
            for row in rows + self._package_mates(rec, rows):
                row.update(
                    reason=SELLER_REASONS[reason_id],
                    reason_detail=detail,
                    cancel_return_initiator=SELLER_INITIATOR,
                )
                orders.set_item_status(rec, row, "canceled", now)
                self.unit_move(row)
                self._row_pushes(rec, row, now)
                if reason_id in ZEROING_REASONS:
                    self._zero_stock(row)
            rec["updated"] = max(now, rec["created"])
            orders.summarise(rec)
            return {"tip_type": "success", "tip_content": CREATE_TIP}

    def _zero_stock(self, row):
        unit = self.units.get(row["order_item_id"])
        item, sku = self.find_sku(unit[0], unit[2]) if unit else (None, None)
        if sku is None:
            return
        if sku["sellable"]:
            sku["sellable"] = 0
            self.catalogue_version += 1
        item["updated"] = self.now()

    # -- the buyer asks -------------------------------------------------------------------

    def buyer_cancel_request(self, order_id, item_ids=None, reason=None):
        """A buyer's cancellation request (control API); answers the reverse
        order as GetReverseOrderDetail shows it, or None when nobody has the
        order. Raises ValueError for items that cannot be asked for."""
        with self.lock:
            seller_id, rec = self._find_order(order_id)
            if rec is None:
                return None
            rows = self._requested_rows(rec, item_ids)
            reason_text, reason_code = reason or BUYER_REASON
            now = self.now()
            reverse_id = self.reverse_ids.order_id()
            trigger = (now + RESPONSE_SLA) * 1000
            lines = []
            for row in rows:
                line_id = self.reverse_ids.item_id()
                lines.append(
                    {
                        "reverse_order_line_id": line_id,
                        "trade_order_line_id": row["order_item_id"],
                        "reverse_status": INITIATED,
                        "reason_text": reason_text,
                        "reason_code": reason_code,
                        "created": now,
                        "modified": now,
                        "snapshot": self._line_snapshot(rec, row),
                    }
                )
                row.update(
                    need_cancel_confirm=True,
                    is_cancel_pending=False,
                    reverse_order_id=reverse_id,
                    cancel_trigger_time=trigger,
                )
                row["updated_at"] = lazada_time(now)
            reverse = {
                "seller_id": seller_id,
                "reverse_order_id": reverse_id,
                "trade_order_id": rec["order"]["order_id"],
                "request_type": "CANCEL",
                "created": now,
                "lines": lines,
                "decision": None,
            }
            self.reverse_orders.setdefault(seller_id, {})[reverse_id] = reverse
            rec["updated"] = max(now, rec["created"])
            orders.summarise(rec)
            for line in lines:
                self._reverse_push(reverse, line, now)
            return self._detail(reverse)

    def _requested_rows(self, rec, item_ids):
        rows = {row["order_item_id"]: row for row in rec["items"]}
        if item_ids is None:
            chosen = [
                row
                for row in rec["items"]
                if row["status"] in CANCELLABLE and not row.get("need_cancel_confirm")
            ]
            if not chosen:
                raise ValueError("the order has no item a buyer can ask to cancel")
            return chosen
        chosen = []
        for value in dict.fromkeys(item_ids):
            row = rows.get(int(value)) if str(value).isdigit() else None
            if row is None:
                raise ValueError(f"the order has no item {value}")
            if row["status"] not in CANCELLABLE:
                raise ValueError(
                    f"item {value} is {row['status']}: a buyer can ask to cancel "
                    f"{', '.join(sorted(CANCELLABLE))} items only"
                )
            if row.get("need_cancel_confirm"):
                raise ValueError(
                    f"item {value} is already under reverse order "
                    f"{row['reverse_order_id']}"
                )
            chosen.append(row)
        if not chosen:
            raise ValueError("order_item_ids is empty")
        return chosen

    @staticmethod
    def _line_snapshot(rec, row):
        """What a line shows of its item, kept should the order be replaced."""
        order = rec["order"]
        paid = money.satang(row["paid_price"]) + money.satang(row["shipping_amount"])
        need_refund = str(order["payment_method"]).upper() != "COD"
        product_id = str(row["product_id"] or "")
        return {
            "buyer_id": buyer_id_of(rec, row),
            "product_id": int(product_id) if product_id.isdigit() else 0,
            "sku_id": str(row["sku_id"]),
            "seller_sku": row["sku"],
            "shop_sku": row["shop_sku"],
            "item_unit_price": money.satang(row["item_price"]),
            "refund_amount": paid if need_refund else 0,
            "is_need_refund": need_refund,
            "payment_method": order["payment_method"],
            "trade_created": rec["created"],
        }

    def _reverse_push(self, reverse, line, moment):
        status = PUSH_STATUS.get(line["reverse_status"])
        if status is None:
            return  # the webhook page lists no push for it
        self.push.emit(
            REVERSE_PUSH,
            reverse["seller_id"],
            {
                "reverse_order_id": reverse["reverse_order_id"],
                "reverse_status": status,
                "trade_order_id": reverse["trade_order_id"],
                "extraParams": {},
                "trade_order_line_id": line["trade_order_line_id"],
                "buyer_id": line["snapshot"]["buyer_id"],
                "seller_id": reverse["seller_id"],
                "reverse_order_line_id": line["reverse_order_line_id"],
                "status_update_time": int(moment),
            },
        )

    # -- the seller answers -------------------------------------------------------------

    def _reverse(self, seller_id, reverse_id):
        reverse = self.reverse_orders.get(seller_id, {}).get(reverse_id)
        if reverse is None:
            raise numbered(106, "E0106: ROC internal error: no such reverse order")
        return reverse

    def cancel_decide(self, seller_id, reverse_id, agree, reason_code=None):
        """InitReverseOrderCancelDecide: agree → the items are cancelled,
        refuse → the request is closed; 131 when nothing awaits a decision."""
        with self.lock:
            reverse = self._reverse(seller_id, reverse_id)
            open_lines = [
                line for line in reverse["lines"] if line["reverse_status"] == INITIATED
            ]
            if reverse["request_type"] != "CANCEL" or not open_lines:
                raise numbered(131, "E0131: no decision for this reverse order")
            now = self.now()
            _owner, rec = self._find_order(reverse["trade_order_id"])
            rows = {row["order_item_id"]: row for row in rec["items"]} if rec else {}
            reverse["decision"] = {
                "agree_cancel": agree,
                "reason_code": reason_code,
                "at": now,
            }
            for line in open_lines:
                row = rows.get(line["trade_order_line_id"])
                line["modified"] = now
                if row is not None:
                    row.update(need_cancel_confirm=False, is_cancel_pending=False)
                    row["updated_at"] = lazada_time(now)
                if not agree:
                    line["reverse_status"] = REJECTED
                    continue
                if row is None or row["status"] not in CANCELLABLE:
                    line["reverse_status"] = WITHDRAWN
                    continue
                line["reverse_status"] = CANCELLED
                row.update(
                    reason=line["reason_text"],
                    reason_detail="",
                    cancel_return_initiator=BUYER_INITIATOR,
                )
                orders.set_item_status(rec, row, "canceled", now)
                self.unit_move(row)
                self._row_pushes(rec, row, now)
                self._reverse_push(reverse, line, now)
            if rec is not None:
                rec["updated"] = max(now, rec["created"])
                orders.summarise(rec)

    def follow_cancel_request(self, rec, row, moment):
        """Called after any status change of ``row``: a request on an item
        that left the unshipped statuses another way closes."""
        if not row.get("need_cancel_confirm") or row["status"] in CANCELLABLE:
            return
        reverse = self.reverse_orders.get(rec["seller_id"], {}).get(
            row.get("reverse_order_id")
        )
        row.update(need_cancel_confirm=False, is_cancel_pending=False)
        orders.summarise(rec)
        if reverse is None:
            return
        for line in reverse["lines"]:
            if (
                line["trade_order_line_id"] == row["order_item_id"]
                and line["reverse_status"] == INITIATED
            ):
                cancelled = row["status"] == "canceled"
                line["reverse_status"] = CANCELLED if cancelled else WITHDRAWN
                line["modified"] = int(moment)
                self._reverse_push(reverse, line, moment)

    # -- reading reverse orders ----------------------------------------------------------

    def reverse_page(self, seller_id, wanted, page_no, page_size):
        """GetReverseOrdersForSeller's ``result``: newest first."""
        with self.lock:
            found = [
                reverse
                for reverse in self.reverse_orders.get(seller_id, {}).values()
                if _matches(reverse, wanted)
            ]
            found.sort(
                key=lambda r: (r["created"], r["reverse_order_id"]), reverse=True
            )
            start = (page_no - 1) * page_size
            return {
                "page_no": page_no,
                "page_size": page_size,
                "total": len(found),
                "success": True,
                "items": [
                    self._listed(reverse)
                    for reverse in found[start : start + page_size]
                ],
            }

    def reverse_detail(self, seller_id, reverse_id):
        with self.lock:
            return self._detail(self._reverse(seller_id, reverse_id))

    def all_reverse_orders(self, seller_id):
        """Control API: every reverse order of the seller, as detail shows it."""
        with self.lock:
            return [
                self._detail(reverse)
                for reverse in self.reverse_orders.get(seller_id, {}).values()
            ]

    def reverse_count(self):
        return sum(len(found) for found in self.reverse_orders.values())

    @staticmethod
    def _head(reverse):
        return {
            "reverse_order_id": reverse["reverse_order_id"],
            "trade_order_id": reverse["trade_order_id"],
            "request_type": reverse["request_type"],
            "is_rtm": True,
            "shipping_type": "DEFAULT",
        }

    @staticmethod
    def _line_common(line):
        snap = line["snapshot"]
        return {
            "reverse_order_line_id": line["reverse_order_line_id"],
            "trade_order_line_id": line["trade_order_line_id"],
            "reverse_status": line["reverse_status"],
            "ofc_status": OFC_STATUS,
            "is_need_refund": snap["is_need_refund"],
            "trade_order_gmt_create": snap["trade_created"] * 1000,
            "refund_amount": snap["refund_amount"],
            "reason_text": line["reason_text"],
            "reason_code": line["reason_code"],
            "refund_payment_method": snap["payment_method"],
            "whqc_decision": "",
            "return_order_line_gmt_create": line["created"] * 1000,
            "return_order_line_gmt_modified": line["modified"] * 1000,
            "is_dispute": False,
            "seller_sku_id": snap["seller_sku"],
            "item_unit_price": snap["item_unit_price"],
            "platform_sku_id": snap["shop_sku"],
            "tracking_number": "",
            "sla": (line["created"] + RESPONSE_SLA) * 1000,
        }

    def _listed(self, reverse):
        lines = []
        for line in reverse["lines"]:
            snap = line["snapshot"]
            lines.append(
                {
                    **self._line_common(line),
                    "product": {
                        "product_id": snap["product_id"],
                        "product_sku": snap["sku_id"],
                    },
                    "buyer": {"buyer_id": snap["buyer_id"]},
                    "receiver_address": "",
                }
            )
        return {**self._head(reverse), "reverse_order_lines": lines}

    def _detail(self, reverse):
        lines = []
        for line in reverse["lines"]:
            snap = line["snapshot"]
            lines.append(
                {
                    **self._line_common(line),
                    "productDTO": {
                        "product_id": snap["product_id"],
                        "sku": snap["sku_id"],
                    },
                    "buyer": {"user_id": snap["buyer_id"]},
                }
            )
        return copy.deepcopy({**self._head(reverse), "reverseOrderLineDTOList": lines})


def _matches(reverse, wanted):
    """GetReverseOrdersForSeller's filters (``api.reverse_filters``)."""
    if wanted.get("reverse_order_id") not in (None, reverse["reverse_order_id"]):
        return False
    if wanted.get("trade_order_id") not in (None, reverse["trade_order_id"]):
        return False
    if (
        wanted.get("request_types")
        and reverse["request_type"] not in wanted["request_types"]
    ):
        return False
    if wanted.get("return_to_type") == "RTW":
        return False  # a CANCEL is listed as RTM (is_rtm true)
    if wanted.get("dispute_in_progress") is True or wanted.get("qc_decision"):
        return False  # no dispute, no warehouse decision on a cancellation
    lines = reverse["lines"]
    if wanted.get("reverse_statuses"):
        lines = [
            ln for ln in lines if ln["reverse_status"] in wanted["reverse_statuses"]
        ]
    if wanted.get("ofc_statuses") and OFC_STATUS not in wanted["ofc_statuses"]:
        return False
    for key, moment in (
        ("trade_created", lambda ln: ln["snapshot"]["trade_created"]),
        ("line_created", lambda ln: ln["created"]),
        ("line_modified", lambda ln: ln["modified"]),
    ):
        low, high = wanted.get(key, (None, None))
        lines = [
            ln
            for ln in lines
            if (low is None or moment(ln) * 1000 >= low)
            and (high is None or moment(ln) * 1000 <= high)
        ]
    return bool(lines)
