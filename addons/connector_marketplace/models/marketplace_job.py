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
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytz

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from ..tools.dates import local_time

# queue_job's default (5) gives up too early on a marketplace that throttles
# for several minutes; the retry pattern of the job functions spaces retries.
MAX_RETRIES = 10
# Payload keys holding a date-time (pulls of orders and of products).
PAYLOAD_DATETIME_KEYS = ("since", "until")
# Keys a job's identity depends on; they cannot change once it started.
IMMUTABLE_FIELDS = {"job_type", "account_id", "shop_id", "payload"}
# What the system sets: users create jobs and press buttons, never write these.
SYSTEM_FIELDS = {
    "name",
    "lang",
    "tz",
    "error_kind",
    "state",
    "origin",
    "error_message",
    "result_summary",
    "date_started",
    "date_done",
    "window_start",
    "window_end",
    "orders_listed",
    "order_ids",
    "step_ids",
    "set_aside_ids",
    "queue_job_ids",
}
# The partial unique indexes that keep a job from being queued twice: a
# refusal by one of them means another transaction queued it.
QUEUED_ONCE = (
    "marketplace_job_one_live_per_shop",
    "marketplace_job_one_live_per_account",
    "marketplace_job_one_auto_push",
    "marketplace_job_one_webhook_import",
)
# queue.job states that still move a marketplace job on.
LIVE_QUEUE_STATES = ("wait_dependencies", "pending", "enqueued", "started")
# Longer than any job can last on its retries (each step: 10 tries, at most
# 2×40 s + 2×150 s + 6×600 s ≈ 66 minutes; a pull is three steps deep).
STUCK_AFTER = timedelta(hours=6)


@dataclass(frozen=True)
class JobType:
    """A job type, declared by the file that implements it (``_job_types``).

    ``run``, ``finish`` and ``validate`` name methods of ``marketplace.job``:
    the first step (it queues the others), the last one (it returns the
    summary the seller reads, or raises :class:`JobFailure`), and the check
    of the payload (it returns the payload, normalized, or raises a
    ``ValidationError``).
    """

    run: str
    finish: str
    validate: str | None = None
    #: the queue_job channel of every step of the job
    channel: str = "root.marketplace"
    #: works on one shop (else on the whole account)
    on_shop: bool = True
    #: a shop runs one at a time (a partial unique index)
    one_live_per_shop: bool = False


