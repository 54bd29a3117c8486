"""The control API under ``/_simulator/``: not Shopee, a local test tool.

Each handler takes the parsed JSON body (or query) and answers
``(payload, status)``; a :class:`BadRequest` becomes HTTP 400.
"""

import dataclasses
from urllib.parse import urlsplit

from werkzeug.routing import Rule

from . import catalogue, push
from . import state as state_module
from .state import FAULT_KINDS, GATEWAY_FAULTS, Fault, FaultRates, Scenario
from .traffic import Traffic

DEFAULT_PARTNER_ID = 2000001


class BadRequest(Exception):
    pass


ROUTES = [
    ("/_simulator/reset", "reset", ["POST"]),
    ("/_simulator/faults", "faults", ["GET", "POST", "DELETE"]),
    ("/_simulator/orders", "orders", ["GET", "POST"]),
    ("/_simulator/orders/<order_sn>", "order", ["POST"]),
    ("/_simulator/orders/<order_sn>/buyer_cancel", "buyer_cancel", ["POST"]),
    ("/_simulator/cancellations", "cancellations", ["GET"]),
    ("/_simulator/tokens", "tokens", ["POST"]),
    ("/_simulator/state", "state", ["GET"]),
    ("/_simulator/clock", "clock", ["GET", "POST"]),
    ("/_simulator/partners", "partners", ["POST"]),
    ("/_simulator/shops", "shops", ["POST"]),
    ("/_simulator/faults/rates", "fault_rates", ["GET", "POST", "DELETE"]),
    ("/_simulator/catalogue", "catalogue", ["GET", "POST"]),
    ("/_simulator/items/<int:item_id>", "item", ["POST"]),
    ("/_simulator/items/<int:item_id>/models/<int:model_id>", "model", ["POST"]),
    ("/_simulator/stock", "stock", ["GET"]),
    ("/_simulator/escrow", "escrow", ["GET", "POST"]),
    ("/_simulator/push", "push", ["GET", "POST"]),
    ("/_simulator/push/send", "push_send", ["POST"]),
    ("/_simulator/push/flush", "push_flush", ["POST"]),
    ("/_simulator/pushes", "pushes", ["GET"]),
    ("/_simulator/traffic", "traffic", ["GET", "POST", "DELETE"]),
    ("/_simulator/traffic/tick", "traffic_tick", ["POST"]),
    ("/_simulator/logistics", "logistics", ["GET", "POST"]),
]
MAX_DELAY = 7 * 86400


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


def _number(data, name, default, low=0.0, high=None):
    value = data.get(name, default)
    if isinstance(value, bool):
        raise BadRequest(f"{name} must be a number")
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise BadRequest(f"{name} must be a number") from None
    if value < low or (high is not None and value > high):
        raise BadRequest(f"{name} must be in [{low}, {high if high else '∞'}]")
    return value


def _bool(data, name, default):
    value = data.get(name, default)
    if not isinstance(value, bool):
        raise BadRequest(f"{name} must be true or false")
    return value


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


