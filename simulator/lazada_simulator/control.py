"""The control API under ``/_simulator/``: not Lazada, a local test tool.

Same routes, verbs and JSON field names as the Shopee simulator's (with
``seller_id`` for ``shop_id``, ``order_id`` for ``order_sn`` and SKUs for
models), so that one tool drives both. Each handler takes the parsed JSON
body (or query) and answers ``(payload, status)``; a :class:`BadRequest`
becomes HTTP 400.
"""

import dataclasses
from urllib.parse import urlsplit

from werkzeug.routing import Rule

from . import catalogue, orders, push
from .reverse import BUYER_REASON
from .state import (
    BUSINESS_ERROR,
    FAULT_KINDS,
    GATEWAY_FAULTS,
    Fault,
    FaultRates,
    Scenario,
)
from .timefmt import parse_time
from .traffic import Traffic


class BadRequest(Exception):
    pass


ROUTES = [
    ("/_simulator/reset", "reset", ["POST"]),
    ("/_simulator/faults", "faults", ["GET", "POST", "DELETE"]),
    ("/_simulator/orders", "orders", ["GET", "POST"]),
    ("/_simulator/orders/<order_id>", "order", ["GET", "POST"]),
    ("/_simulator/orders/<order_id>/buyer_cancel", "buyer_cancel", ["POST"]),
    ("/_simulator/reverse_orders", "reverse_orders", ["GET"]),
    ("/_simulator/tokens", "tokens", ["POST"]),
    ("/_simulator/state", "state", ["GET"]),
    ("/_simulator/clock", "clock", ["GET", "POST"]),
    ("/_simulator/apps", "apps", ["POST"]),
    ("/_simulator/faults/rates", "fault_rates", ["GET", "POST", "DELETE"]),
    ("/_simulator/fault_rates", "fault_rates", ["GET", "POST", "DELETE"]),
    ("/_simulator/catalogue", "catalogue", ["GET", "POST"]),
    ("/_simulator/items/<int:item_id>", "item", ["POST"]),
    ("/_simulator/items/<int:item_id>/skus/<int:sku_id>", "sku", ["POST"]),
    ("/_simulator/stock", "stock", ["GET"]),
    ("/_simulator/push", "push", ["GET", "POST"]),
    ("/_simulator/push/send", "push_send", ["POST"]),
    ("/_simulator/push/flush", "push_flush", ["POST"]),
    ("/_simulator/push/retry", "push_retry", ["POST"]),
    ("/_simulator/pushes", "pushes", ["GET"]),
    ("/_simulator/traffic", "traffic", ["GET", "POST", "DELETE"]),
    ("/_simulator/traffic/tick", "traffic_tick", ["POST"]),
    ("/_simulator/logistics", "logistics", ["GET", "POST"]),
]
DOCUMENT_DELAY_MAX = 86400.0


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
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")
    if not isinstance(value, bool):
        raise BadRequest(f"{name} must be true or false")
    return value


