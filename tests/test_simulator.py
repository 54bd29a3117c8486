"""The Shopee simulator honours Shopee's contract (shopee-api.md).

Requests are signed here by a helper of this file, not by the simulator's
own code: two independent implementations of §4 must agree.
"""

import hashlib
import hmac
import json
import logging
import re
import time
from urllib.parse import parse_qs, urljoin, urlparse

import pytest
import requests

PARTNER_ID = 2000001
PARTNER_KEY = "shpk-simulator-demo-key"
SHOP_ID = 600100200
OTHER_SHOP_ID = 600100201
MAIN_ACCOUNT_ID = 800100
REDIRECT = "http://localhost:8069/marketplace/shopee/oauth/1?state=x"
TOKEN_GET = "/api/v2/auth/token/get"
REFRESH = "/api/v2/auth/access_token/get"
SHOP_INFO = "/api/v2/shop/get_shop_info"
ORDER_LIST = "/api/v2/order/get_order_list"
ORDER_DETAIL = "/api/v2/order/get_order_detail"
DAY = 86400

# shopee-api.md §4, key "test_partner_key_0123456789abcdef".
VECTOR_KEY = "test_partner_key_0123456789abcdef"
VECTOR_TOKEN = "59777174636562737266615546704c6d"
VECTORS = [
    (
        "2001887/api/v2/auth/token/get1655714431",
        "0c212acc232b9af44093a3f982a47b546c9edf3d005ebf999580c3e5978e0336",
    ),
    (
        "2001887/api/v2/shop/get_shop_info1655714431" + VECTOR_TOKEN + "14701711",
        "fae2453506d0e74461bff5acf9985e736a81491c37c1c77537598bc991c034fc",
    ),
    (
        "2001887/api/v2/shop/get_shop_info1655714488" + VECTOR_TOKEN + "14701711",
        "00c81a99df98e580c41df91c53803f7db61198e0ff351629314f0831a3d3e80d",
    ),
]


def hmac_sign(key, base):
    return hmac.new(key.encode(), base.encode(), hashlib.sha256).hexdigest()


class Shopee:
    """A tiny signed client: the way a connector calls Shopee."""

    def __init__(self, sim, partner_id=PARTNER_ID, key=PARTNER_KEY):
        self.sim, self.partner_id, self.key = sim, partner_id, key

    def common(self, path, token=None, shop_id=None, timestamp=None, sign=None):
        timestamp = self.sim.now() if timestamp is None else timestamp
        base = f"{self.partner_id}{path}{timestamp}"
        params = {"partner_id": self.partner_id, "timestamp": timestamp}
        if token is not None:
            base += f"{token}{shop_id}"
            params.update(access_token=token, shop_id=shop_id)
        params["sign"] = sign or hmac_sign(self.key, base)
        return params

    def get(self, path, token=None, shop_id=SHOP_ID, common=None, **params):
        common = common or self.common(path, token, shop_id if token else None)
        return requests.get(
            self.sim.url + path, params={**common, **params}, timeout=10
        )

    def post(self, path, body, common=None):
        common = common or self.common(path)
        return requests.post(self.sim.url + path, params=common, json=body, timeout=10)

    def token_get(self, code, **target):
        body = {"code": code, "partner_id": self.partner_id, **target}
        return self.post(TOKEN_GET, body)

    def refresh(self, refresh_token, shop_id=SHOP_ID):
        body = {
            "refresh_token": refresh_token,
            "partner_id": self.partner_id,
            "shop_id": shop_id,
        }
        return self.post(REFRESH, body)

    def auth_link(self, redirect=REDIRECT, timestamp=None, key=None):
        path = "/api/v2/shop/auth_partner"
        timestamp = self.sim.now() if timestamp is None else timestamp
        sign = hmac_sign(key or self.key, f"{self.partner_id}{path}{timestamp}")
        query = {
            "partner_id": self.partner_id,
            "timestamp": timestamp,
            "sign": sign,
            "redirect": redirect,
        }
        return requests.Request("GET", self.sim.url + path, params=query).prepare().url


@pytest.fixture
def sim(shopee_simulator):
    shopee_simulator.reset(seed=42, orders=0)
    return shopee_simulator


@pytest.fixture
def shopee(sim):
    return Shopee(sim)


@pytest.fixture
def token(sim):
    sim.install_tokens(SHOP_ID, "test-access-token-0001", "test-refresh-token-0001")
    return "test-access-token-0001"


def assert_error(response, error, status, message=None):
    body = response.json()
    assert (response.status_code, body["error"]) == (status, error), body
    assert re.fullmatch(r"[0-9a-f]{32}", body["request_id"])
    if message is not None:
        assert body["message"] == message
    return body


def consent(shopee, **choice):
    """Open the auth link, read the form, submit it: the redirect's query."""
    page = requests.get(shopee.auth_link(), timeout=10)
    assert page.status_code == 200, page.text
    assert "Shopee Open Platform" in page.text and "Simulator" in page.text
    action = re.search(r'<form[^>]*action="([^"]+)"', page.text).group(1)
    fields = dict(
        re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page.text)
    )
    assert set(fields) == {"nonce", "shop_id"}
    fields.update(choice or {"shop_id": str(SHOP_ID), "authorize": "1"})
    answer = requests.post(
        urljoin(page.url, action), data=fields, allow_redirects=False, timeout=10
    )
    assert answer.status_code == 302, answer.text
    location = answer.headers["Location"]
    assert location.startswith(REDIRECT + "&code=")
    return {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}, (
        urljoin(page.url, action),
        fields,
    )


# -- signing ---------------------------------------------------------------


def test_simulator_signature_function_reproduces_the_vectors():
    from shopee_simulator.signing import base_string, sign

    for base, expected in VECTORS:
        assert sign(VECTOR_KEY, base) == expected
    assert (
        base_string(2001887, SHOP_INFO, 1655714431, VECTOR_TOKEN, 14701711)
        == VECTORS[1][0]
    )


def test_published_vectors_are_accepted(sim):
    sim.add_partner(2001887, VECTOR_KEY)
    sim.add_shop(14701711, "Vector Shop")
    sim.set_clock(1655714431 + 30 - int(time.time()))
    sim.install_tokens(14701711, VECTOR_TOKEN, "vector-refresh", partner_id=2001887)
    vector = Shopee(sim, 2001887, VECTOR_KEY)

    def shop_info(timestamp, sign):
        common = {
            "partner_id": 2001887,
            "timestamp": timestamp,
            "access_token": VECTOR_TOKEN,
            "shop_id": 14701711,
            "sign": sign,
        }
        return vector.get(SHOP_INFO, common=common)

    answer = shop_info(1655714431, VECTORS[1][1])
    assert answer.status_code == 200 and answer.json()["shop_name"] == "Vector Shop"
    leading_zero = VECTORS[2][1]
    assert shop_info(1655714488, leading_zero).json()["error"] == ""
    # The official Java demo drops leading zeros: 62 characters, refused.
    java_bug = leading_zero.lstrip("0")
    assert len(java_bug) == 62
    assert_error(shop_info(1655714488, java_bug), "error_sign", 403, "Wrong sign.")
    common = {"partner_id": 2001887, "timestamp": 1655714431, "sign": VECTORS[0][1]}
    body = {"code": "no-such-code", "partner_id": 2001887, "shop_id": 14701711}
    # The sign passes; only the code is refused.
    assert_error(vector.post(TOKEN_GET, body, common=common), "invalid_code", 403)


def test_wrong_signatures_are_refused(shopee, token):
    now = shopee.sim.now()
    tail = f"{now}{token}{SHOP_ID}"
    wrong = {
        "wrong key": hmac_sign(
            "shpk-not-the-right-key", f"{PARTNER_ID}{SHOP_INFO}{tail}"
        ),
        "host in path": hmac_sign(
            PARTNER_KEY, f"{PARTNER_ID}{shopee.sim.url}{SHOP_INFO}{tail}"
        ),
        "public formula": hmac_sign(PARTNER_KEY, f"{PARTNER_ID}{SHOP_INFO}{now}"),
        "uppercase": hmac_sign(PARTNER_KEY, f"{PARTNER_ID}{SHOP_INFO}{tail}").upper(),
    }
    for sign in wrong.values():
        common = shopee.common(SHOP_INFO, token, SHOP_ID, now, sign=sign)
        answer = shopee.get(SHOP_INFO, common=common)
        assert_error(answer, "error_sign", 403, "Wrong sign.")
    good = shopee.common(SHOP_INFO, token, SHOP_ID, now)
    assert shopee.get(SHOP_INFO, common=good).json()["error"] == ""


def test_unknown_partner_and_missing_parameters(shopee, token):
    stranger = Shopee(shopee.sim, partner_id=1999999)
    assert_error(stranger.get(SHOP_INFO, token), "invalid_partner_id", 403)
    common = shopee.common(SHOP_INFO, token, SHOP_ID)
    for name in ("partner_id", "timestamp", "sign", "access_token", "shop_id"):
        partial = {k: v for k, v in common.items() if k != name}
        answer = shopee.get(SHOP_INFO, common=partial)
        assert_error(answer, "error_param", 200, f"There is no {name} in query.")


def test_timestamp_window_is_five_minutes(shopee, token):
    now = shopee.sim.now()
    # 10 s of margin: the clock moves on between now() and the request
    for skew, accepted in ((-290, True), (-310, False), (290, True), (310, False)):
        common = shopee.common(SHOP_INFO, token, SHOP_ID, timestamp=now + skew)
        answer = shopee.get(SHOP_INFO, common=common)
        if accepted:
            assert answer.json()["error"] == "", skew
        else:
            assert_error(answer, "error_param", 200, "Invalid timestamp.")


# -- authorization ------------------------------------------------------------


def test_consent_code_tokens(shopee):
    callback, (action, fields) = consent(shopee)
    assert callback["shop_id"] == str(SHOP_ID) and callback["state"] == "x"
    replay = requests.post(action, data=fields, allow_redirects=False, timeout=10)
    assert replay.status_code == 403, "a nonce works once"

    answer = shopee.token_get(callback["code"], shop_id=SHOP_ID)
    data = answer.json()
    assert answer.status_code == 200 and (data["error"], data["message"]) == ("", "")
    assert "response" not in data
    assert re.fullmatch(r"[0-9a-f]{32}", data["access_token"])
    assert re.fullmatch(r"[0-9a-f]{32}", data["refresh_token"])
    assert data["expire_in"] == 14400
    assert data["shop_id_list"] == [SHOP_ID]
    assert data["merchant_id_list"] == data["supplier_id_list"] == []
    info = shopee.get(SHOP_INFO, data["access_token"]).json()
    assert info["shop_name"] == "Bangkok Gadget House"

    again = shopee.token_get(callback["code"], shop_id=SHOP_ID)
    assert_error(again, "invalid_code", 403, "The code is expired or used or invalid")
    state = shopee.sim.state()
    assert state["codes"] == {"issued": 1, "used": 1}
    assert state["tokens"][str(SHOP_ID)]["access_token"] == data["access_token"]


