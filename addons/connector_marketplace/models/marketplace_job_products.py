"""The ``pull_products`` job: the shop's catalogue into product bindings.

Like a pull of orders: the first step lists the shop's listings, one step per
chunk of items reads and upserts them (and binds those whose SKU names one
product), a last step closes the pull. ``{}`` pulls the whole catalogue, and
only a whole pass can tell that a listing vanished: its binding then becomes
inactive. ``{"since": ..., "until": ...}`` pulls the listings changed then.
"""

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..exceptions import refusal_ends_the_job
from .marketplace_job import JobType

PULL_PRODUCTS_KEYS = {"since", "until"}


class MarketplaceJob(models.Model):
    _inherit = "marketplace.job"

    job_type = fields.Selection(
        selection_add=[("pull_products", "Pull products")],
        ondelete={"pull_products": "cascade"},
    )
    items_listed = fields.Integer(readonly=True, copy=False)
    full_catalogue = fields.Boolean(
        readonly=True,
        copy=False,
        help="The whole catalogue was pulled: listings it did not list are gone.",
    )

    @api.model
    def _job_types(self):
        return dict(
            super()._job_types(),
            pull_products=JobType(
                run="_run_pull_products",
                finish="_finish_pull_products",
                validate="_validate_payload_pull_products",
                channel="root.marketplace.import",
                one_live_per_shop=True,
            ),
        )

    @api.model
    def _system_fields(self):
        return super()._system_fields() | {"items_listed", "full_catalogue"}

    @api.model
    def _validate_payload_pull_products(self, payload):
        unknown = set(payload) - PULL_PRODUCTS_KEYS
        if unknown:
            raise ValidationError(
                self.env._(
                    "Unknown key(s) in the payload: %(keys)s. A pull of products "
                    'accepts only "since" and "until" ({} pulls the whole '
                    "catalogue).",
                    keys=", ".join(sorted(unknown)),
                )
            )
        since = self._parse_payload_datetime(payload, "since")
        until = self._parse_payload_datetime(payload, "until")
        if since and until and since >= until:
            raise ValidationError(self.env._('"since" must be before "until".'))
        if since and since > fields.Datetime.now():
            raise ValidationError(self.env._('"since" is in the future.'))
        return {"since": since, "until": until, "full": not since and not until}

    def _run_pull_products(self):
        payload = self._payload_dict()
        since, until = payload["since"], payload["until"]
        if not payload["full"]:
            until = min(until or fields.Datetime.now(), fields.Datetime.now())
        backend = self.shop_id._get_channel_backend()
        items = backend._marketplace_list_items(since, until)
        self.write(
            {
                "window_start": since,
                "window_end": until,
                "items_listed": len(items),
                "full_catalogue": payload["full"],
            }
        )
        chunks = self._queue_chunks(
            "_job_import_products",
            items,
            backend._marketplace_capabilities().item_chunk_size,
            "items",
        )
        if not chunks:
            return self._job_finish()
        return self.env._(
            "%(count)s items listed; %(chunks)s import jobs queued.",
            count=len(items),
            chunks=chunks,
        )

    @refusal_ends_the_job
    def _job_import_products(self, items):
        """Queue job: read and upsert one chunk of items, then match them.

        :param items: list of [item id, status] as the listing gave them
        """
        self.ensure_one()
        job = self.sudo()._in_job_lang()
        backend = job.shop_id._get_channel_backend()
        result = backend._marketplace_import_items(items)
        bindings = result.records
        bindings.write({"last_seen_job_id": job.id})
        if result.missing:
            # Listed but not read back (a passing failure of the marketplace): still
            # there, so a whole pass must not take them for gone.
            job.env["marketplace.product.binding"].search(
                [
                    ("shop_id", "=", job.shop_id.id),
                    ("external_item_id", "in", list(result.missing)),
                ]
            ).write({"last_seen_job_id": job.id})
        matched = bindings._auto_match()
        job.env["marketplace.job.step"].create(
            {
                "job_id": job.id,
                "created_count": result.outcomes.get("created", 0),
                "updated_count": result.outcomes.get("updated", 0),
                "unchanged_count": result.outcomes.get("uptodate", 0),
                "gone_count": result.outcomes.get("gone", 0),
                "matched_count": matched["bound"],
                "ambiguous_count": matched["ambiguous"],
                "missing_refs": ", ".join(result.missing) or False,
            }
        )
        return job.env._(
            "%(count)s listings imported, %(matched)s bound by SKU.",
            count=len(bindings),
            matched=matched["bound"],
        )

    def _finish_pull_products(self):
        shop = self.shop_id
        vanished = self.env["marketplace.product.binding"]
        # The payload, which cannot change once the job started, decides:
        # a pull of a window must never take what it did not list for gone.
        if self._payload_dict()["full"]:
            # Only a whole pass can tell: a listing it did not list is gone.
            vanished = vanished.search(
                [
                    ("shop_id", "=", shop.id),
                    ("origin", "=", "pulled"),
                    ("last_seen_job_id", "!=", self.id),
                ]
            )
            vanished.write({"active": False})
        shop._product_pull_done(self.window_end or self.create_date)
        steps = self.step_ids
        counts = {
            "total": sum(
                steps.mapped("created_count")
                + steps.mapped("updated_count")
                + steps.mapped("unchanged_count")
            ),
            "created": sum(steps.mapped("created_count")),
            "updated": sum(steps.mapped("updated_count")),
            "unchanged": sum(steps.mapped("unchanged_count")),
            "matched": sum(steps.mapped("matched_count")),
            "ambiguous": sum(steps.mapped("ambiguous_count")),
            "gone": sum(steps.mapped("gone_count")) + len(vanished),
        }
        listings = self.env["marketplace.product.binding"].with_context(
            active_test=False
        )
        to_bind = listings.search_count(
            [
                ("shop_id", "=", shop.id),
                ("product_id", "=", False),
                ("active", "=", True),
            ]
        )
        active = listings.search_count(
            [("shop_id", "=", shop.id), ("active", "=", True)]
        )
        inactive = listings.search_count(
            [("shop_id", "=", shop.id), ("active", "=", False)]
        )
        # (what each number counts: Product Bindings lists the active ones)
        return self.env._(
            "%(total)s listings read: %(created)s new, %(updated)s updated, "
            "%(unchanged)s unchanged, %(gone)s gone; %(matched)s bound by SKU, "
            "%(ambiguous)s with an ambiguous SKU. The shop has %(active)s active "
            "listings in Product Bindings, %(to_bind)s of them still to bind, and "
            "%(inactive)s inactive (deleted or banned on the marketplace).",
            to_bind=to_bind,
            active=active,
            inactive=inactive,
            **counts,
        )
