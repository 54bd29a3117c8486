"""A client of the control API (``/_simulator/``), stdlib only.

It drives any running simulator, in-process or not, the way tests and the
cassette recorder do.
"""

import json
from urllib.error import HTTPError
from urllib.parse import quote, urlencode
from urllib.request import Request, urlopen


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
        """seed, orders, shop_id, time_from, time_to, days, include_seed_orders,
        items, models_per_item, tracking_delay, document_delay."""
        return self.call("POST", "reset", scenario)

    def add_fault(self, kind, path=None, times=1, seconds=None, **answer):
        """``answer``: ``error`` and ``message`` of a fault of kind "error"."""
        fault = {"kind": kind, "path": path, "times": times, **answer}
        if seconds is not None:
            fault["seconds"] = seconds
        return self.call("POST", "faults", fault)

    def clear_faults(self):
        return self.call("DELETE", "faults")

    def set_clock(self, offset):
        return self.call("POST", "clock", {"offset": offset})

    def now(self):
        return self.call("GET", "clock")["now"]

    def install_tokens(
        self, shop_id, access_token, refresh_token, expire_in=14400, partner_id=None
    ):
        payload = {
            "shop_id": shop_id,
            "access_token": access_token,
            "refresh_token": refresh_token,
            "expire_in": expire_in,
        }
        if partner_id is not None:
            payload["partner_id"] = partner_id
        return self.call("POST", "tokens", payload)

    def update_order(self, order_sn, **changes):
        return self.call("POST", f"orders/{quote(order_sn)}", changes)["order"]

    def buyer_cancel(self, order_sn, reason=None):
        """The buyer asks to cancel → ``{"order", "request"}``."""
        payload = {} if reason is None else {"reason": reason}
        return self.call("POST", f"orders/{quote(order_sn)}/buyer_cancel", payload)

    def cancellations(self):
        """Buyers' cancellation ``requests`` and ``seller_cancellations``."""
        return self.call("GET", "cancellations")

    def put_orders(self, shop_id, orders, escrow=None):
        """Add or replace orders; ``escrow``: {order_sn: money terms}."""
        payload = {"shop_id": shop_id, "orders": orders}
        if escrow is not None:
            payload["escrow"] = escrow
        return self.call("POST", "orders", payload)

    def orders(self, shop_id):
        return self.call("GET", "orders", query={"shop_id": shop_id})["orders"]

    def order_sns(self, shop_id):
        return [order["order_sn"] for order in self.orders(shop_id)]

    def add_partner(self, partner_id, partner_key):
        payload = {"partner_id": partner_id, "partner_key": partner_key}
        return self.call("POST", "partners", payload)

    def add_shop(self, shop_id, shop_name, region="TH"):
        payload = {"shop_id": shop_id, "shop_name": shop_name, "region": region}
        return self.call("POST", "shops", payload)

    def state(self):
        return self.call("GET", "state")

    def refresh_count(self, shop_id):
        return self.state()["refreshes"].get(str(shop_id), 0)

    # -- catalogue and stock ----------------------------------------------------

    def catalogue(self, shop_id):
        return self.call("GET", "catalogue", query={"shop_id": shop_id})["items"]

    def set_catalogue(self, shop_id, **settings):
        """``items`` (a count to generate, or item objects), ``models_per_item``,
        ``seed``, ``offset_limit``."""
        return self.call("POST", "catalogue", {"shop_id": shop_id, **settings})

    def update_item(self, item_id, **changes):
        return self.call("POST", f"items/{item_id}", changes)["item"]

    def update_model(self, item_id, model_id, **changes):
        return self.call("POST", f"items/{item_id}/models/{model_id}", changes)["item"]

    def stock(self, shop_id):
        """{(item_id, model_id): seller stock} the simulator holds."""
        rows = self.call("GET", "stock", query={"shop_id": shop_id})["stock"]
        return {(row["item_id"], row["model_id"]): row["stock"] for row in rows}

    # -- logistics -------------------------------------------------------------------

    def logistics(self):
        """tracking_delay, document_delay, shipments, documents."""
        return self.call("GET", "logistics")

    def set_logistics(self, **settings):
        """tracking_delay, document_delay (seconds)."""
        return self.call("POST", "logistics", settings)

    # -- escrow ---------------------------------------------------------------------

    def escrow(self, order_sn, shop_id=600100200):
        """The escrow detail the simulator holds, ``available`` or not."""
        query = {"shop_id": shop_id, "order_sn": order_sn}
        return self.call("GET", "escrow", query=query)

    def set_escrow_unavailable(self, unavailable=(), available=(), clear=False):
        payload = {
            "unavailable": list(unavailable),
            "available": list(available),
            "clear": clear,
        }
        return self.call("POST", "escrow", payload)["unavailable"]

    # -- pushes -----------------------------------------------------------------------

    def configure_push(self, **config):
        """url, enabled, partner_id, duplicate, reorder, reorder_window,
        bad_signature, withhold."""
        return self.call("POST", "push", config)["config"]

    def send_push(self, code, **fields):
        """shop_id, data, or order_sn (codes 3, 4); answers the msg_id or None."""
        return self.call("POST", "push/send", {"code": code, **fields})["msg_id"]

    def flush_pushes(self):
        return self.call("POST", "push/flush", {})["released"]

    def pushes(self, wait=0):
        """Every push and lost message; ``wait`` seconds for deliveries."""
        query = {"wait": wait} if wait else None
        return self.call("GET", "pushes", query=query)

    # -- load: fault rates, latency, traffic ------------------------------------------

    def set_fault_rates(self, **rates):
        """rate_limit, server_error, timeout (0–1), timeout_seconds,
        latency_ms, paths, seed."""
        return self.call("POST", "faults/rates", rates)["fault_rates"]

    def clear_fault_rates(self):
        return self.call("DELETE", "faults/rates")

    def start_traffic(self, **settings):
        """orders_per_minute, status_changes_per_minute, duration_seconds,
        shop_id, seed, manual."""
        return self.call("POST", "traffic", settings)["traffic"]

    def tick_traffic(self, seconds):
        return self.call("POST", "traffic/tick", {"seconds": seconds})["traffic"]

    def traffic(self):
        return self.call("GET", "traffic")["traffic"]

    def stop_traffic(self):
        return self.call("DELETE", "traffic")["traffic"]
