"""The Shopee client: signing, errors, token refresh, timeouts, logging.

The client is plain Python: it is loaded here without Odoo.
"""

import hashlib
import hmac
import json
import logging
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from shopee_api import (
    ShopeeAuthError,
    ShopeeClient,
    ShopeeNotFoundError,
    ShopeeParamError,
    ShopeePermissionError,
    ShopeeRateLimitError,
    ShopeeServerError,
    ShopeeSignError,
    ShopeeTokenExpiredError,
    classify_error,
    shopee_sign,
    sign_base_string,
)

KEY = "test_partner_key_0123456789abcdef"
# shopee-api.md §4: vectors computed from the documented formula.
VECTORS = [
    (
        "2001887/api/v2/auth/token/get1655714431",
        "0c212acc232b9af44093a3f982a47b546c9edf3d005ebf999580c3e5978e0336",
    ),
    (
        "2001887/api/v2/public/get_shops_by_partner1655714431",
        "8d0b8105220f3a6129ce1147cf82f1a00c6fe57966b2f04e7426734fb219e01a",
    ),
    (
        "2001887/api/v2/shop/get_shop_info165571443159777174636562737266615546704c6d14701711",
        "fae2453506d0e74461bff5acf9985e736a81491c37c1c77537598bc991c034fc",
    ),
    (
        "2001887/api/v2/global_product/get_category165571443109777174636962737266615546704c6d1000000",
        "0c04e500e19baefae45c64a967c05b5a93cb88b106801c7412402943b0011a19",
    ),
    (
        "2001887/api/v2/order/get_order_list165571443159777174636562737266615546704c6d14701711",
        "a1deedcba768aef353a7a75283e6b133b445a8d8555a93787e92e4101642ba14",
    ),
    (
        "2001887/api/v2/shop/get_shop_info165571448859777174636562737266615546704c6d14701711",
        "00c81a99df98e580c41df91c53803f7db61198e0ff351629314f0831a3d3e80d",
    ),
]
TOKEN = "59777174636562737266615546704c6d"


class FakeResponse:
    def __init__(self, status, body):
        self.status_code = status
        self._body = body

    def json(self):
        if isinstance(self._body, (dict, list)):
            return self._body
        return json.loads(self._body)


