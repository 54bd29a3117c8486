"""Shopee v2 request signing (shopee-api.md §4)."""

import hashlib
import hmac

# Partner-level APIs are signed without a token (§2 "Types of Open API").
PUBLIC_PREFIXES = (
    "/api/v2/shop/auth_partner",
    "/api/v2/shop/cancel_auth_partner",
    "/api/v2/auth/",
    "/api/v2/public/",
    "/api/v2/push/",
)


def is_public(path):
    return path.startswith(PUBLIC_PREFIXES)


def base_string(partner_id, path, timestamp, access_token=None, shop_id=None):
    """partner_id + path + timestamp [+ access_token + shop_id], no separators."""
    base = f"{partner_id}{path}{timestamp}"
    if access_token is not None:
        base += f"{access_token}{shop_id}"
    return base


def sign(partner_key, base):
    """64 lowercase hex: the key is used as its UTF-8 string, never hex-decoded."""
    return hmac.new(partner_key.encode(), base.encode(), hashlib.sha256).hexdigest()


def verify(partner_key, base, candidate):
    # Bytes: compare_digest refuses non-ASCII str, which a query may carry.
    expected = sign(partner_key, base).encode()
    return hmac.compare_digest(expected, (candidate or "").encode())
