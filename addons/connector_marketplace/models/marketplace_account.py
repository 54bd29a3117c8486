import ipaddress
from urllib.parse import urlsplit

from odoo import api, fields, models

# Odoo's public address for the marketplaces' callbacks, when web.base.url
# is not frozen (it follows the last administrator's browser).
PUBLIC_URL_PARAM = "connector_marketplace.public_base_url"


def is_loopback_url(url):
    """True when ``url`` is http(s) on this machine (a simulator's place)."""
    try:
        parts = urlsplit(url or "")
    except ValueError:
        return False
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class MarketplaceAccount(models.Model):
    """A seller's app credentials on one marketplace, holding its shops.

    Channel addons add their credentials and the connect flow; this model only
    knows what every marketplace has in common.
    """

    _name = "marketplace.account"
    _description = "Marketplace Account"
    _inherit = ["mail.thread"]
    _order = "name, id"

    name = fields.Char(required=True, tracking=True)
    channel = fields.Selection(
        selection=[],
        required=True,
        help="The marketplace this account connects to.",
    )
    environment = fields.Selection(
        selection=[
            ("production", "Production"),
            ("sandbox", "Sandbox"),
            ("simulator", "Simulator"),
        ],
        required=True,
        default="production",
        tracking=True,
        help="Production and sandbox use the marketplace's own hosts and "
        "separate credentials; the simulator is this project's local "
        "stand-in, for demos and tests.",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        index=True,
    )
    active = fields.Boolean(default=True)
    shop_ids = fields.One2many("marketplace.shop", "account_id", string="Shops")
    shop_count = fields.Integer(compute="_compute_shop_count")

    @api.ondelete(at_uninstall=False)
    def _unlink_with_jobs(self):
        """The database deletes the account's jobs with it, without the ORM:
        their waiting queue jobs are cancelled first (see marketplace.job)."""
        self.env["marketplace.job"].sudo().search(
            [("account_id", "in", self.ids)]
        )._unlink_with_queue_jobs()

    @api.depends("shop_ids")
    def _compute_shop_count(self):
        for account in self:
            account.shop_count = len(account.shop_ids)

    @api.model
    def _public_base_url(self):
        """Where the marketplaces reach this Odoo (callbacks, pushes)."""
        params = self.env["ir.config_parameter"].sudo()
        base_url = params.get_param(PUBLIC_URL_PARAM) or params.get_param(
            "web.base.url"
        )
        return (base_url or "").rstrip("/")

    @api.model
    def _public_url_pinned(self):
        """False while the callbacks follow web.base.url, which Odoo changes
        when an administrator logs in from another address."""
        params = self.env["ir.config_parameter"].sudo()
        return bool(
            params.get_param(PUBLIC_URL_PARAM)
            or params.get_param("web.base.url.freeze")
        )

    def action_view_shops(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "connector_marketplace.marketplace_shop_action"
        )
        action["domain"] = [("account_id", "=", self.id)]
        action["context"] = {"default_account_id": self.id}
        return action

    # -- the channel contract, account side (see marketplace_channel_backend) --
    def _marketplace_recover_webhooks(self):
        """Read the notifications the marketplace could not deliver and queue
        them as webhook events (``marketplace.webhook.event._receive`` with
        ``source="lost"``: one already received is stored once, not handled
        twice).

        :returns: how many were read
        :raises RetryableJobError: the marketplace cannot answer now
        :raises FailedJobError: refused for good
        """
        raise NotImplementedError(
            f"The channel {self.channel} does not implement "
            "_marketplace_recover_webhooks, a hook of the marketplace channel "
            "contract."
        )

    def _marketplace_check_push_signature(self, headers, raw_body):
        """Whether a push to this account's webhook is signed by the app.

        :param headers: the request's headers
        :param raw_body: the body exactly as received (bytes)
        :returns: None when it is not (the push is refused, nothing is
            written); False when signed with the push key; True when signed
            with another key of the app the channel still accepts (kept on
            the event, with a warning)
        """
        raise NotImplementedError(
            f"The channel {self.channel} does not implement "
            "_marketplace_check_push_signature, a hook of the marketplace "
            "channel contract."
        )

    def _marketplace_receive_push(self, raw_body, message, signed_with_other_key):
        """Store a verified push (``marketplace.webhook.event._receive``, with
        the shop it names) and queue what it asks for."""
        raise NotImplementedError(
            f"The channel {self.channel} does not implement "
            "_marketplace_receive_push, a hook of the marketplace channel "
            "contract."
        )

    def _marketplace_authorization_problem(self, answer):
        """What is wrong with what the marketplace sent back to the
        authorization callback (``answer``: the query's parameters), for the
        seller to read, or None."""
        raise NotImplementedError(
            f"The channel {self.channel} does not implement "
            "_marketplace_authorization_problem, a hook of the marketplace "
            "channel contract."
        )

    def _marketplace_authorize(self, answer):
        """Trade the marketplace's answer (a one-time code…) for tokens and
        create or update the shops it authorizes.

        :returns: the ``marketplace.shop`` records connected
        :raises AuthorizationRefused: with what the seller should read (and
            the status of the result page)
        """
        raise NotImplementedError(
            f"The channel {self.channel} does not implement "
            "_marketplace_authorize, a hook of the marketplace channel contract."
        )