class FakeSession:
    """Answers queued responses and remembers the requests."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests = []

    def request(self, method, url, params=None, json=None, timeout=None):
        self.requests.append(
            {
                "method": method,
                "url": url,
                "params": params,
                "json": json,
                "timeout": timeout,
            }
        )
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def ok(**fields):
    return FakeResponse(
        200, dict({"error": "", "message": "", "request_id": "r1"}, **fields)
    )


def client(session, **kwargs):
    kwargs.setdefault("clock", lambda: 1655714431)
    return ShopeeClient(
        2001887, KEY, "https://partner.shopeemobile.com", session=session, **kwargs
    )


@pytest.mark.parametrize("base,expected", VECTORS)
def test_sign_vectors(base, expected):
    assert shopee_sign(KEY, base) == expected
    assert len(shopee_sign(KEY, base)) == 64


def test_base_strings():
    assert (
        sign_base_string(2001887, "/api/v2/auth/token/get", 1655714431) == VECTORS[0][0]
    )
    assert (
        sign_base_string(
            2001887, "/api/v2/shop/get_shop_info", 1655714431, TOKEN, 14701711
        )
        == VECTORS[2][0]
    )


def test_shop_call_is_signed_with_token_and_shop():
    session = FakeSession(ok(response={"order_list": []}))
    shop = client(session, shop_id=14701711, get_access_token=lambda: TOKEN)
    shop.get("order/get_order_list", {"page_size": 100})
    sent = session.requests[0]
    assert sent["url"] == "https://partner.shopeemobile.com/api/v2/order/get_order_list"
    assert sent["params"]["sign"] == VECTORS[4][1]
    assert sent["params"]["access_token"] == TOKEN
    assert sent["params"]["shop_id"] == 14701711
    assert sent["params"]["page_size"] == 100
    assert sent["timeout"], "every call has a timeout"


def test_public_post_puts_common_params_in_query_and_body_in_json():
    session = FakeSession(ok(access_token="a", refresh_token="r", expire_in=14400))
    client(session).get_token("the-code", shop_id=14701711)
    sent = session.requests[0]
    assert sent["method"] == "POST"
    assert sent["params"] == {
        "partner_id": 2001887,
        "timestamp": 1655714431,
        "sign": VECTORS[0][1],
    }
    assert sent["json"] == {
        "code": "the-code",
        "partner_id": 2001887,
        "shop_id": 14701711,
    }


def test_auth_partner_link():
    url = urlparse(client(FakeSession()).auth_partner_url("https://odoo.example/cb/1"))
    query = {key: values[0] for key, values in parse_qs(url.query).items()}
    assert url.path == "/api/v2/shop/auth_partner"
    assert query["redirect"] == "https://odoo.example/cb/1"
    base = "2001887/api/v2/shop/auth_partner1655714431"
    assert (
        query["sign"]
        == hmac.new(KEY.encode(), base.encode(), hashlib.sha256).hexdigest()
    )


@pytest.mark.parametrize(
    "status,code,message,expected",
    [
        (
            403,
            "invalid_acceess_token",
            "Invalid access_token.",
            ShopeeTokenExpiredError,
        ),
        (403, "invalid_access_token", "", ShopeeTokenExpiredError),
        (403, "error_auth", "Invalid access_token.", ShopeeTokenExpiredError),
        (403, "error_auth", "Invalid refresh_token.", ShopeeAuthError),
        (
            200,
            "invalid_code",
            "The code is expired or used or invalid",
            ShopeeAuthError,
        ),
        (403, "error_sign", "Wrong sign.", ShopeeSignError),
        (403, "invalid_partner_id", "", ShopeeAuthError),
        (200, "error_permission", "", ShopeePermissionError),
        (200, "error_param", "Invalid timestamp", ShopeeParamError),
        (200, "order.order_list_invalid_time", "diff in 15days", ShopeeParamError),
        (200, "error_not_found", "", ShopeeNotFoundError),
        (404, "error_not_found", "", ShopeeNotFoundError),
        (
            429,
            "error_server",
            "Too many requests, please try again later.",
            ShopeeRateLimitError,
        ),
        (200, "ads.rate_limit.exceed_api", "", ShopeeRateLimitError),
        (500, "error_server", "System error.", ShopeeServerError),
        (200, "error_network", "Inner http call failed", ShopeeServerError),
        (200, "product.error_system_busy", "", ShopeeServerError),
    ],
)
def test_error_classification(status, code, message, expected):
    assert classify_error(status, code, message) is expected


def test_error_body_parsed_whatever_the_status():
    session = FakeSession(
        FakeResponse(
            403, {"error": "error_sign", "message": "Wrong sign.", "request_id": "abc"}
        )
    )
    with pytest.raises(ShopeeSignError) as caught:
        client(session).get_token("c", shop_id=1)
    assert caught.value.request_id == "abc"
    assert caught.value.http_status == 403
    assert "Wrong sign." in str(caught.value)
    assert not caught.value.retryable


def test_business_error_with_http_200_raises():
    session = FakeSession(
        FakeResponse(
            200,
            {"error": "error_param", "message": "Wrong parameters", "request_id": "x"},
        )
    )
    with pytest.raises(ShopeeParamError):
        client(session, shop_id=1, get_access_token=lambda: TOKEN).get(
            "order/get_order_list"
        )


def test_unknown_route_404_without_message():
    session = FakeSession(FakeResponse(404, {"error": "error_not_found"}))
    with pytest.raises(ShopeeNotFoundError):
        client(session, shop_id=1, get_access_token=lambda: TOKEN).get("order/nope")


def test_non_json_gateway_error_is_retryable():
    session = FakeSession(FakeResponse(502, "<html>Bad gateway</html>"))
    with pytest.raises(ShopeeServerError) as caught:
        client(session, shop_id=1, get_access_token=lambda: TOKEN).get(
            "shop/get_shop_info"
        )
    assert caught.value.retryable


def test_timeout_and_network_errors_are_retryable():
    for error in (requests.Timeout("slow"), requests.ConnectionError("refused")):
        session = FakeSession(error)
        with pytest.raises(ShopeeServerError) as caught:
            client(session, shop_id=1, get_access_token=lambda: TOKEN).get(
                "shop/get_shop_info"
            )
        assert caught.value.retryable


def test_expired_token_is_refreshed_once_then_retried_once():
    expired = FakeResponse(
        403, {"error": "invalid_acceess_token", "message": "Invalid access_token."}
    )
    session = FakeSession(expired, ok(shop_name="S"))
    refreshed = []

    def refresh(rejected):
        refreshed.append(rejected)
        return "new-token"

    shop = client(
        session, shop_id=1, get_access_token=lambda: TOKEN, refresh_access_token=refresh
    )
    assert shop.get("shop/get_shop_info")["shop_name"] == "S"
    assert refreshed == [TOKEN]
    assert session.requests[1]["params"]["access_token"] == "new-token"
    # the retry is signed with the new token
    base = sign_base_string(
        2001887, "/api/v2/shop/get_shop_info", 1655714431, "new-token", 1
    )
    assert session.requests[1]["params"]["sign"] == shopee_sign(KEY, base)


def test_expired_again_after_refresh_raises():
    expired = FakeResponse(
        403, {"error": "invalid_acceess_token", "message": "Invalid access_token."}
    )
    session = FakeSession(expired, expired)
    calls = []
    shop = client(
        session,
        shop_id=1,
        get_access_token=lambda: TOKEN,
        refresh_access_token=lambda rejected: calls.append(rejected) or "new-token",
    )
    with pytest.raises(ShopeeTokenExpiredError):
        shop.get("shop/get_shop_info")
    assert len(calls) == 1, "refresh once, retry once, then stop"
    assert len(session.requests) == 2


def test_logs_say_what_was_called_never_secrets(caplog):
    session = FakeSession(
        ok(
            access_token="SECRET-ACCESS",
            refresh_token="SECRET-REFRESH",
            request_id="req-42",
        ),
        FakeResponse(
            403,
            {"error": "error_sign", "message": "Wrong sign.", "request_id": "req-43"},
        ),
    )
    shopee = client(session)
    with caplog.at_level(logging.DEBUG):
        shopee.get_token("SECRET-CODE", shop_id=14701711)
        with pytest.raises(ShopeeSignError):
            shopee.refresh_token("SECRET-REFRESH-IN", 14701711)
    text = caplog.text
    assert "/api/v2/auth/token/get" in text and "req-42" in text
    assert "error_sign" in text and "req-43" in text
    for secret in ("SECRET", KEY, VECTORS[0][1]):
        assert secret not in text
    assert KEY not in repr(shopee)


def test_credentials_required():
    with pytest.raises(ValueError):
        ShopeeClient("", KEY, "https://x")
    with pytest.raises(ValueError):
        client(FakeSession()).get("shop/get_shop_info")
