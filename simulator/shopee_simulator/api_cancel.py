"""Shopee's cancellation calls (shopee-api.md §5.5): the seller's
``cancel_order`` and the answer to a buyer's request,
``handle_buyer_cancellation``.

The rules live in ``cancellation`` (state); here: reading the requests and
shaping the answers.
"""

from .cancellation import CANCEL_REASONS, OPERATIONS
from .errors import param_error


def _order_sn(body):
    order_sn = body.get("order_sn")
    if not isinstance(order_sn, str) or not order_sn.strip():
        raise param_error("order_sn is a required field.")
    return order_sn.strip()


def _int(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _item_list(value):
    """[(item_id, model_id)] of ``item_list`` (none: [])."""
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise param_error("item_list is invalid.")
    found = []
    for entry in value:
        if not isinstance(entry, dict):
            raise param_error("item_list is invalid.")
        item_id, model_id = _int(entry.get("item_id")), _int(entry.get("model_id"))
        if item_id is None or model_id is None:
            raise param_error("item_id and model_id of item_list are required.")
        found.append((item_id, model_id))
    return list(dict.fromkeys(found))


def cancel_order(state, call):
    body = call.body
    order_sn = _order_sn(body)
    reason = body.get("cancel_reason")
    if not isinstance(reason, str) or not reason:
        raise param_error("cancel_reason is a required field.")
    if reason not in CANCEL_REASONS:
        raise param_error(
            "cancel_reason should be one of " + ", ".join(CANCEL_REASONS) + "."
        )
    if body.get("partial_cancel_item_list"):
        raise param_error("partial cancellation is not simulated.")
    items = _item_list(body.get("item_list"))
    if reason == "OUT_OF_STOCK" and not items:
        raise param_error("item_list is required when cancel_reason is OUT_OF_STOCK.")
    update_time = state.cancel_order(call.shop_id, order_sn, reason, items)
    return {"response": {"update_time": update_time}}


def handle_buyer_cancellation(state, call):
    body = call.body
    order_sn = _order_sn(body)
    operation = body.get("operation")
    if operation in (None, ""):
        raise param_error("operation is a required field.")
    if operation not in OPERATIONS:
        raise param_error("operation should be ACCEPT or REJECT.")
    update_time = state.handle_buyer_cancellation(call.shop_id, order_sn, operation)
    return {"response": {"update_time": update_time}}


ENDPOINTS = {
    "/api/v2/order/cancel_order": ("POST", cancel_order),
    "/api/v2/order/handle_buyer_cancellation": ("POST", handle_buyer_cancellation),
}
