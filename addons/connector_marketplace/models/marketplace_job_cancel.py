"""Cancellations from Odoo: the seller's, and the answer to a buyer's request.

* ``cancel_orders`` (``{"order_ids": [...], "reason": one of CANCEL_REASONS}``)
  cancels unshipped orders on the marketplace (the seller cancelled their
  sale orders in Odoo), then imports them again: once the marketplace says
  cancelled, the sale order is cancelled, its reservation released and the
  stock pushed, as for any cancelled order.
* ``answer_cancellation`` (``{"order_ids": [...], "accept": true|false}``)
  answers buyers' cancellation requests, then imports the orders again:
  accepted, they are cancelled as above; rejected, they go on.
"""

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..exceptions import refusal_ends_the_job
from ..tools.actions import notification
from .marketplace_channel_backend import CANCEL_REASONS
from .marketplace_job import JobType
from .marketplace_job_ship import _order_ids

# orders a step cancels or answers (one call each)
CANCEL_CHUNK = 50
# the seller may cancel an order until its parcel leaves
CANCELLABLE_STATUSES = ("awaiting_payment", "to_ship", "packed")


class MarketplaceJob(models.Model):
    _inherit = "marketplace.job"

    job_type = fields.Selection(
        selection_add=[
            ("cancel_orders", "Cancel orders"),
            ("answer_cancellation", "Answer cancellation requests"),
        ],
        ondelete={"cancel_orders": "cascade", "answer_cancellation": "cascade"},
    )

    @api.model
    def _job_types(self):
        return dict(
            super()._job_types(),
            cancel_orders=JobType(
                run="_run_cancel_orders",
                finish="_finish_cancel_orders",
                validate="_validate_payload_cancel_orders",
                channel="root.marketplace.export",
            ),
            answer_cancellation=JobType(
                run="_run_cancel_orders",
                finish="_finish_cancel_orders",
                validate="_validate_payload_answer_cancellation",
                channel="root.marketplace.export",
            ),
        )

    @api.model
    def _validate_payload_cancel_orders(self, payload):
        reasons = dict(CANCEL_REASONS)
        if (
            set(payload) - {"order_ids", "reason"}
            or not _order_ids(payload)
            or payload.get("reason") not in reasons
        ):
            raise ValidationError(
                self.env._(
                    'Cancelling orders needs {"order_ids": [<marketplace order id>, '
                    '...], "reason": one of %(reasons)s}.',
                    reasons=", ".join(reasons),
                )
            )
        return {
            "order_ids": list(dict.fromkeys(payload["order_ids"])),
            "reason": payload["reason"],
        }

    @api.model
    def _validate_payload_answer_cancellation(self, payload):
        if (
            set(payload) - {"order_ids", "accept"}
            or not _order_ids(payload)
            or not isinstance(payload.get("accept"), bool)
        ):
            raise ValidationError(
                self.env._(
                    'Answering cancellation requests needs {"order_ids": [<marketplace '
                    'order id>, ...], "accept": true or false}.'
                )
            )
        return {
            "order_ids": list(dict.fromkeys(payload["order_ids"])),
            "accept": payload["accept"],
        }

    def _run_cancel_orders(self):
        count = self._queue_order_steps("_job_cancel_orders", CANCEL_CHUNK)
        if not count:
            return self._job_finish()
        return self.env._("%(count)s orders.", count=count)

    @refusal_ends_the_job
    def _job_cancel_orders(self, order_ids):
        """Queue job: cancel a chunk of orders, or answer their buyers."""
        self.ensure_one()
        job = self.sudo()._in_job_lang()
        payload = job._payload_dict()
        orders = job.env["marketplace.order"].browse(order_ids).exists()
        backend = job.shop_id._get_channel_backend()
        if job.job_type == "cancel_orders":
            todo = orders.filtered(lambda o: o.status in CANCELLABLE_STATUSES)
            results = (
                backend._marketplace_cancel(todo.mapped("name"), payload["reason"])
                if todo
                else {}
            )
        else:
            todo = orders.filtered(lambda o: o.status == "cancel_requested")
            results = (
                backend._marketplace_answer_cancellation(
                    todo.mapped("name"), payload["accept"]
                )
                if todo
                else {}
            )
        done, notes = todo.browse(), []
        for order in todo:
            reason = results.get(
                order.name, job.env._("The marketplace did not answer for it.")
            )
            if reason is None:
                done |= order
                order.write({"cancel_error": False})
            else:
                order.write({"cancel_error": reason})
                notes.append(f"{order.name}: {reason}")
                order._cancel_refused(reason)
        skipped = orders - todo
        notes += [
            f"{order.name}: "
            + job.env._(
                "It is %(status)s now: nothing to do.",
                status=dict(order._fields["status"]._description_selection(job.env))[
                    order.status
                ],
            )
            for order in skipped
        ]
        job._link_orders(orders)
        job.env["marketplace.job.step"].create(
            {
                "job_id": job.id,
                "updated_count": len(done),
                "failed_count": len(todo) - len(done),
                "skipped_count": len(skipped),
                "notes": "\n".join(notes) or False,
            }
        )
        return job.env._(
            "%(done)s of %(count)s orders done.", done=len(done), count=len(orders)
        )

    def _finish_cancel_orders(self):
        steps = self.step_ids
        done = self.order_ids.filtered(lambda o: not o.cancel_error)
        if done:
            # their new status: the sale orders follow it
            self._queue_for(
                self.shop_id,
                "import_orders",
                {"order_refs": done.mapped("name")},
                origin=self.origin,
                lang=self.lang,
            )
        if self.job_type == "cancel_orders":
            summary = self.env._(
                "%(done)s orders cancelled on the marketplace, %(refused)s refused, "
                "%(skipped)s left alone.",
                done=sum(steps.mapped("updated_count")),
                refused=sum(steps.mapped("failed_count")),
                skipped=sum(steps.mapped("skipped_count")),
            )
        else:
            summary = self.env._(
                "%(done)s cancellation requests answered (%(answer)s), %(refused)s "
                "refused, %(skipped)s left alone.",
                done=sum(steps.mapped("updated_count")),
                answer=self.env._("accepted")
                if self._payload_dict()["accept"]
                else self.env._("rejected"),
                refused=sum(steps.mapped("failed_count")),
                skipped=sum(steps.mapped("skipped_count")),
            )
        return self._summary_with_notes(
            summary,
            failed=not sum(steps.mapped("updated_count"))
            and sum(steps.mapped("failed_count")),
        )


