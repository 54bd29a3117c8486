"""Typed errors of the Shopee Open Platform v2.

Shopee answers business errors with HTTP 200 and an ``error`` code in the
body, some auth errors with 403, unknown routes with 404, throttling with 429
and outages with 5xx. The client turns all of them into one of these classes so
that callers decide on retries by type, never by parsing strings.
"""


class ShopeeError(Exception):
    """An error answered by Shopee, or met on the way to it.

    ``retryable`` tells whether calling again later may succeed.
    """

    retryable = False

    def __init__(
        self, message, code="", request_id="", http_status=None, path="", response=None
    ):
        super().__init__(message)
        self.message = message
        # what Shopee answered beside the error (update_stock's failure_list)
        self.response = response
        self.code = code
        self.request_id = request_id
        self.http_status = http_status
        self.path = path

    def __str__(self):
        parts = [self.message or self.code or self.__class__.__name__]
        if self.code and self.code not in parts[0]:
            parts.append(f"[{self.code}]")
        if self.request_id:
            parts.append(f"(request_id {self.request_id})")
        return " ".join(parts)


class ShopeeAuthError(ShopeeError):
    """Credentials, code or token refused: the seller or integrator must act."""


class ShopeeTokenExpiredError(ShopeeAuthError):
    """The access token is invalid or expired: refreshing it may help."""


class ShopeeSignError(ShopeeAuthError):
    """Wrong signature: the partner key (or the environment) is wrong."""


class ShopeePermissionError(ShopeeError):
    """The app has no permission for this API or shop."""


class ShopeeParamError(ShopeeError):
    """The request was malformed (a bug or bad input, never retried)."""


class ShopeeNotFoundError(ShopeeError):
    """The requested object or route does not exist."""


class ShopeeRateLimitError(ShopeeError):
    """Too many requests: retry later, with backoff."""

    retryable = True


class ShopeeServerError(ShopeeError):
    """Shopee or the network failed: retry later."""

    retryable = True
