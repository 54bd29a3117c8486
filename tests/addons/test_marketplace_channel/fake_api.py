"""An in-memory marketplace: the test channel's API.

Its data is shaped like a real marketplace's, messy parts included: an
order has one row per unit with a status per row; money is text with a
thousands separator ("1,289.00") beside plain numbers; times are local text
("2026-12-01 10:00:00 +0700"); SKUs may end with a newline; addresses are
masked Thai with empty parts. Listing calls are paged, stock updates take at
most ``STOCK_CALL_LIMIT`` SKUs a call across items, with an error per SKU.

``fail_next(call, error)`` makes a coming call raise ``Throttled`` (a
passing trouble) or ``Refused`` (for good). Every call is
recorded in ``calls``. It lives in this process only: it is a test double,
reset by each test, never a store of the connector.
"""

import copy
import io
from datetime import UTC, datetime, timedelta

from reportlab.pdfgen import canvas

ORDER_PAGE = 2
STOCK_CALL_LIMIT = 2
# an order changes a minute later each time it moves on
DAY_STEP = timedelta(minutes=1)


class FakeError(Exception):
    pass


class Throttled(FakeError):
    """Too many calls: try later."""


class Refused(FakeError):
    """The marketplace refuses, for good."""


class Revoked(Refused):
    """The seller took the app's authorization back: every call is refused."""


def local_time(moment):
    """A naive UTC datetime as the marketplace writes it (Bangkok time)."""
    stamp = moment.replace(tzinfo=UTC).timestamp() + 7 * 3600
    return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%d %H:%M:%S +0700")


def parse_time(text):
    """The marketplace's local time text as a naive UTC datetime."""
    moment = datetime.strptime(text, "%Y-%m-%d %H:%M:%S %z")
    return moment.astimezone(UTC).replace(tzinfo=None)


def amount(value):
    """A money value as text ("1,289.00") or a number."""
    if isinstance(value, str):
        return float(value.replace(",", "") or 0)
    return float(value or 0)


