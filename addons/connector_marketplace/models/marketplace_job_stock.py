"""The ``push_stock`` job: Odoo's stock to the marketplace, under sync rules.

Payloads: ``{"product_ids": [...]}``, or ``{}`` for every bound product of
the shop; ``"force": true`` sends even the quantities the marketplace
already has. Two more come from the connector itself: ``{"marked": true}``
(the automatic push: the listings whose product's free quantity changed) and
``{"drift": true}`` (the daily reconciliation with the stock the marketplace
shows).

The first step picks the listings and reports those it cannot push (a
product without a binding on the shop, an inactive listing); one step per
group of items computes the quantities in bulk and sends one update per item
with all its models; the last step adds up.
"""

import logging

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.queue_job.exception import FailedJobError

from ..exceptions import refusal_ends_the_job
from .marketplace_job import JobType

_logger = logging.getLogger("odoo.addons.connector_marketplace.job.stock")

PUSH_KEYS = {"product_ids", "force", "marked", "drift"}
ITEMS_PER_STEP = 20
# A short delay lets the stock moves of one operation come together.
AUTO_PUSH_DELAY = 10
# Saving what a failed step already pushed: tries against concurrent marks.
SAVE_ATTEMPTS = 3


class MarketplaceJob(models.Model):
    _inherit = "marketplace.job"

    job_type = fields.Selection(
        selection_add=[("push_stock", "Push stock")],
        ondelete={"push_stock": "cascade"},
    )
    origin = fields.Selection(
        selection_add=[("stock", "Stock change")], ondelete={"stock": "set default"}
    )

    def init(self):
        res = super().init()
        # One automatic push waiting per shop: whatever is marked when it runs.
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS marketplace_job_one_auto_push "
            "ON marketplace_job (shop_id) "
            "WHERE job_type = 'push_stock' AND origin = 'stock' AND state = 'pending'"
        )
        # One import of pushed orders waiting per shop: pushes join it.
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS marketplace_job_one_webhook_import "
            "ON marketplace_job (shop_id) "
            "WHERE job_type = 'import_orders' AND origin = 'webhook' "
            "AND state = 'pending'"
        )
        return res

    @api.model
    def _job_types(self):
        return dict(
            super()._job_types(),
            push_stock=JobType(
                run="_run_push_stock",
                finish="_finish_push_stock",
                validate="_validate_payload_push_stock",
                channel="root.marketplace.export",
            ),
        )

    @api.model
    def _validate_payload_push_stock(self, payload):
        unknown = set(payload) - PUSH_KEYS
        if unknown:
            raise ValidationError(
                self.env._(
                    "Unknown key(s) in the payload: %(keys)s. A stock push accepts "
                    '"product_ids" (a list of product ids) and "force" (true to '
                    "send unchanged quantities too); {} pushes every bound product.",
                    keys=", ".join(sorted(unknown)),
                )
            )
        ids = payload.get("product_ids")
        if ids is not None and not (
            isinstance(ids, list)
            and all(isinstance(i, int) and not isinstance(i, bool) for i in ids)
        ):
            raise ValidationError(
                self.env._(
                    '"product_ids" must be a list of product ids, such as [1, 2, 3].'
                )
            )
        for key in ("force", "marked", "drift"):
            if key in payload and not isinstance(payload[key], bool):
                raise ValidationError(
                    self.env._('"%(key)s" must be true or false.', key=key)
                )
        return {
            "product_ids": ids,
            "force": payload.get("force", False),
            "marked": payload.get("marked", False),
            "drift": payload.get("drift", False),
        }

    # -- start ----------------------------------------------------------------
    def _run_push_stock(self):
        payload = self._payload_dict()
        targets, notes = self._push_targets(payload)
        self.items_listed = len(set(targets.mapped("external_item_id")))
        if payload["product_ids"] is not None and not targets:
            raise FailedJobError(
                self.env._("Nothing to push: %(notes)s.", notes="; ".join(notes))
            )
        if notes:
            self.env["marketplace.job.step"].create(
                {
                    "job_id": self.id,
                    "skipped_count": len(notes),
                    "notes": "\n".join(notes),
                }
            )
        items = {}
        for binding in targets:
            items.setdefault(binding.external_item_id, []).append(binding.id)
        groups = list(items.values())
        steps = self._queue_chunks(
            "_job_push_stock",
            groups,
            ITEMS_PER_STEP,
            "items",
            payload["force"] or payload["drift"],
            # a step takes the listings of its items
            prepare=lambda chunk: [i for item in chunk for i in item],
        )
        if not steps:
            return self._job_finish()
        return self.env._(
            "%(count)s items to push; %(steps)s push jobs queued.",
            count=len(groups),
            steps=steps,
        )

    def _push_targets(self, payload):
        """The listings a push of ``payload`` sends, and notes on what it
        leaves out (unknown products, products without a listing, inactive
        listings, listings in orders Odoo has not seen yet).

        :returns: (listings, notes)
        """
        shop = self.shop_id
        bindings = self.env["marketplace.product.binding"].with_context(
            active_test=False
        )
        notes = []
        if payload["product_ids"] is not None:
            products = (
                self.env["product.product"].browse(payload["product_ids"]).exists()
            )
            unknown = set(payload["product_ids"]) - set(products.ids)
            found = bindings.search(
                [("shop_id", "=", shop.id), ("product_id", "in", products.ids)]
            )
            for product_id in sorted(unknown):
                notes.append(self.env._("product %(id)s does not exist", id=product_id))
            for product in products - found.product_id:
                notes.append(
                    self.env._(
                        "product %(product)s has no binding on shop %(shop)s",
                        product=product.display_name,
                        shop=shop.display_name,
                    )
                )
            for binding in found.filtered(lambda b: not b.active):
                notes.append(
                    self.env._(
                        "listing %(listing)s of %(product)s skipped: it is inactive "
                        "(%(status)s)",
                        listing=binding.display_name,
                        product=binding.product_id.display_name,
                        status=dict(
                            binding._fields["listing_status"]._description_selection(
                                self.env
                            )
                        )[binding.listing_status],
                    )
                )
            targets = found.filtered("active")
        elif payload["marked"]:
            targets = bindings.search(
                [
                    ("shop_id", "=", shop.id),
                    ("push_request", "!=", False),
                    ("active", "=", True),
                    ("product_id", "!=", False),
                    # until the seller confirms; a hold of Odoo's own is
                    # looked at again: it lifts once there is stock to offer
                    ("push_held_by_seller", "=", False),
                ]
            )
        else:
            targets = bindings.search(
                [
                    ("shop_id", "=", shop.id),
                    ("active", "=", True),
                    ("product_id", "!=", False),
                ]
            )
            if payload["drift"]:
                targets, drift_notes = self._drifted(targets)
                notes += drift_notes
        return targets, notes

    def _drifted(self, bindings):
        """The listings whose marketplace stock differs from the rules' result,
        leaving out the items of orders Odoo has not imported yet."""
        backend = self.shop_id._get_channel_backend()
        stock = backend._marketplace_read_stock(
            list(set(bindings.mapped("external_item_id")))
        )
        busy = backend._marketplace_items_in_unimported_orders()
        quantities = self.shop_id._stock_quantities(bindings.product_id)
        drifted, notes = bindings.browse(), []
        for binding in bindings:
            key = (binding.external_item_id, binding.external_variation_id)
            if binding.external_item_id in busy:
                notes.append(
                    self.env._(
                        "listing %(listing)s skipped: it is in orders not imported yet",
                        listing=binding.display_name,
                    )
                )
                continue
            if key in stock and stock[key] != quantities[binding.product_id.id][0]:
                binding.marketplace_stock = stock[key]
                drifted |= binding
        return drifted, notes

    # -- steps ----------------------------------------------------------------
    @refusal_ends_the_job
    def _job_push_stock(self, binding_ids, force=False):
        """Queue job: compute and send the quantities of a group of items."""
        self.ensure_one()
        job = self.sudo()._in_job_lang()
        bindings = (
            job.env["marketplace.product.binding"]
            .with_context(active_test=False)
            .browse(binding_ids)
            .exists()
        )
        # What the marks were when read: a later mark is kept for the next push.
        last_mark = job._last_push_mark(bindings)
        skipped = bindings.filtered(lambda b: not b.active or not b.product_id)
        bindings -= skipped
        quantities = job.shop_id._stock_quantities(bindings.product_id)
        bindings, held, notes = job._push_holds(bindings, quantities)
        send, counts, plan_notes = job._push_plan(bindings, quantities, force)
        held |= plan_notes[0]
        notes += plan_notes[1]
        backend = job.shop_id._get_channel_backend()
        with backend.work_on("marketplace.product.binding") as work:
            result = work.component(usage="stock.exporter").push(send)
        written = job._push_outcome(result, counts, notes)
        if result.retry:
            # Throttled, an outage, a timeout on some calls: what the
            # marketplace accepted is kept, committed on its own, so that the
            # retry only sends the calls that failed: one failure in twenty
            # calls must not make every try start again from scratch.
            job._save_pushed_listings(
                {
                    listing.id: values
                    for listing, values in written.items()
                    if "last_pushed_at" in values
                }
            )
            _logger.info(
                "Stock push %s (%s): %s listing(s) to send again, %s saved",
                job.name,
                job.shop_id.display_name,
                len(result.retry),
                counts["pushed"],
            )
            raise result.retry_error
        for listing, values in written.items():
            listing.write(values)
        job._clear_push_marks(bindings | held, last_mark)
        job.env["marketplace.job.step"].create(
            {
                "job_id": job.id,
                "created_count": counts["pushed"],
                "unchanged_count": counts["unchanged"],
                "failed_count": counts["failed"],
                "skipped_count": len(skipped),
                "held_count": len(held),
                "notes": "\n".join(notes) or False,
            }
        )
        _logger.info(
            "Stock push %s (%s): %s pushed, %s unchanged, %s failed",
            job.name,
            job.shop_id.display_name,
            counts["pushed"],
            counts["unchanged"],
            counts["failed"],
        )
        return job.env._(
            "%(pushed)s pushed, %(unchanged)s unchanged, %(failed)s failed.", **counts
        )

    def _push_holds(self, bindings, quantities):
        """The listings whose push is held, those of Odoo's own hold that
        stock has come back for released.

        :returns: (the listings to push, the held ones, notes)
        """
        held = bindings.filtered("push_held")
        # Odoo's own hold was about having nothing to offer: stock has come.
        stocked = held.filtered(
            lambda b: not b.push_held_by_seller and quantities[b.product_id.id][0] > 0
        )
        stocked._lift_hold()
        held -= stocked
        notes = [
            self.env._(
                "%(listing)s: held until its stock is confirmed (%(reason)s)",
                listing=listing.display_name,
                reason=listing.push_hold_reason or "",
            )
            for listing in held
        ]
        return bindings - held, held, notes

    def _push_plan(self, bindings, quantities, force):
        """What to send: the rules' quantity of each listing, unless the
        marketplace already has it (``force``: sent anyway), or unless it
        would zero a listing bound moments ago (held instead).

        :returns: ([(listing, quantity)] to send, counts, (listings held
            now, notes))
        """
        counts = {"pushed": 0, "unchanged": 0, "failed": 0}
        held, notes, send = bindings.browse(), [], []
        retried = self._queue_attempt()[0] > 1
        for listing in bindings:
            quantity, _rule, free, demand = quantities[listing.product_id.id][:4]
            if listing._would_zero_a_fresh_listing(quantity, free - demand):
                reason = self.env._(
                    "Odoo has none to offer, the marketplace shows "
                    "%(stock)s: check the stock of %(product)s in Odoo, "
                    "then press Confirm and push on the listing",
                    stock=listing.marketplace_stock,
                    product=listing.product_id.display_name,
                )
                listing._hold_push(reason)
                held |= listing
                notes.append(
                    self.env._(
                        "%(listing)s: held, not lowered to 0 right after it "
                        "was bound (%(reason)s)",
                        listing=listing.display_name,
                        reason=reason,
                    )
                )
            elif retried and self._pushed_since_start(listing, quantity):
                # Sent by an earlier try of this step, which then failed on
                # another call: not sent twice.
                counts["pushed"] += 1
            elif (
                force
                or not listing.last_pushed_at
                or listing.last_pushed_qty != quantity
            ):
                send.append((listing, quantity))
            else:
                counts["unchanged"] += 1
        return send, counts, (held, notes)

    def _push_outcome(self, result, counts, notes):
        """The values the exporter's answer gives the listings; ``counts``
        and ``notes`` are completed.

        :returns: {listing: values to write}
        """
        now = fields.Datetime.now()
        written = {}
        for listing, quantity in result.accepted.items():
            written[listing] = {
                "last_pushed_qty": quantity,
                "last_pushed_at": now,
                "last_push_error": False,
                # what the marketplace now shows, not the pull's
                "marketplace_stock": quantity,
                "marketplace_stock_at": now,
            }
            counts["pushed"] += 1
        for listing, reason in result.refused.items():
            reason = reason or self.env._("not in the marketplace's answer")
            written[listing] = {"last_push_error": reason}
            notes.append(f"{listing.display_name}: {reason}")
            counts["failed"] += 1
        return written

    def _pushed_since_start(self, listing, quantity):
        """True when this job already sent ``quantity`` for ``listing``."""
        return bool(
            self.date_started
            and listing.last_pushed_at
            and listing.last_pushed_at >= self.date_started
            and listing.last_pushed_qty == quantity
        )

    def _save_pushed_listings(self, values_by_binding):
        """Record what the marketplace accepted in a transaction of its own:
        the step's transaction is rolled back before its retry."""
        if not values_by_binding:
            return
        for attempt in range(1, SAVE_ATTEMPTS + 1):
            try:
                with self.env.registry.cursor() as cr:
                    bindings = self.env(cr=cr)["marketplace.product.binding"].sudo()
                    for binding_id, values in values_by_binding.items():
                        bindings.browse(binding_id).write(values)
                return
            except psycopg2.OperationalError as error:
                # A concurrent mark of the same listings: try again; at worst
                # the retry sends these quantities once more.
                _logger.info(
                    "Stock push %s: pushed listings not saved (try %s/%s): %s",
                    self.name,
                    attempt,
                    SAVE_ATTEMPTS,
                    error,
                )

    def _last_push_mark(self, bindings):
        """The newest mark of these listings (0: none)."""
        if not bindings.ids:
            return 0
        self.env.cr.execute(
            "SELECT COALESCE(MAX(id), 0) FROM marketplace_push_mark "
            "WHERE binding_id IN %s",
            [tuple(bindings.ids)],
        )
        return self.env.cr.fetchone()[0]

    def _clear_push_marks(self, bindings, last_mark):
        """Delete the marks these listings had when the step read them."""
        if bindings.ids and last_mark:
            self.env.cr.execute(
                "DELETE FROM marketplace_push_mark WHERE binding_id IN %s AND id <= %s",
                [tuple(bindings.ids), last_mark],
            )
            bindings.invalidate_recordset(["push_request"])

    def _finish_push_stock(self):
        steps = self.step_ids
        if self.origin == "stock" and self.env[
            "marketplace.product.binding"
        ].sudo().search_count(
            [
                ("shop_id", "=", self.shop_id.id),
                ("push_request", "!=", False),
                ("product_id", "!=", False),
                ("push_held_by_seller", "=", False),
            ],
            limit=1,
        ):
            # marked while this push was reading the marks: the next push
            # takes them, without waiting for another stock change
            self.shop_id._queue_auto_push()
        notes = [note for note in steps.mapped("notes") if note]
        summary = self.env._(
            "%(pushed)s listings pushed, %(unchanged)s unchanged, %(failed)s failed, "
            "%(skipped)s skipped.",
            pushed=sum(steps.mapped("created_count")),
            unchanged=sum(steps.mapped("unchanged_count")),
            failed=sum(steps.mapped("failed_count")),
            skipped=sum(steps.mapped("skipped_count")),
        )
        held = sum(steps.mapped("held_count"))
        if held:
            summary += " " + self.env._(
                "%(held)s held until their stock is confirmed.", held=held
            )
        if notes:
            summary += "\n" + "\n".join(notes)
        return summary


