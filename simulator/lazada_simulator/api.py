"""Lazada's API under ``/rest``: the common parameters, the signature and
the endpoints the connector calls (lazada-api.md §2–§5).

Each handler takes the state and a :class:`Call` and answers the ``data``
of the success answer (``None``: no ``data``), or raises ``ApiError``.
The token calls answer at the top level instead (see ``TOP_LEVEL``), the
fulfilment calls under ``result`` (see ``RESULT``: ``{"data": …, "success":
true}``, or a :class:`ResultError`'s ``{"success": false, "error_code",
"error_msg"}``, with ``code`` "0" at the top either way).
"""

import base64
import html
import json
import logging
from dataclasses import dataclass, field
from xml.etree import ElementTree

from . import catalogue, fulfilment, label, orders, signing
from .errors import ApiError, ResultError, missing, numbered
from .state import TIMESTAMP_WINDOW
from .stock import update_failed
from .timefmt import parse_iso

ORDERS_LIMIT = 100
ORDERS_DEFAULT_LIMIT = 10
PRODUCTS_LIMIT = 50
PRODUCTS_DEFAULT_LIMIT = 20
ITEMS_ORDER_IDS = 50
STOCK_SKUS = 50
AWB_PATH = "/_files/awb"

_logger = logging.getLogger("lazada_simulator")


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


# -- fulfilment (lazada-api.md §6) -------------------------------------------------
#
# Each takes one JSON object in one form parameter (``packReq``,
# ``readyToShipReq``, ``getDocumentReq``, ``getShipmentProvidersReq``): a
# missing or unreadable one is the gateway's MissingParameter /
# InvalidParameter; what is wrong inside is the service's ResultError
# (PARAM_IS_NULL 700017, PARAM_ILLEGAL 700004, BATCH_SIZE_OUT_OF_LIMIT 700022).

PARAM_ILLEGAL = "700004"
PARAM_IS_NULL = "700017"
BATCH_SIZE_OUT_OF_LIMIT = "700022"
NTFS_NOT_AVAILABLE = "700016"


def _json_object(params, name):
    if not params.get(name):
        raise missing(name)
    try:
        value = json.loads(params[name])
    except ValueError:
        raise invalid(name, "a JSON object is expected") from None
    if not isinstance(value, dict):
        raise invalid(name, "a JSON object is expected")
    return value


