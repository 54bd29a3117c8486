"""Plain-Python client of the Shopee Open Platform API v2.

No ORM here: the client signs, sends, times out, parses and classifies. Token
storage and refresh policy belong to the caller, which hands in two callables
(``get_access_token`` and ``refresh_access_token``) so that a refresh can be
serialized and committed by whoever owns the tokens.

Logs name the method, the path, the outcome and Shopee's ``request_id`` (which
Shopee support asks for); never the query string, the body, a token, a code,
the sign or a key.
"""

import hashlib
import hmac
import logging
import time
from urllib.parse import urlencode

import requests

from .exceptions import (
    ShopeeAuthError,
    ShopeeError,
    ShopeeNotFoundError,
    ShopeeParamError,
    ShopeePermissionError,
    ShopeeRateLimitError,
    ShopeeServerError,
    ShopeeSignError,
    ShopeeTokenExpiredError,
)

_logger = logging.getLogger(__name__)

API_PREFIX = "/api/v2/"
AUTH_PARTNER_PATH = "/api/v2/shop/auth_partner"
TOKEN_GET_PATH = "/api/v2/auth/token/get"
TOKEN_REFRESH_PATH = "/api/v2/auth/access_token/get"

# (connect, read) seconds; Shopee answers in well under a second normally.
DEFAULT_TIMEOUT = (5, 30)

# Shopee spells it both ways in production.
TOKEN_EXPIRED_CODES = {"invalid_access_token", "invalid_acceess_token"}
AUTH_CODES = {
    "error_auth",
    "invalid_code",
    "invalid_partner_id",
    "invalid_shop_id",
    "invalid_main_acount_id",
    "invalid_main_account_id",
    "refresh_token_expired",
    "shop_access_expired",
    "shop_no_linked",
    "error_shop_refresh_token",
    "shop_banned",
    "merchant_access_expired",
    "merchant_no_linked",
    "error_merchant_refresh_token",
    "error_shop",
}
PERMISSION_CODES = {"error_permission"}
NOT_FOUND_CODES = {"error_not_found", "error_item_not_found"}
SERVER_CODES = {
    "error_server",
    "error_network",
    "error_system_busy",
    "error_inner",
    "error_busy",
}


def sign_base_string(partner_id, path, timestamp, access_token="", entity_id=""):
    """Concatenate the signed values exactly as Shopee does (§4).

    Public APIs sign ``partner_id + path + timestamp``; shop APIs append the
    access token and the shop id; nothing is separated.
    """
    return f"{partner_id}{path}{timestamp}{access_token or ''}{entity_id or ''}"


def shopee_sign(partner_key, base_string):
    """HMAC-SHA256 of the base string keyed by the partner key as text.

    ``hexdigest`` always gives the 64 lowercase characters Shopee expects; a
    formatting that drops leading zeros (as the official Java demo does) is
    refused by Shopee about once in 256 calls.
    """
    return hmac.new(
        partner_key.encode(), base_string.encode(), hashlib.sha256
    ).hexdigest()


def _is_json(response):
    return "json" in (response.headers.get("Content-Type") or "").lower()


def error_suffix(code):
    """Shopee namespaces some codes (``order.order_list_invalid_time``)."""
    return (code or "").rsplit(".", 1)[-1]


def classify_error(http_status, code, message):
    """Map Shopee's answer to the exception class that says what to do."""
    suffix = error_suffix(code)
    text = f"{code} {message}".lower()
    if http_status == 429 or "too many" in text or "rate_limit" in text:
        return ShopeeRateLimitError
    if suffix in TOKEN_EXPIRED_CODES or (
        suffix == "error_auth" and "access_token" in text
    ):
        return ShopeeTokenExpiredError
    if suffix == "error_sign":
        return ShopeeSignError
    if suffix in AUTH_CODES:
        return ShopeeAuthError
    if suffix in PERMISSION_CODES:
        return ShopeePermissionError
    if suffix in NOT_FOUND_CODES or http_status == 404:
        return ShopeeNotFoundError
    if suffix in SERVER_CODES or (http_status or 0) >= 500:
        return ShopeeServerError
    if suffix.startswith("error_param") or suffix.endswith("invalid_time"):
        return ShopeeParamError
    return ShopeeError


