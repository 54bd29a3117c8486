"""The WSGI application: routing, Shopee's envelope and errors, request log.

The log has one line per request: method, path and outcome (the error code
or "ok"). Never the query string or body: they hold signs, tokens and codes.
"""

import json
import logging
import secrets
import time
from urllib.parse import urlsplit

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from . import api, consent, control, signing
from .api_logistics import FileAnswer
from .errors import ApiError
from .state import BUSINESS_FAULTS

_logger = logging.getLogger("shopee_simulator")

AUTH_PARTNER_PATH = "/api/v2/shop/auth_partner"
FAULT_ANSWERS = {
    "rate_limit": (429, "Too many requests, please try again later."),
    "server_error": (500, "System error. Please try again later."),
}


def json_response(payload, status=200, outcome=None):
    response = Response(
        json.dumps(payload, ensure_ascii=False),
        status=status,
        mimetype="application/json",
    )
    response.outcome = outcome or (payload.get("error") if payload else None) or "ok"
    return response


def html_response(body, status=200, outcome="ok"):
    response = Response(body, status=status, mimetype="text/html")
    response.outcome = outcome
    return response


def error_response(error, message, status, extra=None):
    payload = {"error": error, "message": message, **(extra or {})}
    payload["request_id"] = request_id()
    return json_response(payload, status)


def not_found():
    # Shopee's gateway answers unknown routes with this body only (§10).
    return json_response({"error": "error_not_found"}, 404)


def request_id():
    return secrets.token_hex(16)