def label_pdf(order_id, tracking):
    """A one-page PDF naming the order and its tracking number."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=(283, 425))
    page.drawString(20, 380, f"Order {order_id}")
    page.drawString(20, 360, f"Tracking {tracking}")
    page.showPage()
    page.save()
    return buffer.getvalue()


class FakeMarketplace:
    def __init__(self):
        self.reset()

    def reset(self):
        self.orders = {}  # (shop, order id) -> order
        self.items = {}  # (shop, item id) -> item
        self.faults = {}  # call -> [error, ...]
        self.calls = []  # (call, arguments)
        self.revoked = set()  # shops whose authorization is gone
        self.lost = []  # pushes the marketplace could not deliver (bodies)
        self.label_delay = 0  # askings before a label is ready

    # -- set-up by the tests --------------------------------------------------
    def put_order(self, shop, order):
        self.orders[(shop, order["order_id"])] = copy.deepcopy(order)

    def put_item(self, shop, item):
        self.items[(shop, item["item_id"])] = copy.deepcopy(item)

    def fail_next(self, call, error, after=0):
        """The ``after``-th next call of ``call`` (0: the next) raises ``error``."""
        waiting = self.faults.setdefault(call, [])
        waiting.extend([None] * max(0, after - len(waiting)))
        waiting.append(error)

    def calls_of(self, call):
        return [arguments for name, arguments in self.calls if name == call]

    def _call(self, call, shop, **arguments):
        self.calls.append((call, dict(arguments, shop=shop)))
        if shop in self.revoked:
            raise Revoked("the seller cancelled this app's authorization")
        waiting = self.faults.get(call)
        if waiting:
            error = waiting.pop(0)
            if error is not None:
                raise error

    # -- the API --------------------------------------------------------------
    def lost_pushes(self):
        """The pushes not delivered, as their bodies; read once."""
        self._call("lost_pushes", None)
        lost, self.lost = self.lost, []
        return lost

    def check(self, shop):
        self._call("check", shop)
        return {"shop": shop}

    def list_orders(self, shop, since, until, offset=0):
        """One page of order ids updated in [since, until] (naive UTC), oldest
        first; ``next`` is the offset of the next page, or None."""
        self._call("list_orders", shop, since=since, until=until, offset=offset)
        found = sorted(
            (parse_time(order["updated_at"]), order_id)
            for (owner, order_id), order in self.orders.items()
            if owner == shop and since <= parse_time(order["updated_at"]) <= until
        )
        page = [order_id for _updated, order_id in found[offset : offset + ORDER_PAGE]]
        more = offset + ORDER_PAGE < len(found)
        return {"order_ids": page, "next": offset + ORDER_PAGE if more else None}

    def get_orders(self, shop, order_ids):
        self._call("get_orders", shop, order_ids=list(order_ids))
        return [
            copy.deepcopy(self.orders[(shop, order_id)])
            for order_id in order_ids
            if (shop, order_id) in self.orders
        ]

    def get_settlements(self, shop, order_ids):
        """What the seller is paid for each order the marketplace settled."""
        self._call("get_settlements", shop, order_ids=list(order_ids))
        return {
            order_id: copy.deepcopy(self.orders[(shop, order_id)]["settlement"])
            for order_id in order_ids
            if self.orders.get((shop, order_id), {}).get("settlement")
        }

    def get_tracking(self, shop, order_ids):
        self._call("get_tracking", shop, order_ids=list(order_ids))
        return {
            order_id: self.orders[(shop, order_id)]["tracking"]
            for order_id in order_ids
            if self.orders.get((shop, order_id), {}).get("tracking")
        }

    def list_items(self, shop, since=None, until=None):
        self._call("list_items", shop, since=since, until=until)
        return [
            [item_id, item["status"]]
            for (owner, item_id), item in sorted(self.items.items())
            if owner == shop
            and (since is None or since <= parse_time(item["updated_at"]))
            and (until is None or parse_time(item["updated_at"]) <= until)
        ]

    def get_items(self, shop, item_ids):
        self._call("get_items", shop, item_ids=list(item_ids))
        return [
            copy.deepcopy(self.items[(shop, item_id)])
            for item_id in item_ids
            if (shop, item_id) in self.items
        ]

    def update_stock(self, shop, updates):
        """``updates``: [(item id, sku id, quantity)], at most
        ``STOCK_CALL_LIMIT`` of any items. An error per SKU."""
        self._call("update_stock", shop, updates=list(updates))
        if len(updates) > STOCK_CALL_LIMIT:
            raise Refused(f"at most {STOCK_CALL_LIMIT} SKUs per call")
        answer = {"success": [], "errors": []}
        for item_id, sku_id, quantity in updates:
            sku = self._sku(shop, item_id, sku_id)
            if sku is None or self.items[(shop, item_id)]["status"] == "deleted":
                answer["errors"].append(
                    {"item_id": item_id, "sku_id": sku_id, "message": "SKU not found"}
                )
                continue
            sku["quantity"] = int(quantity)
            answer["success"].append(
                {"item_id": item_id, "sku_id": sku_id, "quantity": int(quantity)}
            )
        return answer

    def read_stock(self, shop, item_ids):
        self._call("read_stock", shop, item_ids=list(item_ids))
        return {
            (item_id, sku["sku_id"]): sku["quantity"]
            for item_id in item_ids
            for sku in self.items.get((shop, item_id), {}).get("skus", [])
        }

    # -- fulfilment -------------------------------------------------------------
    def shipping_options(self, shop, order_id):
        self._call("shipping_options", shop, order_id=order_id)
        order = self._order_to_ship(shop, order_id)
        return {
            "modes": ["pickup", "manual"],
            "addresses": [
                {
                    "id": "A1",
                    "label": "99/1 ถ.สุขุมวิท, กรุงเทพมหานคร 10110",
                    "default": True,
                    "slots": [
                        {"id": f"{order['order_id']}-S1", "label": "09:00-12:00"},
                        {
                            "id": f"{order['order_id']}-S2",
                            "label": "13:00-17:00",
                            "recommended": True,
                        },
                    ],
                }
            ],
            "branches": [],
        }

    def ship(self, shop, order_id, mode, slot=None, tracking=None):
        """Arrange the shipment: the items are packed, the tracking number
        comes with the first request for the label."""
        self._call("ship", shop, order_id=order_id, mode=mode, slot=slot)
        order = self._order_to_ship(shop, order_id)
        for row in order["items"]:
            if row["status"] == "pending":
                row["status"] = "packed"
        order["updated_at"] = local_time(parse_time(order["updated_at"]) + DAY_STEP)
        order["shipment"] = {"mode": mode, "slot": slot, "tracking": tracking}

    def get_labels(self, shop, order_ids):
        """{order id: PDF bytes, or None while it is being made}; a label is
        ready at the ``label_delay``-th asking."""
        self._call("get_labels", shop, order_ids=list(order_ids))
        labels = {}
        for order_id in order_ids:
            order = self.orders.get((shop, order_id))
            if not order or "shipment" not in order:
                continue
            order["tracking"] = order["shipment"]["tracking"] or f"TRK{order_id}"
            asked = order["label_asked"] = order.get("label_asked", 0) + 1
            labels[order_id] = (
                label_pdf(order_id, order["tracking"])
                if asked > self.label_delay
                else None
            )
        return labels

    def cancel(self, shop, order_id, reason):
        """The seller cancels the whole order before it ships."""
        self._call("cancel", shop, order_id=order_id, reason=reason)
        order = self.orders.get((shop, order_id))
        if not order:
            raise Refused(f"no order {order_id}")
        if any(row["status"] in ("shipped", "delivered") for row in order["items"]):
            raise Refused(f"order {order_id} has shipped")
        self._move(order, "canceled")

    def answer_cancellation(self, shop, order_id, accept):
        self._call("answer_cancellation", shop, order_id=order_id, accept=accept)
        order = self.orders.get((shop, order_id))
        if not order or not any(
            row["status"] == "requested_cancel" for row in order["items"]
        ):
            raise Refused(f"order {order_id} has no cancellation request")
        self._move(order, "canceled" if accept else "pending")

    @staticmethod
    def _move(order, status):
        for row in order["items"]:
            if row["status"] not in ("canceled", "returned"):
                row["status"] = status
        order["updated_at"] = local_time(parse_time(order["updated_at"]) + DAY_STEP)

    def _order_to_ship(self, shop, order_id):
        order = self.orders.get((shop, order_id))
        if not order:
            raise Refused(f"no order {order_id}")
        if not any(row["status"] == "pending" for row in order["items"]):
            raise Refused(f"order {order_id} is not waiting to be shipped")
        return order

    def _sku(self, shop, item_id, sku_id):
        for sku in self.items.get((shop, item_id), {}).get("skus", []):
            if sku["sku_id"] == sku_id:
                return sku
        return None


API = FakeMarketplace()
