from odoo import api, fields, models

from ..tools.redaction import redact

ERROR_FIELDS = ("exc_info", "exc_message", "result")


class QueueJob(models.Model):
    """Link queue jobs to the marketplace job they work for.

    The link is stored by queue_job itself through the ``_job_store_values``
    hook of ``marketplace.job``; the last error that made the job retry is
    kept (queue_job overwrites ``result`` once a retry succeeds).
    """

    _inherit = "queue.job"

    marketplace_job_id = fields.Many2one(
        "marketplace.job", readonly=True, index=True, ondelete="set null"
    )
    marketplace_last_error = fields.Text(string="Last error", readonly=True)
    # queue_job has no Thai: what the job's form shows of its steps is ours
    marketplace_state = fields.Selection(
        [
            ("wait_dependencies", "Waiting for the steps before"),
            ("pending", "Pending"),
            ("enqueued", "Enqueued"),
            ("started", "Running"),
            ("done", "Done"),
            ("cancelled", "Cancelled"),
            ("failed", "Failed"),
        ],
        string="Step state",
        compute="_compute_marketplace_state",
    )
    marketplace_error_date = fields.Datetime(readonly=True)

    @api.depends("state")
    def _compute_marketplace_state(self):
        for qjob in self:
            qjob.marketplace_state = qjob.state

    def write(self, vals):
        # A database error's text holds a row's values, a token among them:
        # the job's record keeps it masked, as the logs do.
        vals = {
            key: redact(value)
            if key in ERROR_FIELDS and isinstance(value, str)
            else value
            for key, value in vals.items()
        }
        error = self._marketplace_error_from(vals)
        if error and self.filtered("marketplace_job_id"):
            vals = dict(
                vals,
                marketplace_last_error=error,
                marketplace_error_date=fields.Datetime.now(),
            )
        result = super().write(vals)
        if vals.get("state") == "cancelled":
            self._marketplace_jobs_cancelled()
        if error:
            self._marketplace_jobs_tried()
        return result

    def _marketplace_jobs_tried(self):
        """A step that failed was tried: its job has started, even though the
        step's own transaction (which said so) was rolled back."""
        for qjob in self.sudo().filtered("marketplace_job_id"):
            job = qjob.marketplace_job_id
            if not job.date_started:
                job.date_started = qjob.date_started or fields.Datetime.now()

    def _marketplace_jobs_cancelled(self):
        """A step cancelled in the job queue ends its marketplace job."""
        jobs = self.sudo().marketplace_job_id.filtered(
            lambda job: job.state in ("pending", "processing")
        )
        jobs.write(
            {
                "state": "failed",
                "error_message": self.env._("Cancelled in the job queue."),
                "date_done": fields.Datetime.now(),
            }
        )

    @api.model
    def _marketplace_error_from(self, vals):
        """The error queue_job is storing: a postponement or a failure."""
        if vals.get("state") == "pending" and vals.get("retry") and vals.get("result"):
            return vals["result"]
        if vals.get("state") == "failed":
            return vals.get("exc_message") or vals.get("exc_name")
        return False

    def _marketplace_retries(self):
        """How many times this job was postponed to be tried again."""
        self.ensure_one()
        if self.state == "pending":
            return self.retry
        return max(self.retry - 1, 0)
