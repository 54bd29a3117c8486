"""Marketplace jobs: what Marketplace > Jobs shows, run through queue_job.

A ``marketplace.job`` is the seller-facing record of one piece of work
(pull the orders of a shop over a time window, push stock...). Saving one
enqueues its first queue job; that job may fan out into more queue jobs (one
per chunk of orders) joined by a final job. Every queue job is a method of the
marketplace job itself, so the job functions declared in XML give them a
channel, a retry pattern and ``_on_queue_job_failed`` as their failure hook.

State moves pending → processing (first queue job ran) → completed (final
queue job ran) or failed (a queue job failed for good). Retries and their last
error are read from the queue jobs, which keep them even after a success.
"""

import json
from datetime import datetime, timedelta, timezone

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.queue_job.delay import group
from odoo.addons.queue_job.job import identity_exact

# queue_job's default (5) gives up too early on a marketplace that throttles
# for several minutes; the retry pattern of the job functions spaces retries.
MAX_RETRIES = 10
JOB_CHANNELS = {"pull_orders": "root.marketplace.import"}
PULL_ORDERS_KEYS = {"since", "until"}
# Keys a job's identity depends on; they cannot change once it started.
IMMUTABLE_FIELDS = {"job_type", "account_id", "shop_id", "payload"}


def format_payload_datetime(value):
    """ISO 8601 in UTC with an explicit offset, as payloads store them."""
    return value.replace(microsecond=0).isoformat() + "+00:00"