class MarketplaceShop(models.Model):
    _inherit = "marketplace.shop"

    def _create_push_stock_job(self, payload, origin="user"):
        self.ensure_one()
        return self.env["marketplace.job"]._queue_for(
            self, "push_stock", payload, origin=origin
        )

    def action_push_stock(self):
        """Button "Push stock now": every bound product of the shop."""
        self.ensure_one()
        self._check_connected()
        job = self._create_push_stock_job({})
        return self._notification(
            self.env._("Push stock"),
            self.env._(
                "Job %(job)s was queued to push the stock of %(shop)s.",
                job=job.name,
                shop=self.display_name,
            ),
            True,
        )

    def _queue_auto_push(self):
        """One automatic push waiting per shop (a partial unique index), a few
        seconds from now: it pushes whatever is marked when it runs. No search
        first: this transaction's snapshot may show a push waiting that has
        started since, and would queue none. The index judges what is
        committed: a push waiting refuses this one, and sends what this
        transaction marked (it starts after this commit, or its finish finds
        the marks left and queues the next one)."""
        for shop in self.filtered(
            lambda s: (
                s.auto_push_stock and s.auth_state == "connected" and not s.sync_paused
            )
        ):
            self.env["marketplace.job"].with_context(
                marketplace_job_eta=AUTO_PUSH_DELAY
            )._queue_for(
                shop, "push_stock", {"marked": True}, origin="stock", once=True
            )

    @api.model
    def _cron_reconcile_stock(self):
        """Cron "Marketplace: Reconcile Stock": the stock each marketplace
        shows, compared with the rules' result, pushed where it drifted."""
        for shop in self.search(
            [
                ("auth_state", "=", "connected"),
                ("sync_paused", "=", False),
                ("account_id.active", "=", True),
            ]
        ):
            if shop.binding_ids.filtered("product_id"):
                shop._create_push_stock_job({"drift": True}, origin="cron")