class ShopeeClient:
    """One partner (app) talking to one Shopee host, optionally for one shop.

    :param partner_id: the app's partner id (int or str)
    :param partner_key: the app's API partner key, used as text
    :param base_url: host, e.g. ``https://partner.shopeemobile.com``
    :param shop_id: the shop the shop-level calls are made for
    :param get_access_token: callable returning the current access token
    :param refresh_access_token: callable(rejected_token) returning a new
        access token; called at most once per call, on an expired-token error
    """

    def __init__(
        self,
        partner_id,
        partner_key,
        base_url,
        shop_id=None,
        get_access_token=None,
        refresh_access_token=None,
        timeout=DEFAULT_TIMEOUT,
        session=None,
        clock=time.time,
    ):
        if not partner_id or not partner_key:
            raise ValueError("A Shopee partner id and partner key are required.")
        self.partner_id = int(partner_id)
        self.partner_key = partner_key
        self.base_url = base_url.rstrip("/")
        self.shop_id = int(shop_id) if shop_id else None
        self._get_access_token = get_access_token
        self._refresh_access_token = refresh_access_token
        self.timeout = timeout
        self.session = session or requests.Session()
        self.clock = clock

    def __repr__(self):
        # No key or token in any repr: they end up in tracebacks.
        return f"<ShopeeClient partner={self.partner_id} shop={self.shop_id}>"

    # -- signing --------------------------------------------------------------
    def _timestamp(self):
        return int(self.clock())

    def signed_params(self, path, access_token=None, shop_id=None):
        timestamp = self._timestamp()
        base = sign_base_string(self.partner_id, path, timestamp, access_token, shop_id)
        params = {
            "partner_id": self.partner_id,
            "timestamp": timestamp,
            "sign": shopee_sign(self.partner_key, base),
        }
        if access_token:
            params["access_token"] = access_token
            params["shop_id"] = shop_id
        return params

    def auth_partner_url(self, redirect_url):
        """The signed link the seller opens to authorize this app (§3.1).

        It is valid for the 5 minutes of its timestamp.
        """
        params = self.signed_params(AUTH_PARTNER_PATH)
        params["redirect"] = redirect_url
        return f"{self.base_url}{AUTH_PARTNER_PATH}?{urlencode(params)}"

    # -- authorization --------------------------------------------------------
    def get_token(self, code, shop_id=None, main_account_id=None):
        """Exchange the one-time authorization ``code`` for a token pair."""
        if bool(shop_id) == bool(main_account_id):
            raise ValueError("Give exactly one of shop_id or main_account_id.")
        body = {"code": code, "partner_id": self.partner_id}
        if shop_id:
            body["shop_id"] = int(shop_id)
        else:
            body["main_account_id"] = int(main_account_id)
        return self.call("POST", TOKEN_GET_PATH, body=body, public=True)

    def refresh_token(self, refresh_token, shop_id):
        """Trade a (single-use) refresh token for a new token pair."""
        body = {
            "refresh_token": refresh_token,
            "partner_id": self.partner_id,
            "shop_id": int(shop_id),
        }
        return self.call("POST", TOKEN_REFRESH_PATH, body=body, public=True)

    # -- calls ----------------------------------------------------------------
    def get(self, path, params=None):
        """Shop-level GET; ``path`` is relative to /api/v2/ or absolute."""
        return self.call("GET", path, params=params)

    def post(self, path, body=None):
        """Shop-level POST with a JSON body."""
        return self.call("POST", path, body=body)

    def call(self, method, path, params=None, body=None, public=False, file=False):
        """Send one signed request; return Shopee's JSON answer (a dict), or
        with ``file`` the file Shopee sends (bytes; an error still comes as
        JSON, and raises).

        Shop calls rejected for an expired token are refreshed and sent again
        once; any other error raises a :class:`ShopeeError` subclass.
        """
        path = path if path.startswith("/") else API_PREFIX + path
        if public:
            return self._send(method, path, params, body, None, file)
        if not self.shop_id or not self._get_access_token:
            raise ValueError("Shop-level calls need a shop id and an access token.")
        token = self._get_access_token()
        try:
            return self._send(method, path, params, body, token, file)
        except ShopeeTokenExpiredError:
            if not self._refresh_access_token:
                raise
            _logger.info(
                "Shopee %s %s: access token rejected, refreshing once", method, path
            )
            token = self._refresh_access_token(token)
            return self._send(method, path, params, body, token, file)

    def _send(self, method, path, params, body, access_token, file=False):
        query = dict(params or {})
        query.update(
            self.signed_params(
                path, access_token, self.shop_id if access_token else None
            )
        )
        started = time.monotonic()
        try:
            response = self.session.request(
                method,
                self.base_url + path,
                params=query,
                json=body if method == "POST" else None,
                timeout=self.timeout,
            )
        except requests.Timeout:
            self._log(method, path, started, "timeout")
            # "from None": the requests exception's text holds the signed URL
            # (token and sign); chained, it would reach tracebacks that
            # queue_job logs and stores.
            raise ShopeeServerError(
                f"Shopee did not answer {path} in time.", code="timeout", path=path
            ) from None
        except requests.RequestException as exc:
            self._log(method, path, started, "network error")
            raise ShopeeServerError(
                f"Could not reach Shopee for {path}: {exc.__class__.__name__}.",
                code="network",
                path=path,
            ) from None
        if file and response.status_code == 200 and not _is_json(response):
            self._log(method, path, started, f"file of {len(response.content)} bytes")
            return response.content
        return self._parse(method, path, started, response)

    def _parse(self, method, path, started, response):
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            self._log(method, path, started, f"HTTP {response.status_code}, no JSON")
            error_class = classify_error(response.status_code, "", "")
            raise error_class(
                f"Shopee answered {path} with HTTP {response.status_code} "
                "and no JSON body.",
                http_status=response.status_code,
                path=path,
            )
        code = data.get("error") or ""
        message = data.get("message") or ""
        request_id = data.get("request_id") or ""
        if code or response.status_code >= 400:
            self._log(
                method,
                path,
                started,
                code or f"HTTP {response.status_code}",
                request_id,
                level=logging.WARNING,
                message=message,
            )
            error_class = classify_error(response.status_code, code, message)
            raise error_class(
                message or code or f"HTTP {response.status_code}",
                code=code,
                request_id=request_id,
                http_status=response.status_code,
                path=path,
                response=data.get("response"),
            )
        self._log(method, path, started, "ok", request_id)
        if data.get("warning"):
            _logger.warning(
                "Shopee %s %s warning (request_id=%s): %s",
                method,
                path,
                request_id,
                data["warning"],
            )
        return data

    def _log(
        self,
        method,
        path,
        started,
        outcome,
        request_id="",
        level=logging.INFO,
        message="",
    ):
        elapsed_ms = (time.monotonic() - started) * 1000
        _logger.log(
            level,
            "Shopee %s %s shop=%s: %s%s in %.0f ms (request_id=%s)",
            method,
            path,
            self.shop_id or "-",
            outcome,
            f" ({message})" if message else "",
            elapsed_ms,
            request_id or "-",
        )


__all__ = [
    "ShopeeClient",
    "ShopeeError",
    "classify_error",
    "shopee_sign",
    "sign_base_string",
]
