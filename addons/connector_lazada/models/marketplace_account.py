import hmac
import logging

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from odoo.addons.connector_marketplace.exceptions import AuthorizationRefused
from odoo.addons.connector_marketplace.models.marketplace_account import (
    is_loopback_url,
)
from odoo.addons.queue_job.exception import JobError

from ..api import LazadaClient, LazadaError, LazadaServerError, LazadaSignError
from ..api.client import push_signature

_logger = logging.getLogger(__name__)

MANAGER_GROUP = "connector_marketplace.group_marketplace_manager"
# Thailand's API host, and the one authorization host of every country
# (lazada-api.md §1). Lazada has no sandbox host: a test app uses these.
LAZADA_API_URL = "https://api.lazada.co.th/rest"
LAZADA_AUTH_URL = "https://auth.lazada.com"
DEFAULT_SIMULATOR_URL = "http://localhost:8089"
OAUTH_CALLBACK_PATH = "/marketplace/lazada/oauth/%s"
WEBHOOK_PATH = "/marketplace/lazada/webhook/%s"
COUNTRY = "th"
# Changing one of these sends the tokens to another host: the shops are
# disconnected first.
HOST_FIELDS = {"environment", "lazada_simulator_url"}
CREDENTIAL_FIELDS = {"lazada_app_key", "lazada_app_secret"}


