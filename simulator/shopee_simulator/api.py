"""The Shopee API v2 endpoints: common parameters, signature, token, handlers."""

from dataclasses import dataclass, field

from . import (
    api_cancel,
    api_logistics,
    api_payment,
    api_products,
    api_push,
    signing,
)
from .errors import ApiError, param_error, refused
from .params import body_int, split, to_int
from .state import ACCESS_TOKEN_TTL, AUTHORIZATION_TTL, TIMESTAMP_WINDOW

MAX_LIST_WINDOW = 15 * 86400
ORDER_STATUSES = (
    "UNPAID",
    "READY_TO_SHIP",
    "PROCESSED",
    "RETRY_SHIP",
    "SHIPPED",
    "TO_CONFIRM_RECEIVE",
    "IN_CANCEL",
    "CANCELLED",
    "TO_RETURN",
    "COMPLETED",
    "INVOICE_PENDING",
)
# get_order_detail returns these only when response_optional_fields names
# them (§5.2); every other field of an order is returned by default.
OPTIONAL_DETAIL_FIELDS = frozenset(
    """buyer_user_id buyer_username estimated_shipping_fee recipient_address
    actual_shipping_fee goods_to_declare note note_update_time item_list pay_time
    dropshipper dropshipper_phone split_up buyer_cancel_reason cancel_by
    cancel_reason actual_shipping_fee_confirmed buyer_cpf_id fulfillment_flag
    pickup_done_time package_list shipping_carrier payment_method total_amount
    invoice_data order_chargeable_weight_gram return_request_due_date edt
    payment_info international_label""".split()
)


@dataclass
class Call:
    """A verified Shopee call."""

    path: str
    partner_id: int
    query: dict
    shop_id: int | None = None
    body: dict = field(default_factory=dict)
    # Every value of each query parameter (arrays may be repeated).
    lists: dict = field(default_factory=dict)


# -- verification ---------------------------------------------------------


def authenticate(state, path, query):
    """Check the common parameters and the sign; then the token of shop APIs."""
    shop_api = not signing.is_public(path)
    required = ["partner_id", "timestamp", "sign"]
    if shop_api:
        required += ["access_token", "shop_id"]
    for name in required:
        if not query.get(name):
            raise ApiError("error_param", f"There is no {name} in query.")
    partner_id = _int(query["partner_id"])
    partner_key = state.partner_key(partner_id)
    if partner_key is None:
        raise refused("invalid_partner_id", "Invalid partner_id.")
    timestamp = _int(query["timestamp"])
    if timestamp is None or abs(state.now() - timestamp) > TIMESTAMP_WINDOW:
        raise ApiError("error_param", "Invalid timestamp.")
    shop_id = _int(query["shop_id"]) if shop_api else None
    if shop_api and shop_id is None:
        raise param_error("shop_id is invalid.")
    base = signing.base_string(
        query["partner_id"],
        path,
        query["timestamp"],
        *((query["access_token"], query["shop_id"]) if shop_api else ()),
    )
    if not signing.verify(partner_key, base, query["sign"]):
        raise refused("error_sign", "Wrong sign.")
    if shop_api:
        state.check_access(query["access_token"], partner_id, shop_id, path)
    return Call(path, partner_id, query, shop_id)


_int = to_int
_body_int = body_int


# -- auth -------------------------------------------------------------------


def token_get(state, call):
    body = call.body
    if not isinstance(body.get("code"), str) or not body["code"]:
        raise param_error("code is required.")
    if _body_int(body, "partner_id") != call.partner_id:
        raise param_error("partner_id in body does not match the query.")
    shop_id = _body_int(body, "shop_id", required=False)
    main_account_id = _body_int(body, "main_account_id", required=False)
    if (shop_id is None) == (main_account_id is None):
        raise param_error("send exactly one of shop_id and main_account_id.")
    access, refresh, shop_ids = state.exchange_code(
        body["code"], call.partner_id, shop_id, main_account_id
    )
    return {
        "access_token": access,
        "refresh_token": refresh,
        "expire_in": ACCESS_TOKEN_TTL,
        "shop_id_list": shop_ids,
        "merchant_id_list": [],
        "supplier_id_list": [],
        "user_id_list": [],
    }


