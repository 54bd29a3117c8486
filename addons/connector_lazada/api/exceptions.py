"""Typed errors of the Lazada Open Platform.

Lazada answers errors with HTTP 200 and a ``code`` other than ``"0"`` in the
body, a ``type`` (ISV: the caller's fault, ISP or SYSTEM: Lazada's) and a
``message``; the gateway may also answer 5xx. The client turns every answer
into one of these classes, so that callers decide on retries by type.
"""


class LazadaError(Exception):
    """An error answered by Lazada, or met on the way to it."""

    retryable = False

    def __init__(self, message, code="", request_id="", path="", response=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.request_id = request_id
        self.path = path
        # what Lazada answered beside the error (stock updates' per-SKU detail)
        self.response = response

    def __str__(self):
        parts = [self.message or self.code or self.__class__.__name__]
        if self.code and self.code not in parts[0]:
            parts.append(f"[{self.code}]")
        if self.request_id:
            parts.append(f"(request_id {self.request_id})")
        return " ".join(parts)


class LazadaAuthError(LazadaError):
    """App key, code or token refused: the seller or integrator must act."""


class LazadaTokenExpiredError(LazadaAuthError):
    """The access token is invalid or expired: refreshing it may help."""


class LazadaSignError(LazadaAuthError):
    """Wrong signature: the app secret (or the app key) is wrong."""


class LazadaParamError(LazadaError):
    """The request was malformed (a bug or bad input, never retried)."""


class LazadaRateLimitError(LazadaError):
    """Too many calls: retry later, with backoff."""

    retryable = True


class LazadaServerError(LazadaError):
    """Lazada or the network failed: retry later."""

    retryable = True
