from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

# Each pull starts this long before the last sync point: an order updated just
# before a window closed may be indexed by the marketplace a little later.
ORDER_SYNC_OVERLAP = timedelta(minutes=10)


class MarketplaceShop(models.Model):
    """One shop of a seller on a marketplace.

    Created by the channel's authorization flow, never by hand: its external
    id and tokens come from the marketplace.
    """

    _name = "marketplace.shop"
    _description = "Marketplace Shop"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "name, id"

    name = fields.Char(required=True, tracking=True)
    account_id = fields.Many2one(
        "marketplace.account",
        required=True,
        ondelete="cascade",
        index=True,
        tracking=True,
    )
    channel = fields.Selection(related="account_id.channel", store=True)
    company_id = fields.Many2one(
        related="account_id.company_id", store=True, index=True
    )
    external_id = fields.Char(
        string="Shop ID",
        required=True,
        index=True,
        help="The shop's id on the marketplace.",
    )
    region = fields.Char(help="Marketplace region code, e.g. TH.")
    active = fields.Boolean(default=True)
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        help="Gets an activity when a job of this shop fails for good.",
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        domain="[('company_id', '=', company_id)]",
        check_company=True,
        help="Warehouse whose stock the orders of this shop reserve.",
    )
    auth_state = fields.Selection(
        selection=[
            ("connected", "Connected"),
            ("needs_reauth", "Needs re-authorization"),
        ],
        string="Authorization",
        default="connected",
        required=True,
        tracking=True,
    )
    auth_error = fields.Text(
        string="Authorization problem",
        readonly=True,
        help="Why the marketplace refused this shop's tokens.",
    )
    authorized_at = fields.Datetime(readonly=True)
    authorization_expires_at = fields.Datetime(
        readonly=True,
        help="The seller must authorize the app again before this date.",
    )
    access_token_expires_at = fields.Datetime(
        readonly=True,
        help="Refreshed automatically before it expires.",
    )
    auto_import_orders = fields.Boolean(
        string="Pull orders automatically",
        default=True,
        help="Pull this shop's orders with the cron 'Marketplace: Pull Orders'.",
    )
    initial_import_days = fields.Integer(
        default=7,
        help="How far back the first order pull of this shop starts.",
    )
    order_sync_point = fields.Datetime(
        string="Orders synced until",
        readonly=True,
        copy=False,
        help="Every order updated before this moment has been pulled. It only "
        "advances when a whole pull succeeded.",
    )
    order_ids = fields.One2many("marketplace.order", "shop_id", string="Orders")
    order_count = fields.Integer(compute="_compute_counts")
    job_ids = fields.One2many("marketplace.job", "shop_id", string="Jobs")
    job_count = fields.Integer(compute="_compute_counts")

    _sql_constraints = [
        (
            "external_uniq",
            "unique(account_id, external_id)",
            "This shop is already connected to this account.",
        ),
    ]

    @api.depends("order_ids", "job_ids")
    def _compute_counts(self):
        orders = self.env["marketplace.order"]._read_group(
            [("shop_id", "in", self.ids)], ["shop_id"], ["__count"]
        )
        jobs = self.env["marketplace.job"]._read_group(
            [("shop_id", "in", self.ids)], ["shop_id"], ["__count"]
        )
        order_counts = {shop.id: count for shop, count in orders}
        job_counts = {shop.id: count for shop, count in jobs}
        for shop in self:
            shop.order_count = order_counts.get(shop.id, 0)
            shop.job_count = job_counts.get(shop.id, 0)

    # -- channel hooks -------------------------------------------------------
    def _get_channel_backend(self):
        """Return the channel's connector backend (collection) of this shop.

        Channel addons override this for their ``channel``.
        """
        self.ensure_one()
        raise UserError(
            self.env._(
                "No connector is installed for the marketplace of shop %(shop)s.",
                shop=self.display_name,
            )
        )

    # -- order pulls -----------------------------------------------------------
    def _next_order_pull_since(self):
        """Where the next incremental pull of this shop starts."""
        self.ensure_one()
        if self.order_sync_point:
            return self.order_sync_point - ORDER_SYNC_OVERLAP
        return fields.Datetime.now() - timedelta(days=self.initial_import_days)

    def _pending_pull_job(self):
        """A pull of this shop that is still pending or processing.

        A pull whose step is cancelled in the job queue is failed by then
        (``queue.job`` marks it), so it does not block the shop's pulls.
        """
        self.ensure_one()
        return self.env["marketplace.job"].search(
            [
                ("shop_id", "=", self.id),
                ("job_type", "=", "pull_orders"),
                ("state", "in", ("pending", "processing")),
            ],
            limit=1,
        )

    def _create_pull_orders_job(self, origin):
        """Queue an incremental pull, unless one is already waiting.

        :returns: (job, created) where ``created`` is False when an earlier
            pull of this shop was still pending or processing
        """
        self.ensure_one()
        pending = self._pending_pull_job()
        if pending:
            return pending, False
        job = self.env["marketplace.job"].create(
            {
                "job_type": "pull_orders",
                "account_id": self.account_id.id,
                "shop_id": self.id,
                "origin": origin,
                "payload": self.env["marketplace.job"]._dump_payload(
                    {"since": self._next_order_pull_since(), "until": None}
                ),
            }
        )
        return job, True

    def action_import_orders(self):
        """Button "Import orders now": queue a pull and say so."""
        self.ensure_one()
        if self.auth_state != "connected":
            raise UserError(
                self.env._(
                    "Shop %(shop)s must be authorized again before its orders can "
                    "be imported: open its account and press Connect shop.",
                    shop=self.display_name,
                )
            )
        job, created = self._create_pull_orders_job(origin="user")
        if created:
            message = self.env._(
                "Job %(job)s was queued to import the orders of %(shop)s.",
                job=job.name,
                shop=self.display_name,
            )
        else:
            message = self.env._(
                "An order import of %(shop)s is already queued (job %(job)s).",
                job=job.name,
                shop=self.display_name,
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Import orders"),
                "message": message,
                "type": "success" if created else "info",
                "sticky": False,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    @api.model
    def _cron_pull_orders(self):
        """Cron "Marketplace: Pull Orders": one pull job per active shop."""
        shops = self.search(
            [
                ("auto_import_orders", "=", True),
                ("auth_state", "=", "connected"),
                ("account_id.active", "=", True),
            ]
        )
        for shop in shops:
            shop._create_pull_orders_job(origin="cron")

    def _advance_order_sync_point(self, since, until):
        """Move the sync point to ``until`` if [since, until] joins it.

        A back-fill of an older range leaves the sync point alone, and so does
        a window that starts after the sync point: nothing in the gap between
        them was pulled.
        """
        self.ensure_one()
        current = self.order_sync_point
        if current and (since > current or until <= current):
            return False
        self.order_sync_point = until
        return True

    # -- authorization ---------------------------------------------------------
    def _mark_needs_reauth(self, reason):
        """Record that the marketplace refused this shop's tokens for good."""
        for shop in self:
            shop.write({"auth_state": "needs_reauth", "auth_error": reason})
            shop.message_post(
                body=self.env._(
                    "The marketplace refused this shop's authorization: %(reason)s "
                    "Open the account and press Connect shop to authorize it again.",
                    reason=reason,
                )
            )

    # -- smart buttons ---------------------------------------------------------
    def action_view_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "connector_marketplace.marketplace_order_action"
        )
        action["domain"] = [("shop_id", "=", self.id)]
        action["context"] = {"search_default_shop_id": self.id}
        return action

    def action_view_jobs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "connector_marketplace.marketplace_job_action"
        )
        action["domain"] = [("shop_id", "=", self.id)]
        action["context"] = {
            "default_shop_id": self.id,
            "default_account_id": self.account_id.id,
        }
        return action
