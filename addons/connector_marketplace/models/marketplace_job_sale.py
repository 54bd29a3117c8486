"""Two job types built on the pull of orders.

* ``import_orders`` (``{"order_refs": [...]}``) imports given orders now: the
  Re-sync button of an order, and later the webhooks.
* ``sale_orders`` (``{"order_ids": [...]}``, or ``{}`` for every order of the
  shop that needs it; ``"force": true`` for the seller's Create Sale Order)
  reads the settlement (the seller's prices and fees) and the tracking numbers,
  creates and confirms the sale orders, and brings existing ones in line
  with the order's status. It runs in queue jobs of its own, after an import,
  never inside the import's chunks.
"""

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..exceptions import refusal_ends_the_job
from .marketplace_job import JobType

SALE_CHUNK = 50

# The marketplace gives the tracking number once shipment is arranged.
TRACKED_STATUSES = ("packed", "shipping", "delivered", "completed")


class MarketplaceJob(models.Model):
    _inherit = "marketplace.job"

    job_type = fields.Selection(
        selection_add=[
            ("import_orders", "Import orders"),
            ("sale_orders", "Create sale orders"),
        ],
        ondelete={"import_orders": "cascade", "sale_orders": "cascade"},
    )

    @api.model
    def _job_types(self):
        return dict(
            super()._job_types(),
            import_orders=JobType(
                run="_run_import_orders",
                finish="_finish_import_orders",
                validate="_validate_payload_import_orders",
                channel="root.marketplace.import",
            ),
            sale_orders=JobType(
                run="_run_sale_orders",
                finish="_finish_sale_orders",
                validate="_validate_payload_sale_orders",
            ),
        )

    # -- payloads -------------------------------------------------------------
    @api.model
    def _validate_payload_import_orders(self, payload):
        # "order_sns": the key of 18.0.1.x, in the jobs queued before
        key = "order_refs" if "order_refs" in payload else "order_sns"
        unknown = set(payload) - {key}
        refs = payload.get(key)
        if unknown or not isinstance(refs, list) or not refs:
            raise ValidationError(
                self.env._(
                    'An import of orders needs {"order_refs": ["<order number>", '
                    "...]} and nothing else."
                )
            )
        if not all(isinstance(ref, str) and ref.strip() for ref in refs):
            raise ValidationError(
                self.env._('"order_refs" must be a list of order numbers (strings).')
            )
        return {"order_refs": list(dict.fromkeys(ref.strip() for ref in refs))}

    @api.model
    def _validate_payload_sale_orders(self, payload):
        unknown = set(payload) - {"order_ids", "force"}
        if unknown:
            raise ValidationError(
                self.env._(
                    "Unknown key(s) in the payload: %(keys)s. Creating sale orders "
                    'accepts "order_ids" and "force".',
                    keys=", ".join(sorted(unknown)),
                )
            )
        ids = payload.get("order_ids")
        if ids is not None and not (
            isinstance(ids, list)
            and all(isinstance(i, int) and not isinstance(i, bool) for i in ids)
        ):
            raise ValidationError(
                self.env._('"order_ids" must be a list of marketplace order ids.')
            )
        return {"order_ids": ids, "force": bool(payload.get("force"))}

    # -- import_orders --------------------------------------------------------
    def _run_import_orders(self):
        refs = self._payload_dict()["order_refs"]
        backend = self.shop_id._get_channel_backend()
        self.orders_listed = len(refs)
        self._queue_chunks(
            "_job_import_orders",
            refs,
            backend._marketplace_capabilities().order_chunk_size,
            "order_refs",
        )
        return self.env._("%(count)s orders to import.", count=len(refs))

    def _finish_import_orders(self):
        self._queue_sale_orders(self.order_ids)
        counts = self._step_counts()
        return self.env._(
            "%(count)s orders: %(created)s new, %(updated)s updated, "
            "%(unchanged)s unchanged.",
            count=sum(counts.values()),
            **counts,
        )

    # -- sale_orders ----------------------------------------------------------
    def _queue_sale_orders(self, orders):
        """A sale_orders job for the orders that need their sale order made
        (when the shop creates them automatically) or brought in line with
        the order (always: a sale order made by hand follows its order too)."""
        self.ensure_one()
        shop = self.shop_id
        orders = orders.filtered("needs_sale_sync")
        if not shop.auto_create_sale_orders:
            orders = orders.filtered("sale_order_id")
        if not orders:
            return self.browse()
        return self.with_context(lang=self.lang)._queue_for(
            shop,
            "sale_orders",
            {"order_ids": orders.ids},
            origin=self.origin,
            lang=self.lang,
        )

    def _sale_order_targets(self):
        payload = self._payload_dict()
        orders = self.env["marketplace.order"]
        if payload["order_ids"] is not None:
            return (
                orders.browse(payload["order_ids"])
                .exists()
                .filtered(lambda o: o.shop_id == self.shop_id)
            )
        return orders.search(
            [("shop_id", "=", self.shop_id.id)] + orders._sale_sync_due_domain()
        )

    def _run_sale_orders(self):
        orders = self._sale_order_targets()
        force = self._payload_dict()["force"]
        self.orders_listed = len(orders)
        if not orders:
            return self._job_finish()
        # made now, committed with this step: every chunk would make them
        self.shop_id._make_sale_defaults()
        # One chunk after the other: chunks side by side reserve the same
        # products' stock (stock.quant rows), and all but one of them fail to
        # serialize and start again.
        self._queue_chunks(
            "_job_sale_orders",
            orders.ids,
            SALE_CHUNK,
            "sale_orders",
            force,
            one_at_a_time=True,
        )
        return self.env._(
            "%(count)s orders to bring into sale orders.", count=len(orders)
        )

    @refusal_ends_the_job
    def _job_sale_orders(self, order_ids, force=False):
        """Queue job: settlement, tracking numbers, then sale orders, for a chunk."""
        self.ensure_one()
        job = self.sudo()._in_job_lang()
        orders = job.env["marketplace.order"].browse(order_ids).exists()
        backend = job.shop_id._get_channel_backend()
        provisional_read = job._read_settlements(backend, orders, force)
        job._read_tracking(backend, orders, force)
        counts, had_sale_order, failed = orders._sync_sale_orders_isolated(force)
        # Brought in line, or in error until something changes: an order that
        # fails for good must not be tried again every ten minutes.
        orders.write({"needs_sale_sync": False})
        failed |= orders.filtered(lambda o: o.sale_status == "error")
        job._link_orders(orders)
        job.env["marketplace.job.step"].create(
            {
                "job_id": job.id,
                "created_count": counts["created"],
                "updated_count": len(had_sale_order),
                "unchanged_count": counts["skipped"],
                "waiting_count": counts["waiting"],
                "failed_count": len(failed),
                "missing_refs": ", ".join(provisional_read) or False,
                "notes": "\n".join(
                    f"{order.name}: {order.sale_status_note}" for order in failed
                )
                or False,
            }
        )
        return job.env._(
            "%(created)s sale orders created, %(waiting)s waiting for bindings.",
            created=counts["created"],
            waiting=counts["waiting"],
        )

    def _read_settlements(self, backend, orders, force):
        """Read the settlement of the orders that have or get a sale order.

        :returns: the order numbers left provisional
        """
        wanted = orders.filtered(
            lambda o: (
                o.status not in ("awaiting_payment", "cancelled")
                and (o.sale_order_id or force or not o._sale_skip_reason())
                and (not o.payout_read_at or o.needs_sale_sync)
            )
        )
        return wanted._read_money(backend)

    def _read_tracking(self, backend, orders, force=False):
        """The tracking numbers of the orders that have or get a sale order
        (the number goes on their delivery)."""
        # The number comes once shipment is arranged (packed): the warehouse
        # sees it before the parcel leaves.
        shipped = orders.filtered(
            lambda o: (
                (
                    (o.status in TRACKED_STATUSES and not o.tracking_number)
                    # back to ship after an arranged shipment (a failed
                    # pick-up): the next shipment may have a new number
                    or (
                        o.status == "to_ship"
                        and o.tracking_number
                        and o.needs_sale_sync
                    )
                )
                and (o.sale_order_id or force or not o._sale_skip_reason())
            )
        )
        if not shipped:
            return
        numbers = backend._marketplace_read_tracking(shipped.mapped("name"))
        for order in shipped:
            if numbers.get(order.name):
                order.tracking_number = numbers[order.name]

    def _finish_sale_orders(self):
        steps = self.step_ids
        waiting = self.env["marketplace.order"].search_count(
            [("shop_id", "=", self.shop_id.id), ("sale_status", "=", "waiting")]
        )
        if waiting:
            self.shop_id._marketplace_activity(
                "bindings",
                self.env._(
                    "Orders of %(shop)s wait for product bindings",
                    shop=self.shop_id.name,
                ),
                self.env._(
                    "%(count)s order(s) get no sale order until their listings are "
                    "bound to Odoo products (Marketplace > Product Bindings, Bulk "
                    "Binding).",
                    count=waiting,
                ),
            )
        else:
            self.shop_id._marketplace_activity_done(
                "bindings", self.env._("Every order has its products now.")
            )
        provisional = [ref for ref in steps.mapped("missing_refs") if ref]
        summary = self.env._(
            "%(created)s sale orders created, %(updated)s brought in line, "
            "%(waiting)s waiting for product bindings, %(skipped)s without sale "
            "order.",
            created=sum(steps.mapped("created_count")),
            updated=sum(steps.mapped("updated_count")),
            waiting=sum(steps.mapped("waiting_count")),
            skipped=sum(steps.mapped("unchanged_count")),
        )
        if provisional:
            summary += " " + self.env._(
                "Settlement not available yet (provisional prices): %(orders)s.",
                orders=", ".join(provisional),
            )
        for error in sorted(
            set(self.order_ids.filtered("payout_error").mapped("payout_error"))
        ):
            summary += " " + self.env._(
                "The marketplace refused the settlement: %(error)s", error=error
            )
        failures = [note for note in steps.mapped("notes") if note]
        if failures:
            in_error = self.env._(
                "In error:\n%(orders)s\nEach one is tried again when it changes on "
                "the marketplace or when the shop's Sales settings change; once its "
                "cause is fixed, Create Sale Order on the order makes it at once.",
                orders="\n".join(failures),
            )
            summary += "\n" + in_error
            self.shop_id._marketplace_activity(
                "sale_errors",
                self.env._(
                    "Sale orders of %(shop)s could not be made", shop=self.shop_id.name
                ),
                in_error,
            )
        return summary