class JobFailure(Exception):
    """The work is done, but its outcome makes the job a failure."""


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
        "marketplace.account",
        required=True,
        ondelete="cascade",
        index=True,
        default=lambda self: self._default_account(),
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
        help='JSON object. For "Pull orders": {"since": "2026-11-01T00:00:00", '
        '"until": null}; "since" defaults to where the shop\'s last pull ended, '
        '"until" to now; a date-time without an offset is in your time zone '
        "(saved with its offset). Empty: everything the job type allows.",
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
    error_kind = fields.Selection(
        [
            ("refused", "Refused: change what the error says"),
            ("failed", "Failed: trying again may help"),
        ],
        readonly=True,
        copy=False,
        help="Refused: the marketplace or Odoo refused the work as it is "
        "(credentials, a product without binding...): the error says what to "
        "change, and the work follows by itself once it is. Failed: an outage "
        "that outlasted every retry, or an unexpected error: Retry runs it again.",
    )
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
    step_ids = fields.One2many(
        "marketplace.job.step", "job_id", string="Steps", readonly=True
    )
    set_aside_ids = fields.One2many(
        "marketplace.order.missing",
        "job_id",
        string="Orders set aside",
        readonly=True,
        help="Orders the marketplace listed but did not return after every "
        "retry of their chunk.",
    )
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
    retry_eta = fields.Datetime(
        string="Next try",
        compute="_compute_queue_info",
        help="When the step waiting for its retry runs again.",
    )
    waiting_retry = fields.Boolean(compute="_compute_queue_info")
    summary_line = fields.Char(
        string="Outcome",
        compute="_compute_summary_line",
        help="The first line of the result or of the error.",
    )
    lang = fields.Char(
        string="Language",
        readonly=True,
        help="Results and errors are written in this language: the language "
        "of the user who started the job, or the shop's for the jobs of crons, "
        "stock changes and pushes.",
    )
    tz = fields.Char(
        string="Time zone",
        readonly=True,
        help="Times in results are written in this time zone: the user's who "
        "started the job, or the company's.",
    )

    @api.depends("order_ids")
    def _compute_order_count(self):
        for job in self:
            job.order_count = len(job.order_ids)

    @api.depends(
        "queue_job_ids.retry",
        "queue_job_ids.marketplace_last_error",
        "queue_job_ids.state",
        "queue_job_ids.eta",
    )
    def _compute_queue_info(self):
        # Marketplace users may not read queue.job; these values are theirs.
        for job in self:
            queue_jobs = job.sudo().queue_job_ids
            job.retry_count = sum(qjob._marketplace_retries() for qjob in queue_jobs)
            errored = queue_jobs.filtered("marketplace_last_error").sorted(
                lambda qjob: (qjob.marketplace_error_date or qjob.date_created, qjob.id)
            )
            job.last_error = errored[-1:].marketplace_last_error or False
            waiting = queue_jobs.filtered(
                lambda qjob: qjob.state == "pending" and qjob.retry and qjob.eta
            )
            job.waiting_retry = bool(waiting) and job.state in ("pending", "processing")
            job.retry_eta = min(waiting.mapped("eta")) if job.waiting_retry else False

    @api.depends("state", "result_summary", "error_message")
    def _compute_summary_line(self):
        for job in self:
            text = job.error_message if job.state == "failed" else job.result_summary
            line = (text or "").strip().splitlines()[:1]
            line = line[0] if line else ""
            job.summary_line = line if len(line) <= 90 else line[:89] + "…"

    @api.model
    def _default_account(self):
        """The account, when there is exactly one."""
        accounts = self.env["marketplace.account"].search([], limit=2)
        return accounts.id if len(accounts) == 1 else False

    @api.model
    def _job_lang_for(self, vals):
        """The language results of a new job are written in: its user's, or
        its shop's (a Thai shop's crons write Thai)."""
        if vals.get("origin", "user") == "user" and self.env.user.lang:
            return self.env.user.lang
        shop = self.env["marketplace.shop"].sudo().browse(vals.get("shop_id"))
        if shop.lang:
            return shop.lang
        account = self.env["marketplace.account"].browse(vals.get("account_id"))
        company = account.company_id or self.env.company
        return company.partner_id.lang or self.env.user.lang or "en_US"

    @api.model
    def _job_tz_for(self, vals):
        """The time zone times of a new job are written in."""
        if vals.get("origin", "user") == "user" and self.env.user.tz:
            return self.env.user.tz
        account = self.env["marketplace.account"].browse(vals.get("account_id"))
        company = account.company_id or self.env.company
        return company.partner_id.tz or self.env.user.tz or "UTC"

    def _local(self, moment, zone=True):
        """``moment`` (naive UTC) in the job's time zone, with its name."""
        self.ensure_one()
        return local_time(self.env, moment, self.tz, zone=zone)

    @api.model
    def _with_offsets(self, text, tz_name):
        """The payload ``text`` with its date-times given an offset: one
        written without says the time of ``tz_name`` (the user's), not UTC."""
        try:
            payload = json.loads(text or "{}")
        except ValueError:
            return text  # the validation says what is wrong
        if not isinstance(payload, dict):
            return text
        changed = False
        for key in PAYLOAD_DATETIME_KEYS:
            value = payload.get(key)
            if not isinstance(value, str):
                continue
            try:
                moment = datetime.fromisoformat(value.strip())
            except ValueError:
                continue
            if moment.tzinfo is None:
                local = pytz.timezone(tz_name or "UTC").localize(moment)
                payload[key] = local.isoformat()
                changed = True
        return json.dumps(payload, sort_keys=True) if changed else text

    def _in_job_lang(self):
        """This job, with the context its results and errors are written in."""
        self.ensure_one()
        return self.with_context(lang=self.lang or "en_US")

    # -- payload --------------------------------------------------------------
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
        validator = self._job_type(job_type).validate
        return getattr(self, validator)(payload) if validator else payload

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
            if job.job_type in job._shop_job_types() and not job.shop_id:
                raise ValidationError(
                    self.env._(
                        "A job of type %(type)s needs a shop.",
                        type=dict(
                            job._fields["job_type"]._description_selection(job.env)
                        )[job.job_type],
                    )
                )

    # -- job types (declared by the file of each type) ---------------------------
    @api.model
    def _job_types(self):
        """{job type: :class:`JobType`}; each type's file adds its own."""
        return {}

    @api.model
    def _job_type(self, job_type):
        try:
            return self._job_types()[job_type]
        except KeyError:
            raise NotImplementedError(
                f"The job type {job_type} is not declared in marketplace.job's "
                "_job_types."
            ) from None

    @api.model
    def _job_channels(self):
        return {name: kind.channel for name, kind in self._job_types().items()}

    @api.model
    def _one_live_per_shop_types(self):
        return tuple(
            name for name, kind in self._job_types().items() if kind.one_live_per_shop
        )

    @api.model
    def _shop_job_types(self):
        return tuple(name for name, kind in self._job_types().items() if kind.on_shop)

    # -- life cycle -----------------------------------------------------------
    def init(self):
        """At most one live pull per shop and type, whoever creates it."""
        self.env.cr.execute("DROP INDEX IF EXISTS marketplace_job_one_live_per_shop")
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX marketplace_job_one_live_per_shop "
                "ON marketplace_job (shop_id, job_type) "
                "WHERE state IN ('pending', 'processing') AND job_type IN %s",
                tuple(self._one_live_per_shop_types()),
            )
        )

    @api.model
    def _system_fields(self):
        """The fields only the system writes (each job type adds its own)."""
        return SYSTEM_FIELDS

    def _check_system_fields(self, fields_written):
        if self.env.su:
            return
        protected = self._system_fields() & set(fields_written)
        if protected:
            raise AccessError(
                self.env._(
                    "These fields of a marketplace job are set by the system "
                    "only: %(fields)s.",
                    fields=", ".join(sorted(protected)),
                )
            )

    @api.model
    def _check_one_live_per_shop(self, vals):
        if vals.get("job_type", "pull_orders") not in self._one_live_per_shop_types():
            return
        shop = self.env["marketplace.shop"].browse(vals.get("shop_id"))
        live = shop and shop._pending_pull_job(vals.get("job_type", "pull_orders"))
        if live:
            raise ValidationError(
                self.env._(
                    "Shop %(shop)s already has this kind of job queued or running "
                    "(%(job)s): wait until it has finished.",
                    shop=shop.display_name,
                    job=live.name,
                )
            )

    @api.model
    def _check_job_type(self, vals):
        """A clear error for a type this database does not know (RPC)."""
        if "job_type" not in vals:
            return
        known = dict(self._fields["job_type"]._description_selection(self.env))
        if vals["job_type"] not in known:
            raise ValidationError(
                self.env._(
                    "Unknown job type %(type)s. The types are: %(types)s.",
                    type=json.dumps(vals["job_type"]),
                    types=", ".join(
                        f"{code} ({label})" for code, label in known.items()
                    ),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_system_fields(
                key for key in vals if not (key == "name" and vals[key] == "/")
            )
            self._check_job_type(vals)
            if vals.get("shop_id") and not vals.get("account_id"):
                # the shop says whose it is (the default guesses only when
                # there is a single account)
                shop = self.env["marketplace.shop"].browse(vals["shop_id"])
                vals["account_id"] = shop.account_id.id
            self._check_one_live_per_shop(vals)
            vals.setdefault("lang", self._job_lang_for(vals))
            vals.setdefault("tz", self._job_tz_for(vals))
            self._normalize_payload(vals)
        jobs = super().create(vals_list)
        # Numbered once valid: a refused save uses no number.
        sequence = self.env["ir.sequence"].sudo()
        for job in jobs.sudo():
            if job.name == "/":
                job.name = sequence.next_by_code("marketplace.job") or "/"
        jobs._enqueue()
        return jobs

    @api.model
    def _normalize_payload(self, vals):
        """An empty payload is ``{}`` (everything the job type allows);
        date-times without offset are the user's time."""
        if "payload" not in vals:
            return
        text = (vals["payload"] or "").strip() or "{}"
        tz_name = self.env.user.tz or self.env.company.partner_id.tz
        vals["payload"] = self._with_offsets(text, tz_name)

    def write(self, vals):
        self._check_system_fields(vals)
        self._normalize_payload(vals)
        self._check_job_type(vals)
        if IMMUTABLE_FIELDS & set(vals) and any(job.state != "pending" for job in self):
            raise UserError(
                self.env._(
                    "The type, account, shop and payload of a job cannot change "
                    "once it has started."
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_with_queue_jobs(self):
        """A job's queue jobs go with it: those still waiting are cancelled
        (left behind, they would hold their channel's places forever); a job
        whose step is running cannot be deleted."""
        qjobs = self.sudo().queue_job_ids
        running = qjobs.filtered(lambda qjob: qjob.state == "started")
        if running:
            raise UserError(
                self.env._(
                    "Job %(job)s is running: delete it once it has ended.",
                    job=running.marketplace_job_id[:1].name,
                )
            )
        qjobs.filtered(
            lambda qjob: qjob.state in ("wait_dependencies", "pending", "enqueued")
        ).button_cancelled()

    # -- views ----------------------------------------------------------------
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
