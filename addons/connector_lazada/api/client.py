"""Plain-Python client of the Lazada Open Platform (Thailand).

No ORM here: the client signs, sends, times out, parses and classifies. The
caller owns the tokens and hands in two callables (``get_access_token`` and
``refresh_access_token``) so that a refresh is serialized and committed by
whoever stores them.

Logs name the method, the path, the outcome and Lazada's ``request_id``;
never the parameters, a token, a code, the sign or the secret.
"""

import hashlib
import hmac
import logging
import time
from urllib.parse import urlencode

import requests

from .exceptions import (
    LazadaAuthError,
    LazadaError,
    LazadaParamError,
    LazadaRateLimitError,
    LazadaServerError,
    LazadaSignError,
    LazadaTokenExpiredError,
)

_logger = logging.getLogger(__name__)

TOKEN_CREATE_PATH = "/auth/token/create"
TOKEN_REFRESH_PATH = "/auth/token/refresh"
CONSENT_PATH = "/oauth/authorize"
# (connect, read) seconds
DEFAULT_TIMEOUT = (5, 30)

TOKEN_EXPIRED_CODES = {"IllegalAccessToken", "AccessTokenExpired", "InvalidToken"}
SIGN_CODES = {"IncompleteSignature", "InvalidSignature"}
AUTH_CODES = {
    "InvalidCode",
    "InvalidRefreshToken",
    "IllegalRefreshToken",
    "RefreshTokenExpired",
    "InvalidAppKey",
    "AppKeyNotExists",
    "AppNotExists",
    "AccessDenied",
    "SellerNotAuthorized",
}
SERVER_CODES = {
    "ServiceTimeout",
    "ServiceUnavailable",
    "InternalError",
    "SystemError",
    "ISPError",
}


def sign_base_string(api_path, params):
    """The API path, then every parameter but ``sign`` sorted by name, each
    written as name then value, nothing between (lazada-api.md §2)."""
    return api_path + "".join(
        f"{key}{params[key]}" for key in sorted(params) if key != "sign"
    )


def lazada_sign(app_secret, api_path, params):
    return (
        hmac.new(
            app_secret.encode(),
            sign_base_string(api_path, params).encode(),
            hashlib.sha256,
        )
        .hexdigest()
        .upper()
    )


def push_signature(app_key, app_secret, raw_body):
    """A push's ``Authorization``: HMAC-SHA256 by the app secret over the app
    key followed by the raw body, lower-case hex."""
    return hmac.new(
        app_secret.encode(), app_key.encode() + raw_body, hashlib.sha256
    ).hexdigest()


def classify_error(code, error_type, message):
    """The exception class that says what to do with Lazada's answer."""
    code = str(code or "")
    text = f"{code} {message}".lower()
    if "calllimit" in code.lower() or "call limit" in text:
        return LazadaRateLimitError
    if code in TOKEN_EXPIRED_CODES:
        return LazadaTokenExpiredError
    if code in SIGN_CODES:
        return LazadaSignError
    if code in AUTH_CODES:
        return LazadaAuthError
    if code in SERVER_CODES or (error_type or "").upper() in ("ISP", "SYSTEM"):
        return LazadaServerError
    return LazadaParamError


