"""Jobs of the crons that keep the connection alive.

The crons only queue these jobs; the calls to the marketplace run in them,
through queue_job, with its retries and a trace in Marketplace > Jobs:

* ``refresh_tokens``: a shop's access token before it expires;
* ``check_connection``: a test call for a shop whose scheduled work was
  paused by refused credentials or permissions; it resumes when it answers;
* ``recover_webhooks``: the notifications the marketplace could not deliver
  to an account, read back and handled as if they had come.

Each is one step; its work and summary are in its ``_finish_<type>``.
"""

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.queue_job.exception import FailedJobError

from .marketplace_job import JobType


class MarketplaceJob(models.Model):
    _inherit = "marketplace.job"

    job_type = fields.Selection(
        selection_add=[
            ("refresh_tokens", "Refresh tokens"),
            ("check_connection", "Test the connection"),
            ("recover_webhooks", "Recover missed notifications"),
        ],
        ondelete={
            "refresh_tokens": "cascade",
            "check_connection": "cascade",
            "recover_webhooks": "cascade",
        },
    )

    def init(self):
        res = super().init()
        # One waiting per account for the jobs of a whole account (the shop
        # index does not see them: their shop is empty).
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS marketplace_job_one_live_per_account "
            "ON marketplace_job (account_id, job_type) "
            "WHERE shop_id IS NULL AND state IN ('pending', 'processing') "
            "AND job_type = 'recover_webhooks'"
        )
        return res

    @api.model
    def _job_types(self):
        return dict(
            super()._job_types(),
            refresh_tokens=JobType(
                run="_run_maintenance",
                finish="_finish_refresh_tokens",
                validate="_validate_empty_payload",
                one_live_per_shop=True,
            ),
            check_connection=JobType(
                run="_run_maintenance",
                finish="_finish_check_connection",
                validate="_validate_empty_payload",
                one_live_per_shop=True,
            ),
            recover_webhooks=JobType(
                run="_run_maintenance",
                finish="_finish_recover_webhooks",
                validate="_validate_empty_payload",
                channel="root.marketplace.webhook",
                on_shop=False,
            ),
        )

    def _validate_empty_payload(self, payload):
        if payload:
            raise ValidationError(
                self.env._("This job takes no payload: leave it as {}.")
            )
        return {}

    def _run_maintenance(self):
        # one call to the marketplace: the job is its own last step
        return self._job_finish()

    def _finish_refresh_tokens(self):
        expires_at = self.shop_id._get_channel_backend()._marketplace_refresh_tokens()
        return self.env._(
            "The access token of %(shop)s is valid until %(date)s.",
            shop=self.shop_id.display_name,
            date=self._local(expires_at),
        )

    def _finish_check_connection(self):
        shop = self.shop_id
        if not shop.sync_paused:
            return self.env._("The scheduled work of this shop is not paused.")
        try:
            shop._get_channel_backend()._marketplace_check_connection()
        except FailedJobError as refusal:
            # the very reason of the pause: not a failure of this job
            shop._sync_check_refused()
            return self.env._(
                "The marketplace still refuses (%(error)s): the scheduled work "
                "of the shop stays paused.",
                error=refusal,
            )
        shop._resume_sync(
            self.env._(
                "A test call to the marketplace succeeded: scheduled pulls resume."
            )
        )
        return self.env._(
            "The marketplace answered: the scheduled work of the shop resumes."
        )

    def _finish_recover_webhooks(self):
        count = self.account_id._marketplace_recover_webhooks()
        return self.env._(
            "%(count)s missed notifications read and queued.", count=count
        )


class MarketplaceShop(models.Model):
    _inherit = "marketplace.shop"

    def _queue_job_once(self, job_type, origin="cron", priority=None):
        """Queue a job of ``job_type`` for this shop, unless one is waiting.

        :returns: (job, created)
        """
        self.ensure_one()
        live = self._pending_pull_job(job_type)
        if live:
            return live, False
        values = {"priority": priority} if priority is not None else {}
        job = self.env["marketplace.job"]._queue_for(
            self, job_type, origin=origin, once=True, **values
        )
        return job, bool(job)


class MarketplaceAccount(models.Model):
    _inherit = "marketplace.account"

    def _queue_recover_webhooks(self, origin="cron"):
        """Queue the reading of this account's missed notifications, once."""
        self.ensure_one()
        jobs = self.env["marketplace.job"].sudo()
        if jobs.search_count(
            [
                ("account_id", "=", self.id),
                ("job_type", "=", "recover_webhooks"),
                ("state", "in", ("pending", "processing")),
            ]
        ):
            return jobs.browse()
        return jobs._queue_for(self, "recover_webhooks", origin=origin, once=True)