class MarketplaceAccount(models.Model):
    """Lazada app credentials and the seller authorization flow of an account."""

    _inherit = "marketplace.account"

    channel = fields.Selection(
        selection_add=[("lazada", "Lazada")], ondelete={"lazada": "cascade"}
    )
    lazada_app_key = fields.Char(
        string="App Key",
        tracking=True,
        help="Your app's key in the Lazada Open Platform console (App Management).",
    )
    lazada_app_secret = fields.Char(
        string="App Secret",
        groups=MANAGER_GROUP,
        copy=False,
        help="Your app's secret: it signs every call and Lazada's pushes. Only "
        "marketplace managers can read it.",
    )
    lazada_simulator_url = fields.Char(
        string="Lazada simulator URL",
        default=DEFAULT_SIMULATOR_URL,
        groups="base.group_system",
        help="Where the project's Lazada simulator listens (simulator "
        "environment only): a loopback address, set by a system administrator.",
    )
    lazada_api_url = fields.Char(string="Lazada API", compute="_compute_lazada_urls")
    lazada_redirect_url = fields.Char(
        string="Lazada callback URL",
        compute="_compute_lazada_urls",
        help="Lazada sends the seller back here after authorization: register it "
        "as the app's Callback URL in the Lazada console.",
    )
    lazada_webhook_url = fields.Char(
        string="Lazada push URL",
        compute="_compute_lazada_urls",
        help="Register this URL in the Lazada console (App Push): Lazada sends "
        "order changes there.",
    )
    lazada_public_url_pinned = fields.Boolean(compute="_compute_lazada_urls")

    @api.depends("environment", "lazada_simulator_url")
    def _compute_lazada_urls(self):
        base_url = self._public_base_url()
        pinned = self._public_url_pinned()
        for account in self:
            account.lazada_public_url_pinned = pinned
            account.lazada_api_url = account._lazada_hosts()[0]
            account.lazada_redirect_url = (
                f"{base_url}{OAUTH_CALLBACK_PATH % account.id}" if account.id else False
            )
            account.lazada_webhook_url = (
                f"{base_url}{WEBHOOK_PATH % account.id}" if account.id else False
            )

    @api.constrains("lazada_app_key")
    def _check_lazada_app_key(self):
        for account in self:
            key = account.lazada_app_key
            if key and not key.strip().isdigit():
                raise ValidationError(
                    self.env._(
                        "The Lazada app key is a number, not %(value)s.", value=key
                    )
                )

    @api.constrains("lazada_simulator_url")
    def _check_lazada_simulator_url(self):
        for account in self.sudo():
            url = account.lazada_simulator_url
            if url and not is_loopback_url(url):
                raise ValidationError(
                    self.env._(
                        "The simulator URL must be on this machine (localhost or "
                        "127.0.0.1), not %(url)s: tokens are sent to it.",
                        url=url,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_lazada_simulator_rights(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._check_lazada_simulator_rights(vals)
        hosts = {account.id: account._lazada_hosts() for account in self.sudo()}
        result = super().write(vals)
        if HOST_FIELDS & set(vals):
            for account in self.sudo().filtered(lambda a: a.channel == "lazada"):
                if account._lazada_hosts() != hosts[account.id]:
                    account.shop_ids.filtered(
                        lambda shop: shop.auth_state != "disconnected"
                    )._disconnect(
                        self.env._(
                            "the account now talks to another Lazada host (%(host)s).",
                            host=account._lazada_hosts()[0],
                        )
                    )
        if CREDENTIAL_FIELDS & set(vals):
            self.shop_ids._resume_sync(
                self.env._(
                    "The account's credentials were changed: scheduled pulls resume."
                )
            )
        return result

    def _check_lazada_simulator_rights(self, vals):
        if (
            "lazada_simulator_url" in vals
            and vals["lazada_simulator_url"] != DEFAULT_SIMULATOR_URL
            and not self.env.su
            and not self.env.user.has_group("base.group_system")
        ):
            raise AccessError(
                self.env._("Only a system administrator may set the simulator URL.")
            )

    def _lazada_hosts(self):
        """(API base, authorization base) this account talks to."""
        self.ensure_one()
        if self.environment == "simulator":
            url = (self.sudo().lazada_simulator_url or DEFAULT_SIMULATOR_URL).rstrip(
                "/"
            )
            return f"{url}/rest", url
        return LAZADA_API_URL, LAZADA_AUTH_URL

    def _lazada_client(self, **kwargs):
        """A client of this account's app; ``kwargs`` as :class:`LazadaClient`."""
        self.ensure_one()
        account = self.sudo()
        if account.channel != "lazada":
            raise UserError(
                self.env._("%(account)s is not a Lazada account.", account=self.name)
            )
        if not account.lazada_app_key or not account.lazada_app_secret:
            raise UserError(
                self.env._(
                    "Set the app key and app secret of account %(account)s first "
                    "(Lazada Open Platform console > App Management).",
                    account=self.name,
                )
            )
        api_url, auth_url = account._lazada_hosts()
        return LazadaClient(
            account.lazada_app_key.strip(),
            account.lazada_app_secret.strip(),
            api_url,
            auth_url,
            **kwargs,
        )

    def action_lazada_connect(self):
        """Button "Connect shop": open Lazada's authorization page.

        The callback URL carries a single-use state tied to this account and
        to the manager who pressed the button (``marketplace.oauth.state``).
        """
        self.ensure_one()
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._("Only marketplace managers can connect shops.")
            )
        if not self._public_base_url():
            raise UserError(self.env._("Set the system parameter web.base.url first."))
        state = self.env["marketplace.oauth.state"]._issue(self)
        url = self._lazada_client().consent_url(self.lazada_redirect_url, state)
        return {"type": "ir.actions.act_url", "url": url, "target": "self"}

    # -- the channel contract, authorization side ----------------------------
    def _marketplace_authorization_problem(self, answer):
        if self.channel != "lazada":
            return super()._marketplace_authorization_problem(answer)
        if not answer.get("code"):
            return self.env._(
                "Lazada sent no authorization code. Press Connect shop again."
            )
        return None

    def _marketplace_authorize(self, answer):
        if self.channel != "lazada":
            return super()._marketplace_authorize(answer)
        try:
            backend = self._lazada_authorize(answer["code"])
        except LazadaError as err:
            _logger.warning(
                "Lazada authorization of account %s failed: %s", self.id, err
            )
            status = 502 if isinstance(err, LazadaServerError) else 400
            raise AuthorizationRefused(
                self._lazada_authorization_refusal(err), status
            ) from err
        return backend.marketplace_shop_id

    def _lazada_authorization_refusal(self, err):
        """What the seller reads when Lazada refused the authorization."""
        if err.code == "InvalidCode":
            return self.env._(
                "This authorization code is invalid, has expired (codes live 30 "
                "minutes) or was already used. Nothing was saved: press Connect "
                "shop on the account again."
            )
        if isinstance(err, LazadaSignError):
            return self.env._(
                "Lazada refused the request signature: the app secret of account "
                "%(account)s is wrong. Nothing was saved.",
                account=self.name,
            )
        if isinstance(err, LazadaServerError):
            return self.env._(
                "Lazada could not be reached or failed (%(error)s). Nothing was "
                "saved: try Connect shop again in a moment.",
                error=err,
            )
        return self.env._(
            "Lazada refused the authorization: %(error)s. Nothing was saved.",
            error=err,
        )

    def _lazada_authorize(self, code):
        """Trade the code for tokens; create or update the seller's shop.

        :returns: the ``lazada.shop`` authorized
        """
        self.ensure_one()
        data = self._lazada_client().create_token(code)
        sellers = data.get("country_user_info") or data.get("country_user_info_list")
        seller = next(
            (info for info in sellers or [] if info.get("country") == COUNTRY), None
        )
        if not seller or not seller.get("seller_id"):
            raise UserError(
                self.env._(
                    "Lazada authorized no Thai seller for this account (country "
                    "%(country)s).",
                    country=data.get("country") or "-",
                )
            )
        backend_model = self.env["lazada.shop"].sudo()
        api_url, _auth_url = self._lazada_hosts()
        token_values = dict(backend_model._token_values(data), token_api_host=api_url)
        backend = self._lazada_upsert_shop(str(seller["seller_id"]), token_values)
        backend.write({"lazada_short_code": seller.get("short_code") or False})
        try:
            backend._sync_shop_info()
        except JobError as err:
            # The code is spent and the tokens are the seller's: a seller name
            # Lazada could not give now must not undo the authorization (the
            # name comes with the next connection check).
            _logger.warning(
                "Lazada account %s: the name of seller %s could not be read now: %s",
                self.id,
                backend.external_id,
                err,
            )
        _logger.info(
            "Lazada account %s authorized seller %s", self.id, backend.external_id
        )
        return backend

    def _lazada_upsert_shop(self, external_id, token_values):
        self.ensure_one()
        shop = (
            self.env["marketplace.shop"]
            .sudo()
            .with_context(active_test=False)
            .search(
                [("account_id", "=", self.id), ("external_id", "=", external_id)],
                limit=1,
            )
        )
        now = fields.Datetime.now()
        values = dict(
            token_values,
            authorized_at=now,
            active=True,
            sync_paused=False,
            sync_pause_reason=False,
            sync_paused_since=False,
        )
        if not shop.sale_orders_from:
            # Orders placed before the connection never take stock out twice.
            values["sale_orders_from"] = now
        backend_model = self.env["lazada.shop"].sudo()
        if shop.lazada_backend_ids:
            backend = shop.lazada_backend_ids[:1]
            backend.write(values)
        elif shop:
            backend = backend_model.create(dict(values, marketplace_shop_id=shop.id))
        else:
            backend = backend_model.create(
                dict(
                    values,
                    account_id=self.id,
                    external_id=external_id,
                    region="TH",
                    name=self.env._("Lazada shop %(seller)s", seller=external_id),
                )
            )
        return backend

    # -- the channel contract, webhook side ----------------------------------
    def _marketplace_check_push_signature(self, headers, raw_body):
        """False: signed by this app; None: not."""
        if self.channel != "lazada":
            return super()._marketplace_check_push_signature(headers, raw_body)
        account = self.sudo()
        signature = (headers.get("Authorization") or "").strip().lower()
        if not signature or not account.lazada_app_key or not account.lazada_app_secret:
            return None
        expected = push_signature(
            account.lazada_app_key.strip(), account.lazada_app_secret.strip(), raw_body
        )
        # bytes: compare_digest refuses text that is not ASCII
        matches = hmac.compare_digest(expected.encode(), signature.encode())
        return False if matches else None

    def _lazada_push_shop(self, message):
        seller_id = message.get("seller_id")
        if not seller_id:
            return self.env["marketplace.shop"]
        return (
            self.env["marketplace.shop"]
            .sudo()
            .with_context(active_test=False)
            .search(
                [("account_id", "=", self.id), ("external_id", "=", str(seller_id))],
                limit=1,
            )
        )

    def _marketplace_receive_push(self, raw_body, message, signed_with_other_key):
        if self.channel != "lazada":
            return super()._marketplace_receive_push(
                raw_body, message, signed_with_other_key
            )
        events = self.env["marketplace.webhook.event"].sudo()
        shop = self._lazada_push_shop(message)
        if not shop:
            return events._receive(
                self,
                raw_body,
                message,
                state="ignored",
                result=self.env._("No shop of this account has this seller id."),
            )
        return events._receive(self, raw_body, message, shop=shop)

    def _marketplace_recover_webhooks(self):
        # Lazada keeps no lost pushes to read back: the scheduled pulls are
        # the safety net.
        if self.channel != "lazada":
            return super()._marketplace_recover_webhooks()
        return 0
