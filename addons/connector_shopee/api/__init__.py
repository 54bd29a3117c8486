"""Shopee Open Platform v2: signing, client and typed errors (no ORM)."""

from .client import (
    ShopeeClient,
    classify_error,
    shopee_sign,
    sign_base_string,
)
from .exceptions import (
    ShopeeAuthError,
    ShopeeError,
    ShopeeNotFoundError,
    ShopeeParamError,
    ShopeePermissionError,
    ShopeeRateLimitError,
    ShopeeServerError,
    ShopeeSignError,
    ShopeeTokenExpiredError,
)
