"""The Lazada simulator honours Lazada's contract (lazada-api.md) and answers
what the connector (connector_lazada/api/client.py) sends.

Requests are signed here by a helper of this file, not by the simulator's
own code: two independent implementations of §2 must agree.
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

APP_KEY = "120001"
APP_SECRET = "lzd-simulator-demo-secret"
SELLER_ID = 1000200300
OTHER_SELLER_ID = 1000200301
ACCESS = "test-lazada-access-0001"
REFRESH = "test-lazada-refresh-0001"
REDIRECT = "http://localhost:8069/marketplace/lazada/oauth?x=1"
CABLE = (4102300101, 17301000101, "BGH-USBC-CABLE-1M")
SHIRT = (4102300102, 17301000201, "BGH-TSHIRT-RED-M")
DAY = 86400


def lazada_sign(secret, api_path, params):
    base = api_path + "".join(f"{k}{params[k]}" for k in sorted(params) if k != "sign")
    digest = hmac.new(secret.encode(), base.encode(), hashlib.sha256)
    return digest.hexdigest().upper()


class Lazada:
    """A tiny signed client, the way the connector calls Lazada."""

    def __init__(self, sim, app_key=APP_KEY, secret=APP_SECRET):
        self.sim, self.app_key, self.secret = sim, app_key, secret

    def request(
        self, method, api_path, token=None, timestamp=None, sign=None, **params
    ):
        params = {k: str(v) for k, v in params.items()}
        if timestamp is None:
            timestamp = int(self.sim.now() * 1000)
        params.update(
            app_key=self.app_key, timestamp=str(timestamp), sign_method="sha256"
        )
        if token is not None:
            params["access_token"] = token
        params["sign"] = sign or lazada_sign(self.secret, api_path, params)
        url = f"{self.sim.url}/rest{api_path}"
        if method == "GET":
            response = requests.get(url, params=params, timeout=10)
        else:
            response = requests.post(url, data=params, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def get(self, api_path, token=ACCESS, **params):
        return self.request("GET", api_path, token=token, **params)

    def post(self, api_path, token=ACCESS, **params):
        return self.request("POST", api_path, token=token, **params)


def iso(epoch):
    moment = time.gmtime(epoch + 7 * 3600)
    return time.strftime("%Y-%m-%dT%H:%M:%S+07:00", moment)


def lazada_text(epoch):
    return time.strftime("%Y-%m-%d %H:%M:%S +0700", time.gmtime(epoch + 7 * 3600))


def stock_xml(*skus):
    rows = "".join(
        "<Sku>"
        + "".join(f"<{name}>{value}</{name}>" for name, value in sku.items())
        + "</Sku>"
        for sku in skus
    )
    return f"<Request><Product><Skus>{rows}</Skus></Product></Request>"


@pytest.fixture
def sim(lazada_simulator):
    lazada_simulator.reset(seed=42, orders=0)
    return lazada_simulator


@pytest.fixture
def lazada(sim):
    return Lazada(sim)


@pytest.fixture
def token(sim):
    sim.install_tokens(SELLER_ID, ACCESS, REFRESH)
    return ACCESS


def put_order(sim, order_id, rows, minutes_ago=30, **extra):
    created = sim.now() - minutes_ago * 60
    spec = {
        "order_id": order_id,
        "created_at": lazada_text(created),
        "updated_at": lazada_text(created),
        "items": rows,
        **extra,
    }
    return sim.put_orders(SELLER_ID, [spec])


# -- signature, timestamp, app key ------------------------------------------------


def test_signed_call_accepted(lazada, token):
    answer = lazada.get("/seller/get")
    assert answer["code"] == "0"
    assert answer["request_id"]
    data = answer["data"]
    assert data["seller_id"] == SELLER_ID
    assert data["name"] == "Bangkok Gadget House"
    assert data["short_code"] == "THBGH01"
    assert data["status"] == "ACTIVE" and data["cb"] is False


def test_wrong_sign_refused(lazada, token):
    answer = lazada.get("/seller/get", sign="0" * 64)
    assert answer["code"] == "IncompleteSignature"
    assert answer["type"] == "ISV"
    assert answer["message"] == (
        "The request signature does not conform to lazada standards"
    )
    assert answer["request_id"]
    assert "data" not in answer
    # Signed with another secret: refused too.
    other = Lazada(lazada.sim, secret="not-the-secret")
    assert other.get("/seller/get")["code"] == "IncompleteSignature"


def test_stale_timestamp_refused(lazada, token):
    stale = int((lazada.sim.now() - 7300) * 1000)
    assert lazada.get("/seller/get", timestamp=stale)["code"] == "IncompleteSignature"
    recent = int((lazada.sim.now() - 7000) * 1000)
    assert lazada.get("/seller/get", timestamp=recent)["code"] == "0"


def test_unknown_app_key_refused(sim, token):
    answer = Lazada(sim, app_key="999999").get("/seller/get")
    assert answer["code"] == "InvalidAppKey"


def test_empty_parameter_signed_either_way(lazada, token):
    # The connector writes "name" + "" for an empty value; Lazada's SDKs skip it.
    assert lazada.get("/products/get", update_after="")["code"] == "0"


def test_illegal_access_token(lazada, token):
    for bad in ("not-a-token", ""):
        answer = lazada.get("/seller/get", token=bad)
        assert answer["code"] == "IllegalAccessToken", bad
        assert answer["type"] == "ISV"
    lazada.sim.install_tokens(SELLER_ID, "short-lived", "short-refresh", expires_in=60)
    assert lazada.get("/seller/get", token="short-lived")["code"] == "0"
    lazada.sim.set_clock(offset=120)
    assert (
        lazada.get("/seller/get", token="short-lived")["code"] == "IllegalAccessToken"
    )
    lazada.sim.set_clock(offset=0)


# -- consent, token create and refresh ---------------------------------------------------


def consent_code(sim, seller_id=SELLER_ID, state="abc123"):
    query = {
        "response_type": "code",
        "client_id": APP_KEY,
        "redirect_uri": REDIRECT,
        "state": state,
        "force_auth": "true",
    }
    page = requests.get(f"{sim.url}/oauth/authorize", params=query, timeout=10)
    assert page.status_code == 200
    assert "Bangkok Gadget House" in page.text and "Chiang Mai Crafts" in page.text
    nonce = re.search(r'name="nonce" value="([^"]+)"', page.text).group(1)
    action = re.search(r'<form method="post" action="([^"]+)"', page.text).group(1)
    answer = requests.post(
        urljoin(sim.url, action),
        data={"nonce": nonce, "seller_id": str(seller_id), "authorize": "1"},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302
    target = urlparse(answer.headers["Location"])
    assert target.netloc == "localhost:8069"
    query = parse_qs(target.query)
    assert query["x"] == ["1"] and query["state"] == [state]
    # The nonce works once.
    again = requests.post(
        urljoin(sim.url, action),
        data={"nonce": nonce, "seller_id": str(seller_id)},
        allow_redirects=False,
        timeout=10,
    )
    assert again.status_code == 403
    return query["code"][0]


def test_consent_page_refuses_unknown_app(sim):
    query = {"response_type": "code", "client_id": "999", "redirect_uri": REDIRECT}
    page = requests.get(f"{sim.url}/oauth/authorize", params=query, timeout=10)
    assert page.status_code == 400


def test_token_create_and_refresh(lazada, sim):
    code = consent_code(sim)
    answer = lazada.post("/auth/token/create", token=None, code=code)
    assert answer["code"] == "0" and answer["request_id"]
    assert "data" not in answer
    assert answer["expires_in"] == 604800
    assert answer["refresh_expires_in"] == 2592000
    assert answer["account_platform"] == "seller_center"
    assert answer["country"] == "th"
    info = {
        "country": "th",
        "seller_id": str(SELLER_ID),
        "user_id": "2000300400",
        "short_code": "THBGH01",
    }
    assert answer["country_user_info"] == [info]
    assert answer["country_user_info_list"] == [info]
    access, refresh = answer["access_token"], answer["refresh_token"]
    assert lazada.get("/seller/get", token=access)["data"]["seller_id"] == SELLER_ID

    # The code works once.
    again = lazada.post("/auth/token/create", token=None, code=code)
    assert again["code"] == "InvalidCode"

    renewed = lazada.post("/auth/token/refresh", token=None, refresh_token=refresh)
    assert renewed["code"] == "0"
    assert renewed["access_token"] != access and renewed["refresh_token"] != refresh
    assert renewed["country_user_info_list"] == [info]
    assert sim.refresh_count(SELLER_ID) == 1
    # The old refresh token is dead, the old access token lives on.
    reused = lazada.post("/auth/token/refresh", token=None, refresh_token=refresh)
    assert reused["code"] == "IllegalRefreshToken"
    assert lazada.get("/seller/get", token=access)["code"] == "0"
    assert lazada.get("/seller/get", token=renewed["access_token"])["code"] == "0"


def test_code_bound_to_seller(lazada, sim):
    code = consent_code(sim, OTHER_SELLER_ID)
    answer = lazada.post("/auth/token/create", token=None, code=code)
    assert answer["country_user_info"][0]["seller_id"] == str(OTHER_SELLER_ID)
    other = lazada.get("/seller/get", token=answer["access_token"])
    assert other["data"]["name"] == "Chiang Mai Crafts"


def test_expired_refresh_token_refused(lazada, sim):
    sim.install_tokens(SELLER_ID, "a1", "r1", refresh_expires_in=60)
    sim.set_clock(offset=120)
    try:
        answer = lazada.post("/auth/token/refresh", token=None, refresh_token="r1")
    finally:
        sim.set_clock(offset=0)
    assert answer["code"] == "IllegalRefreshToken"


# -- orders ----------------------------------------------------------------------------


def test_orders_get_pages_and_window(sim, lazada, token):
    sim.reset(seed=7, orders=25, days=10)
    sim.install_tokens(SELLER_ID, ACCESS, REFRESH)
    now = sim.now()
    everything = {"update_after": iso(now - 11 * DAY), "update_before": iso(now + 60)}
    seen, offset = [], 0
    while True:
        page = lazada.get(
            "/orders/get",
            sort_by="updated_at",
            sort_direction="ASC",
            offset=offset,
            limit=10,
            **everything,
        )
        assert page["code"] == "0", page
        data = page["data"]
        assert data["countTotal"] == 25
        assert data["count"] == len(data["orders"])
        seen += data["orders"]
        offset += data["count"]
        if not data["orders"] or offset >= data["countTotal"]:
            break
    assert len(seen) == 25
    assert len({order["order_id"] for order in seen}) == 25
    times = [order["updated_at"] for order in seen]
    assert times == sorted(times)
    assert set(sim.order_ids(SELLER_ID)) == {order["order_id"] for order in seen}

    # The window: only the orders updated in it.
    recent = lazada.get("/orders/get", update_after=iso(now - 2 * DAY), limit=100)[
        "data"
    ]
    assert 0 < recent["countTotal"] < 25
    assert recent["countTotal"] == len(recent["orders"])
    for order in recent["orders"]:
        updated = time.strptime(order["updated_at"][:19], "%Y-%m-%d %H:%M:%S")
        assert time.mktime(updated) - time.mktime(time.gmtime(0)) - 7 * 3600 >= (
            now - 2 * DAY - 1
        )


def test_orders_get_parameters_refused(lazada, token):
    now = lazada.sim.now()
    too_many = lazada.get("/orders/get", update_after=iso(now - DAY), limit=101)
    assert too_many["code"] == "InvalidParameter"
    assert lazada.get("/orders/get", limit=10)["code"] == "MissingParameter"
    no_offset = lazada.get("/orders/get", update_after="2026-12-01T12:00:00")
    assert no_offset["code"] == "InvalidParameter"


def test_items_one_row_per_unit_with_statuses(sim, lazada, token):
    order_id = 512340000900001
    put_order(
        sim,
        order_id,
        [
            {"sku": SHIRT[2], "status": "pending", "quantity": 2},
            {"sku": CABLE[2], "status": "canceled"},
        ],
    )
    answer = lazada.get("/orders/items/get", order_ids=json.dumps([order_id]))
    assert answer["code"] == "0"
    (entry,) = answer["data"]
    assert entry["order_id"] == order_id and entry["order_number"] == order_id
    rows = entry["order_items"]
    assert [row["sku"] for row in rows] == [SHIRT[2], SHIRT[2], CABLE[2]]
    assert [row["status"] for row in rows] == ["pending", "pending", "canceled"]
    assert len({row["order_item_id"] for row in rows}) == 3
    assert rows[0]["shop_sku"] == f"{SHIRT[0]}_TH-{SHIRT[1]}"
    assert rows[0]["sku_id"] == str(SHIRT[1])
    assert rows[2]["reason"]  # a cancelled unit says why
    single = lazada.get("/order/items/get", order_id=order_id)["data"]
    assert single == rows
    # An unknown id is left out; more than 50 refused.
    assert lazada.get("/orders/items/get", order_ids="[1]")["data"] == []
    many = json.dumps(list(range(1, 52)))
    assert lazada.get("/orders/items/get", order_ids=many)["code"] == "InvalidParameter"

    order = lazada.get("/order/get", order_id=order_id)
    assert order["code"] == "0"
    data = order["data"]
    assert data["order_id"] == order_id
    assert data["items_count"] == 3
    assert sorted(data["statuses"]) == ["canceled", "pending"]
    assert lazada.get("/order/get", order_id=999)["code"] == "16"


def test_price_has_thousands_separator_and_sums_items(sim, lazada, token):
    order_id = 512340000900002
    put_order(
        sim,
        order_id,
        [{"sku": SHIRT[2], "quantity": 4}, {"sku": CABLE[2], "quantity": 2}],
        voucher_seller=30,
        shipping_fee_original=45,
        shipping_fee_discount_platform=20,
    )
    order = lazada.get("/order/get", order_id=order_id)["data"]
    rows = lazada.get("/order/items/get", order_id=order_id)["data"]
    assert order["price"] == "1,294.00"  # 4 × 259 + 2 × 129
    assert isinstance(order["voucher"], (int, float))
    total = round(sum(row["item_price"] for row in rows), 2)
    assert float(order["price"].replace(",", "")) == total
    assert order["voucher_seller"] == pytest.approx(
        sum(row["voucher_seller"] for row in rows)
    )
    assert order["shipping_fee"] == pytest.approx(
        sum(row["shipping_amount"] for row in rows)
    )
    assert order["shipping_fee"] == 25
    # Generated orders add up too.
    sim.reset(seed=3, orders=40)
    sim.install_tokens(SELLER_ID, ACCESS, REFRESH)
    for listed in lazada.get("/orders/get", update_after=iso(sim.now() - 20 * DAY),
                             limit=50)["data"]["orders"]:  # fmt: skip
        items = lazada.get("/order/items/get", order_id=listed["order_id"])["data"]
        assert listed["items_count"] == len(items)
        assert listed["price"] == f"{sum(r['item_price'] for r in items):,.2f}"


def test_status_change_moves_stock(sim, lazada, token):
    before = sim.stock(SELLER_ID)[SHIRT[:2]]
    order_id = 512340000900003
    put_order(sim, order_id, [{"sku": SHIRT[2], "status": "pending", "quantity": 2}])
    assert sim.stock(SELLER_ID)[SHIRT[:2]] == before - 2
    rows = sim.order(order_id)["items"]
    order = sim.update_order(
        order_id, items={str(rows[0]["order_item_id"]): "canceled"}
    )
    assert sorted(order["statuses"]) == ["canceled", "pending"]
    assert sim.stock(SELLER_ID)[SHIRT[:2]] == before - 1
    order = sim.update_order(order_id, status="shipped")
    assert [row["status"] for row in order["items"]] == ["canceled", "shipped"]
    assert order["items"][1]["tracking_code"]
    assert sim.stock(SELLER_ID)[SHIRT[:2]] == before - 1


# -- products and stock ----------------------------------------------------------------


def test_products_get_and_item_get(lazada, token):
    first = lazada.get("/products/get", filter="all", offset=0, limit=5)["data"]
    total = first["total_products"]
    assert total > 5 and len(first["products"]) == 5
    products, offset = [], 0
    while offset < total:
        page = lazada.get("/products/get", filter="all", offset=offset, limit=50)
        products += page["data"]["products"]
        offset += 50
    assert len(products) == total
    cable = next(p for p in products if p["item_id"] == CABLE[0])
    sku = cable["skus"][0]
    assert sku["SkuId"] == CABLE[1] and sku["SellerSku"] == CABLE[2]
    assert sku["ShopSku"] == f"{CABLE[0]}_TH-{CABLE[1]}"
    assert {"quantity", "price", "special_price", "Status"} <= set(sku)
    assert lazada.get("/products/get", limit=51)["code"] == "InvalidParameter"

    item = lazada.get("/product/item/get", item_id=CABLE[0])
    assert item["code"] == "0"
    assert item["data"]["item_id"] == CABLE[0]
    assert item["data"]["attributes"]["name"] == cable["attributes"]["name"]
    assert lazada.get("/product/item/get", item_id=1)["code"] != "0"


def test_stock_update_applied_and_refused_per_sku(sim, lazada, token):
    payload = stock_xml(
        {"ItemId": CABLE[0], "SkuId": CABLE[1], "SellerSku": CABLE[2],
         "SellableQuantity": 7},
        {"ItemId": SHIRT[0], "SkuId": SHIRT[1], "SellableQuantity": 3},
    )  # fmt: skip
    answer = lazada.post("/product/stock/sellable/update", payload=payload)
    assert answer["code"] == "0", answer
    stock = sim.stock(SELLER_ID)
    assert stock[CABLE[:2]] == 7 and stock[SHIRT[:2]] == 3
    product = lazada.get("/product/item/get", item_id=CABLE[0])["data"]
    assert product["skus"][0]["multiWarehouseInventories"][0]["sellableQuantity"] == 7

    payload = stock_xml(
        {"ItemId": CABLE[0], "SkuId": CABLE[1], "SellableQuantity": 11},
        {"ItemId": 4102300199, "SkuId": 99999, "SellerSku": "NO-SUCH-SKU",
         "SellableQuantity": 5},
        {"ItemId": SHIRT[0], "SkuId": SHIRT[1], "SellableQuantity": -1},
    )  # fmt: skip
    answer = lazada.post("/product/stock/sellable/update", payload=payload)
    assert answer["code"] == "501" and answer["type"] == "ISV"
    detail = answer["detail"]
    assert {entry["seller_sku"] for entry in detail} == {"NO-SUCH-SKU", SHIRT[2]}
    assert {entry["sku_id"] for entry in detail} == {"99999", str(SHIRT[1])}
    assert all(entry["message"] and entry["field"] for entry in detail)
    stock = sim.stock(SELLER_ID)
    assert stock[CABLE[:2]] == 11  # the good one was applied
    assert stock[SHIRT[:2]] == 3

    many = stock_xml(
        *({"ItemId": CABLE[0], "SkuId": CABLE[1], "SellableQuantity": 1},) * 51
    )
    answer = lazada.post("/product/stock/sellable/update", payload=many)
    assert answer["code"] == "InvalidParameter"
    assert sim.stock(SELLER_ID)[CABLE[:2]] == 11
    assert (
        lazada.post("/product/stock/sellable/update", payload="<Request")["code"]
        == "InvalidParameter"
    )


# -- pushes ----------------------------------------------------------------------------


def test_push_received_with_signature(sim, token, webhook_receiver):
    sim.configure_push(url=webhook_receiver.url, enabled=True)
    order_id = 512340000900004
    put_order(sim, order_id, [{"sku": CABLE[2], "status": "pending"}])
    row_id = sim.order(order_id)["items"][0]["order_item_id"]
    sim.update_order(order_id, status="packed")
    sim.update_order(order_id, status="returned")
    assert sim.pushes(wait=5)["idle"]
    bodies = webhook_receiver.bodies()
    trade = [b for b in bodies if b["message_type"] == 0]
    assert [b["data"]["order_status"] for b in trade] == [
        "pending",
        "packed",
        "returned",
    ]
    assert trade[0]["seller_id"] == str(SELLER_ID)
    assert trade[0]["site"] == "lazada_th"
    assert trade[0]["data"]["trade_order_id"] == str(order_id)
    assert trade[0]["data"]["trade_order_line_id"] == str(row_id)
    assert isinstance(trade[0]["data"]["status_update_time"], int)
    assert isinstance(trade[0]["timestamp"], int)
    reverse = [b for b in bodies if b["message_type"] == 10]
    assert len(reverse) == 1
    assert reverse[0]["data"]["trade_order_line_id"] == str(row_id)
    for entry in webhook_receiver.received:
        expected = hmac.new(
            APP_SECRET.encode(), APP_KEY.encode() + entry["body"], hashlib.sha256
        ).hexdigest()
        assert entry["headers"]["Authorization"] == expected
    listing = sim.pushes()
    assert {p["state"] for p in listing["pushes"]} == {"delivered"}

    webhook_receiver.clear()
    sim.configure_push(bad_signature=True)
    sim.update_order(order_id, status="shipped_back_success")
    assert sim.pushes(wait=5)["idle"]
    entry = webhook_receiver.received[0]
    good = hmac.new(
        APP_SECRET.encode(), APP_KEY.encode() + entry["body"], hashlib.sha256
    ).hexdigest()
    assert entry["headers"]["Authorization"] != good


# -- faults, clock, traffic ------------------------------------------------------------


def test_fault_injected_then_cleared(sim, lazada, token):
    sim.add_fault("rate_limit", path="/seller/get", times=2)
    for _ in range(2):
        answer = lazada.get("/seller/get")
        assert answer["code"] == "ApiCallLimit" and answer["type"] == "ISV"
    assert lazada.get("/seller/get")["code"] == "0"

    sim.add_fault("service_timeout", path="/rest/orders/get", times=5)
    sim.add_fault("server_error", path="/products/get")
    answer = lazada.get("/orders/get", update_after=iso(sim.now() - DAY))
    assert answer["code"] == "ServiceTimeout" and answer["type"] == "ISP"
    url = f"{sim.url}/rest/products/get"
    assert requests.get(url, timeout=10).status_code == 500
    assert len(sim.state()["faults"]) == 1
    sim.clear_faults()
    assert sim.state()["faults"] == []
    assert lazada.get("/orders/get", update_after=iso(sim.now() - DAY))["code"] == "0"

    sim.add_fault("expire_access_token", path="/seller/get")
    assert lazada.get("/seller/get")["code"] == "IllegalAccessToken"
    assert lazada.get("/seller/get")["code"] == "IllegalAccessToken"


def test_connection_drop(sim, lazada, token):
    sim.add_fault("drop", path="/seller/get")
    with pytest.raises(requests.ConnectionError):
        lazada.get("/seller/get")
    assert lazada.get("/seller/get")["code"] == "0"


def test_fault_rates(sim, lazada, token):
    rates = sim.set_fault_rates(rate_limit=1.0, paths=["/seller/get"], seed=1)
    assert rates["rate_limit"] == 1.0
    assert lazada.get("/seller/get")["code"] == "ApiCallLimit"
    sim.clear_fault_rates()
    assert lazada.get("/seller/get")["code"] == "0"


def test_clock_settable(sim):
    sim.set_clock(now="2026-12-01T12:00:00+07:00")
    assert abs(sim.now() - 1796101200) <= 2
    sim.set_clock(offset=0)
    assert abs(sim.now() - time.time()) < 5


def test_manual_traffic(sim, lazada, token, webhook_receiver):
    sim.configure_push(url=webhook_receiver.url, enabled=True)
    sim.start_traffic(orders_per_minute=6, status_changes_per_minute=6,
                      duration_seconds=600, manual=True, seed=5)  # fmt: skip
    status = sim.tick_traffic(60)
    assert status["created"] + status["skipped_out_of_stock"] >= 5
    assert status["changed"] >= 1
    assert len(sim.order_ids(SELLER_ID)) == status["created"]
    assert sim.pushes(wait=5)["idle"]
    assert webhook_receiver.bodies()
    sim.stop_traffic()


def test_log_has_no_secrets(sim, lazada, token, caplog):
    with caplog.at_level(logging.INFO, logger="lazada_simulator"):
        lazada.get("/seller/get")
        lazada.get("/seller/get", token="wrong-token-value")
    text = caplog.text
    assert "GET /rest/seller/get ok" in text
    assert "GET /rest/seller/get IllegalAccessToken" in text
    assert ACCESS not in text and "wrong-token-value" not in text
    assert "sign=" not in text and "timestamp" not in text


# -- the connector's own client ----------------------------------------------------------


def connector_api():
    """connector_lazada/api (plain Python, no Odoo) loaded as a package."""
    import importlib.util
    import sys
    from pathlib import Path

    name = "_connector_lazada_api"
    if name in sys.modules:
        return sys.modules[name]
    folder = Path(__file__).resolve().parents[1] / "addons/connector_lazada/api"
    spec = importlib.util.spec_from_file_location(
        name, folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_connector_client_end_to_end(sim):
    api = connector_api()
    tokens = {}
    unauthorized = api.LazadaClient(APP_KEY, APP_SECRET, f"{sim.url}/rest", sim.url)
    created = unauthorized.create_token(consent_code(sim))
    seller = created["country_user_info"][0]["seller_id"]
    assert seller == str(SELLER_ID)
    tokens.update(access=created["access_token"], refresh=created["refresh_token"])

    def refresh(_old):
        answer = unauthorized.refresh_token(tokens["refresh"])
        tokens.update(access=answer["access_token"], refresh=answer["refresh_token"])
        return tokens["access"]

    client = api.LazadaClient(
        APP_KEY,
        APP_SECRET,
        f"{sim.url}/rest",
        sim.url,
        get_access_token=lambda: tokens["access"],
        refresh_access_token=refresh,
    )
    assert client.call("GET", "/seller/get")["seller_id"] == SELLER_ID
    order_id = 512340000900010
    put_order(sim, order_id, [{"sku": CABLE[2], "quantity": 2}], minutes_ago=5)
    page = client.call(
        "GET",
        "/orders/get",
        {
            "update_after": iso(sim.now() - 3600),
            "update_before": iso(sim.now() + 60),
            "sort_by": "updated_at",
            "sort_direction": "ASC",
            "offset": 0,
            "limit": 100,
        },
    )
    assert [o["order_id"] for o in page["orders"]] == [order_id]
    items = client.call("GET", "/orders/items/get", {"order_ids": f"[{order_id}]"})
    assert len(items[0]["order_items"]) == 2
    assert client.call("GET", "/order/get", {"order_id": order_id})["price"] == "258.00"

    # An expired access token is refreshed once by the client.
    sim.add_fault("expire_access_token", path="/seller/get")
    assert client.call("GET", "/seller/get")["seller_id"] == SELLER_ID
    assert sim.refresh_count(SELLER_ID) == 1

    # Per-SKU refusals reach the adapter as error.response["detail"].
    payload = stock_xml(
        {"ItemId": CABLE[0], "SkuId": CABLE[1], "SellableQuantity": 4},
        {"ItemId": 1, "SkuId": 2, "SellerSku": "NOPE", "SellableQuantity": 4},
    )
    with pytest.raises(api.LazadaParamError) as refusal:
        client.call("POST", "/product/stock/sellable/update", {"payload": payload})
    detail = refusal.value.response["detail"]
    assert [(d["sku_id"], d["seller_sku"]) for d in detail] == [("2", "NOPE")]
    assert sim.stock(SELLER_ID)[CABLE[:2]] == 4

    # Throttling and a wrong secret are classified as the adapter expects.
    sim.add_fault("rate_limit", path="/seller/get")
    with pytest.raises(api.LazadaRateLimitError):
        client.call("GET", "/seller/get")
    sim.add_fault("http_503", path="/seller/get")
    with pytest.raises(api.LazadaServerError):
        client.call("GET", "/seller/get")
    wrong = api.LazadaClient(
        APP_KEY, "wrong", f"{sim.url}/rest", sim.url, get_access_token=lambda: "x"
    )
    with pytest.raises(api.LazadaSignError):
        wrong.call("GET", "/seller/get")
