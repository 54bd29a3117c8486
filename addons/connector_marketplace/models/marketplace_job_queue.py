"""How a marketplace job runs on queue_job: the engine, the same for every
job type.

A job is made one way (:meth:`_queue_for`); saving it queues its first
queue job (``_job_run``, which calls its type's ``run``); a type that fans
out queues one step per chunk (:meth:`_queue_chunks`) and the finishing step
once all are done (``_job_finish``, its type's ``finish``). Failures, retries
and stuck jobs are handled here too.
"""

import logging

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.queue_job.delay import chain, group
from odoo.addons.queue_job.job import identity_exact

from ..exceptions import PAUSING_CAUSES, refusal_ends_the_job
from ..tools.redaction import redact
from ..tools.unique_violation import unique_violation_expected
from .marketplace_job import (
    LIVE_QUEUE_STATES,
    MAX_RETRIES,
    QUEUED_ONCE,
    STUCK_AFTER,
    JobFailure,
)

# (the engine logs as the job model always did: tests and the guide read it)
_logger = logging.getLogger("odoo.addons.connector_marketplace.models.marketplace_job")
# The pulls' own logger, a job logger (the user guide greps "job"):
_pull_logger = logging.getLogger("odoo.addons.connector_marketplace.job.pull")


class MarketplaceJob(models.Model):
    _inherit = "marketplace.job"

    @api.model
    def _queue_for(
        self, target, job_type, payload=None, origin="user", once=False, **values
    ):
        """Create a job of ``job_type`` for ``target``: a shop, or an account
        for the account's own job types. The one way jobs are made.

        :param once: the job is created unless a unique index says the same
            job is already waiting (see :meth:`_create_unless_queued`); the
            result may then be empty
        :param values: other fields of the job (``priority``, ``lang``)
        """
        is_shop = target._name == "marketplace.shop"
        vals = dict(
            {
                "job_type": job_type,
                "account_id": (target.account_id if is_shop else target).id,
                "shop_id": target.id if is_shop else False,
                "origin": origin,
                "payload": self._dump_payload(payload or {}),
            },
            **values,
        )
        jobs = self.sudo()
        return jobs._create_unless_queued(vals) if once else jobs.create(vals)

    @api.model
    def _create_unless_queued(self, vals):
        """Create a job, or nothing when a unique index says that another
        transaction queued the same job at the same moment.

        Not a flushing savepoint: rolling one back clears the cursor's
        pre-commit hooks and pending writes (chatter tracking, the other
        listeners' work), and this runs inside such a hook. Everything is
        flushed first, so the rollback only takes back the refused insert.
        """
        self.env.flush_all()
        try:
            with unique_violation_expected(self.env.cr, QUEUED_ONCE):
                return self.create(vals)
        except psycopg2.errors.UniqueViolation as error:
            if error.diag.constraint_name not in QUEUED_ONCE:
                raise
            return self.browse()

    def _job_store_values(self, job):
        """queue_job hook: link each queue job to its marketplace job (one
        deleted under it is no link: the step then fails instead of being
        refused its start again and again)."""
        return {"marketplace_job_id": self[:1].exists().id}

    def _queue_channel(self):
        self.ensure_one()
        if self.origin == "webhook":
            return "root.marketplace.webhook"
        return self._job_channels().get(self.job_type, "root.marketplace")

    def _delayable(self, **options):
        """A delayable on this job with its queue settings."""
        self.ensure_one()
        options.setdefault("priority", self.priority)
        options.setdefault("channel", self._queue_channel())
        options.setdefault("max_retries", MAX_RETRIES)
        return self.with_company(self.company_id).delayable(**options)

    def _job_description(self, step):
        self.ensure_one()
        # in the job's language, as its results
        job = self.with_context(lang=self.lang or self.env.lang)
        type_label = dict(job._fields["job_type"]._description_selection(job.env))[
            self.job_type
        ]
        target = self.shop_id.display_name or self.account_id.display_name
        return f"{self.name}: {type_label} {target} ({step})"

    def _enqueue(self):
        # An automatic push waits a few seconds for the rest of its operation.
        eta = self.env.context.get("marketplace_job_eta")
        for job in self:
            options = {"eta": eta} if eta else {}
            job._delayable(
                description=job._job_description(self.env._("start")),
                identity_key=identity_exact,
                **options,
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
            job._check_one_live_per_shop(
                {"job_type": job.job_type, "shop_id": job.shop_id.id}
            )
        # The steps left waiting behind the failure would never run.
        self.sudo().queue_job_ids.filtered(
            lambda qjob: qjob.state in ("wait_dependencies", "pending")
        ).button_cancelled()
        self.sudo().write(
            {
                "state": "pending",
                "error_message": False,
                "error_kind": False,
                "date_done": False,
                "result_summary": False,
            }
        )
        self.sudo().step_ids.unlink()
        self._enqueue()
        return True

    # -- queue jobs -----------------------------------------------------------
    @refusal_ends_the_job
    def _job_run(self):
        """First queue job: start the work of the job's type."""
        self.ensure_one()
        job = self.sudo()._in_job_lang()
        if job.state in ("completed", "failed"):
            return job.env._(
                "Job %(job)s was already %(state)s.",
                job=job.name,
                state=dict(job._fields["state"]._description_selection(job.env))[
                    job.state
                ],
            )
        job.write(
            {
                "state": "processing",
                "date_started": fields.Datetime.now(),
                "date_done": False,
                "error_message": False,
            }
        )
        return getattr(job, job._job_type(job.job_type).run)()

    @refusal_ends_the_job
    def _job_finish(self):
        """Last queue job: summarize and close the job.

        A :class:`JobFailure` raised by the type's finish ends the job failed
        with its message, keeping what the steps did.
        """
        self.ensure_one()
        job = self.sudo()._in_job_lang()
        if job.state == "failed":
            return job.error_message  # a step ended it
        try:
            summary = getattr(job, job._job_type(job.job_type).finish)()
        except JobFailure as failure:
            job._fail_with(str(failure))
            job._schedule_failure_activity()
            return str(failure)
        job.write(
            {
                "state": "completed",
                "date_done": fields.Datetime.now(),
                "result_summary": summary,
                "error_message": False,
            }
        )
        return summary

    def _on_queue_job_failed(
        self, exc_info=None, exc_name=None, exc_message=None, refused=False
    ):
        """Failure hook of every queue job of a marketplace job.

        Called by queue_job, in a transaction of its own, once a queue job
        failed for good (an unexpected error, or its retries exhausted); and
        by the steps themselves for an expected refusal (``refused``: see
        ``refusal_ends_the_job``), which retrying as it is cannot cure. A
        refusal of the app's credentials or permissions also pauses the
        shop's scheduled pulls, which would only fail the same way.
        """
        for job in self.sudo().exists():
            job = job._in_job_lang()
            message = exc_message or exc_name
            _pull_logger.warning(
                "Job %s (%s, %s) failed: %s",
                job.name,
                job.job_type,
                job.shop_id.display_name or job.account_id.display_name,
                message,
            )
            job._fail_with(message)
            job.error_kind = "refused" if refused else "failed"
            if refused and not job.date_started:
                # (the refused step's own writes were rolled back)
                job.date_started = job.date_done
            cause = PAUSING_CAUSES.get(exc_name or "")
            if cause and job.shop_id:
                job.shop_id._pause_sync(message)
            job._schedule_failure_activity(cause or "job_failed")

    def _fail_with(self, message, cancel_queue_jobs=False):
        """Mark these jobs failed; the steps left waiting will never run."""
        jobs = self.sudo()
        jobs.write(
            {
                "state": "failed",
                "error_message": redact(message) if message else message,
                "date_done": fields.Datetime.now(),
            }
        )
        states = LIVE_QUEUE_STATES if cancel_queue_jobs else ("wait_dependencies",)
        jobs.queue_job_ids.filtered(lambda qjob: qjob.state in states).write(
            {"state": "cancelled"}
        )

    def _schedule_failure_activity(self, cause="job_failed"):
        self.ensure_one()
        if not self.shop_id:
            return
        if cause == "job_failed":
            summary = self.env._("Marketplace job %(job)s failed", job=self.name)
            note = self.error_message
        else:
            summary = self.env._(
                "Scheduled pulls of %(shop)s are paused", shop=self.shop_id.name
            )
            note = self.env._(
                "%(error)s The scheduled pulls of this shop are paused until the "
                "account's credentials are changed or a test call succeeds "
                "(tried after 10 minutes, then less and less often, at least "
                "every 6 hours).",
                error=self.error_message,
            )
        self.shop_id._marketplace_activity(cause, summary, note)

    # -- stuck jobs -----------------------------------------------------------
    def _stuck_reason(self):
        """Why this pending or processing job will never finish, if it won't."""
        self.ensure_one()
        if self.state not in ("pending", "processing"):
            return False
        queue_jobs = self.sudo().queue_job_ids
        if not queue_jobs.filtered(lambda qjob: qjob.state in LIVE_QUEUE_STATES):
            return self.env._(
                "Stopped: none of its queue jobs is left to run (done, failed, "
                "cancelled or deleted)."
            )
        if self.create_date and self.create_date < fields.Datetime.now() - STUCK_AFTER:
            return self.env._(
                "Stopped: still unfinished %(hours)s hours after it was created, "
                "longer than all its retries can take.",
                hours=int(STUCK_AFTER.total_seconds() // 3600),
            )
        return False

    def _fail_stuck(self, reason):
        self.ensure_one()
        _logger.warning("Marketplace job %s is stuck: %s", self.name, reason)
        self._fail_with(reason, cancel_queue_jobs=True)

    # -- fan-out ----------------------------------------------------------------
    def _queue_chunks(
        self, step, elements, size, unit, *args, one_at_a_time=False, prepare=None
    ):
        """The job's fan-out, the same for every job type: ``elements`` split
        into chunks of ``size``, one queue job ``step(chunk, *args)`` each,
        then the finishing step once all are done.

        :param step: name of the step method (a queue job function)
        :param unit: what the elements are, for the queue jobs' descriptions:
            ``"orders"``, ``"order_refs"`` (named by their first references),
            ``"items"`` or ``"sale_orders"``
        :param prepare: what a step is given of its chunk, when not the chunk
        :returns: the number of chunks (0: nothing queued)
        """
        chunks = [elements[i : i + size] for i in range(0, len(elements), size)]
        steps = [
            getattr(
                self._delayable(
                    description=self._job_description(
                        self._chunk_label(
                            unit,
                            chunk,
                            index * size + 1,
                            len(elements),
                        )
                    ),
                    identity_key=identity_exact,
                ),
                step,
            )(prepare(chunk) if prepare else chunk, *args)
            for index, chunk in enumerate(chunks)
        ]
        if steps:
            self._delay_then_finish(steps, one_at_a_time=one_at_a_time)
        return len(chunks)

    def _chunk_label(self, unit, chunk, first, total):
        values = {"first": first, "last": first + len(chunk) - 1, "total": total}
        if unit == "order_refs":
            # (imports of named orders: support looks them up by reference)
            return self.env._("orders %(orders)s", orders=", ".join(chunk[:3]))
        if unit == "orders":
            return self.env._("orders %(first)s-%(last)s of %(total)s", **values)
        if unit == "sale_orders":
            return self.env._("sale orders %(first)s-%(last)s of %(total)s", **values)
        return self.env._("items %(first)s-%(last)s of %(total)s", **values)

    def _delay_then_finish(self, steps, one_at_a_time=False):
        """Queue the job's steps, and its finishing step once all are done.

        :param one_at_a_time: each step starts when the one before is done
            (steps that would write the same rows: run side by side, one of
            them fails to serialize and does its work again)
        """
        finish = self._delayable(
            description=self._job_description(self.env._("finish"))
        )
        steps = chain(*steps) if one_at_a_time else group(*steps)
        steps.on_done(finish._job_finish()).delay()
