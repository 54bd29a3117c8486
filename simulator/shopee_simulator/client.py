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
        """seed, orders, shop_id, time_from, time_to, days, include_seed_orders."""
        return self.call("POST", "reset", scenario)

    def add_fault(self, kind, path=None, times=1, seconds=None):
        fault = {"kind": kind, "path": path, "times": times}
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

    def put_orders(self, shop_id, orders):
        return self.call("POST", "orders", {"shop_id": shop_id, "orders": orders})

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
