"""Shopee's money and logistics calls: escrow (§6), tracking numbers (§8)."""

from .errors import ApiError, param_error
from .params import split

MAX_ESCROW_BATCH = 50
INCOME_NOT_FOUND = ("common.error_not_found", "supplier order item income not found")


def get_escrow_detail(state, call):
    order_sn = (call.query.get("order_sn") or "").strip()
    if not order_sn:
        raise ApiError("error_param", "order_sn is required")
    outcome, detail = state.escrow(call.shop_id, order_sn)
    if outcome == "unknown":
        raise ApiError(
            "order_not_found",
            "Order SN provided is invalid or does not belong to you. "
            "Please enter a valid Order SN.",
        )
    if outcome != "ok":
        raise ApiError(*INCOME_NOT_FOUND)
    return {"response": detail}


def get_escrow_detail_batch(state, call):
    order_sns = call.body.get("order_sn_list")
    if (
        not isinstance(order_sns, list)
        or not order_sns
        or not all(isinstance(sn, str) and sn for sn in order_sns)
    ):
        raise ApiError(
            "error_param", "order_sn_list is required, format should be string[]"
        )
    order_sns = list(dict.fromkeys(order_sns))
    if len(order_sns) > MAX_ESCROW_BATCH:
        raise ApiError(
            "exceed_max_limit", "Your request exceeds the max limit of 50 orders."
        )
    found, missing = [], []
    for order_sn in order_sns:
        outcome, detail = state.escrow(call.shop_id, order_sn)
        if outcome == "ok":
            found.append({"escrow_detail": detail})
        else:
            missing.append(order_sn)
    if not found:
        raise ApiError(*INCOME_NOT_FOUND)
    answer = {"response": found}
    if missing:
        answer["warning"] = "escrow not found: " + ",".join(missing)
    return answer


def get_tracking_number(state, call):
    order_sn = (call.query.get("order_sn") or "").strip()
    if not order_sn:
        raise param_error("order_sn is required.")
    package_number = call.query.get("package_number") or None
    outcome, number = state.order_tracking(call.shop_id, order_sn, package_number)
    if outcome == "no_order":
        raise ApiError("logistics.invalid_error", "The order is not exist.")
    if outcome == "no_package":
        raise ApiError("logistics.package_not_exist", "The package is not exist.")
    response = {"tracking_number": number}
    optional = split(call.query.get("response_optional_fields"))
    if "first_mile_tracking_number" in optional:
        response["first_mile_tracking_number"] = ""
    if not number:
        response["hint"] = (
            "The tracking number is not ready: arrange the shipment, then call "
            "again at 5-minute intervals."
        )
    return {"response": response}


ENDPOINTS = {
    "/api/v2/payment/get_escrow_detail": ("GET", get_escrow_detail),
    "/api/v2/payment/get_escrow_detail_batch": ("POST", get_escrow_detail_batch),
    "/api/v2/logistics/get_tracking_number": ("GET", get_tracking_number),
}
