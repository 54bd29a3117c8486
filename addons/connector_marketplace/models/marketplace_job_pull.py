"""The ``pull_orders`` job: the orders a shop's marketplace changed in a time
window, listed (resumable page by page), imported in chunks, each chunk one
queue job, then summarized; and the chunk import the webhook's
``import_orders`` shares."""

import json
import logging
from datetime import timedelta

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.queue_job.exception import RetryableJobError

from ..exceptions import refusal_ends_the_job
from .marketplace_job import MAX_RETRIES, JobFailure, JobType

_logger = logging.getLogger("odoo.addons.connector_marketplace.models.marketplace_job")
# The pulls' own logger, a job logger (the user guide greps "job"):
_pull_logger = logging.getLogger("odoo.addons.connector_marketplace.job.pull")

PULL_ORDERS_KEYS = {"since", "until"}


class MarketplaceJob(models.Model):
    _inherit = "marketplace.job"

    @api.model
    def _job_types(self):
        return dict(
            super()._job_types(),
            pull_orders=JobType(
                run="_run_pull_orders",
                finish="_finish_pull_orders",
                validate="_validate_payload_pull_orders",
                channel="root.marketplace.import",
                one_live_per_shop=True,
            ),
        )

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

    # -- pull orders ----------------------------------------------------------
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
        since, until, progress = self._listing_progress()
        backend = self.shop_id._get_channel_backend()
        try:
            order_refs = backend._marketplace_list_orders(since, until, progress)
        except RetryableJobError as error:
            # One failed page must not make every try list all the pages again
            # (with many pages and a flaky marketplace, no try would ever get
            # through them all): the retry goes on from the page that failed,
            # over the same window, whichever worker or node runs it.
            self._save_listing_progress(since, until, progress, error)
            raise
        self.step_ids.filtered("listing_progress").write({"listing_progress": False})
        self.write(
            {
                "window_start": since,
                "window_end": until,
                "orders_listed": len(order_refs),
            }
        )
        # Orders set aside are read again at every pull: the marketplace may
        # return them now without having changed them.
        order_refs += [
            ref
            for ref in self.shop_id._orders_set_aside().mapped("name")
            if ref not in set(order_refs)
        ]
        _pull_logger.info(
            "Pull %s (%s): %s orders updated from %s to %s (UTC)",
            self.name,
            self.shop_id.display_name,
            len(order_refs),
            since,
            until,
        )
        chunks = self._queue_chunks(
            "_job_import_orders",
            order_refs,
            backend._marketplace_capabilities().order_chunk_size,
            "orders",
        )
        if not chunks:
            return self._job_finish()
        return self.env._(
            "%(count)s orders listed; %(chunks)s import jobs queued.",
            count=len(order_refs),
            chunks=chunks,
        )

    def _listing_progress(self):
        """(since, until, progress) of this pull's listing: as its last try
        left them, else a fresh start."""
        step = self.step_ids.filtered("listing_progress")[-1:]
        if step:
            kept = json.loads(step.listing_progress)
            return (
                fields.Datetime.to_datetime(kept["since"]),
                fields.Datetime.to_datetime(kept["until"]),
                kept["progress"],
            )
        since, until = self._pull_window()
        return since, until, {}

    def _save_listing_progress(self, since, until, progress, error):
        """Keep what the listing read for the next try, in a transaction of its
        own (this try's is rolled back), on one step row of the job: not the
        job's row, which this try's transaction holds. If it cannot be saved,
        the next try lists every page again: said in the log, and the
        listing's own error stays the one raised."""
        values = {
            "listing_progress": json.dumps(
                {
                    "since": fields.Datetime.to_string(since),
                    "until": fields.Datetime.to_string(until),
                    "progress": progress,
                }
            ),
            "notes": self.env._(
                "Listing stopped after %(count)s orders (%(error)s); the next try "
                "goes on from there.",
                count=len(progress.get("order_refs") or []),
                error=error,
            ),
        }
        try:
            with self.env.registry.cursor() as cr:
                steps = self.env(cr=cr)["marketplace.job.step"].sudo()
                kept = steps.search(
                    [("job_id", "=", self.id), ("listing_progress", "!=", False)],
                    limit=1,
                )
                if kept:
                    kept.write(values)
                else:
                    steps.create(dict(values, job_id=self.id))
        except psycopg2.Error as failure:
            _pull_logger.warning(
                "Pull %s: where its listing stopped could not be kept (%s); the "
                "next try lists every page again",
                self.name,
                failure,
            )

    @refusal_ends_the_job
    def _job_import_orders(self, order_refs):
        """Queue job: import one chunk of orders, all or nothing.

        An order the marketplace lists but does not return is an error of the
        chunk, retried; on the chunk's last try it is set aside instead, and
        the job ends failed naming it (see :meth:`_set_aside_orders`).
        """
        self.ensure_one()
        job = self.sudo()._in_job_lang()
        backend = job.shop_id._get_channel_backend()
        result = backend._marketplace_import_orders(order_refs)
        result.records.line_ids._assign_products()
        job._link_orders(result.records)
        job.shop_id._orders_recovered(result.records)
        missing = job._missing_orders_not_set_aside(result.missing)
        if missing:
            attempt, max_attempts = job._queue_attempt()
            if attempt < max_attempts:
                raise RetryableJobError(
                    job.env._(
                        "The marketplace did not return the order(s) %(orders)s "
                        "it listed; trying again.",
                        orders=", ".join(missing),
                    )
                )
            job._set_aside_orders(missing, attempt)
        self.env["marketplace.job.step"].sudo().create(
            {
                "job_id": job.id,
                "created_count": result.outcomes.get("created", 0),
                "updated_count": result.outcomes.get("updated", 0),
                "unchanged_count": result.outcomes.get("uptodate", 0),
                "missing_refs": ", ".join(result.missing) or False,
            }
        )
        return job.env._("%(count)s orders imported.", count=len(result.records))

    def _queue_attempt(self):
        """(this try's number, the tries allowed) of the running queue job."""
        uuid = self.env.context.get("job_uuid")
        qjob = uuid and self.env["queue.job"].sudo().search(
            [("uuid", "=", uuid)], limit=1
        )
        if not qjob:
            return 1, 1  # run directly, not through the queue: no retry to wait
        # The stored count is the tries before this one.
        return qjob.retry + 1, qjob.max_retries or MAX_RETRIES

    def _missing_orders_not_set_aside(self, refs):
        """``refs`` minus the orders of the shop already set aside."""
        if not refs:
            return []
        known = (
            self.env["marketplace.order.missing"]
            .sudo()
            .search(
                [
                    ("shop_id", "=", self.shop_id.id),
                    ("name", "in", refs),
                    ("state", "=", "set_aside"),
                ]
            )
        )
        return [ref for ref in refs if ref not in set(known.mapped("name"))]

    def _set_aside_orders(self, refs, attempts):
        """Set aside the orders the marketplace keeps not returning."""
        self.ensure_one()
        reason = self.env._(
            "Listed by the marketplace but not returned after %(tries)s tries.",
            tries=attempts,
        )
        missing_model = self.env["marketplace.order.missing"].sudo()
        existing = missing_model.search(
            [("shop_id", "=", self.shop_id.id), ("name", "in", refs)]
        )
        values = {
            "job_id": self.id,
            "state": "set_aside",
            "reason": reason,
            "date_set_aside": fields.Datetime.now(),
            "date_recovered": False,
        }
        existing.write(values)
        missing_model.create(
            [
                dict(values, shop_id=self.shop_id.id, name=ref)
                for ref in refs
                if ref not in set(existing.mapped("name"))
            ]
        )
        _logger.warning(
            "Job %s: orders %s set aside: %s", self.name, ", ".join(refs), reason
        )

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
        window = self.env._(
            "from %(since)s to %(until)s",
            since=self._local(self.window_start, zone=False),
            until=self._local(self.window_end),
        )
        set_aside = self.set_aside_ids.mapped("name")
        if set_aside:
            # The sync point stays: the next pull lists these orders again,
            # imports them if they are back, and otherwise goes on without them.
            self.shop_id._orders_set_aside_activity(self)
            raise JobFailure(
                self.env._(
                    "The marketplace did not return %(count)s listed order(s) "
                    "%(window)s after every retry: %(orders)s. They are set aside "
                    "(Marketplace > Orders Set Aside); the next pulls import them "
                    "once the marketplace returns them and go on without them.",
                    count=len(set_aside),
                    window=window,
                    orders=", ".join(set_aside),
                )
            )
        self.shop_id._advance_order_sync_point(self.window_start, self.window_end)
        self._queue_sale_orders(self.order_ids)
        self.shop_id._marketplace_activity_done(
            "job_failed",
            self.env._("Job %(job)s of this shop succeeded.", job=self.name),
        )
        counts = self._step_counts()
        _pull_logger.info(
            "Pull %s (%s) done: %s new, %s updated, %s unchanged; synced until %s",
            self.name,
            self.shop_id.display_name,
            counts["created"],
            counts["updated"],
            counts["unchanged"],
            self.shop_id.order_sync_point,
        )
        if not sum(counts.values()):
            return self.env._(
                "0 orders: no order was updated %(window)s.", window=window
            )
        return self.env._(
            "%(count)s orders: %(created)s new, %(updated)s updated, "
            "%(unchanged)s unchanged (orders updated %(window)s).",
            count=sum(counts.values()),
            window=window,
            created=counts["created"],
            updated=counts["updated"],
            unchanged=counts["unchanged"],
        )

    def _step_counts(self):
        steps = self.step_ids
        return {
            "created": sum(steps.mapped("created_count")),
            "updated": sum(steps.mapped("updated_count")),
            "unchanged": sum(steps.mapped("unchanged_count")),
        }