def test_code_is_bound_and_expires_after_ten_minutes(shopee):
    bound, _form = consent(shopee)
    answer = shopee.token_get(bound["code"], shop_id=OTHER_SHOP_ID)
    assert_error(answer, "invalid_code", 403)
    late, _form = consent(shopee)
    shopee.sim.set_clock(601)
    assert_error(shopee.token_get(late["code"], shop_id=SHOP_ID), "invalid_code", 403)
    shopee.sim.set_clock(0)
    fresh, _form = consent(shopee)
    shopee.sim.set_clock(590)
    assert shopee.token_get(fresh["code"], shop_id=SHOP_ID).json()["error"] == ""


def test_token_get_checks_its_body(shopee):
    callback, _form = consent(shopee)
    code = callback["code"]
    mismatch = {"code": code, "partner_id": PARTNER_ID + 1, "shop_id": SHOP_ID}
    assert_error(shopee.post(TOKEN_GET, mismatch), "error_param", 200)
    both = {
        "code": code,
        "partner_id": PARTNER_ID,
        "shop_id": SHOP_ID,
        "main_account_id": MAIN_ACCOUNT_ID,
    }
    assert_error(shopee.post(TOKEN_GET, both), "error_param", 200)
    assert shopee.token_get(code, shop_id=SHOP_ID).json()["error"] == ""


def test_consent_link_refused(shopee):
    bad_sign = requests.get(shopee.auth_link(key="wrong-key"), timeout=10)
    assert bad_sign.status_code == 403 and "Wrong sign." in bad_sign.text
    stale = requests.get(shopee.auth_link(timestamp=shopee.sim.now() - 301), timeout=10)
    assert stale.status_code == 403 and "Invalid timestamp" in stale.text
    assert shopee.sim.state()["codes"]["issued"] == 0


def test_main_account_shares_one_pair_until_refresh(shopee):
    callback, _form = consent(shopee, main_account_id=str(MAIN_ACCOUNT_ID))
    assert callback["main_account_id"] == str(MAIN_ACCOUNT_ID)
    assert "shop_id" not in callback
    data = shopee.token_get(callback["code"], main_account_id=MAIN_ACCOUNT_ID).json()
    assert data["error"] == "" and data["shop_id_list"] == [SHOP_ID, OTHER_SHOP_ID]
    shared, refresh = data["access_token"], data["refresh_token"]
    for shop_id in (SHOP_ID, OTHER_SHOP_ID):
        assert shopee.get(SHOP_INFO, shared, shop_id).json()["error"] == ""
    first = shopee.refresh(refresh, SHOP_ID).json()
    second = shopee.refresh(refresh, OTHER_SHOP_ID).json()
    assert first["error"] == second["error"] == ""
    assert first["access_token"] != second["access_token"]
    assert_error(shopee.refresh(refresh, SHOP_ID), "error_auth", 403)


def test_refresh_is_single_use_and_old_token_lives_five_minutes(shopee, token):
    answer = shopee.refresh("test-refresh-token-0001")
    data = answer.json()
    assert answer.status_code == 200 and data["error"] == "" and "response" not in data
    assert data["partner_id"] == PARTNER_ID and data["shop_id"] == SHOP_ID
    assert data["expire_in"] == 14400
    assert data["refresh_token"] != "test-refresh-token-0001"
    again = shopee.refresh("test-refresh-token-0001")
    assert_error(again, "error_auth", 403, "Invalid refresh_token.")
    assert shopee.sim.refresh_count(SHOP_ID) == 1

    shopee.sim.set_clock(290)
    assert shopee.get(SHOP_INFO, token).json()["error"] == ""
    shopee.sim.set_clock(301)
    answer = shopee.get(SHOP_INFO, token)
    assert_error(answer, "invalid_acceess_token", 403, "Invalid access_token.")
    assert shopee.get(SHOP_INFO, data["access_token"]).json()["error"] == ""
    # The new refresh token works, once.
    assert shopee.refresh(data["refresh_token"]).json()["error"] == ""


def test_access_token_checks(shopee, token):
    assert_error(shopee.get(SHOP_INFO, "no-such-token"), "invalid_acceess_token", 403)
    assert_error(shopee.get(SHOP_INFO, token, OTHER_SHOP_ID), "error_auth", 403)
    shopee.sim.set_clock(14400)
    assert_error(shopee.get(SHOP_INFO, token), "invalid_acceess_token", 403)


def test_get_shop_info(shopee, token):
    data = shopee.get(SHOP_INFO, token).json()
    assert "response" not in data
    assert data["shop_name"] == "Bangkok Gadget House"
    assert (data["region"], data["status"]) == ("TH", "NORMAL")
    assert data["is_cb"] is False and data["is_sip"] is False
    assert abs(data["auth_time"] - shopee.sim.now()) < 5
    assert data["expire_time"] == data["auth_time"] + 365 * DAY
    assert (data["error"], data["message"]) == ("", "")


# -- orders -------------------------------------------------------------------


def list_orders(shopee, token, **params):
    params = {"time_range_field": "update_time", "page_size": 100, **params}
    return shopee.get(ORDER_LIST, token, **params)


def test_order_list_limits(shopee, token):
    now = shopee.sim.now()
    too_long = list_orders(shopee, token, time_from=now - 15 * DAY - 1, time_to=now)
    assert_error(
        too_long,
        "order.order_list_invalid_time",
        200,
        "Start time must be earlier than end time and diff in 15days.",
    )
    backwards = list_orders(shopee, token, time_from=now, time_to=now)
    assert_error(backwards, "order.order_list_invalid_time", 200)
    window = {"time_from": now - 15 * DAY, "time_to": now}
    assert list_orders(shopee, token, **window).json()["error"] == ""
    for size in (0, 101, "x"):
        answer = list_orders(shopee, token, page_size=size, **window)
        assert_error(answer, "error_param", 200)
    answer = list_orders(shopee, token, time_range_field="pay_time", **window)
    assert_error(answer, "error_param", 200)


def test_cursor_paging_returns_each_order_once(shopee, token):
    now = shopee.sim.now()
    shopee.sim.reset(seed=7, orders=230, time_from=now - 5 * DAY, time_to=now - 60)
    shopee.sim.install_tokens(SHOP_ID, token, "r")
    seen, cursor, pages = [], "", []
    while True:
        answer = list_orders(
            shopee, token, time_from=now - 6 * DAY, time_to=now, cursor=cursor
        ).json()
        page = answer["response"]
        pages.append(len(page["order_list"]))
        seen += [order["order_sn"] for order in page["order_list"]]
        assert all(set(order) == {"order_sn"} for order in page["order_list"])
        if not page["more"]:
            assert page["next_cursor"] == ""
            break
        assert page["next_cursor"]
        cursor = page["next_cursor"]
    assert pages == [100, 100, 30]
    assert len(seen) == len(set(seen)) == 230
    assert set(seen) == set(shopee.sim.order_sns(SHOP_ID))


def test_order_list_filters(shopee, token):
    now = shopee.sim.now()
    base = json.loads((_seed_dir() / "02_ready_to_ship_cod.json").read_text())
    orders = []
    for index, (created, updated, status) in enumerate(
        [
            (now - 300, now - 200, "READY_TO_SHIP"),
            (now - 200, now - 100, "SHIPPED"),
            (now - 100, now - 100, "READY_TO_SHIP"),
        ]
    ):
        orders.append(
            dict(
                base,
                order_sn=f"250101FILTER0{index}",
                create_time=created,
                update_time=updated,
                order_status=status,
            )
        )
    shopee.sim.put_orders(SHOP_ID, orders)

    def sns(**params):
        page = list_orders(shopee, token, **params).json()["response"]
        return [order["order_sn"] for order in page["order_list"]]

    assert sns(time_from=now - 200, time_to=now - 100) == [
        "250101FILTER00",
        "250101FILTER01",
        "250101FILTER02",
    ]
    assert sns(time_range_field="create_time", time_from=now - 200, time_to=now) == [
        "250101FILTER01",
        "250101FILTER02",
    ]
    assert sns(time_from=now - 1000, time_to=now, order_status="SHIPPED") == [
        "250101FILTER01"
    ]
    page = list_orders(
        shopee,
        token,
        time_from=now - 1000,
        time_to=now,
        response_optional_fields="order_status",
    ).json()["response"]
    assert [o["order_status"] for o in page["order_list"]][:2] == [
        "READY_TO_SHIP",
        "SHIPPED",
    ]


def _seed_dir():
    from shopee_simulator.seeds import SEEDS_DIR

    return SEEDS_DIR / "orders"


def test_order_detail(shopee, token):
    shopee.sim.reset(seed=3, orders=60)
    shopee.sim.install_tokens(SHOP_ID, token, "r")
    order_sns = shopee.sim.order_sns(SHOP_ID)
    too_many = shopee.get(ORDER_DETAIL, token, order_sn_list=",".join(order_sns[:51]))
    assert_error(too_many, "error_param", 200)
    assert_error(shopee.get(ORDER_DETAIL, token, order_sn_list=""), "error_param", 200)

    plain = shopee.get(ORDER_DETAIL, token, order_sn_list=",".join(order_sns[:50]))
    orders = plain.json()["response"]["order_list"]
    assert len(orders) == 50
    for order in orders:
        assert {
            "order_sn",
            "region",
            "currency",
            "cod",
            "order_status",
            "create_time",
            "update_time",
            "days_to_ship",
            "ship_by_date",
            "message_to_seller",
        } <= set(order)
        assert not {
            "item_list",
            "recipient_address",
            "total_amount",
            "package_list",
            "buyer_username",
        } & set(order)

    fields = "item_list,recipient_address,total_amount,package_list"
    rich = shopee.get(
        ORDER_DETAIL,
        token,
        order_sn_list=order_sns[0],
        response_optional_fields=fields,
    ).json()["response"]["order_list"][0]
    assert rich["item_list"] and rich["recipient_address"]["region"] == "TH"
    assert "buyer_username" not in rich and "pay_time" not in rich


def test_order_detail_missing_orders(shopee, token):
    shopee.sim.reset(seed=3, orders=2)
    shopee.sim.install_tokens(SHOP_ID, token, "r")
    known = shopee.sim.order_sns(SHOP_ID)[0]
    none = shopee.get(ORDER_DETAIL, token, order_sn_list="251231NOTHERE1")
    assert_error(
        none,
        "error_not_found",
        200,
        "Wrong parameters, detail: the order is not found.",
    )
    some = shopee.get(ORDER_DETAIL, token, order_sn_list=f"{known},251231NOTHERE1")
    data = some.json()
    assert data["error"] == ""
    assert [o["order_sn"] for o in data["response"]["order_list"]] == [known]
    assert "251231NOTHERE1" in data["warning"]
    # Another shop's orders are not found either.
    shopee.sim.install_tokens(OTHER_SHOP_ID, "other-shop-token", "r2")
    other = shopee.get(
        ORDER_DETAIL, "other-shop-token", OTHER_SHOP_ID, order_sn_list=known
    )
    assert_error(other, "error_not_found", 200)