class MarketplaceOrder(models.Model):
    _inherit = "marketplace.order"

    cancel_error = fields.Char(
        string="Cancellation refused because", readonly=True, copy=False
    )

    def _cancel_problem(self):
        """Why the seller cannot cancel this order on the marketplace, or None."""
        self.ensure_one()
        capabilities = (
            self.shop_id.sudo()._get_channel_backend()._marketplace_capabilities()
        )
        if not capabilities.can_cancel:
            return self.env._("Cancel it in the marketplace's seller centre.")
        if self.status not in CANCELLABLE_STATUSES:
            return self.env._("Its parcel has left, or it is cancelled already.")
        return None

    def _cancel_refused(self, reason):
        """Tell the sale order's salesperson that the marketplace refused."""
        self.ensure_one()
        if self.sale_order_id:
            self.sale_order_id.message_post(
                body=self.env._(
                    "The marketplace refused to cancel order %(order)s: %(reason)s",
                    order=self.name,
                    reason=reason,
                )
            )

    def action_accept_cancellation(self):
        return self._answer_cancellation(True)

    def action_reject_cancellation(self):
        return self._answer_cancellation(False)

    def _answer_cancellation(self, accept):
        orders = self.filtered(lambda o: o.status == "cancel_requested")
        if not orders:
            return False
        jobs = orders._queue_per_shop("answer_cancellation", accept=accept)
        return notification(
            self.env._("Answering the buyer"),
            self.env._(
                "The answer is being sent to the marketplace (%(jobs)s).",
                jobs=", ".join(jobs.mapped("name")),
            ),
            kind="success",
        )
