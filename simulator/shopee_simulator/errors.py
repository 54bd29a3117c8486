"""Shopee's error answers, as raised inside the simulator.

HTTP statuses: Shopee answers business errors with 200 and gateway or
authorization refusals with 403 (shopee-api.md §10); the simulator does so
consistently, see README.md.
"""

BUSINESS = 200
REFUSED = 403


class ApiError(Exception):
    """``extra`` goes into the answer too (e.g. ``response`` or ``warning``)."""

    def __init__(self, error, message, status=BUSINESS, extra=None):
        super().__init__(f"{error}: {message}")
        self.error = error
        self.message = message
        self.status = status
        self.extra = extra or {}


def param_error(detail):
    return ApiError("error_param", f"Wrong parameters, detail: {detail}")


def refused(error, message):
    return ApiError(error, message, REFUSED)


def invalid_access_token():
    # Shopee's own spelling, double "e" (shopee-api.md §10).
    return refused("invalid_acceess_token", "Invalid access_token.")
