"""Shopee's product calls (shopee-api.md §7): listings and stock."""

from . import catalogue
from .errors import ApiError, param_error
from .listings import parse_stock_list
from .params import array, body_int, int_array, to_int

MAX_BASE_INFO = 50


def get_item_list(state, call):
    query = call.query
    offset = to_int(query.get("offset"))
    if offset is None or offset < 0:
        raise param_error("offset is invalid.")
    page_size = to_int(query.get("page_size"))
    if page_size is None or not 1 <= page_size <= 100:
        raise param_error("page_size should be in [1, 100].")
    statuses = list(dict.fromkeys(array(call, "item_status")))
    if not statuses or not set(statuses) <= set(catalogue.ITEM_STATUSES):
        raise ApiError("error_param_item_status", "Item status error.")
    time_from = _optional_int(query, "update_time_from")
    time_to = _optional_int(query, "update_time_to")
    if time_from is not None and time_to is not None and time_to < time_from:
        raise ApiError(
            "error_update_time_range",
            "Update_time_to should be later than update_time_from.",
        )
    if offset >= state.offset_limit:
        raise ApiError(
            "error_param", "get items offset over limit, please use the next field"
        )
    items = state.item_list(call.shop_id, statuses, time_from, time_to)
    page = items[offset : offset + page_size]
    more = offset + len(page) < len(items)
    return {
        "response": {
            "item": page,
            "total_count": len(items),
            "has_next_page": more,
            "next_offset": offset + len(page),
        }
    }


def _optional_int(query, name):
    if query.get(name) in (None, ""):
        return None
    value = to_int(query[name])
    if value is None:
        raise param_error(f"{name} is invalid.")
    return value


def get_item_base_info(state, call):
    item_ids = int_array(call, "item_id_list")
    if len(item_ids) > MAX_BASE_INFO:
        raise param_error("item_id_list should contain 0 to 50 item_id.")
    items = state.items_base_info(call.shop_id, item_ids)
    if item_ids and not items:
        raise ApiError("error_item_not_found", "Item_id is not found.")
    answer = {"response": {"item_list": items}}
    found = {item["item_id"] for item in items}
    missing = [str(item_id) for item_id in item_ids if item_id not in found]
    if missing:
        answer["warning"] = "item_id not found: " + ",".join(missing)
    return answer


def get_model_list(state, call):
    item_id = to_int(call.query.get("item_id"))
    if item_id is None:
        # The reference page's own error example.
        raise ApiError(
            "product.error_param", "invalid field ItemId: value must  Not Null"
        )
    models = state.model_list(call.shop_id, item_id)
    if models is None:
        raise ApiError("error_item_not_found", "Item_id is not found.")
    return {"response": models}


def update_stock(state, call):
    item_id = body_int(call.body, "item_id")
    entries = parse_stock_list(call.body.get("stock_list"))
    success, failure = state.update_stock(call.shop_id, item_id, entries)
    response = {"failure_list": failure, "success_list": success}
    if failure and not success:
        raise ApiError(
            "error_busi_update_stock_failed",
            "Update stock failed, please check failure_list for detailed reason",
            extra={"response": response},
        )
    return {"response": response}


ENDPOINTS = {
    "/api/v2/product/get_item_list": ("GET", get_item_list),
    "/api/v2/product/get_item_base_info": ("GET", get_item_base_info),
    "/api/v2/product/get_model_list": ("GET", get_model_list),
    "/api/v2/product/update_stock": ("POST", update_stock),
}