class SimulatorApp:
    def __init__(self, state, defaults, sleep=time.sleep):
        self.state = state
        self.sleep = sleep
        self.control = control.Control(state, defaults)
        self.url_map = Map(
            [
                Rule("/", endpoint="index", methods=["GET"]),
                Rule(AUTH_PARTNER_PATH, endpoint="consent_form", methods=["GET"]),
                Rule(consent.CONSENT_PATH, endpoint="consent_submit", methods=["POST"]),
                *(
                    Rule(path, endpoint="shopee", methods=[method])
                    for path, (method, _handler) in api.ENDPOINTS.items()
                ),
                *control.rules(),
            ]
        )

    def __call__(self, environ, start_response):
        request = Request(environ)
        try:
            # Tracking numbers that came due since the last request are pushed.
            self.state.release_due()
            response = self.dispatch(request)
        except Exception:  # a bug here must not kill the server thread
            _logger.exception("%s %s failed", request.method, request.path)
            response = error_response(
                "error_server", "System error. Please try again later.", 500
            )
        if request.path.startswith("/api/"):
            self.state.count(request.path, response.outcome)
        _logger.info("%s %s %s", request.method, request.path, response.outcome)
        return response(environ, start_response)

    def dispatch(self, request):
        adapter = self.url_map.bind_to_environ(request.environ)
        try:
            endpoint, args = adapter.match()
        except HTTPException:
            return not_found()
        if endpoint in ("shopee", "consent_form"):
            shop_api = not signing.is_public(request.path)
            if endpoint == "shopee":
                latency = self.state.latency()
                if latency:
                    self.sleep(latency)
            fault = self.state.take_fault(request.path, shop_api)
            if fault is None and endpoint == "shopee":
                fault = self.state.draw_fault(request.path, shop_api)
            if fault and fault.kind == "timeout":
                self.sleep(fault.seconds)
            elif fault:
                status, message = FAULT_ANSWERS[fault.kind]
                return error_response("error_server", message, status)
        if endpoint == "shopee":
            return self.shopee(request)
        if endpoint == "consent_form":
            return self.consent_form(request)
        if endpoint == "consent_submit":
            return self.consent_submit(request)
        if endpoint == "index":
            return html_response(consent.index_page(self.state.snapshot()))
        return self.control_call(request, endpoint, args)

    # -- Shopee ---------------------------------------------------------------

    def shopee(self, request):
        path = request.path
        try:
            call = api.authenticate(self.state, path, request.args.to_dict())
            call.lists = request.args.to_dict(flat=False)
            if request.method == "POST":
                call.body = self._json_body(request)
            forced = self.state.take_fault(
                path, not signing.is_public(path), BUSINESS_FAULTS
            )
            if forced:
                raise ApiError(forced.error, forced.message)
            payload = api.ENDPOINTS[path][1](self.state, call)
        except ApiError as exc:
            return error_response(exc.error, exc.message, exc.status, exc.extra)
        if isinstance(payload, FileAnswer):
            response = Response(
                payload.body,
                mimetype=payload.mimetype,
                headers={
                    "Content-Disposition": f'attachment; filename="{payload.filename}"'
                },
            )
            response.outcome = "ok"
            return response
        return json_response(
            {"error": "", "message": "", **payload, "request_id": request_id()}
        )

    @staticmethod
    def _json_body(request):
        try:
            body = json.loads(request.get_data() or b"{}")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise ApiError(
                "error_param",
                "Wrong parameters, detail: the body is not a JSON object.",
            )
        return body

    # -- consent --------------------------------------------------------------

    def consent_form(self, request):
        query = request.args.to_dict()
        try:
            call = api.authenticate(self.state, AUTH_PARTNER_PATH, query)
        except ApiError as exc:
            reason = f"{exc.message} ({exc.error})"
            page = consent.error_page("Authorization link refused", reason)
            return html_response(page, 403, exc.error)
        target = query.get("redirect") or ""
        if urlsplit(target).scheme not in ("http", "https"):
            page = consent.error_page(
                "Authorization link refused",
                "The redirect parameter must be an http(s) URL. (error_param)",
            )
            return html_response(page, 400, "error_param")
        shops, main_accounts = self.state.directory()
        nonce = self.state.issue_nonce(call.partner_id, target)
        partner = dict(self.state.partners[call.partner_id])
        return html_response(
            consent.consent_page(partner, shops, main_accounts, nonce, target)
        )

    def consent_submit(self, request):
        form = request.form
        grant = self.state.take_nonce(form.get("nonce"))
        if grant is None:
            return self._consent_refused(
                403, "This form has expired or was already used: open the link again."
            )
        shops, main_accounts = self.state.directory()
        if form.get("main_account_id"):
            account_ids = {str(a["main_account_id"]): a for a in main_accounts}
            if form["main_account_id"] not in account_ids:
                return self._consent_refused(400, "Unknown main account.")
            main_account_id = int(form["main_account_id"])
            code = self.state.issue_code(
                grant["partner_id"], main_account_id=main_account_id
            )
            params = {"code": code, "main_account_id": main_account_id}
        elif "authorize" in form:
            if form.get("shop_id") not in {str(s["shop_id"]) for s in shops}:
                return self._consent_refused(400, "Choose one of the shops.")
            shop_id = int(form["shop_id"])
            code = self.state.issue_code(grant["partner_id"], shop_id=shop_id)
            params = {"code": code, "shop_id": shop_id}
        else:
            return self._consent_refused(400, "Press Authorize to continue.")
        response = redirect(consent.callback_url(grant["redirect"], **params), 302)
        response.outcome = "ok"
        return response

    @staticmethod
    def _consent_refused(status, reason):
        page = consent.error_page("Authorization refused", reason)
        return html_response(page, status, f"consent refused ({status})")

    # -- control --------------------------------------------------------------

    def control_call(self, request, endpoint, args):
        if request.method == "GET":
            data = request.args.to_dict()
        else:
            try:
                data = json.loads(request.get_data() or b"{}")
            except ValueError:
                data = None
            if not isinstance(data, dict) and not (
                endpoint == "faults" and isinstance(data, list)
            ):
                return json_response(
                    {"error": "bad_request", "message": "body is not a JSON object"},
                    400,
                )
        try:
            payload, status = self.control.handler(endpoint)(
                request.method, data, **args
            )
        except control.BadRequest as exc:
            payload, status = {"error": "bad_request", "message": str(exc)}, 400
        return json_response(payload, status)