def _id_number(value, name):
    """An id given as a JSON number or a string of digits."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ResultError(PARAM_ILLEGAL, f"param illegal: {name} must be a number")
    text = str(value).strip()
    if not text.isdigit():
        raise ResultError(PARAM_ILLEGAL, f"param illegal: {name} must be a number")
    return int(text)


def _batch(request, name):
    entries = request.get(name)
    if entries in (None, [], ""):
        raise ResultError(PARAM_IS_NULL, f"param can't be null: {name}")
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ResultError(
            PARAM_ILLEGAL, f"param illegal: {name} must be a list of objects"
        )
    if len(entries) > fulfilment.BATCH:
        raise ResultError(
            BATCH_SIZE_OUT_OF_LIMIT,
            f"batch size out of limit: at most {fulfilment.BATCH} {name}",
        )
    return entries


def _order_items(entry, list_name):
    order_id = _id_number(entry.get("order_id"), "order_id")
    items = entry.get(list_name)
    if items in (None, []):
        raise ResultError(PARAM_IS_NULL, f"param can't be null: {list_name}")
    if not isinstance(items, list):
        raise ResultError(PARAM_ILLEGAL, f"param illegal: {list_name} must be a list")
    return order_id, [_id_number(item, "order_item_id") for item in items]


def _package_ids(request):
    ids = []
    for entry in _batch(request, "packages"):
        package_id = entry.get("package_id")
        if not isinstance(package_id, str) or not package_id.strip():
            raise ResultError(PARAM_IS_NULL, "param can't be null: package_id")
        ids.append(package_id.strip())
    return ids


def shipment_providers_get(state, call):
    request = _json_object(call.params, "getShipmentProvidersReq")
    order_ids = [
        _order_items(entry, "order_item_ids")[0] for entry in _batch(request, "orders")
    ]
    return {
        "platform_default": 1,
        "shipping_allocate_type": "TFS",
        "shipment_providers": state.shipment_providers(call.seller_id, order_ids),
    }


def fulfill_pack(state, call):
    request = _json_object(call.params, "packReq")
    entries = _batch(request, "pack_order_list")
    if not request.get("delivery_type"):
        raise ResultError(PARAM_IS_NULL, "param can't be null: delivery_type")
    if request["delivery_type"] != "dropship":
        raise ResultError(
            PARAM_ILLEGAL, "param illegal: delivery_type must be dropship"
        )
    allocate = request.get("shipping_allocate_type")
    if not allocate:
        raise ResultError(PARAM_IS_NULL, "param can't be null: shipping_allocate_type")
    if allocate == "NTFS":
        raise ResultError(
            NTFS_NOT_AVAILABLE,
            "seller not available 3pl , pls contact us to subscription 3pl",
        )
    if allocate != "TFS":
        raise ResultError(
            PARAM_ILLEGAL, "param illegal: shipping_allocate_type is TFS or NTFS"
        )
    if request.get("shipment_provider_code"):
        # Lazada allocates the carrier of a local (TFS) seller.
        raise ResultError(
            PARAM_ILLEGAL,
            "param illegal: shipment_provider_code cannot be passed for TFS",
        )
    requests = [_order_items(entry, "order_item_list") for entry in entries]
    return {"pack_order_list": state.pack(call.seller_id, requests)}


def package_rts(state, call):
    request = _json_object(call.params, "readyToShipReq")
    return {"packages": state.ready_to_ship(call.seller_id, _package_ids(request))}


def package_document_get(state, call):
    request = _json_object(call.params, "getDocumentReq")
    doc_type = request.get("doc_type")
    if not doc_type:
        raise ResultError(PARAM_IS_NULL, "param can't be null: doc_type")
    if doc_type not in ("PDF", "HTML"):
        raise ResultError(PARAM_ILLEGAL, "param illegal: doc_type is PDF or HTML")
    with_items = request.get("print_item_list", False)
    if not isinstance(with_items, bool):
        raise ResultError(PARAM_ILLEGAL, "param illegal: print_item_list is a boolean")
    labels = state.awb_labels(call.seller_id, _package_ids(request), with_items)
    if doc_type == "HTML":
        page = label.render_html(labels)
        return {"file": base64.b64encode(page.encode()).decode(), "doc_type": "HTML"}
    try:
        pdf = label.render_pdf(labels)
    except ImportError:
        _logger.warning("PDF air waybills need reportlab, which is not installed")
        raise ResultError(
            "6", "system is busy now ,pls try later: reportlab is not installed"
        ) from None
    token, expires_at = state.store_awb(call.seller_id, pdf)
    path = f"{AWB_PATH}/{token}.pdf?Expires={expires_at}"
    frame = (
        f'<iframe src="{html.escape(path)}" width="100%" height="100%" '
        'style="display: block;min-height: 990px;"></iframe>'
    )
    return {
        "file": base64.b64encode(frame.encode()).decode(),
        "doc_type": "PDF",
        "pdf_url": call.extra.get("base_url", "") + path,
    }


# -- cancellations and reverse orders (lazada-api.md §6, reverse.py) ---------------
#
# Plain parameters, answers under ``data`` (none for the decision), errors at
# the top level with the pages' numbers; GetReverseOrdersForSeller answers
# under ``result`` = {page_no, page_size, total, success, items}.

REVERSE_PAGE_SIZE = 100
REVERSE_TIME_RANGES = {
    "trade_created": "TradeOrderLineCreatedTimeRange",
    "line_created": "ReverseOrderLineTimeRange",
    "line_modified": "ReverseOrderLineModifiedTimeRange",
}


def _cancel_request(params):
    """(order_id, [order_item_id]) of the cancel calls; 122 / 102 when bad."""
    for name in ("order_id", "order_item_id_list"):
        if not params.get(name):
            raise missing(name)
    text = str(params["order_id"]).strip()
    if not text.isdigit():
        raise numbered(122, "E0122: invalid trade order")
    try:
        items = json.loads(params["order_item_id_list"])
    except ValueError:
        items = None
    if (
        not isinstance(items, list)
        or not items
        or not all(
            not isinstance(i, bool)
            and isinstance(i, (int, str))
            and str(i).strip().isdigit()
            for i in items
        )
    ):
        raise numbered(102, "E0102: trade order line id is empty or invalid")
    return int(text), [int(str(i).strip()) for i in items]


def cancel_validate(state, call):
    order_id, item_ids = _cancel_request(call.params)
    return state.cancel_validate(call.seller_id, order_id, item_ids)


def cancel_create(state, call):
    order_id, item_ids = _cancel_request(call.params)
    if not call.params.get("reason_id"):
        raise missing("reason_id")
    return state.seller_cancel(
        call.seller_id,
        order_id,
        item_ids,
        str(call.params["reason_id"]).strip(),
        call.params.get("reason_detail") or "",
    )


def _reverse_id(params):
    if not params.get("reverse_order_id"):
        raise missing("reverse_order_id")
    text = str(params["reverse_order_id"]).strip()
    if not text.isdigit():
        raise numbered(105, "E0105: reverse order id is empty or invalid")
    return int(text)


def _boolean(params, name):
    value = str(params.get(name) or "").strip().lower()
    if value not in ("true", "false"):
        raise invalid(name, "true or false")
    return value == "true"


def cancel_decide(state, call):
    reverse_id = _reverse_id(call.params)
    if call.params.get("agree_cancel") in (None, ""):
        raise missing("agree_cancel")
    agree = _boolean(call.params, "agree_cancel")
    reason_code = None
    if call.params.get("reason_code") not in (None, ""):
        reason_code = _int(call.params, "reason_code", low=0)
    state.cancel_decide(call.seller_id, reverse_id, agree, reason_code)
    return None


def reverse_detail(state, call):
    return state.reverse_detail(call.seller_id, _reverse_id(call.params))


def _string_list(params, name):
    if not params.get(name):
        return None
    values = _json_list(params, name)
    if not all(isinstance(v, str) for v in values):
        raise invalid(name, "a JSON list of strings is expected")
    return set(values)


def _optional_id(params, name):
    if params.get(name) in (None, ""):
        return None
    return _int(params, name, low=0)


def reverse_orders_get(state, call):
    params = call.params
    page_no = _int(params, "page_no", low=1)
    page_size = _int(params, "page_size", low=1, high=REVERSE_PAGE_SIZE)
    wanted = {
        "reverse_order_id": _optional_id(params, "reverse_order_id"),
        "trade_order_id": _optional_id(params, "trade_order_id"),
        "reverse_statuses": _string_list(params, "reverse_status_list"),
        "ofc_statuses": _string_list(params, "ofc_status_list"),
        "request_types": _string_list(params, "request_type_list"),
        "qc_decision": params.get("QC_Decision") or None,
    }
    if params.get("return_to_type"):
        if params["return_to_type"] not in ("RTM", "RTW"):
            raise invalid("return_to_type", "RTM or RTW")
        wanted["return_to_type"] = params["return_to_type"]
    if params.get("dispute_in_progress"):
        wanted["dispute_in_progress"] = _boolean(params, "dispute_in_progress")
    for key, prefix in REVERSE_TIME_RANGES.items():
        wanted[key] = (
            _optional_id(params, prefix + "Start"),
            _optional_id(params, prefix + "End"),
        )
    return state.reverse_page(call.seller_id, wanted, page_no, page_size)


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
    "/order/shipment/providers/get": (shipment_providers_get, True, ("GET", "POST")),
    "/order/fulfill/pack": (fulfill_pack, True, ("POST",)),
    "/order/package/rts": (package_rts, True, ("POST",)),
    "/order/package/document/get": (package_document_get, True, ("GET", "POST")),
    "/order/reverse/cancel/validate": (cancel_validate, True, ("GET", "POST")),
    "/order/reverse/cancel/create": (cancel_create, True, ("GET", "POST")),
    "/order/reverse/cancel/seller/decide": (cancel_decide, True, ("GET", "POST")),
    "/reverse/getreverseordersforseller": (reverse_orders_get, True, ("GET", "POST")),
    "/order/reverse/return/detail/list": (reverse_detail, True, ("GET", "POST")),
}
TOP_LEVEL = ("/auth/token/create", "/auth/token/refresh")
RESULT = (
    "/order/shipment/providers/get",
    "/order/fulfill/pack",
    "/order/package/rts",
    "/order/package/document/get",
)
# The handler's answer is ``result`` itself (paged: no ``data`` inside).
RESULT_ITSELF = ("/reverse/getreverseordersforseller",)
