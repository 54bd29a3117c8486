"""Lazada's API under ``/rest``: the common parameters, the signature and
the endpoints the connector calls (lazada-api.md §2–§5).

Each handler takes the state and a :class:`Call` and answers the ``data``
of the success answer (``None``: no ``data``), or raises ``ApiError``.
The token calls answer at the top level instead (see ``TOP_LEVEL``).
"""

import json
from dataclasses import dataclass, field
from xml.etree import ElementTree

from . import catalogue, orders, signing
from .errors import ApiError, missing, numbered
from .state import TIMESTAMP_WINDOW
from .stock import update_failed
from .timefmt import parse_iso

ORDERS_LIMIT = 100
ORDERS_DEFAULT_LIMIT = 10
PRODUCTS_LIMIT = 50
PRODUCTS_DEFAULT_LIMIT = 20
ITEMS_ORDER_IDS = 50
STOCK_SKUS = 50


@dataclass
class Call:
    app_key: str
    params: dict
    seller_id: int | None = None
    method: str = "GET"
    extra: dict = field(default_factory=dict)


def invalid(name, why=""):
    return ApiError(
        "InvalidParameter",
        f"The specified parameter “{name}” is invalid" + (f": {why}" if why else ""),
    )


def sign_refused():
    return ApiError(
        "IncompleteSignature",
        "The request signature does not conform to lazada standards",
    )


def authenticate(state, path, params, needs_token):
    """Check the common parameters and the sign; answers the :class:`Call`."""
    for name in ("app_key", "timestamp", "sign"):
        if not params.get(name):
            raise missing(name)
    app_key = params["app_key"]
    secret = state.app_secret(app_key)
    if secret is None:
        raise ApiError("InvalidAppKey", "Specified app key is invalid")
    method = params.get("sign_method") or "sha256"
    if method.lower() != "sha256":
        raise invalid("sign_method", "only sha256 is supported")
    timestamp = params["timestamp"]
    if not timestamp.isdigit():
        raise invalid("timestamp")
    if abs(int(timestamp) / 1000 - state.now_float()) > TIMESTAMP_WINDOW:
        raise ApiError(
            "IncompleteSignature",
            "The request signature does not conform to lazada standards: "
            f"the timestamp is more than {TIMESTAMP_WINDOW} s away from Lazada's time",
        )
    # Lazada's SDKs leave empty parameters out of the string to sign, a
    # hand-written client (the connector's) may keep them: accept both.
    candidate = params["sign"]
    if not (
        signing.verify(secret, path, params, candidate)
        or signing.verify_keeping_empty(secret, path, params, candidate)
    ):
        raise sign_refused()
    call = Call(app_key, params)
    if needs_token:
        call.seller_id = state.check_access(params.get("access_token"), app_key, path)
    return call


# -- parameters ------------------------------------------------------------------


def _int(params, name, default=None, low=None, high=None):
    value = params.get(name)
    if value in (None, ""):
        if default is None:
            raise missing(name)
        return default
    try:
        number = int(value)
    except ValueError:
        raise invalid(name) from None
    if (low is not None and number < low) or (high is not None and number > high):
        raise invalid(name, f"it must be between {low} and {high}")
    return number


def _time(params, name):
    value = params.get(name)
    if value in (None, ""):
        return None
    moment = parse_iso(value)
    if moment is None:
        raise invalid(
            name, "use ISO 8601 with an offset, e.g. 2026-12-01T12:00:00+07:00"
        )
    return moment


def _json_list(params, name):
    try:
        value = json.loads(params.get(name) or "")
    except ValueError:
        raise invalid(name, "a JSON list is expected") from None
    if not isinstance(value, list):
        raise invalid(name, "a JSON list is expected")
    return value


def _order_id(value):
    text = str(value).strip()
    if not text.isdigit():
        raise numbered(16, "E016: Invalid Order ID")
    return int(text)


# -- endpoints ---------------------------------------------------------------------


def token_create(state, call):
    if not call.params.get("code"):
        raise missing("code")
    return state.exchange_code(call.params["code"], call.app_key)


def token_refresh(state, call):
    if not call.params.get("refresh_token"):
        raise missing("refresh_token")
    return state.refresh(call.params["refresh_token"], call.app_key)


def seller_get(state, call):
    seller = state.seller(call.seller_id)
    return {
        "name": seller["name"],
        "name_company": seller["name_company"],
        "seller_id": seller["seller_id"],
        "short_code": seller["short_code"],
        "email": seller["account"],
        "location": seller["location"],
        "verified": True,
        "cb": False,
        "status": "ACTIVE",
        "marketplaceEaseMode": False,
        "logo_url": "",
    }


def orders_get(state, call):
    params = call.params
    windows = {
        "updated": (_time(params, "update_after"), _time(params, "update_before")),
        "created": (_time(params, "created_after"), _time(params, "created_before")),
    }
    if windows["updated"][0] is None and windows["created"][0] is None:
        raise missing("created_after")
    offset = _int(params, "offset", 0, 0)
    limit = _int(params, "limit", ORDERS_DEFAULT_LIMIT, 1, ORDERS_LIMIT)
    sort_by = params.get("sort_by") or "created_at"
    if sort_by not in ("created_at", "updated_at"):
        raise invalid("sort_by", "created_at or updated_at")
    direction = (params.get("sort_direction") or "DESC").upper()
    if direction not in ("ASC", "DESC"):
        raise invalid("sort_direction", "ASC or DESC")
    statuses = None
    if params.get("status"):
        statuses = orders.STATUS_FILTERS.get(params["status"].lower())
        if statuses is None:
            raise invalid("status")
    # Both windows apply when both are given.
    found = None
    for field_name, (low, high) in windows.items():
        if low is None and high is None:
            continue
        records = state.list_orders(call.seller_id, field_name, low, high, statuses)
        ids = {rec["order"]["order_id"] for rec in records}
        found = records if found is None else [
            rec for rec in found if rec["order"]["order_id"] in ids
        ]  # fmt: skip
    key_field = "created" if sort_by == "created_at" else "updated"
    found.sort(
        key=lambda rec: (rec[key_field], rec["order"]["order_id"]),
        reverse=direction == "DESC",
    )
    page = found[offset : offset + limit]
    with state.lock:
        answers = [orders.order_answer(rec) for rec in page]
    return {"count": len(answers), "countTotal": len(found), "orders": answers}


