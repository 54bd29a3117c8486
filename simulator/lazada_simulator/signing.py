"""Lazada's request signature and the push notifications' Authorization header.

Requests (lazada-api.md §2; the docs' "Signature algorithm" page): HMAC-SHA256
keyed with the app secret over the API path (``/orders/get``, without
``/rest``) followed by every parameter but ``sign``, sorted by name, each as
name then value; upper-case hex. The docs' sample code leaves out parameters
whose value is empty, and so does the check here: an SDK that skips them and
one that sends ``foo=`` sign the same string.

Pushes (§8; "Lazada Push Mechanism"): lower-case hex HMAC-SHA256 keyed with
the app secret over the app key followed by the raw body.
"""

import hashlib
import hmac


def base_string(api_path, params):
    parts = [api_path]
    for name in sorted(params):
        value = params[name]
        if name == "sign" or value is None or value == "":
            continue
        parts.append(f"{name}{value}")
    return "".join(parts)


def sign(app_secret, api_path, params):
    """64 upper-case hex digits."""
    digest = hmac.new(
        app_secret.encode(), base_string(api_path, params).encode(), hashlib.sha256
    )
    return digest.hexdigest().upper()


def verify(app_secret, api_path, params, candidate):
    # Bytes: compare_digest refuses non-ASCII str, which a query may carry.
    expected = sign(app_secret, api_path, params).encode()
    return hmac.compare_digest(expected, (candidate or "").encode())


def verify_keeping_empty(app_secret, api_path, params, candidate):
    """As :func:`verify`, the empty parameters written too (``foo`` for ``foo=``)."""
    base = api_path + "".join(
        f"{name}{params[name]}" for name in sorted(params) if name != "sign"
    )
    digest = hmac.new(app_secret.encode(), base.encode(), hashlib.sha256)
    expected = digest.hexdigest().upper().encode()
    return hmac.compare_digest(expected, (candidate or "").encode())


def push_signature(app_key, app_secret, body):
    """64 lower-case hex digits over ``app_key`` + the raw body (bytes)."""
    message = app_key.encode() + body
    return hmac.new(app_secret.encode(), message, hashlib.sha256).hexdigest()