class LazadaClient:
    """Signed calls of one app, for one seller when given token callables.

    :param api_url: the API base, ``https://api.lazada.co.th/rest``
    :param auth_url: the authorization base, ``https://auth.lazada.com``
        (tokens under ``/rest``, the consent page under ``/oauth``)
    """

    def __init__(
        self,
        app_key,
        app_secret,
        api_url,
        auth_url,
        get_access_token=None,
        refresh_access_token=None,
        session=None,
        timeout=DEFAULT_TIMEOUT,
    ):
        self.app_key = str(app_key)
        self._app_secret = app_secret
        self.api_url = api_url.rstrip("/")
        self.auth_url = auth_url.rstrip("/")
        self._get_access_token = get_access_token
        self._refresh_access_token = refresh_access_token
        self.session = session or requests.Session()
        self.timeout = timeout

    # -- authorization ------------------------------------------------------------
    def consent_url(self, redirect_uri, state):
        query = urlencode(
            {
                "response_type": "code",
                "force_auth": "true",
                "redirect_uri": redirect_uri,
                "client_id": self.app_key,
                "state": state,
            }
        )
        return f"{self.auth_url}{CONSENT_PATH}?{query}"

    def create_token(self, code):
        return self._send(
            "POST", self.auth_url + "/rest", TOKEN_CREATE_PATH, {"code": code}
        )

    def refresh_token(self, refresh_token):
        return self._send(
            "POST",
            self.auth_url + "/rest",
            TOKEN_REFRESH_PATH,
            {"refresh_token": refresh_token},
        )

    # -- seller calls -------------------------------------------------------------
    def call(self, method, api_path, params=None, key="data"):
        """A call on the seller's behalf; the token is refreshed once if
        Lazada calls it illegal or expired.

        :param key: what of the answer is returned: ``data``, or ``result``
            for the fulfilment calls, which answer there (``success``, then
            ``data`` or ``error_code`` and ``error_msg``)
        :returns: the answer's ``key``
        """
        if not self._get_access_token:
            raise LazadaAuthError("No access token for this call.", path=api_path)
        token = self._get_access_token()
        try:
            answer = self._send(
                method, self.api_url, api_path, dict(params or {}, access_token=token)
            )
        except LazadaTokenExpiredError:
            if not self._refresh_access_token:
                raise
            token = self._refresh_access_token(token)
            answer = self._send(
                method, self.api_url, api_path, dict(params or {}, access_token=token)
            )
        return answer.get(key)

    def download(self, url):
        """A file Lazada links to (an air waybill's ``pdf_url``): not signed,
        the link itself is the permission.

        :returns: the file's bytes
        """
        try:
            response = self.session.get(url, timeout=self.timeout)
        except requests.RequestException as err:
            _logger.warning("Lazada file download: %s", type(err).__name__)
            raise LazadaServerError(
                f"Lazada's file could not be downloaded ({type(err).__name__}).",
                code="network",
            ) from None
        if response.status_code != 200:
            error = LazadaServerError if response.status_code >= 500 else LazadaError
            raise error(
                f"Lazada's file link answered HTTP {response.status_code}.",
                code=f"http_{response.status_code}",
            )
        return response.content

    def _send(self, method, base_url, api_path, params):
        params = {
            key: value if isinstance(value, str) else str(value)
            for key, value in params.items()
            if value is not None
        }
        params.update(
            app_key=self.app_key,
            timestamp=str(int(time.time() * 1000)),
            sign_method="sha256",
        )
        params["sign"] = lazada_sign(self._app_secret, api_path, params)
        url = base_url + api_path
        try:
            if method == "GET":
                response = self.session.get(url, params=params, timeout=self.timeout)
            else:
                response = self.session.post(url, data=params, timeout=self.timeout)
        except requests.RequestException as err:
            _logger.warning("Lazada %s %s: %s", method, api_path, type(err).__name__)
            raise LazadaServerError(
                f"Lazada could not be reached ({type(err).__name__}).",
                code="network",
                path=api_path,
            ) from None
        return self._parse(method, api_path, response)

    @staticmethod
    def _parse(method, api_path, response):
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            _logger.warning(
                "Lazada %s %s: HTTP %s, no JSON", method, api_path, response.status_code
            )
            error = LazadaServerError if response.status_code >= 500 else LazadaError
            if response.status_code == 429:
                error = LazadaRateLimitError
            raise error(
                f"Lazada answered HTTP {response.status_code} without an answer.",
                code=f"http_{response.status_code}",
                path=api_path,
            )
        code = str(answer.get("code", ""))
        request_id = answer.get("request_id", "")
        if code == "0" and response.status_code < 400:
            _logger.debug("Lazada %s %s: ok (%s)", method, api_path, request_id)
            return answer
        error_class = classify_error(code, answer.get("type"), answer.get("message"))
        if response.status_code >= 500:
            error_class = LazadaServerError
        _logger.warning(
            "Lazada %s %s: %s (request_id %s)", method, api_path, code, request_id
        )
        raise error_class(
            answer.get("message") or code,
            code=code,
            request_id=request_id,
            path=api_path,
            response=answer,
        )
