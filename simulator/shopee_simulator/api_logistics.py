"""Shopee's logistics calls after the order (shopee-api.md §8): shipping
parameters, arranging shipment, air waybills.

The rules live in ``shipping`` (state) and ``logistics`` (channels,
addresses, slots); the waybill PDF in ``label``. Here: reading the
requests and shaping the answers.
"""

from dataclasses import dataclass

from . import label, logistics
from .errors import ApiError, param_error
from .params import to_int

MAX_BATCH = 50
ALL_FAILED = (
    "common.batch_api_all_failed",
    "Failed, please check result_list for more details.",
)


@dataclass
class FileAnswer:
    """A file instead of Shopee's JSON envelope (download_shipping_document)."""

    body: bytes
    mimetype: str = "application/pdf"
    filename: str = "waybill.pdf"


def _order_sn(value):
    order_sn = value.strip() if isinstance(value, str) else ""
    if not order_sn:
        raise param_error("order_sn is required.")
    return order_sn


def _package_number(value):
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise param_error("package_number is invalid.")
    return value.strip() or None


def _mode(body):
    """(mode, details): exactly one of pickup, dropoff, non_integrated."""
    given = [mode for mode in logistics.MODES if body.get(mode) is not None]
    if len(given) != 1:
        raise ApiError(
            "logistics.ship_order_only_support_one_type",
            "Please select just one way to ship order: pickup or dropoff or "
            "non_integrated.",
        )
    details = body[given[0]]
    if not isinstance(details, dict):
        raise param_error(f"{given[0]} should be an object.")
    return given[0], details


def _channel_id(body):
    if body.get("logistics_channel_id") in (None, ""):
        return None
    channel_id = to_int(body["logistics_channel_id"])
    if channel_id is None or isinstance(body["logistics_channel_id"], bool):
        raise param_error("logistics_channel_id is invalid.")
    return channel_id


def _package_list(body):
    """[(package_number, order_sn or None)] of mass calls, 1–50, no repeats."""
    packages = body.get("package_list")
    if not isinstance(packages, list) or not packages:
        raise param_error("package_list is a required field.")
    if len(packages) > MAX_BATCH:
        raise ApiError("logistics.error_param", "Package exceeds limit.")
    found = []
    for entry in packages:
        number = entry.get("package_number") if isinstance(entry, dict) else None
        if not isinstance(number, str) or not number.strip():
            raise param_error("package_number is a required field.")
        order_sn = entry.get("order_sn")
        found.append((number.strip(), order_sn if isinstance(order_sn, str) else None))
    if len({number for number, _sn in found}) != len(found):
        raise ApiError("logistics.error_param", "Duplicate package number")
    return found


def _order_list(body, with_type=False):
    """The ``order_list`` of the document calls: 1–50 {order_sn, package_number?,
    tracking_number?, shipping_document_type?}."""
    entries = body.get("order_list")
    if not isinstance(entries, list) or not entries:
        raise param_error("order_list is a required field.")
    if len(entries) > MAX_BATCH:
        raise param_error("order_list should contain 1 to 50 orders.")
    found = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise param_error("order_list is invalid.")
        kind = entry.get("shipping_document_type") if with_type else None
        if kind is not None and not isinstance(kind, str):
            raise param_error("shipping_document_type is invalid.")
        found.append(
            {
                "order_sn": _order_sn(entry.get("order_sn")),
                "package_number": _package_number(entry.get("package_number")),
                "tracking_number": entry.get("tracking_number"),
                "shipping_document_type": kind or None,
            }
        )
    return found


# -- arranging shipment ---------------------------------------------------------------


def get_shipping_parameter(state, call):
    order_sn = _order_sn(call.query.get("order_sn"))
    package_number = _package_number(call.query.get("package_number"))
    return {
        "response": state.shipping_parameter(call.shop_id, order_sn, package_number)
    }


def get_mass_shipping_parameter(state, call):
    packages = _package_list(call.body)
    response, success, failed = state.mass_shipping_parameter(
        call.shop_id, [number for number, _sn in packages], _channel_id(call.body)
    )
    return {"response": {**response, "success_list": success, "fail_list": failed}}


def ship_order(state, call):
    order_sn = _order_sn(call.body.get("order_sn"))
    package_number = _package_number(call.body.get("package_number"))
    mode, details = _mode(call.body)
    state.ship(call.shop_id, order_sn, package_number, mode, details)
    # Shopee answers only error, message and request_id (the reference page).
    return {}


def mass_ship_order(state, call):
    packages = _package_list(call.body)
    mode, details = _mode(call.body)
    success, failed = state.mass_ship(
        call.shop_id, packages, _channel_id(call.body), mode, details
    )
    return {"response": {"success_list": success, "fail_list": failed}}


# -- shipping documents ----------------------------------------------------------------


def _batch(state, call, operation):
    results = state.document_entries(
        call.shop_id, _order_list(call.body, with_type=True), operation
    )
    failed = [row for row in results if row["fail_error"]]
    answer = {"response": {"result_list": results}}
    if failed and len(failed) == len(results):
        raise ApiError(*ALL_FAILED, extra=answer)
    if failed:
        answer["warning"] = [
            {"order_sn": row["order_sn"], "package_number": row["package_number"]}
            for row in failed
        ]
    return answer


def get_shipping_document_parameter(state, call):
    return _batch(state, call, "parameter")


def create_shipping_document(state, call):
    return _batch(state, call, "create")


def get_shipping_document_result(state, call):
    return _batch(state, call, "result")


def download_shipping_document(state, call):
    kind = call.body.get("shipping_document_type") or None
    if kind is not None and kind not in logistics.SELECTABLE_DOCUMENT_TYPES:
        raise param_error("shipping_document_type is invalid.")
    pages = state.waybills(call.shop_id, kind, _order_list(call.body))
    try:
        return FileAnswer(label.render(pages))
    except ImportError:  # reportlab: comes with Odoo, not with the simulator
        raise ApiError(
            "logistics.package_print_failed",
            "Some package failed to print, please try again later. Detail: the "
            "simulator needs reportlab to draw waybills.",
        ) from None


ENDPOINTS = {
    "/api/v2/logistics/get_shipping_parameter": ("GET", get_shipping_parameter),
    "/api/v2/logistics/get_mass_shipping_parameter": (
        "POST",
        get_mass_shipping_parameter,
    ),
    "/api/v2/logistics/ship_order": ("POST", ship_order),
    "/api/v2/logistics/mass_ship_order": ("POST", mass_ship_order),
    "/api/v2/logistics/get_shipping_document_parameter": (
        "POST",
        get_shipping_document_parameter,
    ),
    "/api/v2/logistics/create_shipping_document": ("POST", create_shipping_document),
    "/api/v2/logistics/get_shipping_document_result": (
        "POST",
        get_shipping_document_result,
    ),
    "/api/v2/logistics/download_shipping_document": (
        "POST",
        download_shipping_document,
    ),
}