class MarketplaceJob(models.Model):
    _name = "marketplace.job"
    _description = "Marketplace Job"
    _order = "id desc"

    name = fields.Char(
        string="Reference", required=True, readonly=True, default="/", copy=False
    )
    job_type = fields.Selection(
        selection=[("pull_orders", "Pull orders")],
        string="Type",
        required=True,
        default="pull_orders",
    )
    account_id = fields.Many2one(
        "marketplace.account", required=True, ondelete="cascade", index=True
    )
    shop_id = fields.Many2one(
        "marketplace.shop",
        ondelete="cascade",
        index=True,
        domain="[('account_id', '=', account_id)]",
    )
    channel = fields.Selection(related="account_id.channel", store=True)
    company_id = fields.Many2one(
        related="account_id.company_id", store=True, index=True
    )
    payload = fields.Text(
        default="{}",
        required=True,
        help='JSON object. For "Pull orders": {"since": "2026-11-01T00:00:00+07:00", '
        '"until": null}; "since" defaults to where the shop\'s last pull ended, '
        '"until" to now; date-times without an offset are UTC.',
    )
    priority = fields.Integer(
        default=10, help="Queue priority: 0 runs first, higher numbers later."
    )
    state = fields.Selection(
        selection=[
            ("pending", "Pending"),
            ("processing", "Processing"),
            ("completed", "Completed"),
            ("failed", "Failed"),
        ],
        default="pending",
        required=True,
        readonly=True,
        index=True,
        copy=False,
    )
    origin = fields.Selection(
        selection=[("user", "User"), ("cron", "Scheduled"), ("webhook", "Webhook")],
        default="user",
        required=True,
        readonly=True,
    )
    error_message = fields.Text(readonly=True, copy=False)
    result_summary = fields.Text(string="Result", readonly=True, copy=False)
    date_started = fields.Datetime(string="Started", readonly=True, copy=False)
    date_done = fields.Datetime(string="Finished", readonly=True, copy=False)
    window_start = fields.Datetime(
        readonly=True, copy=False, help="Start of the pulled window, resolved."
    )
    window_end = fields.Datetime(
        readonly=True, copy=False, help="End of the pulled window, resolved."
    )
    orders_listed = fields.Integer(readonly=True, copy=False)
    order_ids = fields.Many2many(
        "marketplace.order",
        "marketplace_job_order_rel",
        "job_id",
        "order_id",
        string="Orders",
        readonly=True,
        copy=False,
    )
    order_count = fields.Integer(compute="_compute_order_count")
    queue_job_ids = fields.One2many(
        "queue.job", "marketplace_job_id", string="Queue jobs", readonly=True
    )
    retry_count = fields.Integer(
        compute="_compute_queue_info",
        help="How many times its queue jobs were postponed to be tried again.",
    )
    last_error = fields.Text(
        compute="_compute_queue_info",
        help="The last error that made a queue job of this job retry or fail.",
    )

    @api.depends("order_ids")
    def _compute_order_count(self):
        for job in self:
            job.order_count = len(job.order_ids)

    @api.depends("queue_job_ids.retry", "queue_job_ids.marketplace_last_error")
    def _compute_queue_info(self):
        # Marketplace users may not read queue.job; these two values are theirs.
        for job in self:
            queue_jobs = job.sudo().queue_job_ids
            job.retry_count = sum(qjob._marketplace_retries() for qjob in queue_jobs)
            errored = queue_jobs.filtered("marketplace_last_error").sorted(
                lambda qjob: (qjob.marketplace_error_date or qjob.date_created, qjob.id)
            )
            job.last_error = errored[-1:].marketplace_last_error or False

    # -- payload ---------------------------------------------------------------
    @api.model
    def _dump_payload(self, payload):
        return json.dumps(
            {
                key: format_payload_datetime(value)
                if isinstance(value, datetime)
                else value
                for key, value in payload.items()
            },
            sort_keys=True,
        )

    def _payload_dict(self):
        """The payload, parsed and validated for the job's type."""
        self.ensure_one()
        return self._parse_payload(self.payload, self.job_type)

    @api.model
    def _parse_payload(self, text, job_type):
        """Parse a JSON payload and validate it for ``job_type``.

        :raises ValidationError: with a message saying what is wrong
        """
        try:
            payload = json.loads(text or "{}")
        except ValueError as exc:
            raise ValidationError(
                self.env._("The payload is not valid JSON: %(error)s", error=exc)
            ) from exc
        if not isinstance(payload, dict):
            raise ValidationError(
                self.env._(
                    'The payload must be a JSON object, such as {"since": null}, '
                    "not %(payload)s.",
                    payload=text,
                )
            )
        validator = getattr(self, f"_validate_payload_{job_type}", None)
        return validator(payload) if validator else payload

    @api.model
    def _parse_payload_datetime(self, payload, key):
        value = payload.get(key)
        if value is None:
            return None
        error = self.env._(
            '"%(key)s" must be an ISO 8601 date-time such as '
            '"2026-11-01T00:00:00+07:00" or null, not %(value)s.',
            key=key,
            value=json.dumps(value),
        )
        if not isinstance(value, str):
            raise ValidationError(error)
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError as exc:
            raise ValidationError(error) from exc
        if moment.tzinfo:
            moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
        return moment

    @api.model
    def _validate_payload_pull_orders(self, payload):
        unknown = set(payload) - PULL_ORDERS_KEYS
        if unknown:
            raise ValidationError(
                self.env._(
                    "Unknown key(s) in the payload: %(keys)s. A pull of orders "
                    'accepts only "since" and "until".',
                    keys=", ".join(sorted(unknown)),
                )
            )
        since = self._parse_payload_datetime(payload, "since")
        until = self._parse_payload_datetime(payload, "until")
        now = fields.Datetime.now()
        if since and since > now:
            raise ValidationError(self.env._('"since" is in the future.'))
        if since and until and since >= until:
            raise ValidationError(self.env._('"since" must be before "until".'))
        return {"since": since, "until": until}

    @api.constrains("payload", "job_type")
    def _check_payload(self):
        for job in self:
            job._payload_dict()

    @api.constrains("account_id", "shop_id", "job_type")
    def _check_shop(self):
        for job in self:
            if job.shop_id and job.shop_id.account_id != job.account_id:
                raise ValidationError(
                    self.env._(
                        "Shop %(shop)s does not belong to account %(account)s.",
                        shop=job.shop_id.display_name,
                        account=job.account_id.display_name,
                    )
                )
            if job.job_type == "pull_orders" and not job.shop_id:
                raise ValidationError(self.env._("A pull of orders needs a shop."))

    # -- life cycle ------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        sequence = self.env["ir.sequence"]
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = sequence.next_by_code("marketplace.job") or "/"
        jobs = super().create(vals_list)
        jobs._enqueue()
        return jobs

    def write(self, vals):
        if IMMUTABLE_FIELDS & set(vals) and any(job.state != "pending" for job in self):
            raise UserError(
                self.env._(
                    "The type, account, shop and payload of a job cannot change "
                    "once it has started."
                )
            )
        return super().write(vals)

    def _queue_channel(self):
        self.ensure_one()
        return JOB_CHANNELS.get(self.job_type, "root.marketplace")

    def _delayable(self, **options):
        """A delayable on this job with its queue settings."""
        self.ensure_one()
        options.setdefault("priority", self.priority)
        options.setdefault("channel", self._queue_channel())
        options.setdefault("max_retries", MAX_RETRIES)
        return self.with_company(self.company_id).delayable(**options)

    def _job_description(self, step):
        self.ensure_one()
        type_label = dict(self._fields["job_type"].selection)[self.job_type]
        target = self.shop_id.display_name or self.account_id.display_name
        return f"{self.name}: {type_label} {target} ({step})"

    def _enqueue(self):
        for job in self:
            job._delayable(
                description=job._job_description(self.env._("start")),
                identity_key=identity_exact,
            )._job_run().delay()

    def action_retry(self):
        """Run a failed job again from its start; every step is idempotent."""
        for job in self:
            if job.state != "failed":
                raise UserError(
                    self.env._(
                        "Only a failed job can be retried (%(job)s is %(state)s).",
                        job=job.name,
                        state=job.state,
                    )
                )
        # The steps left waiting behind the failure would never run.
        self.sudo().queue_job_ids.filtered(
            lambda qjob: qjob.state in ("wait_dependencies", "pending")
        ).button_cancelled()
        self.write({"state": "pending", "error_message": False, "date_done": False})
        self._enqueue()
        return True

    # -- queue jobs ------------------------------------------------------------
    def _job_run(self):
        """First queue job: start the work of the job's type."""
        self.ensure_one()
        job = self.sudo()
        if job.state == "completed":
            return self.env._("Job %(job)s was already completed.", job=job.name)
        job.write(
            {
                "state": "processing",
                "date_started": fields.Datetime.now(),
                "date_done": False,
                "error_message": False,
            }
        )
        return getattr(job, f"_run_{job.job_type}")()

    def _job_finish(self):
        """Last queue job: summarize and close the job."""
        self.ensure_one()
        job = self.sudo()
        summary = getattr(job, f"_finish_{job.job_type}")()
        job.write(
            {
                "state": "completed",
                "date_done": fields.Datetime.now(),
                "result_summary": summary,
                "error_message": False,
            }
        )
        return summary

    def _on_queue_job_failed(self, exc_info=None, exc_name=None, exc_message=None):
        """Failure hook of every queue job of a marketplace job.

        Called by queue_job, in a transaction of its own, once a queue job
        failed for good (a permanent error or its retries exhausted).
        """
        for job in self.sudo():
            job.write(
                {
                    "state": "failed",
                    "error_message": exc_message or exc_name,
                    "date_done": fields.Datetime.now(),
                }
            )
            job._schedule_failure_activity()

    def _schedule_failure_activity(self):
        self.ensure_one()
        shop = self.shop_id
        if not shop.user_id:
            return
        shop.activity_schedule(
            "mail.mail_activity_data_warning",
            summary=self.env._("Marketplace job %(job)s failed", job=self.name),
            note=self.error_message,
            user_id=shop.user_id.id,
        )

    # -- pull orders -----------------------------------------------------------
    def _pull_window(self):
        """Resolve [since, until] of a pull: payload, else the shop's defaults.

        ``until`` is never in the future: the sync point moves to it.
        """
        payload = self._payload_dict()
        now = fields.Datetime.now()
        until = min(payload["until"] or now, now)
        since = payload["since"] or self.shop_id._next_order_pull_since()
        if since >= until:
            since = until - timedelta(minutes=1)
        return since, until

    def _run_pull_orders(self):
        since, until = self._pull_window()
        backend = self.shop_id._get_channel_backend()
        order_refs = backend._marketplace_list_orders(since, until)
        self.write(
            {
                "window_start": since,
                "window_end": until,
                "orders_listed": len(order_refs),
            }
        )
        chunk_size = backend._marketplace_order_chunk_size()
        chunks = [
            order_refs[index : index + chunk_size]
            for index in range(0, len(order_refs), chunk_size)
        ]
        if not chunks:
            return self._job_finish()
        imports = [
            self._delayable(
                description=self._job_description(
                    self.env._(
                        "orders %(first)s-%(last)s of %(total)s",
                        first=index * chunk_size + 1,
                        last=index * chunk_size + len(chunk),
                        total=len(order_refs),
                    )
                ),
                identity_key=identity_exact,
            )._job_import_orders(chunk)
            for index, chunk in enumerate(chunks)
        ]
        finish = self._delayable(
            description=self._job_description(self.env._("finish"))
        )
        group(*imports).on_done(finish._job_finish()).delay()
        return self.env._(
            "%(count)s orders listed; %(chunks)s import jobs queued.",
            count=len(order_refs),
            chunks=len(chunks),
        )

    def _job_import_orders(self, order_refs):
        """Queue job: import one chunk of orders, all or nothing."""
        self.ensure_one()
        job = self.sudo()
        backend = job.shop_id._get_channel_backend()
        orders = backend._marketplace_import_orders(order_refs)
        job._link_orders(orders)
        return self.env._("%(count)s orders imported.", count=len(orders))

    def _link_orders(self, orders):
        """Record that this job touched ``orders``.

        Straight into the relation table: through the ORM the link would
        update the job's row (which the job's other chunks update at the same
        time) or the orders' rows (which a concurrent pull of the same orders
        updates), and such transactions fail to serialize.
        """
        self.ensure_one()
        if not orders:
            return
        self.env.cr.execute(
            "INSERT INTO marketplace_job_order_rel (job_id, order_id) "
            "SELECT %s, unnest(%s) ON CONFLICT DO NOTHING",
            (self.id, orders.ids),
        )
        self.invalidate_recordset(["order_ids"])
        orders.invalidate_recordset(["job_ids"])

    def _finish_pull_orders(self):
        self.shop_id._advance_order_sync_point(self.window_start, self.window_end)
        count = len(self.order_ids)
        window = self.env._(
            "from %(since)s to %(until)s (UTC)",
            since=self.window_start,
            until=self.window_end,
        )
        if not count:
            return self.env._(
                "0 orders: no order was updated %(window)s.", window=window
            )
        return self.env._(
            "%(count)s orders imported %(window)s.", count=count, window=window
        )

    # -- views -------------------------------------------------------------------
    def action_view_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "connector_marketplace.marketplace_order_action"
        )
        action["domain"] = [("job_ids", "in", self.ids)]
        return action

    def action_view_queue_jobs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "queue_job.action_queue_job"
        )
        action["domain"] = [("marketplace_job_id", "=", self.id)]
        action["context"] = {}
        return action
