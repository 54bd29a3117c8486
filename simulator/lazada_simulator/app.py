"""The WSGI application: routing, Lazada's envelope and errors, request log.

The log has one line per request: method, path and outcome (the error code
or "ok"). Never the query string or body: they hold signs, tokens and codes;
nor an air waybill's download token (``/_files/awb/…``).
"""

import json
import logging
import secrets
import socket
import time

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from . import api, consent, control
from .errors import ApiError, ResultError
from .state import BUSINESS_ERROR, ERROR_FAULTS, HTTP_FAULTS

_logger = logging.getLogger("lazada_simulator")

REST = "/rest"


def request_id():
    # Lazada's look: 13 characters of hex and letters.
    return secrets.token_hex(7)[:13]


def json_response(payload, status=200, outcome=None):
    response = Response(
        json.dumps(payload, ensure_ascii=False),
        status=status,
        mimetype="application/json",
    )
    response.outcome = outcome or "ok"
    return response


def error_response(error):
    payload = {**error.payload(), "request_id": request_id()}
    return json_response(payload, 200, error.code)


def result_error_response(error):
    """A fulfilment API's refusal: top-level code "0", the error in ``result``."""
    payload = {"code": "0", "result": error.payload(), "request_id": request_id()}
    return json_response(payload, 200, error.code)


def html_response(body, status=200, outcome="ok"):
    response = Response(body, status=status, mimetype="text/html")
    response.outcome = outcome
    return response


def not_found():
    error = ApiError("InvalidApiPath", "The specified API path is invalid")
    response = error_response(error)
    response.status_code = 404
    return response


