from .client import LazadaClient, lazada_sign
from .exceptions import (
    LazadaAuthError,
    LazadaError,
    LazadaParamError,
    LazadaRateLimitError,
    LazadaServerError,
    LazadaSignError,
    LazadaTokenExpiredError,
)

__all__ = [
    "LazadaAuthError",
    "LazadaClient",
    "LazadaError",
    "LazadaParamError",
    "LazadaRateLimitError",
    "LazadaServerError",
    "LazadaSignError",
    "LazadaTokenExpiredError",
    "lazada_sign",
]
