"""Signed calls to the simulators, for the tests of their endpoints.

The requests are signed here, as Shopee's and Lazada's public docs say, not
by the simulators' own code (a bug there would then sign and check alike).
"""

import hashlib
import hmac
import json
import re

import requests


class ShopeeShopCalls:
    """Shop-level calls of one partner, for one shop and access token."""

    def __init__(self, sim, partner_id, partner_key, shop_id, token):
        self.sim = sim
        self.partner_id, self.partner_key = partner_id, partner_key
        self.shop_id, self.token = shop_id, token

    def _common(self, path):
        timestamp = self.sim.now()
        base = f"{self.partner_id}{path}{timestamp}{self.token}{self.shop_id}"
        sign = hmac.new(self.partner_key.encode(), base.encode(), hashlib.sha256)
        return {
            "partner_id": self.partner_id,
            "timestamp": timestamp,
            "access_token": self.token,
            "shop_id": self.shop_id,
            "sign": sign.hexdigest(),
        }

    def get(self, path, **params):
        url = self.sim.url + path
        return requests.get(url, params={**self._common(path), **params}, timeout=10)

    def post(self, path, body):
        url = self.sim.url + path
        return requests.post(url, params=self._common(path), json=body, timeout=10)

    @staticmethod
    def ok(response):
        body = response.json()
        assert (response.status_code, body["error"]) == (200, ""), body
        return body

    @staticmethod
    def error(response, error, status=200):
        body = response.json()
        assert (response.status_code, body["error"]) == (status, error), body
        assert re.fullmatch(r"[0-9a-f]{32}", body["request_id"])
        return body


def lazada_sign(secret, api_path, params):
    """Lazada's sign: upper-hex HMAC-SHA256 of the path and sorted params."""
    base = api_path + "".join(f"{k}{params[k]}" for k in sorted(params) if k != "sign")
    return hmac.new(secret.encode(), base.encode(), hashlib.sha256).hexdigest().upper()


class LazadaSellerCalls:
    """Calls of one app on a seller's behalf; parameters that are not text
    are sent as JSON, as Lazada takes its request objects."""

    def __init__(self, sim, app_key, app_secret, access_token):
        self.sim = sim
        self.app_key, self.app_secret = app_key, app_secret
        self.access_token = access_token

    def raw(self, method, api_path, **params):
        params = {
            k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()
        }
        params.update(
            app_key=self.app_key,
            timestamp=str(int(self.sim.now() * 1000)),
            sign_method="sha256",
            access_token=self.access_token,
        )
        params["sign"] = lazada_sign(self.app_secret, api_path, params)
        url = f"{self.sim.url}/rest{api_path}"
        if method == "GET":
            return requests.get(url, params=params, timeout=10)
        return requests.post(url, data=params, timeout=10)

    def call(self, method, api_path, **params):
        response = self.raw(method, api_path, **params)
        assert response.status_code == 200, response.text
        return response.json()
