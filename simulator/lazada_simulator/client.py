"""A client of the control API (``/_simulator/``), stdlib only.

Same method names and argument style as ``shopee_simulator.ControlClient``
(``seller_id`` for ``shop_id``, ``order_id`` for ``order_sn``, SKUs for
models), so that the same tools drive both simulators.
"""

import json
from urllib.error import HTTPError
from urllib.parse import quote, urlencode
from urllib.request import Request, urlopen

from .identities import DEFAULT_SELLER_ID


class ControlError(RuntimeError):
    def __init__(self, status, payload):
        super().__init__(f"HTTP {status}: {payload}")
        self.status = status
        self.payload = payload


class ControlClient:
    def __init__(self, url, timeout=10):
        self.url = url.rstrip("/")
        self.timeout = timeout

    def call(self, method, path, payload=None, query=None):
        url = f"{self.url}/_simulator/{path}"
        if query:
            url += "?" + urlencode(query)
        data = None if payload is None else json.dumps(payload).encode()
        request = Request(url, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        try:
            with urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read() or b"null")
        except HTTPError as exc:
            body = exc.read()
            raise ControlError(exc.code, body.decode(errors="replace")) from None

    def reset(self, **scenario):
        """seed, orders, seller_id, time_from, time_to, days,
        include_seed_orders, items, skus_per_item, document_delay."""
        return self.call("POST", "reset", scenario)

    def add_fault(self, kind, path=None, times=1, seconds=None, code=None,
                  message=None):  # fmt: skip
        """kind: rate_limit (ApiCallLimit), service_timeout, system_error,
        server_error / http_500, http_503, timeout (``seconds`` late), drop,
        expire_access_token, business_error (``code``, ``message``);
        ``path``: an API path (``/orders/get``)."""
        fault = {"kind": kind, "path": path, "times": times}
        if seconds is not None:
            fault["seconds"] = seconds
        if code is not None:
            fault["code"] = code
        if message is not None:
            fault["message"] = message
        return self.call("POST", "faults", fault)

    def clear_faults(self):
        return self.call("DELETE", "faults")

    def set_clock(self, offset=None, now=None):
        """Move the simulator's clock ``offset`` seconds from real time, or to
        ``now`` (epoch seconds or ISO 8601)."""
        payload = {"offset": offset} if now is None else {"now": now}
        return self.call("POST", "clock", payload)

    def now(self):
        return self.call("GET", "clock")["now"]

    def install_tokens(
        self,
        seller_id,
        access_token,
        refresh_token,
        expires_in=604800,
        refresh_expires_in=None,
        app_key=None,
    ):
        payload = {
            "seller_id": seller_id,
            "access_token": access_token,
            "refresh_token": refresh_token,
            "expires_in": expires_in,
        }
        if refresh_expires_in is not None:
            payload["refresh_expires_in"] = refresh_expires_in
        if app_key is not None:
            payload["app_key"] = app_key
        return self.call("POST", "tokens", payload)

    def update_order(self, order_id, **changes):
        """status (every unit), items ({order_item_id: status}), updated_at,
        other order fields; answers the order with its ``items``."""
        return self.call("POST", f"orders/{quote(str(order_id))}", changes)["order"]

    def buyer_cancel(self, order_id, order_item_ids=None, reason_text=None,
                     reason_code=None):  # fmt: skip
        """A buyer asks to cancel unshipped items (all it can by default);
        answers ``{"ok", "reverse_order_id", "reverse_order"}``."""
        payload = {}
        if order_item_ids is not None:
            payload["order_item_ids"] = list(order_item_ids)
        if reason_text is not None:
            payload["reason_text"] = reason_text
        if reason_code is not None:
            payload["reason_code"] = reason_code
        return self.call("POST", f"orders/{quote(str(order_id))}/buyer_cancel", payload)

    def reverse_orders(self, seller_id=DEFAULT_SELLER_ID):
        """Every reverse order of the seller, as the detail API shows it."""
        query = {"seller_id": seller_id}
        return self.call("GET", "reverse_orders", query=query)["reverse_orders"]

    def order(self, order_id):
        return self.call("GET", f"orders/{quote(str(order_id))}")["order"]

    def put_orders(self, seller_id, orders):
        """Add or replace orders (the API's shape, ``items`` inside); answers
        ``{"ok", "count", "order_ids"}``."""
        return self.call("POST", "orders", {"seller_id": seller_id, "orders": orders})

    def orders(self, seller_id=DEFAULT_SELLER_ID):
        return self.call("GET", "orders", query={"seller_id": seller_id})["orders"]

    def order_ids(self, seller_id=DEFAULT_SELLER_ID):
        return [order["order_id"] for order in self.orders(seller_id)]

    def add_app(self, app_key, app_secret, name=None):
        payload = {"app_key": app_key, "app_secret": app_secret}
        if name:
            payload["name"] = name
        return self.call("POST", "apps", payload)

    def state(self):
        return self.call("GET", "state")

    def refresh_count(self, seller_id=DEFAULT_SELLER_ID):
        return self.state()["refreshes"].get(str(seller_id), 0)

    # -- catalogue and stock ----------------------------------------------------

    def catalogue(self, seller_id=DEFAULT_SELLER_ID):
        return self.call("GET", "catalogue", query={"seller_id": seller_id})["items"]

    def set_catalogue(self, seller_id, **settings):
        """``items`` (a count to generate, or item objects), ``skus_per_item``,
        ``seed``."""
        return self.call("POST", "catalogue", {"seller_id": seller_id, **settings})

    def update_item(self, item_id, **changes):
        """status, name, brand, primary_category."""
        return self.call("POST", f"items/{item_id}", changes)["item"]

    def update_sku(self, item_id, sku_id, **changes):
        """seller_sku, status, sellable, price, special_price, variation."""
        return self.call("POST", f"items/{item_id}/skus/{sku_id}", changes)["item"]

    def stock(self, seller_id=DEFAULT_SELLER_ID):
        """{(item_id, sku_id): sellable quantity} the simulator holds."""
        rows = self.call("GET", "stock", query={"seller_id": seller_id})["stock"]
        return {(row["item_id"], row["sku_id"]): row["sellable"] for row in rows}

    def stock_rows(self, seller_id=DEFAULT_SELLER_ID):
        """Every SKU's sellable, withheld, occupied and total quantity."""
        return self.call("GET", "stock", query={"seller_id": seller_id})["stock"]

    # -- pushes -----------------------------------------------------------------------

    def configure_push(self, **config):
        """url, enabled, app_key, duplicate, reorder, reorder_window,
        bad_signature, withhold, ack_timeout_ms."""
        return self.call("POST", "push", config)["config"]

    def send_push(self, message_type, **fields):
        """seller_id, data, or order_id (+ order_item_id) for type 0; answers
        the push id or None."""
        payload = {"message_type": message_type, **fields}
        return self.call("POST", "push/send", payload)["msg_id"]

    def flush_pushes(self):
        return self.call("POST", "push/flush", {})["released"]

    def retry_pushes(self, force=False):
        return self.call("POST", "push/retry", {"force": force})["retried"]

    def pushes(self, wait=0):
        """Every push and its deliveries; ``wait`` seconds for deliveries."""
        query = {"wait": wait} if wait else None
        return self.call("GET", "pushes", query=query)

    # -- logistics --------------------------------------------------------------------

    def set_logistics(self, **settings):
        """document_delay: seconds before a package's air waybill is ready."""
        return self.call("POST", "logistics", settings)["logistics"]

    def logistics(self):
        return self.call("GET", "logistics")["logistics"]

    # -- load: fault rates, latency, traffic ------------------------------------------

    def set_fault_rates(self, **rates):
        """rate_limit, server_error, timeout (0–1), timeout_seconds,
        latency_ms, paths, seed."""
        return self.call("POST", "faults/rates", rates)["fault_rates"]

    def clear_fault_rates(self):
        return self.call("DELETE", "faults/rates")

    def start_traffic(self, **settings):
        """orders_per_minute, status_changes_per_minute, duration_seconds,
        seller_id, seed, manual."""
        return self.call("POST", "traffic", settings)["traffic"]

    def tick_traffic(self, seconds):
        return self.call("POST", "traffic/tick", {"seconds": seconds})["traffic"]

    def traffic(self):
        return self.call("GET", "traffic")["traffic"]

    def stop_traffic(self):
        return self.call("DELETE", "traffic")["traffic"]
