"""Shopee push notifications: verify, store, queue; answer in milliseconds.

``POST /marketplace/shopee/webhook/<account id>``, the URL the account form
shows (register it in Shopee's console, Push Mechanism). Shopee signs each
push: ``Authorization = hex(HMAC-SHA256(push partner key, registered URL + "|"
+ raw body))``, over the URL Odoo registered (never the request's Host, which
a proxy rewrites). The API partner key is accepted too, with a warning: some
apps sign pushes with it.

Answers: missing or wrong signature 401, nothing written; body over 1 MiB
413 (werkzeug's, before Odoo reads or parses any of it: the route's
``max_content_length``), of unknown length 411 (a form 413), unread;
malformed JSON with a good signature 400, kept as rejected; unknown shop
with a good signature 2xx, kept as ignored (Shopee disables pushes that keep
failing); otherwise 2xx with an empty body, as Shopee wants. Never a 500.
"""

import hmac
import json
import logging
from hashlib import sha256

import psycopg2

from odoo import http
from odoo.http import request

_logger = logging.getLogger("odoo.addons.connector_marketplace.webhook")

MAX_BODY = 1024 * 1024


def body_limit(controller):
    """The route's ``max_content_length``: werkzeug refuses a body over it
    (413) before Odoo reads or parses any of it. A body of unknown length
    gets none: nothing of it is read (a form is refused 413, JSON 411)."""
    if request.httprequest.content_length is None:
        return 0
    return MAX_BODY


def push_signature(key, url, body):
    return hmac.new(key.encode(), url.encode() + b"|" + body, sha256).hexdigest()


class ShopeeWebhookController(http.Controller):
    @http.route(
        "/marketplace/shopee/webhook/<int:account_id>",
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        save_session=False,
        # auth="none" routes are read-only by default in Odoo 18.
        readonly=False,
        # Odoo parses a form body into the parameters before the handler
        # runs: a body over the limit is refused (413) before that.
        max_content_length=body_limit,
    )
    def shopee_webhook(self, account_id, **kwargs):
        try:
            return self._handle(account_id)
        except psycopg2.errors.SerializationFailure:
            # The same push stored at this moment by another worker (Shopee
            # sends duplicates together): that one holds it.
            request.env.cr.rollback()
            return self._answer(200)
        except Exception:  # pylint: disable=broad-except
            # Never a 500: Shopee disables a callback that keeps failing. The
            # push is read back later from get_lost_push_message.
            _logger.exception(
                "Shopee push to account %s could not be handled", account_id
            )
            request.env.cr.rollback()
            return self._answer(503)

    def _answer(self, status, body=b""):
        return request.make_response(
            body, status=status, headers=[("Content-Length", str(len(body)))]
        )

    def _handle(self, account_id):
        httprequest = request.httprequest
        length = httprequest.content_length
        if length is None:
            # a body of unknown size is not read into memory (Shopee always
            # says how long its pushes are)
            return self._answer(411)
        if length > MAX_BODY:
            return self._answer(413)
        raw_body = httprequest.get_data(cache=False)
        if len(raw_body) > MAX_BODY:
            return self._answer(413)
        # No user is logged in on a push: superuser rights, as no one (what
        # it stores has no author; its job runs with the runner's rights).
        env = request.env(su=True)
        account = env["marketplace.account"].browse(account_id).exists()
        if not account or account.channel != "shopee":
            return self._answer(404)
        signature = (httprequest.headers.get("Authorization") or "").strip()
        signed_with_api_key = account._shopee_check_push_signature(signature, raw_body)
        if signed_with_api_key is None:
            _logger.warning(
                "Shopee push to account %s refused: %s signature",
                account.id,
                "wrong" if signature else "no",
            )
            return self._answer(401)
        events = env["marketplace.webhook.event"]
        try:
            message = json.loads(raw_body)
            if not isinstance(message, dict):
                raise ValueError("not an object")
        except ValueError:
            events._receive(
                account,
                raw_body,
                {},
                state="rejected",
                result=request.env._("The body is not a JSON object."),
                signed_with_api_key=signed_with_api_key,
            )
            return self._answer(400)
        account._shopee_receive_push(raw_body, message, signed_with_api_key)
        return self._answer(200)
