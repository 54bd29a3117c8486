"""The control API under ``/_simulator/``: not Shopee, a local test tool.

Each handler takes the parsed JSON body (or query) and answers
``(payload, status)``; a :class:`BadRequest` becomes HTTP 400.
"""

import dataclasses

from werkzeug.routing import Rule

from .state import FAULT_KINDS, Fault, Scenario

DEFAULT_PARTNER_ID = 2000001


class BadRequest(Exception):
    pass


ROUTES = [
    ("/_simulator/reset", "reset", ["POST"]),
    ("/_simulator/faults", "faults", ["GET", "POST", "DELETE"]),
    ("/_simulator/orders", "orders", ["GET", "POST"]),
    ("/_simulator/orders/<order_sn>", "order", ["POST"]),
    ("/_simulator/tokens", "tokens", ["POST"]),
    ("/_simulator/state", "state", ["GET"]),
    ("/_simulator/clock", "clock", ["GET", "POST"]),
    ("/_simulator/partners", "partners", ["POST"]),
    ("/_simulator/shops", "shops", ["POST"]),
]


def rules():
    """Fresh rules: a werkzeug Rule belongs to one Map, one per simulator."""
    return [
        Rule(path, endpoint=name, methods=methods) for path, name, methods in ROUTES
    ]


REQUIRED = object()


def _int(data, name, default=REQUIRED):
    value = data.get(name)
    if value is None:
        if default is REQUIRED:
            raise BadRequest(f"{name} is required")
        return default
    if isinstance(value, bool):
        raise BadRequest(f"{name} must be an integer")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise BadRequest(f"{name} must be an integer") from None


def _is_order(order):
    return (
        isinstance(order, dict)
        and isinstance(order.get("order_sn"), str)
        and isinstance(order.get("order_status"), str)
        and all(
            isinstance(order.get(name), int) and not isinstance(order[name], bool)
            for name in ("create_time", "update_time")
        )
    )


class Control:
    def __init__(self, state, defaults):
        self.state = state
        # What a reset builds when the body leaves a field out.
        self.defaults = defaults

    def reset(self, method, data):
        scenario = Scenario(
            seed=_int(data, "seed", self.defaults.seed),
            orders=_int(data, "orders", self.defaults.orders),
            shop_id=_int(data, "shop_id", self.defaults.shop_id),
            time_from=_int(data, "time_from", None),
            time_to=_int(data, "time_to", None),
            days=_int(data, "days", self.defaults.days),
            # Tests want exact counts: the hand-written orders only on request.
            include_seed_orders=bool(data.get("include_seed_orders", False)),
        )
        if scenario.shop_id not in self.state.seeds.shops:
            raise BadRequest(f"unknown shop_id {scenario.shop_id}")
        try:
            self.state.reset(scenario)
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
        return {"ok": True, "scenario": dataclasses.asdict(scenario)}, 200

    def faults(self, method, data):
        if method == "DELETE":
            self.state.clear_faults()
        elif method == "POST":
            entries = data.get("faults", [data]) if isinstance(data, dict) else data
            for entry in entries:
                self.state.add_fault(self._fault(entry))
        return {"faults": self.state.snapshot()["faults"]}, 200

    @staticmethod
    def _fault(entry):
        if not isinstance(entry, dict) or entry.get("kind") not in FAULT_KINDS:
            raise BadRequest(f"a fault needs a kind among {', '.join(FAULT_KINDS)}")
        times = _int(entry, "times", 1)
        if times < 1:
            raise BadRequest("times must be at least 1")
        try:
            seconds = float(entry.get("seconds", 3))
        except (TypeError, ValueError):
            raise BadRequest("seconds must be a number") from None
        return Fault(entry["kind"], entry.get("path") or None, times, seconds)

    def orders(self, method, data):
        shop_id = _int(data, "shop_id", self.defaults.shop_id)
        self._known_shop(shop_id)
        if method == "GET":
            return {"shop_id": shop_id, "orders": self.state.all_orders(shop_id)}, 200
        orders = data.get("orders")
        if not isinstance(orders, list) or not all(map(_is_order, orders)):
            raise BadRequest(
                "orders must be a list of orders with order_sn, order_status, "
                "create_time and update_time"
            )
        self.state.put_orders(shop_id, orders)
        return {"ok": True, "count": len(orders)}, 200

    def order(self, method, data, order_sn):
        order = self.state.update_order(order_sn, data)
        if order is None:
            return {"error": "not_found", "message": f"no order {order_sn}"}, 404
        return {"ok": True, "order": order}, 200

    def tokens(self, method, data):
        shop_id = _int(data, "shop_id")
        self._known_shop(shop_id)
        for name in ("access_token", "refresh_token"):
            if not isinstance(data.get(name), str) or not data[name]:
                raise BadRequest(f"{name} is required")
        self.state.install_tokens(
            shop_id,
            data["access_token"],
            data["refresh_token"],
            _int(data, "expire_in", 14400),
            _int(data, "partner_id", DEFAULT_PARTNER_ID),
        )
        return {"ok": True, "shop_id": shop_id}, 200

    def state_(self, method, data):
        return self.state.snapshot(), 200

    def clock(self, method, data):
        if method == "POST":
            self.state.set_clock(_int(data, "offset"))
        return {"offset": self.state.clock_offset, "now": self.state.now()}, 200

    def partners(self, method, data):
        partner_id = _int(data, "partner_id")
        if not isinstance(data.get("partner_key"), str) or not data["partner_key"]:
            raise BadRequest("partner_key is required")
        self.state.add_partner(partner_id, data["partner_key"])
        return {"ok": True, "partner_id": partner_id}, 200

    def shops(self, method, data):
        shop_id = _int(data, "shop_id")
        self.state.add_shop(
            shop_id,
            str(data.get("shop_name") or f"Shop {shop_id}"),
            str(data.get("region") or "TH"),
        )
        return {"ok": True, "shop_id": shop_id}, 200

    def _known_shop(self, shop_id):
        if self.state.shop(shop_id) is None:
            raise BadRequest(f"unknown shop_id {shop_id}")

    def handler(self, endpoint):
        return self.state_ if endpoint == "state" else getattr(self, endpoint)
