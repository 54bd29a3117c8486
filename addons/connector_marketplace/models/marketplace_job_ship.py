"""Two job types for the work after the order.

* ``ship_orders`` (``{"order_ids": [...], "mode": ..., "address_id": ...,
  "slot_id": ..., "branch_id": ..., "tracking_numbers": {order id: number}}``)
  arranges the shipment of orders on the marketplace (the ship wizard), then
  imports them again (their status moves on) and fetches their labels.
* ``print_labels`` (``{"order_ids": [...]}``) fetches the orders' shipping
  labels as PDF files and attaches each to its delivery, with the tracking
  number when the order has none yet (the number may come later than the
  shipment, and without a push).
"""

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.queue_job.exception import RetryableJobError

from ..exceptions import refusal_ends_the_job
from .marketplace_channel_backend import SHIP_MODES
from .marketplace_job import JobFailure, JobType

SHIPMENT_KEYS = ("mode", "address_id", "slot_id", "branch_id", "tracking_numbers")


def _order_ids(payload):
    ids = payload.get("order_ids")
    return (
        isinstance(ids, list)
        and ids
        and all(isinstance(i, int) and not isinstance(i, bool) for i in ids)
    )


class MarketplaceJob(models.Model):
    _inherit = "marketplace.job"

    job_type = fields.Selection(
        selection_add=[
            ("ship_orders", "Arrange shipment"),
            ("print_labels", "Fetch shipping labels"),
        ],
        ondelete={"ship_orders": "cascade", "print_labels": "cascade"},
    )

    @api.model
    def _job_types(self):
        return dict(
            super()._job_types(),
            ship_orders=JobType(
                run="_run_ship_orders",
                finish="_finish_ship_orders",
                validate="_validate_payload_ship_orders",
                channel="root.marketplace.export",
            ),
            print_labels=JobType(
                run="_run_print_labels",
                finish="_finish_print_labels",
                validate="_validate_payload_print_labels",
            ),
        )

    # -- payloads -------------------------------------------------------------
    @api.model
    def _validate_payload_ship_orders(self, payload):
        unknown = set(payload) - {"order_ids", *SHIPMENT_KEYS}
        modes = dict(SHIP_MODES)
        if unknown or not _order_ids(payload) or payload.get("mode") not in modes:
            raise ValidationError(
                self.env._(
                    'Arranging shipment needs {"order_ids": [<marketplace order id>, '
                    '...], "mode": one of %(modes)s} and optionally "address_id", '
                    '"slot_id", "branch_id" and "tracking_numbers".',
                    modes=", ".join(modes),
                )
            )
        ids = {key: payload.get(key) or None for key in SHIPMENT_KEYS}
        if not all(
            value is None or isinstance(value, str)
            for key, value in ids.items()
            if key != "tracking_numbers"
        ):
            raise ValidationError(
                self.env._("Addresses, time slots and branches are given as text ids.")
            )
        numbers = payload.get("tracking_numbers") or {}
        if not isinstance(numbers, dict) or not all(
            isinstance(n, str) and n.strip() for n in numbers.values()
        ):
            raise ValidationError(
                self.env._(
                    '"tracking_numbers" maps each order id to its tracking number.'
                )
            )
        if payload["mode"] == "manual" and set(map(str, payload["order_ids"])) - set(
            numbers
        ):
            raise ValidationError(
                self.env._(
                    "Shipping with your own carrier needs the tracking number of "
                    "every order."
                )
            )
        ids["tracking_numbers"] = {str(k): v.strip() for k, v in numbers.items()}
        return dict(ids, order_ids=list(dict.fromkeys(payload["order_ids"])))

    @api.model
    def _validate_payload_print_labels(self, payload):
        if set(payload) - {"order_ids"} or not _order_ids(payload):
            raise ValidationError(
                self.env._(
                    'Fetching labels needs {"order_ids": [<marketplace order id>, '
                    "...]} and nothing else."
                )
            )
        return {"order_ids": list(dict.fromkeys(payload["order_ids"]))}

    def _queue_order_steps(self, step, size, *args):
        """Queue ``step`` on chunks of ``size`` of the job's orders.

        :returns: how many orders (none: the caller finishes the job now)
        """
        orders = self._job_orders()
        self.orders_listed = len(orders)
        if orders:
            self._queue_chunks(step, orders.ids, size, "orders", *args)
        return len(orders)

    def _summary_with_notes(self, summary, failed):
        """The summary followed by what the steps could not do, and why.

        :param failed: nothing was done: with such notes, the job failed
        :raises JobFailure: the job failed
        """
        notes = "\n".join(note for note in self.step_ids.mapped("notes") if note)
        if not notes:
            return summary
        summary += "\n" + notes
        if failed:
            raise JobFailure(summary)
        return summary

    def _job_orders(self):
        return (
            self.env["marketplace.order"]
            .browse(self._payload_dict()["order_ids"])
            .exists()
            .filtered(lambda o: o.shop_id == self.shop_id)
        )

    # -- ship_orders ----------------------------------------------------------
    def _run_ship_orders(self):
        payload = self._payload_dict()
        capabilities = self.shop_id._get_channel_backend()._marketplace_capabilities()
        count = self._queue_order_steps(
            "_job_ship_orders",
            capabilities.ship_batch_size,
            {key: payload[key] for key in SHIPMENT_KEYS},
        )
        if not count:
            return self._job_finish()
        return self.env._("%(count)s orders to ship.", count=count)

    @refusal_ends_the_job
    def _job_ship_orders(self, order_ids, shipment):
        """Queue job: arrange the shipment of a chunk of orders."""
        self.ensure_one()
        job = self.sudo()._in_job_lang()
        orders = job.env["marketplace.order"].browse(order_ids).exists()
        problems = {order: order._ship_problem(requested=True) for order in orders}
        todo = orders.filtered(lambda o: not problems[o])
        by_id = {str(order.id): order.name for order in todo}
        channel_shipment = dict(
            shipment,
            tracking_numbers={
                by_id[key]: number
                for key, number in shipment["tracking_numbers"].items()
                if key in by_id
            },
        )
        results = (
            todo.shop_id._get_channel_backend()._marketplace_ship(
                todo.mapped("name"), channel_shipment
            )
            if todo
            else {}
        )
        notes, arranged = [], todo.browse()
        for order in todo:
            reason = results.get(
                order.name, job.env._("The marketplace did not answer for it.")
            )
            if reason is None:
                arranged |= order
                order.write(
                    {
                        "shipment_state": "arranged",
                        "shipment_error": False,
                        "shipment_mode": shipment["mode"],
                    }
                )
            else:
                order.write({"shipment_state": "refused", "shipment_error": reason})
                notes.append(f"{order.name}: {reason}")
        skipped = orders - todo
        # (not to be arranged any more: the seller's buttons come back)
        skipped.filtered(
            lambda o: o.shipment_state == "requested"
        ).shipment_state = False
        notes += [f"{order.name}: {problems[order]}" for order in skipped]
        job._link_orders(orders)
        job.env["marketplace.job.step"].create(
            {
                "job_id": job.id,
                "updated_count": len(arranged),
                "failed_count": len(todo) - len(arranged),
                "skipped_count": len(skipped),
                "notes": "\n".join(notes) or False,
            }
        )
        return job.env._(
            "%(arranged)s of %(count)s shipments arranged.",
            arranged=len(arranged),
            count=len(orders),
        )

    def _finish_ship_orders(self):
        steps = self.step_ids
        arranged = self.order_ids.filtered(lambda o: o.shipment_state == "arranged")
        if arranged:
            # their status and tracking numbers, then their labels
            self._queue_for(
                self.shop_id,
                "import_orders",
                {"order_refs": arranged.mapped("name")},
                origin=self.origin,
                lang=self.lang,
            )
            backend = self.shop_id._get_channel_backend()
            if backend._marketplace_capabilities().can_print_labels:
                self._queue_for(
                    self.shop_id,
                    "print_labels",
                    {"order_ids": arranged.ids},
                    origin=self.origin,
                    lang=self.lang,
                )
        summary = self.env._(
            "%(arranged)s shipments arranged, %(refused)s refused, %(skipped)s "
            "left out.",
            arranged=sum(steps.mapped("updated_count")),
            refused=sum(steps.mapped("failed_count")),
            skipped=sum(steps.mapped("skipped_count")),
        )
        return self._summary_with_notes(summary, failed=not arranged)

    # -- print_labels ---------------------------------------------------------
    def _run_print_labels(self):
        capabilities = self.shop_id._get_channel_backend()._marketplace_capabilities()
        count = self._queue_order_steps(
            "_job_print_labels", capabilities.label_batch_size
        )
        if not count:
            return self._job_finish()
        return self.env._("%(count)s labels to fetch.", count=count)

    @refusal_ends_the_job
    def _job_print_labels(self, order_ids):
        """Queue job: the labels of a chunk of orders, attached to their
        deliveries once the marketplace has made all of them (a label still
        being made tries the chunk again later, on the retry pattern)."""
        self.ensure_one()
        job = self.sudo()._in_job_lang()
        orders = job.env["marketplace.order"].browse(order_ids).exists()
        backend = job.shop_id._get_channel_backend()
        job._read_tracking_numbers(backend, orders)
        result = backend._marketplace_fetch_labels(
            orders.mapped("name"), job.shop_id.label_format
        )
        if result.get("pending"):
            raise RetryableJobError(
                job.env._(
                    "The marketplace is still making the labels of %(orders)s; "
                    "asking again shortly.",
                    orders=", ".join(result["pending"]),
                )
            )
        ready, failed = result.get("ready") or {}, result.get("failed") or {}
        attached = orders.browse()
        for order in orders.filtered(lambda o: o.name in ready):
            if order._attach_label(ready[order.name]):
                attached |= order
        missing = orders.filtered(lambda o: o.name not in ready)
        notes = [
            f"{order.name}: "
            + (
                failed.get(order.name)
                or job.env._("The marketplace did not answer for it.")
            )
            for order in missing
        ]
        notes += [
            f"{order.name}: " + job.env._("It has no delivery to attach the label to.")
            for order in orders.filtered(lambda o: o.name in ready) - attached
        ]
        job._link_orders(orders)
        job.env["marketplace.job.step"].create(
            {
                "job_id": job.id,
                "updated_count": len(attached),
                "failed_count": len(orders) - len(attached),
                "notes": "\n".join(notes) or False,
            }
        )
        return job.env._(
            "%(count)s labels attached.",
            count=len(attached),
        )

    def _read_tracking_numbers(self, backend, orders):
        """Ask for the tracking numbers that no push has brought yet."""
        untracked = orders.filtered(
            lambda o: not o.tracking_number and o.shipment_state == "arranged"
        )
        if not untracked:
            return
        numbers = backend._marketplace_read_tracking(untracked.mapped("name"))
        for order in untracked.filtered(lambda o: numbers.get(o.name)):
            order.tracking_number = numbers[order.name]
            order._update_delivery_tracking(order._outgoing_pickings())

    def _finish_print_labels(self):
        steps = self.step_ids
        summary = self.env._(
            "%(attached)s labels attached to their deliveries, %(failed)s not.",
            attached=sum(steps.mapped("updated_count")),
            failed=sum(steps.mapped("failed_count")),
        )
        return self._summary_with_notes(
            summary, failed=not sum(steps.mapped("updated_count"))
        )


class MarketplaceOrder(models.Model):
    _inherit = "marketplace.order"

    def _attach_label(self, pdf):
        """Attach the label to the order's delivery (replacing an older one).

        :returns: the delivery, or an empty recordset when there is none
        """
        self.ensure_one()
        picking = self._outgoing_pickings()[:1]
        if not picking:
            return picking
        old = picking.marketplace_label_id
        picking.marketplace_label_id = self.env["ir.attachment"].create(
            {
                "name": self.env._("Label %(order)s.pdf", order=self.name),
                "raw": pdf,
                "mimetype": "application/pdf",
                "res_model": "stock.picking",
                "res_id": picking.id,
            }
        )
        old.unlink()
        return picking