class SimulatorApp:
    def __init__(self, state, defaults, sleep=time.sleep):
        self.state = state
        self.sleep = sleep
        self.control = control.Control(state, defaults)
        self.url_map = Map(
            [
                Rule("/", endpoint="index", methods=["GET"]),
                Rule(consent.AUTHORIZE_PATH, endpoint="consent_form", methods=["GET"]),
                Rule(consent.CONSENT_PATH, endpoint="consent_submit", methods=["POST"]),
                Rule(
                    f"{REST}/<path:api_path>",
                    endpoint="lazada",
                    methods=["GET", "POST"],
                ),  # fmt: skip
                Rule(
                    f"{api.AWB_PATH}/<token>.pdf", endpoint="awb_file", methods=["GET"]
                ),
                *control.rules(),
            ]
        )

    def __call__(self, environ, start_response):
        request = Request(environ)
        try:
            response = self.dispatch(request)
        except Exception:  # a bug here must not kill the server thread
            _logger.exception("%s %s failed", request.method, request.path)
            error = ApiError("InternalError", "Internal error", "SYSTEM")
            response = error_response(error)
            response.status_code = 500
        if request.path.startswith(REST + "/"):
            self.state.count(request.path[len(REST) :], response.outcome)
        path = request.path
        if path.startswith(api.AWB_PATH + "/"):
            path = api.AWB_PATH + "/…"
        _logger.info("%s %s %s", request.method, path, response.outcome)
        return response(environ, start_response)

    def dispatch(self, request):
        adapter = self.url_map.bind_to_environ(request.environ)
        try:
            endpoint, args = adapter.match()
        except HTTPException:
            return not_found()
        if endpoint == "lazada":
            return self.lazada(request, "/" + args["api_path"])
        if endpoint == "consent_form":
            return self.consent_form(request)
        if endpoint == "consent_submit":
            return self.consent_submit(request)
        if endpoint == "index":
            return html_response(consent.index_page(self.state.snapshot()))
        if endpoint == "awb_file":
            return self.awb_file(args["token"])
        return self.control_call(request, endpoint, args)

    # -- Lazada ---------------------------------------------------------------

    def lazada(self, request, path):
        endpoint = api.ENDPOINTS.get(path)
        if endpoint is None:
            return not_found()
        handler, needs_token, methods = endpoint
        if request.method not in methods:
            return error_response(
                ApiError("InvalidMethod", f"{path} wants {' or '.join(methods)}")
            )
        faulted = self.fault(request, path)
        if faulted is not None:
            return faulted
        # Parameters in the query string and/or a form body.
        params = request.args.to_dict()
        if request.method == "POST":
            params.update(request.form.to_dict())
        try:
            call = api.authenticate(self.state, path, params, needs_token)
            call.method = request.method
            call.extra["base_url"] = request.host_url.rstrip("/")
            self.business_error(path)
            data = handler(self.state, call)
        except ApiError as exc:
            return error_response(exc)
        except ResultError as exc:
            return result_error_response(exc)
        if path in api.TOP_LEVEL:
            return json_response({**data, "code": "0", "request_id": request_id()})
        if path in api.RESULT_ITSELF:
            return json_response(
                {"code": "0", "result": data, "request_id": request_id()}
            )
        if path in api.RESULT:
            result = {"data": data, "success": True}
            return json_response(
                {"code": "0", "result": result, "request_id": request_id()}
            )
        answer = {"code": "0", "request_id": request_id()}
        if data is not None:
            answer["data"] = data
        return json_response(answer)

    def fault(self, request, path):
        """The answer of a queued or drawn fault, or None to go on."""
        latency = self.state.latency()
        if latency:
            self.sleep(latency)
        fault = self.state.take_fault(path)
        if fault is None:
            fault = self.state.draw_fault(path)
        if fault is None:
            return None
        if fault.kind == "timeout":
            self.sleep(fault.seconds)
            return None
        if fault.kind == "drop":
            return self.drop(request)
        if fault.kind in HTTP_FAULTS:
            status = HTTP_FAULTS[fault.kind]
            response = Response(
                f"<html><body><h1>{status}</h1>Service unavailable</body></html>",
                status=status,
                mimetype="text/html",
            )
            response.outcome = f"http_{status}"
            return response
        kind, code, message = ERROR_FAULTS[fault.kind]
        return error_response(ApiError(code, message, kind))

    def business_error(self, path):
        """Raise a queued business error (control API) for this call, if any."""
        fault = self.state.take_fault(path, (BUSINESS_ERROR,))
        if fault is None:
            return
        message = fault.message or "The request failed (simulated business error)"
        if path in api.RESULT:
            raise ResultError(fault.code, message)
        raise ApiError(fault.code, message)

    def awb_file(self, token):
        """An air waybill's PDF, as pdf_url gives it: no sign, ten minutes."""
        pdf, status = self.state.awb_file(token)
        if pdf is None:
            code, status_code, message = {
                "missing": ("NoSuchKey", 404, "The specified key does not exist."),
                "expired": ("AccessDenied", 403, "Request has expired."),
            }[status]
            body = (
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
            )
            response = Response(body, status=status_code, mimetype="application/xml")
            response.outcome = code
            return response
        response = Response(pdf, status=200, mimetype="application/pdf")
        response.headers["Content-Disposition"] = 'inline; filename="awb.pdf"'
        response.outcome = "ok"
        return response

    @staticmethod
    def drop(request):
        """Close the connection without an answer."""
        sock = request.environ.get("werkzeug.socket")
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        response = Response(b"", status=200)
        response.outcome = "dropped"
        return response

    # -- consent --------------------------------------------------------------

    def consent_form(self, request):
        query = request.args
        app_key = query.get("client_id") or ""
        app = self.state.apps.get(app_key)
        if app is None:
            page = consent.error_page(
                "Authorization refused", "Unknown client_id (InvalidAppKey)."
            )
            return html_response(page, 400, "InvalidAppKey")
        if query.get("response_type") != "code":
            page = consent.error_page(
                "Authorization refused", "response_type must be code."
            )
            return html_response(page, 400, "InvalidParameter")
        target = query.get("redirect_uri") or ""
        if not consent.is_http_url(target):
            page = consent.error_page(
                "Authorization refused", "redirect_uri must be an http(s) URL."
            )
            return html_response(page, 400, "InvalidParameter")
        nonce = self.state.issue_nonce(app_key, target, query.get("state"))
        page = consent.consent_page(dict(app), self.state.directory(), nonce, target)
        return html_response(page)

    def consent_submit(self, request):
        form = request.form
        grant = self.state.take_nonce(form.get("nonce"))
        if grant is None:
            return self._refused(
                403, "This form has expired or was already used: open the link again."
            )
        sellers = {str(s["seller_id"]): s for s in self.state.directory()}
        if form.get("seller_id") not in sellers:
            return self._refused(400, "Choose one of the seller accounts.")
        code = self.state.issue_code(grant["app_key"], int(form["seller_id"]))
        params = {"code": code}
        if grant["state"] is not None:
            params["state"] = grant["state"]
        response = redirect(consent.callback_url(grant["redirect"], **params), 302)
        response.outcome = "ok"
        return response

    @staticmethod
    def _refused(status, reason):
        page = consent.error_page("Authorization refused", reason)
        return html_response(page, status, f"consent refused ({status})")

    # -- control --------------------------------------------------------------

    def control_call(self, request, endpoint, args):
        if request.method in ("GET", "DELETE") and not request.get_data():
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
                    "bad_request",
                )
        try:
            payload, status = self.control.handler(endpoint)(
                request.method, data, **args
            )
        except control.BadRequest as exc:
            payload, status = {"error": "bad_request", "message": str(exc)}, 400
        outcome = "ok" if status < 400 else payload.get("error", str(status))
        return json_response(payload, status, outcome)
