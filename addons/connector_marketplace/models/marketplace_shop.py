import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools.dates import local_time

_logger = logging.getLogger(__name__)

# Each pull starts this long before the last sync point: an order updated just
# before a window closed may be indexed by the marketplace a little later.
ORDER_SYNC_OVERLAP = timedelta(minutes=10)
# Test calls of a paused shop: after 10 minutes, then twice as late each time.
SYNC_CHECK_FIRST = timedelta(minutes=10)
SYNC_CHECK_MAX = timedelta(hours=6)
SYNC_CHECK_MAX_DOUBLINGS = 6  # 10 min × 2⁶ > 6 h


class MarketplaceShop(models.Model):
    """One shop of a seller on a marketplace.

    Created by the channel's authorization flow, never by hand: its external
    id and tokens come from the marketplace.
    """

    _name = "marketplace.shop"
    _description = "Marketplace Shop"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "name, id"
    # Another company's warehouse, tax or prices would sell and book its goods.
    _check_company_auto = True

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
            ("disconnected", "Disconnected"),
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
    lang = fields.Selection(
        selection="_lang_get",
        string="Language",
        default=lambda self: self._default_lang(),
        help="What jobs, crons and pushes of this shop write for the seller to "
        "read (results, errors, notes) is in this language; a user's own jobs "
        "are in that user's.",
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
    sync_paused = fields.Boolean(
        string="Scheduled sync paused",
        readonly=True,
        copy=False,
        tracking=True,
        help="Set when the marketplace refused the app's credentials or "
        "permissions: scheduled pulls stop until the account's credentials "
        "change or a periodic test call succeeds again.",
    )
    sync_pause_reason = fields.Text(readonly=True, copy=False)
    sync_paused_since = fields.Datetime(readonly=True, copy=False)
    sync_check_at = fields.Datetime(
        string="Next test call",
        readonly=True,
        copy=False,
        help="While paused, a test call to the marketplace is made then: 10 "
        "minutes after the pause, then less and less often (at most every 6 "
        "hours); the scheduled work resumes when it succeeds.",
    )
    sync_checks = fields.Integer(readonly=True, copy=False)
    auto_import_products = fields.Boolean(
        string="Pull the catalogue daily",
        default=True,
        help="Pull this shop's whole catalogue with the daily cron "
        "'Marketplace: Pull Products' (only a whole pass finds the listings "
        "that vanished).",
    )
    product_sync_point = fields.Datetime(
        string="Catalogue synced until",
        readonly=True,
        copy=False,
        help="Import products now pulls the listings changed since then.",
    )
    binding_ids = fields.One2many(
        "marketplace.product.binding", "shop_id", string="Product bindings"
    )
    binding_count = fields.Integer(compute="_compute_binding_counts")
    binding_to_bind_count = fields.Integer(
        string="Listings to bind", compute="_compute_binding_counts"
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

    @api.ondelete(at_uninstall=False)
    def _unlink_with_jobs(self):
        """See ``marketplace.account._unlink_with_jobs``."""
        self.env["marketplace.job"].sudo().search(
            [("shop_id", "in", self.ids)]
        )._unlink_with_queue_jobs()

    @api.model
    def _lang_get(self):
        return self.env["res.lang"].get_installed()

    @api.model
    def _default_lang(self, company=None):
        """Thai for a Thai seller when Thai is loaded, else the company's."""
        installed = dict(self._lang_get())
        company = company or self.env.company
        if company.country_id.code == "TH" and "th_TH" in installed:
            return "th_TH"
        return company.partner_id.lang or self.env.user.lang or "en_US"

    @api.model_create_multi
    def create(self, vals_list):
        # The shop's own company decides its language, not the company the
        # user happens to be in when connecting it.
        for vals in vals_list:
            if "lang" not in vals and vals.get("account_id"):
                account = self.env["marketplace.account"].browse(vals["account_id"])
                vals["lang"] = self._default_lang(account.company_id)
        return super().create(vals_list)

    def _local_time(self, moment):
        """``moment`` (naive UTC, as stored) as the seller reads it: in the
        company's time zone (Asia/Bangkok for a Thai seller), with its name."""
        self.ensure_one()
        return local_time(
            self.env, moment, self.company_id.partner_id.tz or self.env.user.tz
        )

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

    def _compute_binding_counts(self):
        groups = self.env["marketplace.product.binding"]._read_group(
            [("shop_id", "in", self.ids)], ["shop_id", "match_state"], ["__count"]
        )
        counts = {}
        for shop, state, count in groups:
            counts.setdefault(shop.id, {})[state] = count
        for shop in self:
            by_state = counts.get(shop.id, {})
            shop.binding_count = sum(by_state.values())
            shop.binding_to_bind_count = by_state.get("to_bind", 0) + by_state.get(
                "ambiguous", 0
            )

    # -- channel hooks --------------------------------------------------------
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

    # -- order pulls ----------------------------------------------------------
    def _next_order_pull_since(self):
        """Where the next incremental pull of this shop starts."""
        self.ensure_one()
        if self.order_sync_point:
            return self.order_sync_point - ORDER_SYNC_OVERLAP
        return fields.Datetime.now() - timedelta(days=self.initial_import_days)

    def _pending_pull_job(self, job_type="pull_orders"):
        """A live pull of this shop: pending or processing, and not stuck.

        A pull that is stuck (no queue job left to move it on, or older than
        any retry could make it) is failed here with the reason, so that it
        never blocks the shop's later pulls.
        """
        self.ensure_one()
        pending = (
            self.env["marketplace.job"]
            .sudo()
            .search(
                [
                    ("shop_id", "=", self.id),
                    ("job_type", "=", job_type),
                    ("state", "in", ("pending", "processing")),
                ]
            )
        )
        stuck = pending.filtered(lambda job: job._stuck_reason())
        for job in stuck:
            job._fail_stuck(job._stuck_reason())
        return (pending - stuck)[:1]

    def _create_pull_orders_job(self, origin):
        """Queue an incremental pull, unless one is already waiting.

        :returns: (job, created) where ``created`` is False when an earlier
            pull of this shop was still pending or processing (``job`` may
            then be empty: a pull created at the same moment by another
            transaction, which this one cannot see yet)
        """
        self.ensure_one()
        pending = self._pending_pull_job()
        if pending:
            return pending, False
        job = self.env["marketplace.job"]._queue_for(
            self,
            "pull_orders",
            {"since": self._next_order_pull_since(), "until": None},
            origin=origin,
            once=True,
        )
        # (none: another transaction created this shop's pull at the same time)
        return job.with_env(self.env), bool(job)

    def _create_pull_products_job(self, origin, full=False):
        """Queue a catalogue pull, unless one is already waiting.

        ``full`` pulls the whole catalogue; otherwise the listings changed
        since the last catalogue pull (the whole catalogue the first time).
        """
        self.ensure_one()
        pending = self._pending_pull_job("pull_products")
        if pending:
            return pending, False
        payload = {}
        if not full and self.product_sync_point:
            payload = {"since": self.product_sync_point - ORDER_SYNC_OVERLAP}
        job = self.env["marketplace.job"]._queue_for(
            self, "pull_products", payload, origin=origin, once=True
        )
        return job.with_env(self.env), bool(job)

    def action_import_products(self):
        """Button "Import products now": the listings changed since the last
        catalogue pull (the whole catalogue the first time)."""
        self.ensure_one()
        self._check_connected()
        job, created = self._create_pull_products_job(origin="user")
        if created:
            message = self.env._(
                "Job %(job)s was queued to import the listings of %(shop)s.",
                job=job.name,
                shop=self.display_name,
            )
        else:
            message = self.env._(
                "A catalogue import of %(shop)s is already queued (job %(job)s).",
                job=job.name or "…",
                shop=self.display_name,
            )
        return self._notification(self.env._("Import products"), message, created)

    @api.model
    def _cron_pull_products(self):
        """Cron "Marketplace: Pull Products": the whole catalogue, daily."""
        shops = self.search(
            [
                ("auto_import_products", "=", True),
                ("auth_state", "=", "connected"),
                ("sync_paused", "=", False),
                ("account_id.active", "=", True),
            ]
        )
        for shop in shops:
            shop._create_pull_products_job(origin="cron", full=True)

    def _product_pull_done(self, until):
        self.ensure_one()
        if until and (not self.product_sync_point or until > self.product_sync_point):
            self.product_sync_point = until

    def action_view_bindings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "connector_marketplace.marketplace_product_binding_action"
        )
        action["domain"] = [("shop_id", "=", self.id)]
        action["context"] = {"default_shop_id": self.id}
        return action

    def _check_connected(self):
        if self.auth_state != "connected":
            raise UserError(
                self.env._(
                    "Shop %(shop)s must be authorized again before it can be "
                    "synchronized: open its account and press Connect shop.",
                    shop=self.display_name,
                )
            )

    def _notification(self, title, message, success):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": title,
                "message": message,
                "type": "success" if success else "info",
                "sticky": False,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

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
                job=job.name or "…",
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
        self._resume_paused_shops()
        shops = self.search(
            [
                ("auto_import_orders", "=", True),
                ("auth_state", "=", "connected"),
                ("sync_paused", "=", False),
                ("account_id.active", "=", True),
            ]
        )
        for shop in shops:
            shop._create_pull_orders_job(origin="cron")
        self._cron_sale_orders()

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

    # -- orders set aside -----------------------------------------------------
    def _orders_set_aside(self):
        self.ensure_one()
        return (
            self.env["marketplace.order.missing"]
            .sudo()
            .search([("shop_id", "=", self.id), ("state", "=", "set_aside")])
        )

    def _orders_set_aside_activity(self, job):
        self.ensure_one()
        refs = (
            self.env["marketplace.order.missing"]
            .sudo()
            .search([("shop_id", "=", self.id), ("state", "=", "set_aside")])
            .mapped("name")
        )
        self._marketplace_activity(
            "orders_set_aside",
            self.env._("Orders set aside on %(shop)s", shop=self.name),
            self.env._(
                "The marketplace listed these orders but did not return them "
                "(last seen by job %(job)s): %(orders)s. Check them in the "
                "marketplace's seller centre; they are imported as soon as the "
                "marketplace returns them.",
                job=job.name,
                orders=", ".join(refs),
            ),
        )

    def _orders_recovered(self, orders):
        """Orders set aside that the marketplace returned at last."""
        self.ensure_one()
        if not orders:
            return
        missing = (
            self.env["marketplace.order.missing"]
            .sudo()
            .search(
                [
                    ("shop_id", "=", self.id),
                    ("name", "in", orders.mapped("name")),
                    ("state", "=", "set_aside"),
                ]
            )
        )
        if not missing:
            return
        missing.write({"state": "recovered", "date_recovered": fields.Datetime.now()})
        still = (
            self.env["marketplace.order.missing"]
            .sudo()
            .search_count([("shop_id", "=", self.id), ("state", "=", "set_aside")])
        )
        if not still:
            self._marketplace_activity_done(
                "orders_set_aside",
                self.env._("Every order set aside has been imported since."),
            )

    # -- activities -----------------------------------------------------------
    def _marketplace_activity(self, cause, summary, note):
        """One open activity per shop and cause: updated, never repeated."""
        self.ensure_one()
        shop = self.sudo()
        if not shop.user_id:
            return self.env["mail.activity"]
        existing = shop.activity_ids.filtered(
            lambda activity: activity.marketplace_cause == cause
        )
        if existing:
            existing[:1].write(
                {
                    "summary": summary,
                    "note": note,
                    "date_deadline": fields.Date.context_today(shop),
                }
            )
            return existing[:1]
        return shop.activity_schedule(
            "mail.mail_activity_data_warning",
            summary=summary,
            note=note,
            user_id=shop.user_id.id,
            marketplace_cause=cause,
        )

    def _marketplace_activity_done(self, cause, feedback):
        """Close the open activity of ``cause``, with ``feedback`` as its note."""
        for shop in self.sudo():
            shop.activity_ids.filtered(
                lambda activity, cause=cause: activity.marketplace_cause == cause
            ).action_feedback(feedback=feedback)

    # -- smart buttons --------------------------------------------------------
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
