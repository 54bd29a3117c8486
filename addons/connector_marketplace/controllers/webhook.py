"""The generic half of every channel's webhook: what a push may cost before
anybody looked at it, and what it is answered.

A channel's controller declares its route (with ``max_content_length=
body_limit``, so that werkzeug refuses a body over the limit before Odoo
parses any of it) and calls :meth:`MarketplaceWebhookController._handle_push`.
The channel supplies, on its ``marketplace.account``, only the check of the
signature (``_marketplace_check_push_signature``) and what to do with a
verified message (``_marketplace_receive_push``).

Answers: a body of unknown length 411, unread; over ``MAX_BODY`` 413; no
account of the channel 404; a wrong or missing signature 401, nothing
written; a signed body that is not a JSON object 400, kept as rejected;
otherwise 200 with an empty body. Never a 500: marketplaces disable a
callback that keeps failing (what could not be stored is read back later as
a lost push); a 503 says "try again".
"""

import json
import logging

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


class MarketplaceWebhookController(http.Controller):
    def _handle_push(self, account_id, channel):
        try:
            return self._verify_and_store(account_id, channel)
        except psycopg2.errors.SerializationFailure:
            # The same push stored at this moment by another worker
            # (duplicates come together): that one holds it.
            request.env.cr.rollback()
            return self._answer(200)
        except Exception:  # pylint: disable=broad-except
            # Never a 500 (see the module's docstring).
            _logger.exception(
                "%s push to account %s could not be handled", channel, account_id
            )
            request.env.cr.rollback()
            return self._answer(503)

    def _answer(self, status, body=b""):
        return request.make_response(
            body, status=status, headers=[("Content-Length", str(len(body)))]
        )

    def _verify_and_store(self, account_id, channel):
        httprequest = request.httprequest
        length = httprequest.content_length
        if length is None:
            # a body of unknown size is not read into memory
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
        if not account or account.channel != channel:
            return self._answer(404)
        signed_with_other_key = account._marketplace_check_push_signature(
            httprequest.headers, raw_body
        )
        if signed_with_other_key is None:
            _logger.warning(
                "%s push to account %s refused: wrong or no signature",
                channel,
                account.id,
            )
            return self._answer(401)
        try:
            message = json.loads(raw_body)
            if not isinstance(message, dict):
                raise ValueError("not an object")
        except ValueError:
            env["marketplace.webhook.event"]._receive(
                account,
                raw_body,
                {},
                state="rejected",
                result=request.env._("The body is not a JSON object."),
                signed_with_api_key=signed_with_other_key,
            )
            return self._answer(400)
        account._marketplace_receive_push(raw_body, message, signed_with_other_key)
        return self._answer(200)
