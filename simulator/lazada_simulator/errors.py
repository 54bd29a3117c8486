"""Lazada's error answers, as raised inside the simulator.

Every error is HTTP 200 with ``{"type", "code", "message", "request_id"}``:
``type`` ISV for the caller's mistakes (parameters, sign, token, limits),
ISP for the service's own failures, SYSTEM for the platform's.
"""

ISV, ISP, SYSTEM = "ISV", "ISP", "SYSTEM"


class ApiError(Exception):
    """``extra`` goes into the answer too (e.g. ``detail``)."""

    def __init__(self, code, message, kind=ISV, extra=None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.kind = kind
        self.extra = extra or {}

    def payload(self):
        return {
            "type": self.kind,
            "code": self.code,
            "message": self.message,
            **self.extra,
        }


def missing(name):
    return ApiError(
        "MissingParameter",
        f"The input parameter “{name}” that is mandatory for processing this "
        "request is not supplied",
    )


def numbered(number, message, kind=ISV):
    """The business errors the API pages number ("17", "E017: …")."""
    return ApiError(str(number), message, kind)


def illegal_access_token():
    return ApiError(
        "IllegalAccessToken", "The specified access token is invalid or expired"
    )


class ResultError(Exception):
    """A business refusal of the fulfilment APIs (``/order/fulfill/pack``…).

    Those APIs answer ``code`` "0" at the top and put their own outcome under
    ``result``: ``{"success": false, "error_code", "error_msg"}``. A client
    that only reads the top-level ``code`` takes it for a success.
    """

    def __init__(self, code, message):
        super().__init__(f"{code}: {message}")
        self.code = str(code)
        self.message = message

    def payload(self):
        return {"success": False, "error_code": self.code, "error_msg": self.message}