def test_order_changes_over_time(shopee, token):
    shopee.sim.reset(seed=3, orders=5, time_from=shopee.sim.now() - DAY)
    shopee.sim.install_tokens(SHOP_ID, token, "r")
    order_sn = shopee.sim.order_sns(SHOP_ID)[0]
    shopee.sim.set_clock(3600)
    now = shopee.sim.now()
    changed = shopee.sim.update_order(order_sn, order_status="CANCELLED")
    assert changed["update_time"] == now
    assert changed["package_list"][0]["logistics_status"] == "LOGISTICS_INVALID"
    page = list_orders(
        shopee,
        token,
        time_from=now - 60,
        time_to=now,
        response_optional_fields="order_status",
    ).json()["response"]
    assert page["order_list"] == [{"order_sn": order_sn, "order_status": "CANCELLED"}]


# -- faults ---------------------------------------------------------------------


def test_rate_limit_and_server_error_once_then_ok(shopee, token):
    window = {"time_from": shopee.sim.now() - DAY, "time_to": shopee.sim.now()}
    shopee.sim.add_fault("rate_limit", path=ORDER_LIST)
    shopee.sim.add_fault("server_error", path=ORDER_LIST)
    assert shopee.get(SHOP_INFO, token).json()["error"] == "", "another path"
    assert_error(
        list_orders(shopee, token, **window),
        "error_server",
        429,
        "Too many requests, please try again later.",
    )
    assert_error(
        list_orders(shopee, token, **window),
        "error_server",
        500,
        "System error. Please try again later.",
    )
    assert list_orders(shopee, token, **window).json()["error"] == ""


def test_fault_without_path_hits_shop_calls_only(shopee, token):
    shopee.sim.add_fault("server_error", times=2)
    assert shopee.refresh("test-refresh-token-0001").status_code == 200
    fresh = shopee.sim.state()["tokens"][str(SHOP_ID)]["access_token"]
    assert shopee.get(SHOP_INFO, fresh).status_code == 500
    assert shopee.get(SHOP_INFO, fresh).status_code == 500
    assert shopee.get(SHOP_INFO, fresh).status_code == 200
    shopee.sim.add_fault("rate_limit", times=5)
    shopee.sim.clear_faults()
    assert shopee.get(SHOP_INFO, fresh).status_code == 200


def test_timeout_fault_delays_the_answer(shopee, token):
    shopee.sim.add_fault("timeout", path=SHOP_INFO, seconds=0.4)
    started = time.monotonic()
    answer = shopee.get(SHOP_INFO, token)
    assert time.monotonic() - started >= 0.4
    assert answer.json()["error"] == ""


def test_expire_access_token_fault(shopee, token):
    shopee.sim.add_fault("expire_access_token")
    assert_error(shopee.get(SHOP_INFO, token), "invalid_acceess_token", 403)
    assert_error(shopee.get(SHOP_INFO, token), "invalid_acceess_token", 403)
    data = shopee.refresh("test-refresh-token-0001").json()
    assert shopee.get(SHOP_INFO, data["access_token"]).json()["error"] == ""


def test_unknown_route_shape(sim):
    for method, path in (("GET", "/api/v2/order/nope"), ("GET", TOKEN_GET)):
        answer = requests.request(method, sim.url + path, timeout=10)
        assert answer.status_code == 404
        assert answer.json() == {"error": "error_not_found"}


# -- data -----------------------------------------------------------------------


def test_same_seed_same_orders(sim):
    window = {"time_from": 1_700_000_000, "time_to": 1_700_000_000 + 5 * DAY}
    sim.reset(seed=9, orders=40, **window)
    first = json.dumps(sim.orders(SHOP_ID))
    escrows = json.dumps([sim.escrow(sn) for sn in sim.order_sns(SHOP_ID)[:10]])
    sim.reset(seed=9, orders=40, **window)
    assert json.dumps(sim.orders(SHOP_ID)) == first
    assert json.dumps([sim.escrow(sn) for sn in sim.order_sns(SHOP_ID)[:10]]) == escrows
    sim.reset(seed=10, orders=40, **window)
    assert json.dumps(sim.orders(SHOP_ID)) != first
    sim.reset(seed=9, orders=40, items=50, models_per_item=3, **window)
    catalogue, orders = sim.catalogue(SHOP_ID), sim.orders(SHOP_ID)
    sim.reset(seed=9, orders=40, items=50, models_per_item=3, **window)
    assert json.dumps(sim.catalogue(SHOP_ID)) == json.dumps(catalogue)
    assert json.dumps(sim.orders(SHOP_ID)) == json.dumps(orders)


def test_generated_orders_are_consistent():
    from shopee_simulator import generate_orders, load_seeds

    seeds = load_seeds()
    start, end = 1_700_000_000, 1_700_000_000 + 3 * DAY
    args = (5, 120, SHOP_ID, start, end, seeds.shop_items(SHOP_ID), seeds.orders)
    orders = generate_orders(*args)
    assert json.dumps(orders) == json.dumps(generate_orders(*args))
    assert len({order["order_sn"] for order in orders}) == 120
    statuses = set()
    for order in orders:
        statuses.add(order["order_status"])
        assert re.fullmatch(r"\d{6}[0-9A-Z]{8}", order["order_sn"])
        assert start <= order["create_time"] <= order["update_time"] <= end
        assert order["item_list"]
        if "total_amount" in order:
            # What the buyer paid: vouchers, coins and bundle deals make it
            # differ from Σ lines + shipping (test_escrow_identities checks it).
            assert isinstance(order["total_amount"], int)
            assert order["total_amount"] > 0
        else:
            assert order["order_status"] in ("UNPAID", "CANCELLED")
    assert {"UNPAID", "READY_TO_SHIP", "SHIPPED", "COMPLETED", "CANCELLED"} <= statuses


def test_seed_orders_have_the_real_quirks():
    orders = [json.loads(p.read_text()) for p in sorted(_seed_dir().glob("*.json"))]
    assert 6 <= len(orders) <= 8
    assert {o["order_status"] for o in orders} >= {
        "UNPAID",
        "READY_TO_SHIP",
        "PROCESSED",
        "SHIPPED",
        "COMPLETED",
        "CANCELLED",
        "IN_CANCEL",
    }
    assert {o["cod"] for o in orders} == {True, False}
    lines = [line for o in orders for line in o["item_list"]]
    assert any(line["model_discounted_price"] == 0 for line in lines)
    assert any(line["model_sku"].endswith("\n") for line in lines)
    assert {line["model_id"] == 0 for line in lines} == {True, False}
    assert all(isinstance(line["product_location_id"], list) for line in lines)
    for order in orders:
        assert (order["region"], order["currency"]) == ("TH", "THB")
        assert ("total_amount" in order) == (order["order_status"] != "UNPAID")
        assert "*" in order["recipient_address"]["name"]
        assert order["recipient_address"]["phone"].startswith("******")
        assert order["package_list"][0]["logistics_status"].startswith("LOGISTICS_")


def test_startup_state_has_seed_orders_in_range():
    from shopee_simulator import Simulator

    simulator = Simulator(seed=42, orders=60, days=14)
    orders = simulator.state.all_orders(SHOP_ID)
    seeds = {p.stem for p in _seed_dir().glob("*.json")}
    assert len(orders) == 60 + len(seeds)
    now = simulator.state.now()
    assert all(
        now - 14 * DAY <= o["create_time"] <= o["update_time"] <= now for o in orders
    )


def test_request_log_hides_secrets(shopee, token, caplog):
    caplog.set_level(logging.INFO, logger="shopee_simulator")
    common = shopee.common(SHOP_INFO, token, SHOP_ID)
    shopee.get(SHOP_INFO, common=common)
    shopee.get(SHOP_INFO, "no-such-token")
    lines = [r.getMessage() for r in caplog.records if r.name == "shopee_simulator"]
    assert f"GET {SHOP_INFO} ok" in lines
    assert f"GET {SHOP_INFO} invalid_acceess_token" in lines
    for secret in (token, common["sign"], PARTNER_KEY, "no-such-token"):
        assert not any(secret in line for line in lines)


# -- control API and command line ---------------------------------------------


def test_control_api_refuses_bad_input(sim):
    from shopee_simulator import ControlError

    sim.reset(seed=1, orders=3)
    bad_calls = [
        lambda: sim.reset(time_from=2_000_000_000, time_to=1_000_000_000),
        lambda: sim.reset(shop_id=123),
        lambda: sim.add_fault("meteor_strike"),
        lambda: sim.put_orders(SHOP_ID, [{"order_sn": "250101NOTIMES1"}]),
        lambda: sim.update_order("250101UNKNOWN1", order_status="SHIPPED"),
    ]
    for call in bad_calls:
        with pytest.raises(ControlError) as caught:
            call()
        assert caught.value.status in (400, 404)
    assert len(sim.order_sns(SHOP_ID)) == 3, "a refused reset changes nothing"


