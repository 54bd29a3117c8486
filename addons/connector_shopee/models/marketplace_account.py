import hmac
import json
import logging
from urllib.parse import urlencode

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from odoo.addons.connector_marketplace.exceptions import AuthorizationRefused
from odoo.addons.connector_marketplace.models.marketplace_account import (
    is_loopback_url,
)
from odoo.addons.queue_job.exception import FailedJobError, RetryableJobError

from ..api import (
    ShopeeClient,
    ShopeeError,
    ShopeeRateLimitError,
    ShopeeServerError,
    ShopeeSignError,
)
from ..api.client import error_suffix

_logger = logging.getLogger(__name__)
_webhook_logger = logging.getLogger("odoo.addons.connector_marketplace.webhook")

MANAGER_GROUP = "connector_marketplace.group_marketplace_manager"
# Shopee's hosts (shopee-api.md §1): one per place the integrator's servers
# run, never per shop country; Thai shops use the global host.
SHOPEE_HOSTS = {
    ("production", "global"): "https://partner.shopeemobile.com",
    ("production", "cn"): "https://openplatform.shopee.cn",
    ("production", "br"): "https://openplatform.shopee.com.br",
    ("sandbox", "global"): "https://openplatform.sandbox.test-stable.shopee.sg",
    ("sandbox", "cn"): "https://openplatform.sandbox.test-stable.shopee.cn",
}
DEFAULT_SIMULATOR_URL = "http://localhost:8079"
OAUTH_CALLBACK_PATH = "/marketplace/shopee/oauth/%s"
WEBHOOK_PATH = "/marketplace/shopee/webhook/%s"
# Changing one of these sends the tokens to another host: the shops are
# disconnected first.
HOST_FIELDS = {"environment", "shopee_api_location", "shopee_simulator_url"}
CREDENTIAL_FIELDS = {"shopee_partner_id", "shopee_partner_key"}


