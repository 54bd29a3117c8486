"""Notifications, housekeeping and what a monitor reads.

* Activities for the shop's responsible, never more than one open per shop and
  cause: authorization expiring in 30, 7 and 1 days, pushes gone silent while
  pulls keep finding orders (and, elsewhere: a job failed for good, orders
  waiting for bindings, a token refresh refused).
* An optional daily digest e-mail per shop.
* Retention: old completed jobs and webhook events are removed after a
  period (system parameters), failures kept longer; the retries and last error
  of a job survive queue_job's own cleanup of its queue jobs.
"""

import logging
from datetime import timedelta
from html import escape

from odoo import api, fields, models

_logger = logging.getLogger("odoo.addons.connector_marketplace.monitoring")

EXPIRY_WARNINGS = (30, 7, 1)
PARAM = "connector_marketplace.%s"
DEFAULTS = {
    "job_retention_days": 30,
    "failed_job_retention_days": 90,
    "webhook_retention_days": 30,
    "webhook_silence_hours": 6,
}


def param(env, key):
    value = env["ir.config_parameter"].sudo().get_param(PARAM % key)
    try:
        return int(value) if value not in (None, False, "") else DEFAULTS[key]
    except ValueError:
        return DEFAULTS[key]


class MarketplaceShop(models.Model):
    _inherit = "marketplace.shop"

    authorization_days_left = fields.Integer(
        compute="_compute_authorization_days_left",
        help="Days until the seller must authorize the app again.",
    )
    send_digest = fields.Boolean(
        string="Daily digest e-mail",
        help="E-mail the shop's responsible a summary of the day before: orders, "
        "sales, failed jobs, orders waiting, stock errors.",
    )

    @api.depends("authorization_expires_at")
    def _compute_authorization_days_left(self):
        now = fields.Datetime.now()
        for shop in self:
            if shop.authorization_expires_at:
                shop.authorization_days_left = max(
                    0, (shop.authorization_expires_at - now).days
                )
            else:
                shop.authorization_days_left = False

    @api.model
    def _cron_notifications(self):
        """Cron "Marketplace: Notifications" (hourly)."""
        for shop in self.search([("auth_state", "=", "connected")]):
            shop._notify_authorization_expiry()
            shop._notify_webhook_silence()

    def _notify_authorization_expiry(self):
        self.ensure_one()
        days = self.authorization_days_left
        # (an Integer field reads 0 for "no date": test the date itself)
        if not self.authorization_expires_at or days > EXPIRY_WARNINGS[0]:
            return
        step = min(limit for limit in EXPIRY_WARNINGS if days <= limit)
        activity = self.activity_ids.filtered(
            lambda a: a.marketplace_cause == "auth_expiry"
        )
        # One activity, brought up to date at 30, 7 and 1 days.
        if activity and activity.summary and f"({step})" in activity.summary:
            return
        self._marketplace_activity(
            "auth_expiry",
            self.env._(
                "Authorization of %(shop)s expires in %(days)s days (%(step)s)",
                shop=self.name,
                days=days,
                step=step,
            ),
            self.env._(
                "The seller must authorize the app again before %(date)s: open the "
                "account and press Connect shop, then authorize on the marketplace.",
                date=self._local_time(self.authorization_expires_at),
            ),
        )

    def _notify_webhook_silence(self):
        """Pushes stopped while pulls keep finding orders: the callback may be
        disabled at the marketplace (it disables failing ones)."""
        self.ensure_one()
        last = self.last_webhook_at
        if not last:
            return  # this shop never used pushes
        hours = param(self.env, "webhook_silence_hours")
        if last > fields.Datetime.now() - timedelta(hours=hours):
            self._marketplace_activity_done(
                "webhook_silent", self.env._("Pushes arrive again.")
            )
            return
        new_orders = self.env["marketplace.order"].search_count(
            [("shop_id", "=", self.id), ("create_date", ">", last)]
        )
        if new_orders:
            self._marketplace_activity(
                "webhook_silent",
                self.env._(
                    "No push from %(shop)s for %(hours)s hours",
                    shop=self.name,
                    hours=hours,
                ),
                self.env._(
                    "%(count)s orders came by the scheduled pulls since the last push "
                    "(%(date)s). Check the push settings of the app in the "
                    "marketplace's console: it disables a callback that keeps failing.",
                    count=new_orders,
                    date=self._local_time(last),
                ),
            )

    # -- digest ---------------------------------------------------------------------------
    @api.model
    def _cron_digest(self):
        """Cron "Marketplace: Daily Digest"."""
        for shop in self.search([("send_digest", "=", True)]):
            if shop.user_id.email:
                shop._send_digest()

    def _digest_figures(self):
        self.ensure_one()
        dashboard = self.env["marketplace.dashboard"]
        start, end = dashboard._day_start_utc(1), dashboard._day_start_utc(0)
        orders = self.env["marketplace.order"].search(
            [
                ("shop_id", "=", self.id),
                ("date_order", ">=", start),
                ("date_order", "<", end),
            ]
        )
        sales = orders.sale_order_id.filtered(lambda so: so.state in ("sale", "done"))
        return {
            "orders": len(orders),
            "revenue": sum(sales.mapped("amount_total")),
            "failed": self.env["marketplace.job"].search_count(
                [
                    ("shop_id", "=", self.id),
                    ("state", "=", "failed"),
                    ("date_done", ">=", start),
                ]
            ),
            "waiting": self.env["marketplace.order"].search_count(
                [("shop_id", "=", self.id), ("sale_status", "=", "waiting")]
            ),
            "push_errors": self.env["marketplace.product.binding"].search_count(
                [("shop_id", "=", self.id), ("last_push_error", "!=", False)]
            ),
        }

    def _send_digest(self):
        self.ensure_one()
        shop = self.with_context(lang=self.user_id.lang or self.env.user.lang)
        figures = shop._digest_figures()
        rows = [
            (shop.env._("Orders"), figures["orders"]),
            (
                shop.env._("Sales"),
                f"{figures['revenue']:,.2f} {shop.company_id.currency_id.name}",
            ),
            (shop.env._("Failed jobs"), figures["failed"]),
            (shop.env._("Orders waiting for product bindings"), figures["waiting"]),
            (shop.env._("Listings whose stock push failed"), figures["push_errors"]),
        ]
        body = (
            "<table>"
            + "".join(
                f"<tr><td>{escape(str(label))}</td><td><b>{escape(str(value))}</b></td></tr>"
                for label, value in rows
            )
            + "</table>"
        )
        self.env["mail.mail"].sudo().create(
            {
                "subject": shop.env._(
                    "%(shop)s: yesterday on the marketplace", shop=shop.name
                ),
                "email_to": shop.user_id.email,
                "body_html": body,
                "auto_delete": True,
            }
        )
        _logger.info("Shop %s: digest queued for %s", shop.name, shop.user_id.login)


