"""Shopee sends the seller back here after the authorization page.

The callback changes data (it connects shops) on a GET that Shopee makes the
seller's browser open, so it trusts nothing but the link's ``state``: made by
a manager's Connect shop for this account, unexpired, used once (see
``marketplace.oauth.state``). It needs no Odoo session: the seller may
authorize on another device than the manager who made the link. The work is
done on behalf of the manager who made the link.
"""

import logging

import psycopg2

from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

from odoo.addons.queue_job.exception import JobError

from ..api import ShopeeError, ShopeeServerError, ShopeeSignError
from ..api.client import error_suffix

_logger = logging.getLogger(__name__)

MANAGER_GROUP = "connector_marketplace.group_marketplace_manager"


class ShopeeOAuthController(http.Controller):
    @http.route(
        "/marketplace/shopee/oauth/<int:account_id>",
        type="http",
        auth="public",
        methods=["GET"],
        sitemap=False,
    )
    def shopee_oauth_callback(
        self,
        account_id,
        code=None,
        shop_id=None,
        main_account_id=None,
        state=None,
        **kwargs,
    ):
        """Trade Shopee's one-time code for tokens and create the shop(s).

        Any failure leaves nothing behind and says what to do.
        """
        link, problem = request.env["marketplace.oauth.state"]._consume(
            state, account_id
        )
        if problem:
            _logger.warning(
                "Shopee authorization callback for account %s refused: no valid state",
                account_id,
            )
            return self._page(403, request.env._("Link not accepted"), problem)
        if not link.user_id.has_group(MANAGER_GROUP):
            return self._page(
                403,
                request.env._("Not allowed"),
                request.env._("Only marketplace managers can connect shops."),
            )
        env = request.env(user=link.user_id.id, su=False)
        account = env["marketplace.account"].browse(account_id).exists()
        if not account or account.channel != "shopee":
            return self._page(
                404,
                request.env._("Unknown account"),
                request.env._(
                    "No Shopee account has the id %(account_id)s in this database. "
                    "Start again from the Connect shop button of the account.",
                    account_id=account_id,
                ),
            )
        problem = self._check_params(code, shop_id, main_account_id)
        if problem:
            return self._page(
                400, request.env._("Incomplete answer from Shopee"), problem, account
            )
        try:
            with request.env.cr.savepoint():
                backends = account._shopee_authorize(
                    code, shop_id=shop_id, main_account_id=main_account_id
                )
        except ShopeeError as err:
            _logger.warning(
                "Shopee authorization of account %s failed: %s", account.id, err
            )
            status = 502 if isinstance(err, ShopeeServerError) else 400
            return self._page(
                status,
                request.env._("Shop not connected"),
                self._explain(err, account),
                account,
            )
        except (UserError, JobError) as err:
            return self._page(
                400, request.env._("Shop not connected"), str(err), account
            )
        except psycopg2.Error as err:
            # Shopee issued tokens that could not be saved (a token refresh
            # changing the shop at the same moment, or the database refusing
            # the row). Odoo's own answer would show the database's text,
            # which holds the row and so the tokens; the code is used up.
            _logger.warning(
                "Shopee authorization of account %s: the shop could not be saved (%s)",
                account.id,
                type(err).__name__,
            )
            return self._page(
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
        return self._page(
            200,
            request.env._("Shop connected"),
            request.env._(
                "Odoo can now import the orders of the shop(s) below. Open a shop "
                "and press Import orders now, or let the scheduled import run."
            ),
            account,
            shops=backends.marketplace_shop_id,
        )

    def _check_params(self, code, shop_id, main_account_id):
        if not code:
            return request.env._(
                "Shopee sent no authorization code. Press Connect shop again."
            )
        if bool(shop_id) == bool(main_account_id):
            return request.env._(
                "Shopee must send either a shop id or a main account id."
            )
        entity = shop_id or main_account_id
        if not entity.isdigit():
            return request.env._("%(value)s is not a Shopee id.", value=entity)
        return None

    def _explain(self, err, account):
        code = error_suffix(err.code)
        if code == "invalid_code":
            return request.env._(
                "This authorization code is invalid, has expired (codes live 10 "
                "minutes) or was already used. Nothing was saved: press Connect "
                "shop on the account again."
            )
        if isinstance(err, ShopeeSignError):
            return request.env._(
                "Shopee refused the request signature: the partner key of "
                "account %(account)s is wrong, or is the key of another "
                "environment (test and live keys differ). Nothing was saved.",
                account=account.name,
            )
        if code == "invalid_partner_id":
            return request.env._(
                "Shopee does not know partner id %(partner)s in the %(env)s "
                "environment. Nothing was saved.",
                partner=account.shopee_partner_id,
                env=account.environment,
            )
        if isinstance(err, ShopeeServerError):
            return request.env._(
                "Shopee could not be reached or failed (%(error)s). Nothing was "
                "saved: try Connect shop again in a moment.",
                error=err,
            )
        return request.env._(
            "Shopee refused the authorization: %(error)s. Nothing was saved.",
            error=err,
        )

    def _page(self, status, title, message, account=None, shops=None):
        return request.render(
            "connector_shopee.oauth_result_page",
            {
                "title": title,
                "message": message,
                "success": status == 200,
                "account": account,
                "shops": shops or [],
            },
            status=status,
        )
