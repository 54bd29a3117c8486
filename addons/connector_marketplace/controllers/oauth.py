"""The generic half of every channel's authorization callback.

The marketplace sends the seller back to the channel's route after its
authorization page. The callback changes data (it connects shops) on a GET
the seller's browser opens, so it trusts nothing but the link's ``state``:
made by a manager's Connect shop for this account, unexpired, used once (see
``marketplace.oauth.state``). It needs no Odoo session: the seller may
authorize on another device than the manager who made the link. The work is
done on behalf of the manager who made the link.

The channel's route calls :meth:`MarketplaceOAuthController._oauth_callback`
with what the marketplace sent; its ``marketplace.account`` checks that
answer (``_marketplace_authorization_problem``) and connects the shops
(``_marketplace_authorize``, raising ``AuthorizationRefused`` with what the
seller should read). Any failure leaves nothing behind and says what to do.
"""

import logging

import psycopg2

from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

from odoo.addons.queue_job.exception import JobError

from ..exceptions import AuthorizationRefused

_logger = logging.getLogger(__name__)

MANAGER_GROUP = "connector_marketplace.group_marketplace_manager"


class MarketplaceOAuthController(http.Controller):
    def _oauth_callback(self, account_id, channel, state, answer):
        link, problem = request.env["marketplace.oauth.state"]._consume(
            state, account_id
        )
        if problem:
            _logger.warning(
                "%s authorization callback for account %s refused: no valid state",
                channel,
                account_id,
            )
            return self._oauth_page(403, request.env._("Link not accepted"), problem)
        if not link.user_id.has_group(MANAGER_GROUP):
            return self._oauth_page(
                403,
                request.env._("Not allowed"),
                request.env._("Only marketplace managers can connect shops."),
            )
        env = request.env(user=link.user_id.id, su=False)
        account = env["marketplace.account"].browse(account_id).exists()
        if not account or account.channel != channel:
            return self._oauth_page(
                404,
                request.env._("Unknown account"),
                request.env._(
                    "No account of this marketplace has the id %(account_id)s in "
                    "this database. Start again from the Connect shop button of "
                    "the account.",
                    account_id=account_id,
                ),
            )
        problem = account._marketplace_authorization_problem(answer)
        if problem:
            return self._oauth_page(
                400,
                request.env._("Incomplete answer from the marketplace"),
                problem,
                account,
            )
        try:
            with request.env.cr.savepoint():
                shops = account._marketplace_authorize(answer)
        except AuthorizationRefused as refusal:
            return self._oauth_page(
                refusal.status,
                request.env._("Shop not connected"),
                str(refusal),
                account,
            )
        except (UserError, JobError) as err:
            return self._oauth_page(
                400, request.env._("Shop not connected"), str(err), account
            )
        except psycopg2.Error as err:
            # The marketplace issued tokens that could not be saved (a token
            # refresh changing the shop at the same moment, or the database
            # refusing the row). Odoo's own answer would show the database's
            # text, which holds the row and so the tokens; the code is used up.
            _logger.warning(
                "%s authorization of account %s: the shop could not be saved (%s)",
                channel,
                account.id,
                type(err).__name__,
            )
            return self._oauth_page(
                503,
                request.env._("Shop not connected"),
                request.env._(
                    "Odoo could not save the shop's authorization: another "
                    "process was changing the shop at that moment, or the "
                    "database refused it. Nothing was saved: press Connect shop "
                    "on the account again in a moment."
                ),
                account,
            )
        return self._oauth_page(
            200,
            request.env._("Shop connected"),
            request.env._(
                "Odoo can now import the orders of the shop(s) below. Open a shop "
                "and press Import orders now, or let the scheduled import run."
            ),
            account,
            shops=shops,
        )

    def _oauth_page(self, status, title, message, account=None, shops=None):
        channel = ""
        if account:
            channel = dict(
                account._fields["channel"]._description_selection(account.env)
            ).get(account.channel, "")
        return request.render(
            "connector_marketplace.oauth_result_page",
            {
                "title": title,
                "message": message,
                "success": status == 200,
                "account": account,
                "channel": channel,
                "shops": shops or [],
            },
            status=status,
        )
