"""Lost push messages (shopee-api.md §9): partner-level, signed without token."""

from .errors import ApiError
from .params import body_int


def get_lost_push_message(state, call):
    messages, more, last = state.push.lost_page(call.partner_id)
    return {
        "response": {
            "push_message_list": messages,
            "has_next_page": more,
            "last_message_id": last,
        }
    }


def confirm_consumed_lost_push_message(state, call):
    last_message_id = body_int(call.body, "last_message_id")
    if not state.push.confirm_lost(call.partner_id, last_message_id):
        raise ApiError("error_data", "data not exist")
    return {}


ENDPOINTS = {
    "/api/v2/push/get_lost_push_message": ("GET", get_lost_push_message),
    "/api/v2/push/confirm_consumed_lost_push_message": (
        "POST",
        confirm_consumed_lost_push_message,
    ),
}