def _is_item(item):
    return (
        isinstance(item, dict)
        and isinstance(item.get("item_id"), int)
        and isinstance(item.get("models"), list)
        and item["models"]
        and all(
            isinstance(model, dict)
            and isinstance(model.get("model_id"), int)
            and all(
                name in model
                for name in (
                    "model_name",
                    "model_sku",
                    "original_price",
                    "price",
                    "stock",
                )
            )
            for model in item["models"]
        )
        and all(
            name in item
            for name in ("item_name", "item_sku", "item_status", "has_model")
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
            items=_int(data, "items", self.defaults.items),
            models_per_item=_int(
                data, "models_per_item", self.defaults.models_per_item
            ),
            tracking_delay=_number(
                data, "tracking_delay", self.defaults.tracking_delay, 0, MAX_DELAY
            ),
            document_delay=_number(
                data, "document_delay", self.defaults.document_delay, 0, MAX_DELAY
            ),
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
        error, message = entry.get("error"), entry.get("message", "")
        if entry["kind"] == "error" and (not isinstance(error, str) or not error):
            raise BadRequest('a fault of kind "error" needs "error", the code')
        if not isinstance(message, str):
            raise BadRequest("message must be a string")
        return Fault(
            entry["kind"],
            entry.get("path") or None,
            times,
            seconds,
            error if entry["kind"] == "error" else None,
            message if entry["kind"] == "error" else "",
        )

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
        escrow = data.get("escrow") or {}
        if not isinstance(escrow, dict) or not all(
            isinstance(terms, dict) for terms in escrow.values()
        ):
            raise BadRequest("escrow must map order_sn to money terms")
        self.state.add_orders(shop_id, orders, escrow)
        return {"ok": True, "count": len(orders)}, 200

    def order(self, method, data, order_sn):
        if "logistics_channel_id" in data:
            _int(data, "logistics_channel_id")
        order = self.state.update_order(order_sn, data)
        if order is None:
            return {"error": "not_found", "message": f"no order {order_sn}"}, 404
        return {"ok": True, "order": order}, 200

    def buyer_cancel(self, method, data, order_sn):
        reason = data.get("reason")
        if reason is not None and (not isinstance(reason, str) or not reason.strip()):
            raise BadRequest("reason must be a non-empty string")
        try:
            found = self.state.buyer_cancel(order_sn, reason and reason.strip())
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
        if found is None:
            return {"error": "not_found", "message": f"no order {order_sn}"}, 404
        order, request = found
        return {"ok": True, "order": order, "request": request}, 200

    def cancellations(self, method, data):
        return self.state.cancellations(), 200

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

    # -- fault rates ------------------------------------------------------------

    def fault_rates(self, method, data):
        if method == "DELETE":
            self.state.set_rates(None)
        elif method == "POST":
            rates = {
                kind: _number(data, kind, 0.0, 0.0, 1.0) for kind in GATEWAY_FAULTS
            }
            if sum(rates.values()) > 1:
                raise BadRequest("the rates add up to more than 1")
            paths = data.get("paths")
            if paths is not None and (
                not isinstance(paths, list)
                or not all(isinstance(p, str) for p in paths)
            ):
                raise BadRequest("paths must be a list of API paths")
            self.state.set_rates(
                FaultRates(
                    **rates,
                    timeout_seconds=_number(data, "timeout_seconds", 2.0, 0.0, 60.0),
                    latency_ms=int(_number(data, "latency_ms", 0, 0.0, 60000.0)),
                    paths=paths or None,
                    seed=_int(data, "seed", self.defaults.seed),
                )
            )
        return {"fault_rates": self.state.snapshot()["fault_rates"]}, 200

    # -- catalogue and stock ---------------------------------------------------

    def catalogue(self, method, data):
        shop_id = _int(data, "shop_id", self.defaults.shop_id)
        self._known_shop(shop_id)
        if method == "POST":
            self._replace_catalogue(shop_id, data)
        return {
            "shop_id": shop_id,
            "offset_limit": self.state.offset_limit,
            "items": self.state.catalogue(shop_id),
        }, 200

    def _replace_catalogue(self, shop_id, data):
        if "offset_limit" in data:
            limit = _int(data, "offset_limit")
            if limit < 1:
                raise BadRequest("offset_limit must be at least 1")
            self.state.offset_limit = limit
        items = data.get("items")
        if items is None:
            return
        if isinstance(items, list):
            if not all(_is_item(item) for item in items):
                raise BadRequest(
                    "items must be items with item_id, item_name, item_sku, "
                    "item_status, has_model and models"
                )
            items = [dict(item, shop_id=shop_id) for item in items]
        else:
            try:
                items = catalogue.generate(
                    _int(data, "seed", self.defaults.seed),
                    shop_id,
                    _int(data, "items"),
                    _int(data, "models_per_item", 5),
                    self.state.now(),
                )
            except ValueError as exc:
                raise BadRequest(str(exc)) from None
        self.state.set_catalogue(shop_id, items)

    def item(self, method, data, item_id, model_id=None):
        try:
            item = self.state.change_item(item_id, data, model_id)
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
        if item is None:
            what = f"item {item_id}" + (f" model {model_id}" if model_id else "")
            return {"error": "not_found", "message": f"no {what}"}, 404
        return {"ok": True, "item": item}, 200

    def model(self, method, data, item_id, model_id):
        return self.item(method, data, item_id, model_id)

    def stock(self, method, data):
        shop_id = _int(data, "shop_id", self.defaults.shop_id)
        self._known_shop(shop_id)
        return {"shop_id": shop_id, "stock": self.state.stock_levels(shop_id)}, 200

    # -- escrow -------------------------------------------------------------------

    def escrow(self, method, data):
        if method == "POST":
            lists = {}
            for name in ("unavailable", "available"):
                value = data.get(name, [])
                if not isinstance(value, list) or not all(
                    isinstance(sn, str) for sn in value
                ):
                    raise BadRequest(f"{name} must be a list of order_sn")
                lists[name] = value
            unavailable = self.state.set_escrow_unavailable(
                clear=bool(data.get("clear")), **lists
            )
            return {"unavailable": unavailable}, 200
        shop_id = _int(data, "shop_id", self.defaults.shop_id)
        order_sn = data.get("order_sn")
        if not order_sn:
            return {"unavailable": self.state.set_escrow_unavailable()}, 200
        outcome, detail = self.state.escrow(shop_id, order_sn, control=True)
        if outcome == "unknown":
            return {"error": "not_found", "message": f"no order {order_sn}"}, 404
        available = self.state.escrow(shop_id, order_sn)[0] == "ok"
        return {"available": available, "escrow_detail": detail}, 200

    # -- pushes ---------------------------------------------------------------------

    def push(self, method, data):
        if method == "POST":
            changes = {}
            if "url" in data:
                url = data["url"]
                if url is not None and (
                    not isinstance(url, str)
                    or urlsplit(url).scheme not in ("http", "https")
                ):
                    raise BadRequest("url must be an http(s) URL")
                changes["url"] = url
            for name in ("enabled", *push.SWITCHES):
                if name in data:
                    changes[name] = _bool(data, name, False)
            if "reorder_window" in data:
                changes["reorder_window"] = max(1, _int(data, "reorder_window"))
            if "partner_id" in data:
                partner_id = _int(data, "partner_id")
                if self.state.partner_key(partner_id) is None:
                    raise BadRequest(f"unknown partner_id {partner_id}")
                changes["partner_id"] = partner_id
            self.state.push.configure(changes)
        return {"config": self.state.push.listing()["config"]}, 200

    def push_send(self, method, data):
        code = _int(data, "code")
        shop_id = _int(data, "shop_id", self.defaults.shop_id)
        payload = data.get("data")
        if payload is None:
            payload = self._push_data(code, shop_id, data)
        elif not isinstance(payload, dict):
            raise BadRequest("data must be an object")
        msg_id = self.state.push.emit(code, payload, shop_id)
        return {"sent": msg_id is not None, "msg_id": msg_id}, 200

    def _push_data(self, code, shop_id, data):
        now = self.state.now()
        if code in (1, 2):
            kind = "authorization" if code == 1 else "deauthorization"
            return {
                "authorize_type": f"shop {kind} by user",
                "extra": "",
                "shop_id": shop_id,
                "success": 1,
            }
        if code == 12:
            return {
                "merchant_expire_soon": [],
                "shop_expire_soon": [shop_id],
                "user_expire_soon": [],
                "expire_before": now + 7 * 86400,
                "page_no": 1,
                "total_page": 1,
            }
        if code in (3, 4) and data.get("order_sn"):
            orders = self.state.get_orders(shop_id, [data["order_sn"]])
            if not orders:
                raise BadRequest(f"shop {shop_id} has no order {data['order_sn']}")
            order = orders[0]
            if code == 3:
                return {
                    "items": [],
                    "ordersn": order["order_sn"],
                    "status": order["order_status"],
                    "completed_scenario": "",
                    "update_time": order["update_time"],
                }
            parcel = (order.get("package_list") or [{}])[0]
            number = self.state.tracking_number(order, parcel) if parcel else ""
            return state_module.tracking_push_data(order, parcel, number)
        raise BadRequest(
            "give data, or code 1, 2, 12 (with shop_id), or 3, 4 with order_sn"
        )

    def push_flush(self, method, data):
        return {"released": self.state.push.flush()}, 200

    def pushes(self, method, data):
        wait = _number(data, "wait", 0.0, 0.0, 30.0)
        idle = self.state.push.wait_idle(wait) if wait else None
        return {**self.state.push.listing(), "idle": idle}, 200

    # -- traffic -------------------------------------------------------------------------

    def traffic(self, method, data):
        if method == "DELETE":
            self.state.stop_traffic()
        elif method == "POST":
            shop_id = _int(data, "shop_id", self.defaults.shop_id)
            self._known_shop(shop_id)
            settings = {
                "orders_per_minute": _number(data, "orders_per_minute", 60, 0, 60000),
                "changes_per_minute": _number(
                    data, "status_changes_per_minute", 0, 0, 60000
                ),
                "duration": _number(data, "duration_seconds", 60, 0, 86400),
                "seed": _int(data, "seed", self.defaults.seed),
                "manual": _bool(data, "manual", False),
            }
            self.state.start_traffic(lambda state: Traffic(state, shop_id, **settings))
        traffic = self.state.traffic
        return {"traffic": traffic.status() if traffic else None}, 200

    def traffic_tick(self, method, data):
        traffic = self.state.traffic
        if traffic is None or not traffic.manual:
            raise BadRequest("start manual traffic first")
        return {"traffic": traffic.tick(_number(data, "seconds", 1, 0, 86400))}, 200

    # -- logistics ---------------------------------------------------------------------

    def logistics(self, method, data):
        changes = {}
        if method == "POST":
            for name in ("tracking_delay", "document_delay"):
                if name in data:
                    changes[name] = _number(data, name, 0, 0, MAX_DELAY)
        return self.state.logistics_settings(**changes), 200

    def _known_shop(self, shop_id):
        if self.state.shop(shop_id) is None:
            raise BadRequest(f"unknown shop_id {shop_id}")

    def handler(self, endpoint):
        return self.state_ if endpoint == "state" else getattr(self, endpoint)