class MarketplaceAccount(models.Model):
    """Shopee credentials and the shop authorization flow of an account."""

    _inherit = "marketplace.account"

    channel = fields.Selection(
        selection_add=[("shopee", "Shopee")], ondelete={"shopee": "cascade"}
    )
    shopee_partner_id = fields.Char(
        string="Partner ID",
        tracking=True,
        help="Your app's partner id in the Shopee Open Platform console. Test "
        "(sandbox) and live (production) partner ids differ.",
    )
    shopee_partner_key = fields.Char(
        string="Partner Key",
        groups=MANAGER_GROUP,
        copy=False,
        help="Your app's API partner key. Only marketplace managers can read it.",
    )
    shopee_push_partner_key = fields.Char(
        string="Push Partner Key",
        groups=MANAGER_GROUP,
        copy=False,
        help="The key Shopee signs push notifications with (Console > Push "
        "Mechanism). It differs from the API partner key.",
    )
    shopee_api_location = fields.Selection(
        selection=[
            ("global", "Singapore (global)"),
            ("cn", "Chinese Mainland"),
            ("br", "Brazil / Americas"),
        ],
        string="API domain",
        default="global",
        required=True,
        help="Pick the Shopee domain closest to where this Odoo runs; Thai shops "
        "use the global one like every other market.",
    )
    shopee_simulator_url = fields.Char(
        string="Simulator URL",
        default=DEFAULT_SIMULATOR_URL,
        groups="base.group_system",
        help="Where the project's Shopee simulator listens (simulator "
        "environment only): a loopback address, set by a system administrator.",
    )
    shopee_api_url = fields.Char(string="API host", compute="_compute_shopee_urls")
    shopee_webhook_url = fields.Char(
        string="Push callback URL",
        compute="_compute_shopee_urls",
        help="Register exactly this URL in the Shopee console (Push Mechanism): "
        "pushes are verified against it.",
    )
    shopee_redirect_url = fields.Char(
        string="Redirect URL",
        compute="_compute_shopee_urls",
        help="Shopee sends the seller back here after authorization. Register "
        "its domain in your app's settings in the Shopee console.",
    )

    shopee_public_url_pinned = fields.Boolean(compute="_compute_shopee_urls")

    @api.depends("environment", "shopee_api_location", "shopee_simulator_url")
    def _compute_shopee_urls(self):
        base_url = self._public_base_url()
        pinned = self._public_url_pinned()
        for account in self:
            account.shopee_public_url_pinned = pinned
            account.shopee_api_url = account._shopee_host()
            account.shopee_redirect_url = (
                f"{base_url}{OAUTH_CALLBACK_PATH % account.id}" if account.id else False
            )
            account.shopee_webhook_url = (
                f"{base_url}{WEBHOOK_PATH % account.id}" if account.id else False
            )

    @api.constrains("shopee_partner_id")
    def _check_shopee_partner_id(self):
        for account in self:
            partner_id = account.shopee_partner_id
            if partner_id and not partner_id.strip().isdigit():
                raise ValidationError(
                    self.env._(
                        "The Shopee partner id must be a number, not %(value)s.",
                        value=partner_id,
                    )
                )

    @api.constrains("shopee_simulator_url")
    def _check_shopee_simulator_url(self):
        for account in self.sudo():
            url = account.shopee_simulator_url
            if url and not is_loopback_url(url):
                raise ValidationError(
                    self.env._(
                        "The simulator URL must be on this machine (localhost or "
                        "127.0.0.1), not %(url)s: tokens are sent to it.",
                        url=url,
                    )
                )

    @api.onchange(*HOST_FIELDS)
    def _onchange_shopee_host(self):
        connected = self._origin.shop_ids.filtered(
            lambda shop: shop.auth_state == "connected"
        )
        if self._origin.id and connected and self.channel == "shopee":
            return {
                "warning": {
                    "title": self.env._("Shops will be disconnected"),
                    "message": self.env._(
                        "Saving this change disconnects the %(count)s connected "
                        "shop(s) of this account: their tokens belong to the "
                        "current Shopee environment and are never sent to "
                        "another. Connect them again afterwards.",
                        count=len(connected),
                    ),
                }
            }
        return None

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_simulator_url_rights(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._check_simulator_url_rights(vals)
        hosts = {account.id: account._shopee_host() for account in self.sudo()}
        result = super().write(vals)
        if HOST_FIELDS & set(vals):
            for account in self.sudo():
                if account._shopee_host() != hosts[account.id]:
                    account.shop_ids.filtered(
                        lambda shop: shop.auth_state != "disconnected"
                    )._disconnect(
                        self.env._(
                            "the account now talks to another Shopee environment "
                            "(%(host)s).",
                            host=account._shopee_host(),
                        )
                    )
        if CREDENTIAL_FIELDS & set(vals):
            self.shop_ids._resume_sync(
                self.env._(
                    "The account's credentials were changed: scheduled pulls resume."
                )
            )
        return result

    def _check_simulator_url_rights(self, vals):
        if (
            "shopee_simulator_url" in vals
            and vals["shopee_simulator_url"] != DEFAULT_SIMULATOR_URL
            and not self.env.su
            and not self.env.user.has_group("base.group_system")
        ):
            raise AccessError(
                self.env._("Only a system administrator may set the simulator URL.")
            )

    def _shopee_host(self):
        self.ensure_one()
        if self.environment == "simulator":
            url = self.sudo().shopee_simulator_url or DEFAULT_SIMULATOR_URL
            return url.rstrip("/")
        location = self.shopee_api_location or "global"
        return SHOPEE_HOSTS.get(
            (self.environment, location), SHOPEE_HOSTS[(self.environment, "global")]
        )

    def _shopee_client(self, **kwargs):
        """A client of this account's app; ``kwargs`` as :class:`ShopeeClient`."""
        self.ensure_one()
        account = self.sudo()
        if account.channel != "shopee":
            raise UserError(
                self.env._("%(account)s is not a Shopee account.", account=self.name)
            )
        if not account.shopee_partner_id or not account.shopee_partner_key:
            raise UserError(
                self.env._(
                    "Set the partner id and partner key of account %(account)s "
                    "first (Shopee console > App > App details).",
                    account=self.name,
                )
            )
        return ShopeeClient(
            account.shopee_partner_id.strip(),
            account.shopee_partner_key.strip(),
            account._shopee_host(),
            **kwargs,
        )

    def action_shopee_connect(self):
        """Button "Connect shop": open Shopee's signed authorization page.

        The redirect URL carries a single-use state tied to this account and
        to the manager who pressed the button (see ``marketplace.oauth.state``).
        """
        self.ensure_one()
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._("Only marketplace managers can connect shops.")
            )
        if not self._public_base_url():
            raise UserError(self.env._("Set the system parameter web.base.url first."))
        state = self.env["marketplace.oauth.state"]._issue(self)
        redirect = f"{self.shopee_redirect_url}?{urlencode({'state': state})}"
        url = self._shopee_client().auth_partner_url(redirect)
        return {"type": "ir.actions.act_url", "url": url, "target": "self"}

    # -- the channel contract, authorization side ----------------------------
    def _marketplace_authorization_problem(self, answer):
        if self.channel != "shopee":
            return super()._marketplace_authorization_problem(answer)
        code = answer.get("code")
        shop_id = answer.get("shop_id")
        main_account_id = answer.get("main_account_id")
        if not code:
            return self.env._(
                "Shopee sent no authorization code. Press Connect shop again."
            )
        if bool(shop_id) == bool(main_account_id):
            return self.env._("Shopee must send either a shop id or a main account id.")
        entity = shop_id or main_account_id
        if not entity.isdigit():
            return self.env._("%(value)s is not a Shopee id.", value=entity)
        return None

    def _marketplace_authorize(self, answer):
        if self.channel != "shopee":
            return super()._marketplace_authorize(answer)
        try:
            backends = self._shopee_authorize(
                answer["code"],
                shop_id=answer.get("shop_id"),
                main_account_id=answer.get("main_account_id"),
            )
        except ShopeeError as err:
            _logger.warning(
                "Shopee authorization of account %s failed: %s", self.id, err
            )
            status = 502 if isinstance(err, ShopeeServerError) else 400
            raise AuthorizationRefused(
                self._shopee_authorization_refusal(err), status
            ) from err
        return backends.marketplace_shop_id

    def _shopee_authorization_refusal(self, err):
        """What the seller reads when Shopee refused the authorization."""
        code = error_suffix(err.code)
        if code == "invalid_code":
            return self.env._(
                "This authorization code is invalid, has expired (codes live 10 "
                "minutes) or was already used. Nothing was saved: press Connect "
                "shop on the account again."
            )
        if isinstance(err, ShopeeSignError):
            return self.env._(
                "Shopee refused the request signature: the partner key of "
                "account %(account)s is wrong, or is the key of another "
                "environment (test and live keys differ). Nothing was saved.",
                account=self.name,
            )
        if code == "invalid_partner_id":
            return self.env._(
                "Shopee does not know partner id %(partner)s in the %(env)s "
                "environment. Nothing was saved.",
                partner=self.shopee_partner_id,
                env=self.environment,
            )
        if isinstance(err, ShopeeServerError):
            return self.env._(
                "Shopee could not be reached or failed (%(error)s). Nothing was "
                "saved: try Connect shop again in a moment.",
                error=err,
            )
        return self.env._(
            "Shopee refused the authorization: %(error)s. Nothing was saved.",
            error=err,
        )

    def _shopee_authorize(self, code, shop_id=None, main_account_id=None):
        """Trade the code Shopee sent back for tokens; create or update shops.

        :returns: the ``shopee.shop`` backends that were authorized
        """
        self.ensure_one()
        data = self._shopee_client().get_token(
            code, shop_id=shop_id, main_account_id=main_account_id
        )
        if shop_id:
            external_ids = [str(shop_id)]
        else:
            external_ids = [str(ext_id) for ext_id in data.get("shop_id_list") or []]
        if not external_ids:
            raise UserError(self.env._("Shopee authorized no shop for this account."))
        backend_model = self.env["shopee.shop"].sudo()
        token_values = dict(
            backend_model._token_values(data), token_api_host=self._shopee_host()
        )
        backends = backend_model.browse()
        for external_id in external_ids:
            backend = self._shopee_upsert_shop(external_id, token_values)
            backend._sync_shop_info()
            backends |= backend
        _logger.info(
            "Shopee account %s authorized shop(s) %s",
            self.id,
            ", ".join(external_ids),
        )
        return backends

    def _shopee_upsert_shop(self, external_id, token_values):
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
        backend_model = self.env["shopee.shop"].sudo()
        if not shop.sale_orders_from:
            # Orders placed before the connection never take stock out twice.
            values["sale_orders_from"] = now
        if shop.shopee_backend_ids:
            backend = shop.shopee_backend_ids[:1]
            backend.write(values)
        elif shop:
            backend = backend_model.create(dict(values, marketplace_shop_id=shop.id))
        else:
            backend = backend_model.create(
                dict(
                    values,
                    account_id=self.id,
                    external_id=external_id,
                    name=self.env._("Shopee shop %(shop_id)s", shop_id=external_id),
                )
            )
        return backend

    # -- push notifications -------------------------------------------------------
    # -- the channel contract, webhook side ----------------------------------
    def _marketplace_check_push_signature(self, headers, raw_body):
        if self.channel != "shopee":
            return super()._marketplace_check_push_signature(headers, raw_body)
        signature = (headers.get("Authorization") or "").strip()
        return self._shopee_check_push_signature(signature, raw_body)

    def _marketplace_receive_push(self, raw_body, message, signed_with_other_key):
        if self.channel != "shopee":
            return super()._marketplace_receive_push(
                raw_body, message, signed_with_other_key
            )
        return self._shopee_receive_push(raw_body, message, signed_with_other_key)

    def _shopee_check_push_signature(self, signature, raw_body):
        """False: signed with the push partner key; True: with the API partner
        key (accepted, with a warning); None: not signed by this app."""
        self.ensure_one()
        account = self.sudo()
        url = account.shopee_webhook_url or ""
        if not signature or not url:
            return None
        from ..controllers.webhook import push_signature

        for key, api_key in (
            (account.shopee_push_partner_key, False),
            (account.shopee_partner_key, True),
        ):
            if key and hmac.compare_digest(
                push_signature(key.strip(), url, raw_body), signature.lower()
            ):
                if api_key:
                    _webhook_logger.warning(
                        "Shopee push to account %s signed with the API partner key, "
                        "not the push partner key",
                        account.id,
                    )
                return api_key
        return None

    def _shopee_push_shop(self, message):
        data = message.get("data") if isinstance(message.get("data"), dict) else {}
        shop_id = message.get("shop_id") or data.get("shop_id")
        if not shop_id:
            return self.env["marketplace.shop"]
        return (
            self.env["marketplace.shop"]
            .sudo()
            .with_context(active_test=False)
            .search(
                [("account_id", "=", self.id), ("external_id", "=", str(shop_id))],
                limit=1,
            )
        )

    def _shopee_receive_push(
        self, raw_body, message, signed_with_api_key=False, source="push"
    ):
        """Store a verified push and queue it (the controller, the lost-push drain)."""
        self.ensure_one()
        events = self.env["marketplace.webhook.event"].sudo()
        shop = self._shopee_push_shop(message)
        partner_level = message.get("code") in (1, 12)
        if not shop and not partner_level:
            return events._receive(
                self,
                raw_body,
                message,
                state="ignored",
                result=self.env._("No shop of this account has this shop id."),
                signed_with_api_key=signed_with_api_key,
                source=source,
            )
        return events._receive(
            self,
            raw_body,
            message,
            shop=shop,
            signed_with_api_key=signed_with_api_key,
            source=source,
        )

    @api.model
    def _cron_shopee_lost_pushes(self):
        """Queue the reading of the pushes Shopee could not deliver (kept 3
        days by Shopee), one job per account with a connected shop."""
        for account in self.sudo().search(
            [
                ("channel", "=", "shopee"),
                ("shopee_partner_key", "!=", False),
                # pushes are for shops: an account without one has none lost
                ("shop_ids.auth_state", "=", "connected"),
            ]
        ):
            account._queue_recover_webhooks()

    def _marketplace_recover_webhooks(self):
        if self.channel != "shopee":
            return super()._marketplace_recover_webhooks()
        try:
            return self._shopee_drain_lost_pushes()
        except (ShopeeRateLimitError, ShopeeServerError) as err:
            raise RetryableJobError(
                self.env._(
                    "Shopee could not give the lost pushes now (%(error)s); trying "
                    "again later.",
                    error=err,
                )
            ) from err
        except ShopeeError as err:
            raise FailedJobError(
                self.env._(
                    "Shopee refused to give the lost pushes of account "
                    "%(account)s: %(error)s",
                    account=self.name,
                    error=err,
                )
            ) from err

    @api.model
    def _shopee_unwrap_lost_push(self, lost):
        """The push a lost message stands for.

        Its ``data`` is a JSON string: in Shopee's reference sample, the whole
        push body as it was sent (so the push and its lost copy are one
        event); a bare ``data`` object is accepted too.
        """
        data = lost.get("data")
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                return lost
        if isinstance(data, dict) and "code" in data and "data" in data:
            pushed = dict(data)
            # the lost message's time stands in for a push without its own
            for key in ("shop_id", "code", "timestamp"):
                pushed.setdefault(key, lost.get(key))
            return pushed
        return dict(lost, data=data)

    def _shopee_drain_lost_pushes(self, max_pages=20):
        self.ensure_one()
        client = self._shopee_client()
        received = 0
        for _page in range(max_pages):
            data = client.call("GET", "push/get_lost_push_message", public=True)
            response = data.get("response") or {}
            messages = response.get("push_message_list") or []
            # Stored and committed before Shopee is told they are consumed:
            # a crash in between reads them again, never loses them.
            with self.env.registry.cursor() as cr:
                account = self.with_env(self.env(cr=cr))
                for lost in messages:
                    message = account._shopee_unwrap_lost_push(lost)
                    raw = json.dumps(message, sort_keys=True).encode()
                    account._shopee_receive_push(raw, message, source="lost")
                    received += 1
            last_id = response.get("last_message_id")
            if last_id:
                client.call(
                    "POST",
                    "push/confirm_consumed_lost_push_message",
                    body={"last_message_id": last_id},
                    public=True,
                )
            if not response.get("has_next_page"):
                break
        return received