def access_token_get(state, call):
    body = call.body
    if "merchant_id" in body:
        raise param_error("merchant accounts are not simulated.")
    if not isinstance(body.get("refresh_token"), str) or not body["refresh_token"]:
        raise param_error("refresh_token is required.")
    if _body_int(body, "partner_id") != call.partner_id:
        raise param_error("partner_id in body does not match the query.")
    shop_id = _body_int(body, "shop_id")
    access, refresh = state.refresh(body["refresh_token"], call.partner_id, shop_id)
    return {
        "partner_id": call.partner_id,
        "refresh_token": refresh,
        "access_token": access,
        "expire_in": ACCESS_TOKEN_TTL,
        "shop_id": shop_id,
    }


# -- shop -------------------------------------------------------------------


def get_shop_info(state, call):
    shop = state.shop(call.shop_id)
    auth_time = shop["auth_time"] or 0
    return {
        "shop_name": shop["shop_name"],
        "region": shop["region"],
        "status": "NORMAL",
        "is_cb": False,
        "is_sip": False,
        "auth_time": auth_time,
        "expire_time": auth_time + AUTHORIZATION_TTL,
    }


# -- orders -----------------------------------------------------------------


def get_order_list(state, call):
    query = call.query
    time_field = query.get("time_range_field")
    if time_field not in ("create_time", "update_time"):
        raise param_error("time_range_field should be create_time or update_time.")
    time_from, time_to = _int(query.get("time_from")), _int(query.get("time_to"))
    if time_from is None or time_to is None:
        raise param_error("time_from and time_to are required.")
    if not 0 < time_to - time_from <= MAX_LIST_WINDOW:
        raise ApiError(
            "order.order_list_invalid_time",
            "Start time must be earlier than end time and diff in 15days.",
        )
    page_size = _int(query.get("page_size"))
    if page_size is None or not 1 <= page_size <= 100:
        raise param_error("page_size should be in [1, 100].")
    status = query.get("order_status") or None
    if status is not None and status not in ORDER_STATUSES:
        raise param_error("order_status is invalid.")
    after = _decode_cursor(query.get("cursor") or "")
    found = state.list_orders(
        call.shop_id, time_field, time_from, time_to, status, after, page_size + 1
    )
    page, more = found[:page_size], len(found) > page_size
    with_status = "order_status" in _split(query.get("response_optional_fields"))
    return {
        "response": {
            "more": more,
            "next_cursor": _encode_cursor(page[-1]) if more else "",
            "order_list": [
                {"order_sn": sn, **({"order_status": st} if with_status else {})}
                for _time, sn, st in page
            ],
        }
    }


def _encode_cursor(row):
    """Opaque to clients: the (time, order_sn) of the page's last order.

    A position rather than an offset, so orders created between two pages
    neither repeat nor vanish.
    """
    return f"{row[0]}_{row[1]}"


def _decode_cursor(cursor):
    if not cursor:
        return None
    moment, _sep, order_sn = cursor.partition("_")
    if _int(moment) is None or not order_sn:
        raise param_error("cursor is invalid.")
    return int(moment), order_sn


_split = split


def get_order_detail(state, call):
    order_sns = list(dict.fromkeys(_split(call.query.get("order_sn_list"))))
    if not 1 <= len(order_sns) <= 50:
        raise param_error("order_sn_list should contain 1 to 50 order_sn.")
    wanted = OPTIONAL_DETAIL_FIELDS.intersection(
        _split(call.query.get("response_optional_fields"))
    )
    orders = state.get_orders(call.shop_id, order_sns)
    if not orders:
        raise ApiError(
            "error_not_found", "Wrong parameters, detail: the order is not found."
        )
    answer = {
        "response": {
            "order_list": [
                {
                    key: value
                    for key, value in order.items()
                    if key not in OPTIONAL_DETAIL_FIELDS or key in wanted
                }
                for order in orders
            ]
        }
    }
    missing = [sn for sn in order_sns if sn not in {o["order_sn"] for o in orders}]
    if missing:
        answer["warning"] = "the order is not found: " + ",".join(missing)
    return answer


ENDPOINTS = {
    "/api/v2/auth/token/get": ("POST", token_get),
    "/api/v2/auth/access_token/get": ("POST", access_token_get),
    "/api/v2/shop/get_shop_info": ("GET", get_shop_info),
    "/api/v2/order/get_order_list": ("GET", get_order_list),
    "/api/v2/order/get_order_detail": ("GET", get_order_detail),
    **api_products.ENDPOINTS,
    **api_payment.ENDPOINTS,
    **api_cancel.ENDPOINTS,
    **api_logistics.ENDPOINTS,
    **api_push.ENDPOINTS,
}