class MarketplaceJob(models.Model):
    _inherit = "marketplace.job"

    archived_retry_count = fields.Integer(readonly=True, copy=False)
    archived_last_error = fields.Text(readonly=True, copy=False)

    @api.depends("archived_retry_count", "archived_last_error")
    def _compute_queue_info(self):
        res = super()._compute_queue_info()
        for job in self:
            job.retry_count += job.archived_retry_count
            if not job.last_error:
                job.last_error = job.archived_last_error
        return res

    @api.model
    def _cron_cleanup(self):
        """Cron "Marketplace: Clean Up": old jobs and webhook events go."""
        now = fields.Datetime.now()
        jobs = self.sudo()
        done_before = now - timedelta(days=param(self.env, "job_retention_days"))
        failed_before = now - timedelta(
            days=param(self.env, "failed_job_retention_days")
        )
        old = jobs.search(
            [
                "|",
                "&",
                ("state", "=", "completed"),
                ("date_done", "<", done_before),
                "&",
                ("state", "=", "failed"),
                ("date_done", "<", failed_before),
            ]
        )
        events = self.env["marketplace.webhook.event"].sudo()
        events_before = now - timedelta(days=param(self.env, "webhook_retention_days"))
        old_events = events.search(
            [
                "|",
                "&",
                ("state", "not in", ("failed", "rejected")),
                ("received_at", "<", events_before),
                "&",
                ("state", "in", ("failed", "rejected")),
                ("received_at", "<", failed_before),
            ]
        )
        old.queue_job_ids.filtered(
            lambda q: q.state in ("done", "failed", "cancelled")
        ).unlink()
        _logger.info(
            "Clean-up: %s jobs and %s webhook events removed", len(old), len(old_events)
        )
        old.unlink()
        old_events.unlink()
        return len(old), len(old_events)


class QueueJob(models.Model):
    _inherit = "queue.job"

    def unlink(self):
        """queue_job removes old done jobs: their retries and last error stay
        on the marketplace job."""
        for qjob in self.sudo().filtered("marketplace_job_id"):
            job = qjob.marketplace_job_id
            values = {
                "archived_retry_count": job.archived_retry_count
                + qjob._marketplace_retries()
            }
            if qjob.marketplace_last_error:
                values["archived_last_error"] = qjob.marketplace_last_error
            job.write(values)
        return super().unlink()