def _is_item(item):
    return (
        isinstance(item, dict)
        and isinstance(item.get("item_id"), int)
        and isinstance(item.get("name"), str)
        and isinstance(item.get("skus"), list)
        and item["skus"]
        and all(
            isinstance(sku, dict)
            and isinstance(sku.get("SkuId"), int)
            and isinstance(sku.get("SellerSku"), str)
            and "price" in sku
            for sku in item["skus"]
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
            seller_id=_int(data, "seller_id", self.defaults.seller_id),
            time_from=_int(data, "time_from", None),
            time_to=_int(data, "time_to", None),
            days=_int(data, "days", self.defaults.days),
            # Tests want exact counts: the hand-written orders only on request.
            include_seed_orders=bool(data.get("include_seed_orders", False)),
            items=_int(data, "items", self.defaults.items),
            skus_per_item=_int(data, "skus_per_item", self.defaults.skus_per_item),
            document_delay=_number(
                data,
                "document_delay",
                self.defaults.document_delay,
                0.0,
                DOCUMENT_DELAY_MAX,
            ),
        )
        try:
            self.state.reset(scenario)
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
        return {"ok": True, "scenario": dataclasses.asdict(scenario)}, 200

    # -- faults -------------------------------------------------------------------

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
        seconds = _number(entry, "seconds", 3.0, 0.0, 600.0)
        code = message = None
        if entry["kind"] == BUSINESS_ERROR:
            code, message = entry.get("code"), entry.get("message")
            if not isinstance(code, (str, int)) or isinstance(code, bool) or code == "":
                raise BadRequest('a business_error needs a code, e.g. "700024"')
            if message is not None and not isinstance(message, str):
                raise BadRequest("message must be a string")
            code = str(code)
        return Fault(
            entry["kind"], entry.get("path") or None, times, seconds, code, message
        )

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

    # -- orders ---------------------------------------------------------------------

    def orders(self, method, data):
        seller_id = _int(data, "seller_id", self.defaults.seller_id)
        self._known_seller(seller_id)
        if method == "GET":
            return {
                "seller_id": seller_id,
                "orders": self.state.all_orders(seller_id),
            }, 200
        specs = data.get("orders")
        if not isinstance(specs, list) or not all(
            isinstance(spec, dict) and isinstance(spec.get("items"), list)
            for spec in specs
        ):
            raise BadRequest("orders must be a list of orders with their items inside")
        try:
            order_ids = self.state.put_orders(seller_id, specs)
        except (ValueError, TypeError, KeyError) as exc:
            raise BadRequest(f"bad order: {exc}") from None
        return {"ok": True, "count": len(order_ids), "order_ids": order_ids}, 200

    def order(self, method, data, order_id):
        if method == "GET":
            with self.state.lock:
                _seller_id, rec = self.state._find_order(order_id)
                order = rec and orders.public(rec)
        else:
            try:
                order = self.state.update_order(order_id, data)
            except ValueError as exc:
                raise BadRequest(str(exc)) from None
        if order is None:
            return {"error": "not_found", "message": f"no order {order_id}"}, 404
        return {"ok": True, "order": order}, 200

    def buyer_cancel(self, method, data, order_id):
        """A buyer asks to cancel unshipped items (reverse.py): {order_item_ids
        (default: every item it can), reason_text, reason_code}."""
        item_ids = data.get("order_item_ids")
        if item_ids is not None and (
            not isinstance(item_ids, list)
            or not all(
                isinstance(i, (int, str)) and not isinstance(i, bool) for i in item_ids
            )
        ):
            raise BadRequest("order_item_ids must be a list of order item ids")
        reason = None
        if data.get("reason_text") is not None or data.get("reason_code") is not None:
            text = data.get("reason_text", BUYER_REASON[0])
            if not isinstance(text, str) or not text:
                raise BadRequest("reason_text must be a non-empty string")
            reason = (text, _int(data, "reason_code", BUYER_REASON[1]))
        try:
            reverse = self.state.buyer_cancel_request(order_id, item_ids, reason)
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
        if reverse is None:
            return {"error": "not_found", "message": f"no order {order_id}"}, 404
        return {
            "ok": True,
            "reverse_order_id": reverse["reverse_order_id"],
            "reverse_order": reverse,
        }, 200

    def reverse_orders(self, method, data):
        seller_id = _int(data, "seller_id", self.defaults.seller_id)
        self._known_seller(seller_id)
        return {
            "seller_id": seller_id,
            "reverse_orders": self.state.all_reverse_orders(seller_id),
        }, 200

    # -- tokens, apps, clock, state ----------------------------------------------------

    def tokens(self, method, data):
        seller_id = _int(data, "seller_id", self.defaults.seller_id)
        self._known_seller(seller_id)
        for name in ("access_token", "refresh_token"):
            if not isinstance(data.get(name), str) or not data[name]:
                raise BadRequest(f"{name} is required")
        app_key = data.get("app_key")
        if app_key is not None and self.state.app_secret(app_key) is None:
            raise BadRequest(f"unknown app_key {app_key}")
        expires_in = _int(data, "expires_in", _int(data, "expire_in", 604800))
        self.state.install_tokens(
            seller_id,
            data["access_token"],
            data["refresh_token"],
            expires_in,
            _int(data, "refresh_expires_in", 2592000),
            app_key and str(app_key),
        )
        return {"ok": True, "seller_id": seller_id}, 200

    def apps(self, method, data):
        app_key = str(_int(data, "app_key"))
        if not isinstance(data.get("app_secret"), str) or not data["app_secret"]:
            raise BadRequest("app_secret is required")
        self.state.add_app(app_key, data["app_secret"], data.get("name"))
        return {"ok": True, "app_key": app_key}, 200

    def clock(self, method, data):
        if method == "POST":
            if data.get("now") is not None:
                moment = parse_time(data["now"])
                if moment is None:
                    raise BadRequest("now must be an epoch or an ISO 8601 time")
                self.state.set_clock(now=moment)
            else:
                self.state.set_clock(offset=_int(data, "offset"))
        return {"offset": self.state.clock_offset, "now": self.state.now()}, 200

    def state_(self, method, data):
        return self.state.snapshot(), 200

    # -- catalogue and stock -----------------------------------------------------------

    def catalogue(self, method, data):
        seller_id = _int(data, "seller_id", self.defaults.seller_id)
        self._known_seller(seller_id)
        if method == "POST":
            self._replace_catalogue(seller_id, data)
        return {"seller_id": seller_id, "items": self.state.catalogue(seller_id)}, 200

    def _replace_catalogue(self, seller_id, data):
        items = data.get("items")
        if items is None:
            return
        if isinstance(items, list):
            if not all(_is_item(item) for item in items):
                raise BadRequest(
                    "items must be items with item_id, name and skus (SkuId, "
                    "SellerSku, price)"
                )
            items = [dict(item, seller_id=seller_id) for item in items]
        else:
            try:
                items = catalogue.generate(
                    _int(data, "seed", self.defaults.seed),
                    seller_id,
                    _int(data, "items"),
                    _int(data, "skus_per_item", self.defaults.skus_per_item),
                    self.state.now(),
                )
            except ValueError as exc:
                raise BadRequest(str(exc)) from None
        self.state.set_catalogue(seller_id, items)

    def item(self, method, data, item_id):
        try:
            item = self.state.change_item(item_id, data)
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
        if item is None:
            return {"error": "not_found", "message": f"no item {item_id}"}, 404
        return {"ok": True, "item": self._item_public(item)}, 200

    def sku(self, method, data, item_id, sku_id):
        try:
            item = self.state.change_sku(item_id, sku_id, data)
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
        if item is None:
            return {
                "error": "not_found",
                "message": f"no item {item_id} sku {sku_id}",
            }, 404
        return {"ok": True, "item": self._item_public(item)}, 200

    @staticmethod
    def _item_public(item):
        return {
            **item,
            "skus": [
                catalogue.stock_row(item, sku)
                | {
                    "price": sku["price"] / 100,
                    "special_price": sku["special_price"] / 100,
                }
                for sku in item["skus"]
            ],
        }

    def stock(self, method, data):
        seller_id = _int(data, "seller_id", self.defaults.seller_id)
        self._known_seller(seller_id)
        return {
            "seller_id": seller_id,
            "stock": self.state.stock_levels(seller_id),
        }, 200

    # -- pushes -------------------------------------------------------------------------

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
            if "ack_timeout_ms" in data:
                changes["ack_timeout_ms"] = int(
                    _number(data, "ack_timeout_ms", 500, 10, 60000)
                )
            if "app_key" in data:
                app_key = str(data["app_key"])
                if self.state.app_secret(app_key) is None:
                    raise BadRequest(f"unknown app_key {app_key}")
                changes["app_key"] = app_key
            self.state.push.configure(changes)
        return {"config": self.state.push.listing()["config"]}, 200

    def push_send(self, method, data):
        message_type = _int(data, "message_type", None)
        if message_type is None:
            message_type = _int(data, "code")
        seller_id = _int(data, "seller_id", self.defaults.seller_id)
        payload = data.get("data")
        if payload is None:
            payload = self._push_data(message_type, seller_id, data)
        elif not isinstance(payload, dict):
            raise BadRequest("data must be an object")
        push_id = self.state.push.emit(message_type, seller_id, payload)
        return {"sent": push_id is not None, "msg_id": push_id}, 200

    def _push_data(self, message_type, seller_id, data):
        if message_type == 0 and data.get("order_id"):
            with self.state.lock:
                rec = self.state.orders.get(seller_id, {}).get(_int(data, "order_id"))
                if rec is None:
                    raise BadRequest(
                        f"seller {seller_id} has no order {data['order_id']}"
                    )
                wanted = data.get("order_item_id")
                rows = [r for r in rec["items"]
                        if wanted is None or str(r["order_item_id"]) == str(wanted)]  # fmt: skip
                if not rows:
                    raise BadRequest(f"the order has no item {wanted}")
                row = rows[0]
                return {
                    "order_status": row["status"],
                    "trade_order_id": str(rec["order"]["order_id"]),
                    "trade_order_line_id": str(row["order_item_id"]),
                    "status_update_time": rec["updated"],
                }
        raise BadRequest("give data, or message_type 0 with order_id")

    def push_flush(self, method, data):
        return {"released": self.state.push.flush()}, 200

    def push_retry(self, method, data):
        return {"retried": self.state.push.retry(_bool(data, "force", False))}, 200

    def pushes(self, method, data):
        wait = _number(data, "wait", 0.0, 0.0, 30.0)
        idle = self.state.push.wait_idle(wait) if wait else None
        return {**self.state.push.listing(), "idle": idle}, 200

    # -- traffic --------------------------------------------------------------------------

    def traffic(self, method, data):
        if method == "DELETE":
            self.state.stop_traffic()
        elif method == "POST":
            seller_id = _int(data, "seller_id", self.defaults.seller_id)
            self._known_seller(seller_id)
            settings = {
                "orders_per_minute": _number(data, "orders_per_minute", 60, 0, 60000),
                "changes_per_minute": _number(
                    data, "status_changes_per_minute", 0, 0, 60000
                ),
                "duration": _number(data, "duration_seconds", 60, 0, 86400),
                "seed": _int(data, "seed", self.defaults.seed),
                "manual": _bool(data, "manual", False),
            }
            self.state.start_traffic(
                lambda state: Traffic(state, seller_id, **settings)
            )
        traffic = self.state.traffic
        return {"traffic": traffic.status() if traffic else None}, 200

    def traffic_tick(self, method, data):
        traffic = self.state.traffic
        if traffic is None or not traffic.manual:
            raise BadRequest("start manual traffic first")
        return {"traffic": traffic.tick(_number(data, "seconds", 1, 0, 86400))}, 200

    # -- logistics ---------------------------------------------------------------------------

    def logistics(self, method, data):
        if method == "POST":
            changes = {}
            if "document_delay" in data:
                changes["document_delay"] = _number(
                    data, "document_delay", 0.0, 0.0, DOCUMENT_DELAY_MAX
                )
            self.state.configure_logistics(changes)
        return {"logistics": self.state.logistics_settings()}, 200

    def _known_seller(self, seller_id):
        if self.state.seller(seller_id) is None:
            raise BadRequest(f"unknown seller_id {seller_id}")

    def handler(self, endpoint):
        return self.state_ if endpoint == "state" else getattr(self, endpoint)