def test_command_line_serves_and_stops_on_sigterm():
    import signal
    import socket
    import subprocess
    import sys
    from pathlib import Path

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    simulator_dir = Path(__file__).resolve().parents[1] / "simulator"
    command = [sys.executable, "-m", "shopee_simulator", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--orders", "5"],
        cwd=simulator_dir,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        for _attempt in range(100):
            try:
                answer = requests.get(f"{url}{SHOP_INFO}?sign=secret-sign", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        assert_error(answer, "error_param", 200, "There is no partner_id in query.")
        state = requests.get(f"{url}/_simulator/state", timeout=2).json()
        seeds = len(list(_seed_dir().glob("*.json")))
        assert state["shops"][str(SHOP_ID)]["orders"] == 5 + seeds
    finally:
        process.send_signal(signal.SIGTERM)
        _out, log = process.communicate(timeout=10)
    assert process.returncode == 0
    assert f"GET {SHOP_INFO} error_param" in log
    assert "secret-sign" not in log


# -- products (§7) --------------------------------------------------------------

ITEM_LIST = "/api/v2/product/get_item_list"
BASE_INFO = "/api/v2/product/get_item_base_info"
MODEL_LIST = "/api/v2/product/get_model_list"
UPDATE_STOCK = "/api/v2/product/update_stock"
ALL_STATUSES = ["NORMAL", "UNLIST", "BANNED", "REVIEWING", "SELLER_DELETE"]
TSHIRT, CASE, CABLE, FILM = 23011000102, 23011000104, 23011000101, 23011000112
UNLISTED, DELETED, NO_SKU_ITEM, CAR_CHARGER = (
    23011000110,
    23011000111,
    23011000107,
    23011000113,
)


def list_items(shopee, token, **params):
    params = {"offset": 0, "page_size": 100, "item_status": ALL_STATUSES, **params}
    return shopee.get(ITEM_LIST, token, **params)


def test_item_list_pages_filters_and_limits(shopee, token):
    seen, offset, pages = [], 0, 0
    while True:
        page = list_items(shopee, token, offset=offset, page_size=5).json()
        assert page["error"] == "", page
        response = page["response"]
        assert response["total_count"] == 13
        assert all(
            set(entry) == {"item_id", "item_status", "update_time", "tag"}
            for entry in response["item"]
        )
        seen += response["item"]
        pages += 1
        if not response["has_next_page"]:
            break
        assert response["next_offset"] == offset + 5
        offset = response["next_offset"]
    assert pages == 3 and len({e["item_id"] for e in seen}) == 13
    statuses = {e["item_id"]: e["item_status"] for e in seen}
    assert statuses[UNLISTED] == "UNLIST" and statuses[DELETED] == "SELLER_DELETE"

    def ids(**params):
        response = list_items(shopee, token, **params).json()["response"]
        return [entry["item_id"] for entry in response["item"]]

    normal = ids(item_status="NORMAL")
    assert UNLISTED not in normal and DELETED not in normal and len(normal) == 11
    # Repeated (Shopee's way) or comma-joined: the same.
    assert ids(item_status=["NORMAL", "UNLIST"]) == ids(item_status="NORMAL,UNLIST")
    assert len(ids(item_status=["NORMAL", "UNLIST"])) == 12
    now = shopee.sim.now()
    shopee.sim.update_item(CABLE, item_name="สายชาร์จ USB-C ถัก 1 เมตร")
    assert ids(update_time_from=now - 1) == [CABLE]
    assert CABLE not in ids(update_time_to=now - 2)

    for params, error in (
        ({"page_size": 0}, "error_param"),
        ({"page_size": 101}, "error_param"),
        ({"offset": -1}, "error_param"),
        ({"item_status": "SOLD_OUT"}, "error_param_item_status"),
        ({"item_status": ""}, "error_param_item_status"),
        (
            {"update_time_from": now, "update_time_to": now - 10},
            "error_update_time_range",
        ),
    ):
        assert_error(list_items(shopee, token, **params), error, 200)
    shopee.sim.set_catalogue(SHOP_ID, offset_limit=10)
    assert list_items(shopee, token, offset=9, page_size=5).json()["error"] == ""
    assert_error(
        list_items(shopee, token, offset=10, page_size=5),
        "error_param",
        200,
        "get items offset over limit, please use the next field",
    )


def test_item_base_info_shapes(shopee, token):
    wanted = [CABLE, TSHIRT, CASE, NO_SKU_ITEM, DELETED, CAR_CHARGER]
    answer = shopee.get(BASE_INFO, token, item_id_list=",".join(map(str, wanted)))
    items = {item["item_id"]: item for item in answer.json()["response"]["item_list"]}
    assert set(items) == set(wanted)
    cable, shirt = items[CABLE], items[TSHIRT]
    assert cable["has_model"] is False and shirt["has_model"] is True
    assert cable["price_info"] == [
        {"currency": "THB", "original_price": 159.0, "current_price": 129.0}
    ]
    assert "price_info" not in shirt, "Shopee leaves it out when there are models"
    stock = cable["stock_info_v2"]
    assert stock["summary_info"] == {
        "total_reserved_stock": 0,
        "total_available_stock": 240,
    }
    assert stock["seller_stock"] == [
        {"location_id": "THZ", "stock": 240, "if_saleable": True}
    ]
    assert shirt["stock_info_v2"]["summary_info"]["total_available_stock"] == 104
    assert items[NO_SKU_ITEM]["item_sku"] == ""
    assert items[CAR_CHARGER]["item_sku"].endswith("\n")
    assert items[DELETED]["item_status"] == "SELLER_DELETE"
    for item in items.values():
        assert {"item_name", "item_sku", "item_status", "update_time", "weight"} <= set(
            item
        )
        assert isinstance(item["weight"], str)
    # Repeated or bracketed arrays work too (§13.8).
    for form in (
        [str(CABLE), str(TSHIRT)],
        f"[{CABLE},{TSHIRT}]",
        f"[{CABLE} {TSHIRT}]",
    ):
        answer = shopee.get(BASE_INFO, token, item_id_list=form).json()
        assert [i["item_id"] for i in answer["response"]["item_list"]] == [
            CABLE,
            TSHIRT,
        ]
    partial = shopee.get(BASE_INFO, token, item_id_list=f"{CABLE},99").json()
    assert partial["error"] == "" and "99" in partial["warning"]
    unknown = shopee.get(BASE_INFO, token, item_id_list="99,98")
    assert_error(unknown, "error_item_not_found", 200)
    fifty_one = ",".join(str(23011000101 + n) for n in range(51))
    assert_error(
        shopee.get(BASE_INFO, token, item_id_list=fifty_one), "error_param", 200
    )
    assert_error(shopee.get(BASE_INFO, token, item_id_list="1,x"), "error_param", 200)


def test_model_list_shapes(shopee, token):
    shirt = shopee.get(MODEL_LIST, token, item_id=TSHIRT).json()["response"]
    tiers = shirt["tier_variation"]
    assert [tier["name"] for tier in tiers] == ["สี", "ขนาด"]
    assert [o["option"] for o in tiers[0]["option_list"]] == ["Red", "Black"]
    assert [o["option"] for o in tiers[1]["option_list"]] == ["M", "L"]
    names = {
        model["model_id"]: ",".join(
            tiers[n]["option_list"][i]["option"]
            for n, i in enumerate(model["tier_index"])
        )
        for model in shirt["model"]
    }
    assert names == {170010001: "Red,M", 170010002: "Red,L", 170010003: "Black,M"}
    first = shirt["model"][0]
    assert first["model_sku"] == "BGH-TSHIRT-RED-M"
    assert first["model_status"] == "MODEL_NORMAL"
    assert first["price_info"][0]["current_price"] == 259.0
    assert first["stock_info_v2"]["seller_stock"][0]["stock"] == 35
    film = shopee.get(MODEL_LIST, token, item_id=FILM).json()["response"]
    assert len(film["model"]) == 60 > 50
    assert sum(model["model_sku"] == "" for model in film["model"]) == 51
    case = shopee.get(MODEL_LIST, token, item_id=CASE).json()["response"]
    assert any(model["model_sku"].endswith("\n") for model in case["model"])
    cable = shopee.get(MODEL_LIST, token, item_id=CABLE).json()["response"]
    assert cable["model"] == [] and cable["tier_variation"] == []
    assert_error(shopee.get(MODEL_LIST, token, item_id=99), "error_item_not_found", 200)
    assert_error(shopee.get(MODEL_LIST, token), "product.error_param", 200)


def test_control_changes_items_and_models(shopee, token):
    from shopee_simulator import ControlError

    sim = shopee.sim
    item = sim.update_item(CABLE, item_status="UNLIST", stock=12, price=119)
    assert item["item_status"] == "UNLIST" and item["models"][0]["stock"] == 12
    sim.update_model(TSHIRT, 170010002, model_sku="", stock=3, price=239)
    models = shopee.get(MODEL_LIST, token, item_id=TSHIRT).json()["response"]["model"]
    red_l = next(m for m in models if m["model_id"] == 170010002)
    assert red_l["model_sku"] == ""
    assert red_l["stock_info_v2"]["seller_stock"][0]["stock"] == 3
    assert red_l["price_info"][0]["current_price"] == 239.0
    info = shopee.get(BASE_INFO, token, item_id_list=CABLE).json()["response"]
    assert info["item_list"][0]["item_status"] == "UNLIST"
    assert info["item_list"][0]["price_info"][0]["current_price"] == 119.0
    assert sim.stock(SHOP_ID)[CABLE, 0] == 12
    catalogue = {item["item_id"]: item for item in sim.catalogue(SHOP_ID)}
    assert catalogue[CABLE]["item_status"] == "UNLIST"
    for call, status in (
        (lambda: sim.update_item(CABLE, item_status="GONE"), 400),
        (lambda: sim.update_item(TSHIRT, stock=5), 400),
        (lambda: sim.update_model(TSHIRT, 170010001, stock="many"), 400),
        (lambda: sim.update_item(999, item_status="NORMAL"), 404),
        (lambda: sim.update_model(TSHIRT, 999, stock=1), 404),
    ):
        with pytest.raises(ControlError) as caught:
            call()
        assert caught.value.status == status


def test_generated_catalogue_2000_items_by_5_models(shopee, token):
    sim = shopee.sim
    started = time.monotonic()
    sim.reset(seed=11, orders=40, items=2000, models_per_item=5)
    sim.install_tokens(SHOP_ID, token, "r")
    catalogue = sim.catalogue(SHOP_ID)
    assert len(catalogue) == 2000
    assert all(len(item["models"]) == 5 and item["has_model"] for item in catalogue)
    assert len({m["model_id"] for i in catalogue for m in i["models"]}) == 10000
    statuses = {item["item_status"] for item in catalogue}
    assert statuses == {"NORMAL", "UNLIST", "SELLER_DELETE"}
    assert sum(item["item_sku"] == "" for item in catalogue) > 500
    assert any(m["model_sku"].endswith("\n") for i in catalogue for m in i["models"])
    state = sim.state()["shops"][str(SHOP_ID)]
    assert (state["items"], state["models"]) == (2000, 10000)
    # The connector's walk: every page, details by 50.
    item_ids, offset = [], 0
    while True:
        page = list_items(shopee, token, offset=offset).json()["response"]
        item_ids += [entry["item_id"] for entry in page["item"]]
        if not page["has_next_page"]:
            break
        offset = page["next_offset"]
    assert len(item_ids) == len(set(item_ids)) == 2000
    detailed = 0
    for start in range(0, 2000, 50):
        chunk = ",".join(map(str, item_ids[start : start + 50]))
        answer = shopee.get(BASE_INFO, token, item_id_list=chunk).json()
        detailed += len(answer["response"]["item_list"])
    assert detailed == 2000
    models = shopee.get(MODEL_LIST, token, item_id=item_ids[-1]).json()["response"]
    assert len(models["model"]) == 5 and models["tier_variation"][0]["name"] == "สี"
    orders = sim.orders(SHOP_ID)
    assert {line["item_id"] for o in orders for line in o["item_list"]} <= set(item_ids)
    assert time.monotonic() - started < 60
    # Same seed, same catalogue; a catalogue of its own without a reset.
    sim.set_catalogue(SHOP_ID, items=30, models_per_item=0, seed=11)
    small = sim.catalogue(SHOP_ID)
    assert len(small) == 30 and all(not item["has_model"] for item in small)
    sim.set_catalogue(SHOP_ID, items=30, models_per_item=0, seed=11)
    assert json.dumps(sim.catalogue(SHOP_ID)) == json.dumps(small)


# -- stock (§7.4) -------------------------------------------------------------


def update_stock(shopee, token, item_id, stock_list):
    path = UPDATE_STOCK
    common = shopee.common(path, token, SHOP_ID)
    body = {"item_id": item_id, "stock_list": stock_list}
    return shopee.post(path, body, common=common)


def model_stock(shopee, token, item_id):
    answer = shopee.get(MODEL_LIST, token, item_id=item_id).json()["response"]
    return {
        m["model_id"]: m["stock_info_v2"]["seller_stock"][0]["stock"]
        for m in answer["model"]
    }


def test_update_stock_shapes(shopee, token):
    plain = update_stock(shopee, token, CABLE, [{"seller_stock": [{"stock": 100}]}])
    data = plain.json()
    assert data["error"] == ""
    assert data["response"] == {
        "failure_list": [],
        "success_list": [{"model_id": 0, "location_id": "", "stock": 100}],
    }
    located = [{"model_id": 0, "seller_stock": [{"location_id": "THZ", "stock": 90}]}]
    answer = update_stock(shopee, token, CABLE, located).json()["response"]
    assert answer["success_list"] == [
        {"model_id": 0, "location_id": "THZ", "stock": 90}
    ]
    info = shopee.get(BASE_INFO, token, item_id_list=CABLE).json()["response"]
    assert info["item_list"][0]["stock_info_v2"]["seller_stock"][0]["stock"] == 90

    mixed = [
        {"model_id": 170010001, "seller_stock": [{"stock": 5}]},
        {"model_id": 170010002, "seller_stock": [{"stock": 0}]},
        {"model_id": 170019999, "seller_stock": [{"stock": 5}]},
        {"model_id": 0, "seller_stock": [{"stock": 5}]},
    ]
    data = update_stock(shopee, token, TSHIRT, mixed).json()
    assert data["error"] == "", "a partial failure is no error"
    assert [s["model_id"] for s in data["response"]["success_list"]] == [
        170010001,
        170010002,
    ]
    failures = data["response"]["failure_list"]
    assert [f["model_id"] for f in failures] == [170019999, 0]
    assert all(f["failed_reason"] for f in failures)
    assert model_stock(shopee, token, TSHIRT) == {
        170010001: 5,
        170010002: 0,
        170010003: 41,
    }
    all_fail = update_stock(
        shopee, token, TSHIRT, [{"model_id": 1, "seller_stock": [{"stock": 5}]}]
    )
    body = assert_error(all_fail, "error_busi_update_stock_failed", 200)
    assert body["response"]["success_list"] == []
    assert body["response"]["failure_list"][0]["model_id"] == 1
    shopee.sim.update_model(TSHIRT, 170010003, reserved_stock=10)
    reserved = update_stock(
        shopee, token, TSHIRT, [{"model_id": 170010003, "seller_stock": [{"stock": 9}]}]
    )
    assert_error(reserved, "error_busi_update_stock_failed", 200)
    state = shopee.sim.state()["stock_updates"]
    assert state == {"calls": 5, "models_updated": 4, "failures": 4}
    assert shopee.sim.state()["calls"][UPDATE_STOCK] == 5


def test_update_stock_limits_and_refusals(shopee, token):
    catalogue = {item["item_id"]: item for item in shopee.sim.catalogue(SHOP_ID)}
    film_models = [model["model_id"] for model in catalogue[FILM]["models"]]
    assert len(film_models) == 60
    fifty = [{"model_id": m, "seller_stock": [{"stock": 7}]} for m in film_models[:50]]
    answer = update_stock(shopee, token, FILM, fifty).json()
    assert answer["error"] == "" and len(answer["response"]["success_list"]) == 50
    fifty_one = fifty + [{"model_id": film_models[50], "seller_stock": [{"stock": 7}]}]
    assert_error(update_stock(shopee, token, FILM, fifty_one), "error_param", 200)
    assert_error(update_stock(shopee, token, FILM, []), "error_param", 200)
    twice = fifty[:1] * 2
    assert_error(
        update_stock(shopee, token, FILM, twice), "error_param", 200, "Repeat model_id."
    )
    for stock in (-1, 10_000_001, "12", 1.5, True):
        entry = [{"model_id": film_models[0], "seller_stock": [{"stock": stock}]}]
        assert_error(update_stock(shopee, token, FILM, entry), "error_param", 200)
    elsewhere = [{"seller_stock": [{"location_id": "THX", "stock": 1}]}]
    assert_error(update_stock(shopee, token, CABLE, elsewhere), "error_auth", 200)
    two_places = [{"seller_stock": [{"stock": 1}, {"location_id": "THZ", "stock": 1}]}]
    assert_error(update_stock(shopee, token, CABLE, two_places), "error_auth", 200)
    plain = [{"seller_stock": [{"stock": 3}]}]
    assert_error(update_stock(shopee, token, 99, plain), "error_item_not_found", 200)
    assert_error(
        update_stock(shopee, token, DELETED, plain), "error_item_uneditable", 200
    )
    # Unlisted items keep their stock up to date (only deleted ones refuse).
    assert update_stock(shopee, token, UNLISTED, plain).json()["error"] == ""
    assert shopee.sim.stock(SHOP_ID)[UNLISTED, 0] == 3
    common = shopee.common(UPDATE_STOCK, token, SHOP_ID)
    no_item = shopee.post(UPDATE_STOCK, {"stock_list": plain}, common=common)
    assert_error(no_item, "error_param", 200)


def test_orders_take_stock_and_cancellations_give_it_back(shopee, token):
    sim = shopee.sim
    before = sim.stock(SHOP_ID)
    base = json.loads((_seed_dir() / "08_ready_to_ship_models.json").read_text())
    order = dict(base, order_sn="250101STOCK001", order_status="UNPAID")
    order.pop("total_amount")
    sim.put_orders(SHOP_ID, [order])
    after = sim.stock(SHOP_ID)
    for line in order["item_list"]:
        key = line["item_id"], line["model_id"]
        assert after[key] == before[key] - line["model_quantity_purchased"]
    # Shopee's own answers show it too.
    assert model_stock(shopee, token, TSHIRT)[170010001] == after[TSHIRT, 170010001]
    info = shopee.get(BASE_INFO, token, item_id_list=CABLE).json()["response"]
    summary = info["item_list"][0]["stock_info_v2"]["summary_info"]
    assert summary["total_available_stock"] == after[CABLE, 0] < before[CABLE, 0]
    sim.update_order("250101STOCK001", order_status="READY_TO_SHIP")
    assert sim.stock(SHOP_ID) == after, "paying takes nothing more"
    sim.update_order("250101STOCK001", order_status="CANCELLED")
    assert sim.stock(SHOP_ID) == before
    sim.update_order("250101STOCK001", order_status="CANCELLED")
    assert sim.stock(SHOP_ID) == before, "given back once"
    # Stock never goes below 0, and only what was taken comes back.
    sim.update_model(TSHIRT, 170010001, stock=1)
    big = dict(order, order_sn="250101STOCK002", order_status="READY_TO_SHIP")
    sim.put_orders(SHOP_ID, [big])
    assert sim.stock(SHOP_ID)[TSHIRT, 170010001] == 0
    sim.update_order("250101STOCK002", order_status="CANCELLED")
    assert sim.stock(SHOP_ID)[TSHIRT, 170010001] == 1
    # Orders already there at start-up hold their units too.
    sim.reset(seed=4, orders=30)
    live = next(
        o
        for o in sim.orders(SHOP_ID)
        if o["order_status"] == "READY_TO_SHIP" and len(o["item_list"]) == 1
    )
    line = live["item_list"][0]
    key = line["item_id"], line["model_id"]
    stock = sim.stock(SHOP_ID)[key]
    sim.update_order(live["order_sn"], order_status="CANCELLED")
    assert sim.stock(SHOP_ID)[key] == stock + line["model_quantity_purchased"]


# -- money (§6) -----------------------------------------------------------------

ESCROW = "/api/v2/payment/get_escrow_detail"
ESCROW_BATCH = "/api/v2/payment/get_escrow_detail_batch"
TRACKING = "/api/v2/logistics/get_tracking_number"
MONEY_FIELDS = (
    "total_amount",
    "estimated_shipping_fee",
    "actual_shipping_fee",
    "reverse_shipping_fee",
)


def assert_all_ints(value, where=""):
    """Money is whole baht: every number of an escrow answer is an int."""
    if isinstance(value, dict):
        for key, inner in value.items():
            assert_all_ints(inner, f"{where}.{key}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            assert_all_ints(inner, f"{where}[{index}]")
    elif isinstance(value, float):
        raise AssertionError(f"{where} is a float: {value}")


def assert_escrow_identities(order, detail):
    """The identities README.md ("Money") guarantees, exactly."""
    income, paid = detail["order_income"], detail["buyer_payment_info"]
    items = income["items"]
    assert detail["order_sn"] == order["order_sn"]
    assert_all_ints(detail)
    for item in items:
        assert item["selling_price"] == item["original_price"] - item["seller_discount"]
        assert item["discounted_price"] == (
            item["original_price"] - item["seller_discount"] - item["shopee_discount"]
        )
        assert min(item["original_price"], item["seller_discount"]) >= 0
    total = {
        name: sum(item[name] for item in items)
        for name in items[0]
        if type(items[0][name]) is int
    }
    assert income["original_price"] == income["order_original_price"]
    assert income["original_price"] == total["original_price"]
    assert income["seller_discount"] == income["order_seller_discount"]
    assert income["seller_discount"] == total["seller_discount"]
    assert income["shopee_discount"] == total["shopee_discount"]
    selling = total["original_price"] - total["seller_discount"]
    assert income["order_selling_price"] == selling
    assert income["order_discounted_price"] == selling - total["shopee_discount"]
    assert total["discount_from_voucher_seller"] == income["voucher_from_seller"]
    assert total["discount_from_voucher_shopee"] == income["voucher_from_shopee"]
    assert total["discount_from_coin"] == income["coins"]
    assert income["cross_border_tax"] == 0
    shipping = income["buyer_paid_shipping_fee"]
    assert income["buyer_total_amount"] == (
        selling
        - total["shopee_discount"]
        - income["voucher_from_seller"]
        - income["voucher_from_shopee"]
        - income["coins"]
        + shipping
        + income["buyer_transaction_fee"]
        - income["payment_promotion"]
    )
    target = (
        income["buyer_total_amount"]
        + income["voucher_from_shopee"]
        + income["coins"]
        + income["shopee_discount"]
        + income["payment_promotion"]
        - income["buyer_transaction_fee"]
        - income["cross_border_tax"]
    )
    assert target == selling - income["voucher_from_seller"] + shipping
    assert income["final_shipping_fee"] == (
        shipping + income["shopee_shipping_rebate"] - income["actual_shipping_fee"]
    )
    if order["order_status"] == "CANCELLED":
        assert income["escrow_amount"] == 0
    else:
        assert income["escrow_amount"] == (
            selling
            - income["voucher_from_seller"]
            + income["final_shipping_fee"]
            - income["commission_fee"]
            - income["service_fee"]
            - income["seller_transaction_fee"]
        )
    assert (
        paid["buyer_total_amount"]
        == income["buyer_total_amount"]
        == (
            paid["merchant_subtotal"]
            + paid["shipping_fee"]
            + paid["seller_voucher"]
            + paid["shopee_voucher"]
            + paid["shopee_coins_redeemed"]
            + paid["credit_card_promotion"]
            + paid["initial_buyer_txn_fee"]
        )
    )
    if "total_amount" in order:
        assert order["total_amount"] == income["buyer_total_amount"]
    lines = order["item_list"]
    assert [(i["item_id"], i["model_id"], i["quantity_purchased"]) for i in items] == [
        (line["item_id"], line["model_id"], line["model_quantity_purchased"])
        for line in lines
    ]
    for line, item in zip(lines, items, strict=True):
        assert item["original_price"] == (
            line["model_original_price"] * line["model_quantity_purchased"]
        ), "line subtotals, not unit prices"
        if line["promotion_type"] == "bundle_deal":
            assert line["model_discounted_price"] == 0
            assert item["activity_type"] == "bundle_deal"
            assert item["activity_id"] == line["promotion_id"]
        else:
            assert item["discounted_price"] == (
                line["model_discounted_price"] * line["model_quantity_purchased"]
            )
    return income


def test_escrow_identities_over_many_generated_orders():
    from shopee_simulator import load_seeds
    from shopee_simulator.generator import generate_orders_with_terms
    from shopee_simulator.money import escrow_detail

    seeds = load_seeds()
    seen = {"voucher_from_seller": 0, "voucher_from_shopee": 0, "coins": 0}
    bundles = shopee_discounts = payment_promotions = checked = 0
    for seed in range(1, 9):
        pairs = generate_orders_with_terms(
            seed,
            250,
            SHOP_ID,
            1_700_000_000,
            1_700_000_000 + 10 * DAY,
            seeds.shop_items(SHOP_ID),
            seeds.orders,
        )
        for order, terms in pairs:
            income = assert_escrow_identities(order, escrow_detail(order, terms))
            checked += 1
            for name in seen:
                seen[name] += income[name] > 0
            bundles += any(i["activity_type"] == "bundle_deal" for i in income["items"])
            shopee_discounts += income["shopee_discount"] > 0
            payment_promotions += income["payment_promotion"] > 0
    assert checked == 2000
    assert all(count > 200 for count in seen.values()), seen
    assert bundles > 100 and shopee_discounts > 50 and payment_promotions > 10


def test_escrow_over_the_api_matches_every_order(shopee, token):
    shopee.sim.reset(seed=21, orders=300, include_seed_orders=True)
    shopee.sim.install_tokens(SHOP_ID, token, "r")
    orders = {o["order_sn"]: o for o in shopee.sim.orders(SHOP_ID)}
    paid = [sn for sn, order in orders.items() if "total_amount" in order]
    common = shopee.common(ESCROW_BATCH, token, SHOP_ID)
    details = {}
    for start in range(0, len(paid), 50):
        answer = shopee.post(
            ESCROW_BATCH, {"order_sn_list": paid[start : start + 50]}, common=common
        ).json()
        assert answer["error"] == "" and "warning" not in answer
        for entry in answer["response"]:
            assert set(entry) == {"escrow_detail"}
            detail = entry["escrow_detail"]
            details[detail["order_sn"]] = detail
    assert set(details) == set(paid)
    for order_sn, detail in details.items():
        assert_escrow_identities(orders[order_sn], detail)
    single = shopee.get(ESCROW, token, order_sn=paid[0]).json()
    assert single["error"] == "" and single["response"] == details[paid[0]]
    assert {
        "order_sn",
        "buyer_user_name",
        "return_order_sn_list",
        "order_income",
        "buyer_payment_info",
    } == set(single["response"])


def test_escrow_errors_and_unavailable_switch(shopee, token):
    sim = shopee.sim
    sim.reset(seed=5, orders=40)
    sim.install_tokens(SHOP_ID, token, "r")
    orders = sim.orders(SHOP_ID)
    unpaid = next(o["order_sn"] for o in orders if o["order_status"] == "UNPAID")
    paid = [o["order_sn"] for o in orders if "total_amount" in o]
    assert_error(
        shopee.get(ESCROW, token, order_sn=unpaid),
        "common.error_not_found",
        200,
        "supplier order item income not found",
    )
    assert_error(
        shopee.get(ESCROW, token, order_sn="251231NOTHERE1"), "order_not_found", 200
    )
    assert_error(shopee.get(ESCROW, token), "error_param", 200, "order_sn is required")

    def batch(body):
        common = shopee.common(ESCROW_BATCH, token, SHOP_ID)
        return shopee.post(ESCROW_BATCH, body, common=common)

    mixed = batch({"order_sn_list": [paid[0], unpaid, "251231NOTHERE1"]}).json()
    assert [e["escrow_detail"]["order_sn"] for e in mixed["response"]] == [paid[0]]
    assert unpaid in mixed["warning"] and "251231NOTHERE1" in mixed["warning"]
    assert_error(batch({"order_sn_list": [unpaid]}), "common.error_not_found", 200)
    many = [f"251231MANY{n:04d}" for n in range(51)]
    assert_error(batch({"order_sn_list": many}), "exceed_max_limit", 200)
    for body in ({}, {"order_sn_list": []}, {"order_sn_list": "a,b"}):
        assert_error(batch(body), "error_param", 200)

    # The connector's "provisional prices" path: paid, but no escrow yet.
    assert sim.set_escrow_unavailable(paid[:2]) == sorted(paid[:2])
    assert_error(
        shopee.get(ESCROW, token, order_sn=paid[0]), "common.error_not_found", 200
    )
    answer = batch({"order_sn_list": paid[:3]}).json()
    assert [e["escrow_detail"]["order_sn"] for e in answer["response"]] == [paid[2]]
    held = sim.escrow(paid[0])
    assert held["available"] is False and held["escrow_detail"]["order_sn"] == paid[0]
    assert sim.state()["escrow_unavailable"] == sorted(paid[:2])
    sim.set_escrow_unavailable(available=[paid[0]])
    assert shopee.get(ESCROW, token, order_sn=paid[0]).json()["error"] == ""
    sim.set_escrow_unavailable(clear=True)
    assert batch({"order_sn_list": paid[:3]}).json()["error"] == ""
    # Once paid, an order has its escrow.
    sim.update_order(unpaid, order_status="READY_TO_SHIP")
    detail = shopee.get(ESCROW, token, order_sn=unpaid).json()["response"]
    [now_paid] = [o for o in sim.orders(SHOP_ID) if o["order_sn"] == unpaid]
    assert_escrow_identities(now_paid, detail)


def test_escrow_of_test_orders_without_terms(shopee, token):
    """Orders a test puts in get default terms: no vouchers, bundle lines
    priced from what total_amount leaves."""
    base = json.loads((_seed_dir() / "03_processed_bundle.json").read_text())
    shopee.sim.put_orders(SHOP_ID, [dict(base, order_sn="250101NOTERMS1")])
    detail = shopee.get(ESCROW, token, order_sn="250101NOTERMS1").json()["response"]
    order = shopee.sim.orders(SHOP_ID)[-1]
    income = assert_escrow_identities(order, detail)
    assert income["voucher_from_shopee"] == income["coins"] == 0
    assert income["buyer_paid_shipping_fee"] == order["estimated_shipping_fee"]
    # And terms given with the order are used.
    terms = {"250101TERMS002": {"coins": 7, "buyer_paid_shipping_fee": 0}}
    plain = json.loads((_seed_dir() / "05_completed_cod.json").read_text())
    plain = dict(plain, order_sn="250101TERMS002")
    plain.pop("total_amount")
    shopee.sim.put_orders(SHOP_ID, [dict(plain, order_status="UNPAID")], escrow=terms)
    paid = shopee.sim.update_order("250101TERMS002", order_status="READY_TO_SHIP")
    detail = shopee.get(ESCROW, token, order_sn="250101TERMS002").json()["response"]
    income = assert_escrow_identities(paid, detail)
    assert income["coins"] == 7 and income["buyer_paid_shipping_fee"] == 0


# -- what real Thai orders look like ---------------------------------------------------


def test_generated_orders_look_like_real_thai_orders():
    from shopee_simulator import generate_orders, load_seeds

    seeds = load_seeds()
    orders = generate_orders(
        12,
        600,
        SHOP_ID,
        1_700_000_000,
        1_700_000_000 + 10 * DAY,
        seeds.shop_items(SHOP_ID),
        seeds.orders,
    )
    assert_thai_orders(orders)
    lines = [line for order in orders for line in order["item_list"]]
    assert any(line["promotion_type"] == "flash_sale" for line in lines)
    paid = [order for order in orders if "total_amount" in order]
    differs = [
        order
        for order in paid
        if order["total_amount"]
        != sum(
            line["model_discounted_price"] * line["model_quantity_purchased"]
            for line in order["item_list"]
        )
        + order["estimated_shipping_fee"]
    ]
    assert len(differs) > len(paid) // 2
    several_models = [
        order
        for order in orders
        if len({line["item_id"] for line in order["item_list"]})
        < len(order["item_list"])
    ]
    assert len(several_models) > 20


def assert_thai_orders(orders):
    thai = re.compile(r"[\u0e00-\u0e7f]")
    lines = [line for order in orders for line in order["item_list"]]
    no_sku = [line for line in lines if not line["item_sku"] and not line["model_sku"]]
    assert len(no_sku) >= 0.3 * len(lines), (len(no_sku), len(lines))
    assert any(
        line["item_sku"].endswith("\n") or line["model_sku"].endswith("\n")
        for line in lines
    )
    assert any(
        line["model_discounted_price"] == 0 and line["promotion_type"] == "bundle_deal"
        for line in lines
    )
    empty_districts = 0
    for order in orders:
        for name in MONEY_FIELDS:
            if name in order:
                assert type(order[name]) is int, (name, order[name])
        for line in order["item_list"]:
            assert type(line["model_original_price"]) is int
            assert type(line["model_discounted_price"]) is int
        address = order["recipient_address"]
        assert thai.search(address["full_address"]) and thai.search(address["state"])
        assert thai.search(address["city"]) and address["town"] == ""
        empty_districts += address["district"] == ""
        assert "*" in address["name"] and address["phone"].startswith("******")
        assert order["shipping_carrier"] == "", "empty on real Thai orders"
        [parcel] = order["package_list"]
        assert parcel["shipping_carrier"] == order["checkout_shipping_carrier"] != ""
        assert parcel["package_number"].startswith("OFG")
        assert parcel["logistics_status"].startswith("LOGISTICS_")
    assert empty_districts >= len(orders) // 3


def test_seed_orders_follow_the_same_rules():
    from shopee_simulator import load_seeds
    from shopee_simulator.money import escrow_detail

    seeds = load_seeds()
    assert_thai_orders(seeds.orders)
    assert set(seeds.escrow) == {order["order_sn"] for order in seeds.orders}
    incomes = {}
    for order in seeds.orders:
        detail = escrow_detail(order, seeds.escrow[order["order_sn"]])
        incomes[order["order_sn"]] = assert_escrow_identities(order, detail)
    assert sum(income["voucher_from_seller"] > 0 for income in incomes.values()) >= 2
    assert sum(income["voucher_from_shopee"] > 0 for income in incomes.values()) >= 2
    assert sum(income["coins"] > 0 for income in incomes.values()) >= 2
    bundle = incomes["251020B8T5NW3C"]
    assert [i["activity_type"] for i in bundle["items"]] == [
        "",
        "bundle_deal",
        "bundle_deal",
    ]
    assert bundle["items"][1]["original_price"] == 2 * 149


# -- tracking numbers (§8) ---------------------------------------------------------------


def test_tracking_number_once_shipment_is_arranged(shopee, token):
    sim = shopee.sim
    sim.reset(seed=3, orders=40)
    sim.install_tokens(SHOP_ID, token, "r")
    order = next(o for o in sim.orders(SHOP_ID) if o["order_status"] == "READY_TO_SHIP")
    order_sn = order["order_sn"]
    [parcel] = order["package_list"]
    waiting = shopee.get(TRACKING, token, order_sn=order_sn).json()
    assert waiting["error"] == "" and waiting["response"]["tracking_number"] == ""
    assert waiting["response"]["hint"]
    sim.update_order(order_sn, order_status="PROCESSED")
    answer = shopee.get(TRACKING, token, order_sn=order_sn).json()["response"]
    number = answer["tracking_number"]
    assert number and "hint" not in answer
    same = shopee.get(
        TRACKING,
        token,
        order_sn=order_sn,
        package_number=parcel["package_number"],
        response_optional_fields="first_mile_tracking_number",
    ).json()["response"]
    assert same == {"tracking_number": number, "first_mile_tracking_number": ""}
    sim.update_order(order_sn, order_status="SHIPPED")
    shipped = shopee.get(TRACKING, token, order_sn=order_sn).json()
    assert shipped["response"]["tracking_number"] == number, "it does not change"
    assert_error(
        shopee.get(TRACKING, token, order_sn=order_sn, package_number="OFG0"),
        "logistics.package_not_exist",
        200,
    )
    assert_error(
        shopee.get(TRACKING, token, order_sn="251231NOTHERE1"),
        "logistics.invalid_error",
        200,
        "The order is not exist.",
    )
    assert_error(shopee.get(TRACKING, token), "error_param", 200)
    sim.update_order(order_sn, tracking_number="TH0123456789A")
    fixed = shopee.get(TRACKING, token, order_sn=order_sn).json()["response"]
    assert fixed["tracking_number"] == "TH0123456789A"
    assert "tracking_number" not in sim.orders(SHOP_ID)[0]


# -- push notifications (§9) --------------------------------------------------------

PUSH_KEY = "shpk-simulator-demo-push-key"
LOST = "/api/v2/push/get_lost_push_message"
CONFIRM_LOST = "/api/v2/push/confirm_consumed_lost_push_message"


def shopee_push_signature(key, url, body):
    return hmac.new(
        key.encode(), url.encode() + b"|" + body, hashlib.sha256
    ).hexdigest()


def pushes_sent(sim, count=None):
    """The simulator's push records once its sender is idle."""
    listing = sim.pushes(wait=5)
    assert listing["idle"] is True
    if count is not None:
        assert len(listing["pushes"]) == count, listing["pushes"]
    return listing


def test_order_changes_push_codes_3_and_4_signed_like_shopee(
    shopee, token, webhook_receiver
):
    sim = shopee.sim
    sim.reset(seed=3, orders=20)
    sim.install_tokens(SHOP_ID, token, "r")
    order = next(o for o in sim.orders(SHOP_ID) if o["order_status"] == "READY_TO_SHIP")
    sim.update_order(order["order_sn"], order_status="PROCESSED")
    assert sim.pushes()["pushes"] == [], "push is off until configured"
    config = sim.configure_push(url=webhook_receiver.url, enabled=True)
    assert config["url"] == webhook_receiver.url and config["partner_id"] == PARTNER_ID
    webhook_receiver.delay = 1.5
    started = time.monotonic()
    changed = sim.update_order(order["order_sn"], order_status="SHIPPED")
    assert time.monotonic() - started < 1.0, "the control call does not wait"
    pushes_sent(sim, 1)
    webhook_receiver.delay = 0
    other = next(o for o in sim.orders(SHOP_ID) if o["order_status"] == "READY_TO_SHIP")
    sim.update_order(other["order_sn"], order_status="PROCESSED")
    pushes_sent(sim, 3)
    received = webhook_receiver.received
    assert len(received) == 3
    for entry in received:
        assert entry["path"] == "/shopee/webhook"
        assert entry["headers"]["Content-Type"] == "application/json"
        expected = shopee_push_signature(PUSH_KEY, webhook_receiver.url, entry["body"])
        assert entry["headers"]["Authorization"] == expected
        wrong = shopee_push_signature(PARTNER_KEY, webhook_receiver.url, entry["body"])
        assert entry["headers"]["Authorization"] != wrong, (
            "the push key, not the API key"
        )
    first, status, tracking = webhook_receiver.bodies()
    assert list(first) == ["data", "shop_id", "code", "timestamp", "msg_id"]
    assert first["code"] == 3 and first["shop_id"] == SHOP_ID
    assert first["data"] == {
        "items": [],
        "ordersn": order["order_sn"],
        "status": "SHIPPED",
        "completed_scenario": "",
        "update_time": changed["update_time"],
    }
    assert re.fullmatch(r"[0-9a-f]{32}", first["msg_id"])
    assert (status["code"], status["data"]["status"]) == (3, "PROCESSED")
    assert tracking["code"] == 4 and set(tracking["data"]) == {
        "ordersn",
        "forder_id",
        "package_number",
        "tracking_no",
    }
    number = shopee.get(TRACKING, token, order_sn=other["order_sn"]).json()
    assert tracking["data"]["tracking_no"] == number["response"]["tracking_number"]
    assert (
        tracking["data"]["package_number"] == other["package_list"][0]["package_number"]
    )
    summary = sim.state()["push"]
    assert summary["sent"] == 3 and summary["deliveries"] == {"200": 3}
    assert summary["states"] == {"delivered": 3}
    assert summary["last_delivery"]["status"] == 200
    # A new order pushes its status; completing says how.
    webhook_receiver.clear()
    base = json.loads((_seed_dir() / "01_unpaid.json").read_text())
    sim.put_orders(SHOP_ID, [dict(base, order_sn="250101PUSHNEW1")])
    sim.update_order(order["order_sn"], order_status="COMPLETED")
    pushes_sent(sim)
    new, completed = webhook_receiver.bodies()
    assert (new["data"]["ordersn"], new["data"]["status"]) == (
        "250101PUSHNEW1",
        "UNPAID",
    )
    assert completed["data"]["completed_scenario"] == "NORMAL"


def test_pushes_by_hand(sim, webhook_receiver):
    assert sim.send_push(2, shop_id=SHOP_ID) is None, "off: nothing sent"
    sim.configure_push(url=webhook_receiver.url, enabled=True)
    sim.send_push(2, shop_id=SHOP_ID)
    sim.send_push(12, shop_id=OTHER_SHOP_ID)
    sim.send_push(1, shop_id=OTHER_SHOP_ID)
    sim.send_push(15, shop_id=SHOP_ID, data={"ordersn": "x", "package_number": "y"})
    pushes_sent(sim, 4)
    deauth, expiry, auth, custom = webhook_receiver.bodies()
    assert "shop_id" not in deauth and deauth["partner_id"] == PARTNER_ID
    assert deauth["code"] == 2 and deauth["data"]["shop_id"] == SHOP_ID
    assert deauth["data"]["authorize_type"] == "shop deauthorization by user"
    assert auth["code"] == 1 and auth["data"]["success"] == 1
    assert (
        expiry["code"] == 12 and "shop_id" not in expiry and "partner_id" not in expiry
    )
    assert expiry["data"]["shop_expire_soon"] == [OTHER_SHOP_ID]
    assert expiry["data"]["expire_before"] > expiry["timestamp"]
    assert custom["code"] == 15 and custom["data"]["package_number"] == "y"
    from shopee_simulator import ControlError

    with pytest.raises(ControlError):
        sim.send_push(7, shop_id=SHOP_ID)
    with pytest.raises(ControlError):
        sim.send_push(3, order_sn="251231NOTHERE1")
    with pytest.raises(ControlError):
        sim.configure_push(url="ftp://example.com/hook")
    # Codes 3 and 4 of an order, again by hand.
    base = json.loads((_seed_dir() / "04_shipped_sku_newline.json").read_text())
    sim.put_orders(SHOP_ID, [base])  # shipped already: codes 3 and 4
    pushes_sent(sim, 6)
    sim.send_push(3, order_sn=base["order_sn"])
    sim.send_push(4, order_sn=base["order_sn"])
    pushes_sent(sim, 8)
    placed, placed_tracking, again, tracking = webhook_receiver.bodies()[-4:]
    assert placed["data"] == again["data"]
    assert again["data"]["status"] == "SHIPPED"
    assert tracking["data"] == placed_tracking["data"]
    assert tracking["data"]["tracking_no"]


def test_push_switches(sim, webhook_receiver):
    sim.configure_push(url=webhook_receiver.url, enabled=True, duplicate=True)
    sim.send_push(2, shop_id=SHOP_ID)
    pushes_sent(sim, 1)
    first, second = webhook_receiver.received
    assert first["body"] == second["body"], "the same push twice"
    assert [d["duplicate"] for d in sim.pushes()["pushes"][0]["deliveries"]] == [
        False,
        True,
    ]

    webhook_receiver.clear()
    sim.configure_push(duplicate=False, bad_signature=True)
    sim.send_push(2, shop_id=SHOP_ID)
    pushes_sent(sim, 2)
    [entry] = webhook_receiver.received
    good = shopee_push_signature(PUSH_KEY, webhook_receiver.url, entry["body"])
    assert entry["headers"]["Authorization"] != good
    assert re.fullmatch(r"[0-9a-f]{64}", entry["headers"]["Authorization"])

    webhook_receiver.clear()
    sim.configure_push(bad_signature=False, reorder=True, reorder_window=3)
    for shop_id in (1, 2, 3, 4):
        sim.send_push(2, shop_id=shop_id)
    listing = pushes_sent(sim)
    assert listing["held"] == 1
    assert [body["data"]["shop_id"] for body in webhook_receiver.bodies()] == [3, 2, 1]
    assert sim.flush_pushes() == 1
    pushes_sent(sim)
    assert webhook_receiver.bodies()[-1]["data"]["shop_id"] == 4
    sim.send_push(2, shop_id=5)
    sim.configure_push(reorder=False)  # switching it off sends what is held
    pushes_sent(sim)
    assert webhook_receiver.bodies()[-1]["data"]["shop_id"] == 5

    webhook_receiver.clear()
    sim.configure_push(withhold=True)
    sim.send_push(2, shop_id=6)
    listing = pushes_sent(sim)
    assert webhook_receiver.received == []
    assert listing["pushes"][-1]["state"] == "withheld"
    assert listing["lost"][-1]["code"] == 2
    assert sim.state()["push"]["states"]["withheld"] == 1


def lost_page(shopee):
    answer = shopee.get(LOST).json()
    assert answer["error"] == "", answer
    return answer["response"]


def confirm_lost(shopee, last_message_id):
    return shopee.post(CONFIRM_LOST, {"last_message_id": last_message_id})


def test_lost_push_messages(shopee, webhook_receiver):
    sim = shopee.sim
    assert lost_page(shopee) == {
        "push_message_list": [],
        "has_next_page": False,
        "last_message_id": 0,
    }
    sim.configure_push(url=webhook_receiver.url, enabled=True, withhold=True)
    sim.send_push(3, shop_id=SHOP_ID, data={"items": [], "ordersn": "a", "status": "X"})
    sim.send_push(2, shop_id=SHOP_ID)
    # A delivery that fails is lost too.
    sim.configure_push(withhold=False)
    webhook_receiver.status = 500
    sim.send_push(3, shop_id=SHOP_ID, data={"items": [], "ordersn": "b", "status": "Y"})
    listing = pushes_sent(sim, 3)
    assert listing["pushes"][-1]["state"] == "failed"
    assert listing["pushes"][-1]["deliveries"][0]["status"] == 500
    assert sim.state()["push"]["deliveries"] == {"500": 1}
    page = lost_page(shopee)
    messages = page["push_message_list"]
    assert [m["code"] for m in messages] == [3, 2, 3]
    assert list(messages[0]) == ["shop_id", "code", "timestamp", "data"]
    assert "shop_id" not in messages[1], "partner-level pushes have no shop_id"
    bodies = [record["body"] for record in listing["pushes"]]
    assert [m["data"] for m in messages] == bodies, "data: the push body, a string"
    assert json.loads(messages[0]["data"])["data"]["ordersn"] == "a"
    assert page["has_next_page"] is False
    first_id = listing["lost"][0]["message_id"]
    assert page["last_message_id"] == first_id + 2
    assert confirm_lost(shopee, first_id).json()["error"] == ""
    assert len(lost_page(shopee)["push_message_list"]) == 2
    assert confirm_lost(shopee, page["last_message_id"]).json()["error"] == ""
    assert lost_page(shopee)["push_message_list"] == []
    assert_error(confirm_lost(shopee, 12345), "error_data", 200, "data not exist")
    assert_error(shopee.post(CONFIRM_LOST, {}), "error_param", 200)
    # The earliest 100 at a time; only the last 3 days.
    sim.configure_push(withhold=True)
    for n in range(130):
        sim.send_push(2, shop_id=n + 1)
    page = lost_page(shopee)
    assert len(page["push_message_list"]) == 100 and page["has_next_page"] is True
    confirm_lost(shopee, page["last_message_id"])
    page = lost_page(shopee)
    assert len(page["push_message_list"]) == 30 and page["has_next_page"] is False
    shopee.sim.set_clock(3 * DAY + 1)
    assert lost_page(shopee)["push_message_list"] == []
    # Signed like every public API: the token-less sign.
    stale = shopee.get(LOST, common=shopee.common(LOST, sign="0" * 64))
    assert_error(stale, "error_sign", 403)


# -- load: fault rates, latency, traffic ------------------------------------------------


def test_fault_rates_are_random_but_seeded(shopee, token):
    from shopee_simulator import ControlError

    sim = shopee.sim
    sim.set_fault_rates(rate_limit=0.3, server_error=0.2, seed=5, paths=[SHOP_INFO])

    def statuses(count):
        return [shopee.get(SHOP_INFO, token).status_code for _ in range(count)]

    first = statuses(200)
    assert 35 <= first.count(429) <= 90 and 20 <= first.count(500) <= 65
    assert first.count(200) + first.count(429) + first.count(500) == 200
    window = {"time_from": sim.now() - DAY, "time_to": sim.now()}
    assert all(
        list_orders(shopee, token, **window).status_code == 200 for _ in range(20)
    ), "another path"
    fired = sim.state()["faults_fired"]
    assert (fired["rate_limit"], fired["server_error"]) == (
        first.count(429),
        first.count(500),
    )
    sim.set_fault_rates(rate_limit=0.3, server_error=0.2, seed=5, paths=[SHOP_INFO])
    assert statuses(200) == first, "same seed, same faults"
    sim.clear_fault_rates()
    assert set(statuses(20)) == {200}
    # Without paths: every shop call, never the public ones.
    sim.set_fault_rates(server_error=1.0)
    assert shopee.get(SHOP_INFO, token).status_code == 500
    assert shopee.refresh("test-refresh-token-0001").status_code == 200
    # Timeouts wait, then answer; latency slows every call.
    sim.set_fault_rates(timeout=1.0, timeout_seconds=0.3)
    started = time.monotonic()
    fresh = sim.state()["tokens"][str(SHOP_ID)]["access_token"]
    assert shopee.get(SHOP_INFO, fresh).json()["error"] == ""
    assert time.monotonic() - started >= 0.3
    sim.set_fault_rates(latency_ms=250)
    started = time.monotonic()
    assert shopee.refresh(sim.state()["tokens"][str(SHOP_ID)]["refresh_token"]).ok
    assert time.monotonic() - started >= 0.25
    assert sim.state()["fault_rates"]["latency_ms"] == 250
    for bad in (
        {"rate_limit": 1.5},
        {"rate_limit": 0.6, "server_error": 0.6},
        {"paths": "x"},
    ):
        with pytest.raises(ControlError) as caught:
            sim.set_fault_rates(**bad)
        assert caught.value.status == 400
    sim.reset(seed=42, orders=0)
    assert sim.state()["fault_rates"] is None, "a reset clears them"


def test_manual_traffic_places_and_moves_orders(sim, webhook_receiver):
    sim.reset(seed=2, orders=0)
    before = sum(sim.stock(SHOP_ID).values())
    sim.configure_push(url=webhook_receiver.url, enabled=True)
    status = sim.start_traffic(
        orders_per_minute=120,
        status_changes_per_minute=60,
        duration_seconds=60,
        seed=9,
        manual=True,
    )
    assert status["running"] and status["created"] == 0
    status = sim.tick_traffic(30)
    assert (status["created"], status["changed"]) == (60, 30)
    status = sim.tick_traffic(100)
    assert (status["created"], status["changed"]) == (120, 60)
    assert status["running"] is False and status["position"] == status["ends"]
    assert sim.tick_traffic(30)["created"] == 120, "the duration is the limit"
    orders = sim.orders(SHOP_ID)
    assert len(orders) == 120
    assert_thai_orders(orders)
    moved = [o for o in orders if o["order_status"] not in ("UNPAID", "READY_TO_SHIP")]
    assert moved
    assert all(
        int(status["started"]) <= o["create_time"] <= status["ends"] for o in orders
    )
    kept = sum(
        line["model_quantity_purchased"]
        for order in orders
        if order["order_status"] != "CANCELLED"
        for line in order["item_list"]
    )
    assert 0 < before - sum(sim.stock(SHOP_ID).values()) <= kept
    listing = pushes_sent(sim)
    codes = [record["code"] for record in listing["pushes"]]
    assert codes.count(3) == 120 + 60, "one per new order and per change"
    tracked = [
        o
        for o in orders
        if any(
            p["logistics_status"]
            in (
                "LOGISTICS_REQUEST_CREATED",
                "LOGISTICS_PICKUP_DONE",
                "LOGISTICS_DELIVERY_DONE",
                "LOGISTICS_PICKUP_RETRY",
            )
            for p in o["package_list"]
        )
    ]
    assert codes.count(4) == len(tracked) > 0
    assert len(webhook_receiver.received) == len(codes)
    # Same seed, same traffic.
    shape = [
        (o["order_status"], [line["model_id"] for line in o["item_list"]])
        for o in orders
    ]
    sim.reset(seed=2, orders=0)
    sim.start_traffic(
        orders_per_minute=120,
        status_changes_per_minute=60,
        duration_seconds=60,
        seed=9,
        manual=True,
    )
    sim.tick_traffic(60)
    again = [
        (o["order_status"], [line["model_id"] for line in o["item_list"]])
        for o in sim.orders(SHOP_ID)
    ]
    assert again == shape


def test_traffic_runs_on_the_clock_and_stops(sim):
    from shopee_simulator import ControlError

    sim.reset(seed=2, orders=10)
    status = sim.start_traffic(
        orders_per_minute=1200, status_changes_per_minute=600, duration_seconds=1
    )
    assert status["running"] is True and status["manual"] is False
    deadline = time.monotonic() + 5
    while sim.traffic()["running"] and time.monotonic() < deadline:
        time.sleep(0.05)
    status = sim.traffic()
    assert status["running"] is False
    assert (status["created"], status["changed"]) == (20, 10)
    assert len(sim.order_sns(SHOP_ID)) == 30
    assert sim.state()["traffic"]["created"] == 20
    sim.start_traffic(orders_per_minute=60, duration_seconds=3600)
    assert sim.traffic()["running"] is True
    assert sim.stop_traffic()["running"] is False
    with pytest.raises(ControlError):
        sim.tick_traffic(10)  # not manual
    sim.start_traffic(orders_per_minute=60, duration_seconds=3600)
    sim.reset(seed=2, orders=0)
    assert sim.traffic() is None, "a reset stops it"


def test_push_and_control_logs_hide_secrets(sim, webhook_receiver, caplog):
    caplog.set_level(logging.INFO, logger="shopee_simulator")
    secret_url = webhook_receiver.url + "?token=webhook-secret-0001"
    sim.configure_push(url=secret_url, enabled=True)
    sim.send_push(2, shop_id=SHOP_ID)
    listing = pushes_sent(sim, 1)
    [entry] = webhook_receiver.received
    assert entry["path"].endswith("?token=webhook-secret-0001")
    lines = [r.getMessage() for r in caplog.records if r.name == "shopee_simulator"]
    assert "push code 2 200" in lines
    assert "POST /_simulator/push ok" in lines
    body = listing["pushes"][0]["body"]
    signature = entry["headers"]["Authorization"]
    for secret in ("webhook-secret-0001", signature, body, PUSH_KEY):
        assert not any(secret in line for line in lines)