def _record(state, call, value):
    rec = state.order_record(call.seller_id, _order_id(value))
    if rec is None:
        raise numbered(16, "E016: Invalid Order ID")
    return rec


def order_get(state, call):
    if not call.params.get("order_id"):
        raise missing("order_id")
    return orders.order_answer(_record(state, call, call.params["order_id"]))


def orders_items_get(state, call):
    if not call.params.get("order_ids"):
        raise missing("order_ids")
    order_ids = _json_list(call.params, "order_ids")
    if not order_ids:
        raise invalid("order_ids", "the list is empty")
    if len(order_ids) > ITEMS_ORDER_IDS:
        raise invalid("order_ids", f"at most {ITEMS_ORDER_IDS} order ids a call")
    answer = []
    for value in order_ids:
        rec = state.order_record(call.seller_id, _order_id(value))
        if rec is None:
            continue
        answer.append(
            {
                "order_id": rec["order"]["order_id"],
                "order_number": rec["order"]["order_number"],
                "order_items": orders.items_answer(rec),
            }
        )
    return answer


def order_items_get(state, call):
    if not call.params.get("order_id"):
        raise missing("order_id")
    return orders.items_answer(_record(state, call, call.params["order_id"]))


def products_get(state, call):
    params = call.params
    name = (params.get("filter") or "all").lower()
    if name not in catalogue.FILTERS:
        raise invalid("filter", ", ".join(catalogue.FILTERS))
    offset = _int(params, "offset", 0, 0)
    limit = _int(params, "limit", PRODUCTS_DEFAULT_LIMIT, 1, PRODUCTS_LIMIT)
    bounds = {
        "updated": (_time(params, "update_after"), _time(params, "update_before")),
        "created": (_time(params, "create_after"), _time(params, "create_before")),
    }
    seller_skus = None
    if params.get("sku_seller_list"):
        seller_skus = {str(sku) for sku in _json_list(params, "sku_seller_list")}
        if len(seller_skus) > 100:
            raise invalid("sku_seller_list", "at most 100 seller SKUs")
    total, products = state.list_products(
        call.seller_id, name, bounds, seller_skus, offset, limit
    )
    return {"total_products": total, "products": products}


def product_item_get(state, call):
    params = call.params
    item_id = params.get("item_id")
    if not item_id and params.get("seller_sku"):
        with state.lock:
            item, _sku = state.find_by_seller_sku(call.seller_id, params["seller_sku"])
            item_id = item and item["item_id"]
        if not item_id:
            raise numbered(208, "E208: Product not exist")
    if not item_id:
        raise missing("item_id")
    if not str(item_id).isdigit():
        raise invalid("item_id")
    product = state.product(call.seller_id, int(item_id))
    if product is None:
        raise numbered(208, "E208: Product not exist")
    return product


SKU_FIELDS = ("ItemId", "SkuId", "SellerSku", "SellableQuantity")


def parse_stock_payload(payload):
    """The ``Sku`` entries of the XML payload: dicts of their fields' text."""
    if "<!DOCTYPE" in payload.upper() or "<!ENTITY" in payload.upper():
        raise invalid("payload", "no DOCTYPE")
    try:
        root = ElementTree.fromstring(payload)
    except ElementTree.ParseError:
        raise invalid("payload", "the XML is malformed") from None
    if root.tag != "Request":
        raise invalid("payload", "<Request> expected")
    entries = []
    for sku in root.iterfind("./Product/Skus/Sku"):
        entry = {}
        for child in sku:
            if child.tag in SKU_FIELDS:
                entry[child.tag] = (
                    (child.text or "").strip()
                    if child.tag != "SellerSku"
                    else (child.text or "")
                )
        entries.append(entry)
    if not entries:
        raise invalid("payload", "no <Sku> under <Request><Product><Skus>")
    return entries


def stock_sellable_update(state, call):
    payload = call.params.get("payload")
    if not payload:
        raise missing("payload")
    entries = parse_stock_payload(payload)
    if len(entries) > STOCK_SKUS:
        raise invalid("payload", f"at most {STOCK_SKUS} SKUs a call")
    refused = state.update_sellable(call.seller_id, entries)
    if refused:
        raise update_failed(refused)
    return None


# path → (handler, needs an access token, HTTP methods)
ENDPOINTS = {
    "/auth/token/create": (token_create, False, ("GET", "POST")),
    "/auth/token/refresh": (token_refresh, False, ("GET", "POST")),
    "/seller/get": (seller_get, True, ("GET", "POST")),
    "/orders/get": (orders_get, True, ("GET", "POST")),
    "/order/get": (order_get, True, ("GET", "POST")),
    "/orders/items/get": (orders_items_get, True, ("GET", "POST")),
    "/order/items/get": (order_items_get, True, ("GET", "POST")),
    "/products/get": (products_get, True, ("GET", "POST")),
    "/product/item/get": (product_item_get, True, ("GET", "POST")),
    "/product/stock/sellable/update": (stock_sellable_update, True, ("POST",)),
}
TOP_LEVEL = ("/auth/token/create", "/auth/token/refresh")
