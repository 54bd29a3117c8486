"""Push notifications received from a marketplace, each kept once.

The webhook controller verifies a push, stores it here and queues its
processing; it answers in milliseconds. A push the marketplace retries, or
sends twice, has the same key (its ``msg_id``, else a hash of its body) and
a unique constraint keeps it once: no second job. The processing trusts the
body for ids only: orders are read again from the marketplace's API.
"""

import hashlib
import json
import logging

from odoo import api, fields, models

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import identity_exact

_logger = logging.getLogger("odoo.addons.connector_marketplace.webhook")

# What a push is about, the same for every channel (the channel says which of
# its own notifications is which: ``_event_kind``).
EVENT_KINDS = [
    ("order_changed", "Order status"),
    ("tracking_number", "Tracking number"),
    ("authorization_granted", "Shop authorized"),
    ("authorization_cancelled", "Shop authorization cancelled"),
    ("authorization_expiring", "Authorization about to expire"),
    ("listing_changed", "Listing changed"),
    ("other", "Other"),
]


class MarketplaceWebhookEvent(models.Model):
    _name = "marketplace.webhook.event"
    _description = "Marketplace Webhook Event"
    _order = "received_at desc, id desc"
    _rec_name = "dedup_key"

    account_id = fields.Many2one(
        "marketplace.account",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
    )
    shop_id = fields.Many2one(
        "marketplace.shop", ondelete="set null", index=True, readonly=True
    )
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    channel = fields.Selection(related="account_id.channel", store=True)
    code = fields.Integer(
        string="Marketplace code",
        readonly=True,
        index=True,
        help="The marketplace's own code of the push.",
    )
    kind = fields.Selection(
        EVENT_KINDS,
        string="Event",
        default="other",
        required=True,
        readonly=True,
        index=True,
    )
    dedup_key = fields.Char(
        string="Key",
        required=True,
        readonly=True,
        help="The push's msg_id, else a hash of its body: a repeated push has the "
        "same key and is stored once.",
    )
    received_at = fields.Datetime(
        required=True, readonly=True, default=fields.Datetime.now, index=True
    )
    source = fields.Selection(
        [("push", "Push"), ("lost", "Lost push (read back)")],
        default="push",
        required=True,
        readonly=True,
    )
    state = fields.Selection(
        [
            ("received", "Received"),
            ("done", "Handled"),
            ("ignored", "Ignored"),
            ("not_handled", "Not handled"),
            ("rejected", "Rejected"),
            ("failed", "Failed"),
        ],
        default="received",
        required=True,
        readonly=True,
        index=True,
    )
    signed_with_api_key = fields.Boolean(
        readonly=True,
        help="Signed with the API partner key instead of the push partner key.",
    )
    raw_body = fields.Text(
        readonly=True,
        groups="connector_marketplace.group_marketplace_manager",
        help="The body exactly as received.",
    )
    result = fields.Text(readonly=True)
    job_ids = fields.Many2many(
        "marketplace.job",
        "marketplace_webhook_event_job_rel",
        "event_id",
        "job_id",
        string="Jobs",
        readonly=True,
    )

    _sql_constraints = [
        (
            "dedup_uniq",
            "unique(account_id, dedup_key)",
            "This push was already received.",
        ),
    ]

    msg_id = fields.Char(readonly=True, help="The marketplace's id of the push.")

    # -- the channel contract, webhook side -------------------------------------
    @api.model
    def _event_kind(self, account, message):
        """The kind (``EVENT_KINDS``) of a verified push of ``account``'s
        channel. Channels override it for their own notifications."""
        return "other"

    @api.model
    def _event_code(self, account, message):
        """The marketplace's own numeric code of a verified push of
        ``account``'s channel, or False (channels override it)."""
        return False

    @api.model
    def _event_msg_id(self, account, message):
        """The marketplace's id of a verified push, or False (channels
        override it)."""
        return False

    @api.model
    def _dedup_content(self, account, message):
        """What identifies a push of ``account``'s channel, so that the same
        notification pushed twice, or read back as lost, is stored once.
        Channels whose pushes are read back in another shape override it."""
        return message

    @api.model
    def _dedup_key(self, account, message, raw_body):
        """A hash of what identifies the push, else of its body."""
        if not isinstance(message, dict) or not message:
            return "sha256:" + hashlib.sha256(raw_body).hexdigest()
        content = self._dedup_content(account, message)
        canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
        return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()

    @api.model
    def _receive(
        self,
        account,
        raw_body,
        message,
        shop=None,
        state="received",
        result=None,
        signed_with_api_key=False,
        source="push",
    ):
        """Store a verified push once; queue its processing.

        :returns: (event, created): ``created`` is False for a repeated push
        """
        events = self.sudo()
        key = self._dedup_key(account, message, raw_body)
        known = isinstance(message, dict) and bool(message)
        values = {
            "account_id": account.id,
            "shop_id": shop.id if shop else False,
            # (NULL, not false, in the integer column of the INSERT below)
            "code": (self._event_code(account, message) if known else None) or None,
            "kind": self._event_kind(account, message) if known else "other",
            "dedup_key": key,
            "msg_id": (self._event_msg_id(account, message) if known else False)
            or False,
            "state": state,
            "result": result,
            "raw_body": raw_body.decode("utf-8", "replace"),
            "signed_with_api_key": signed_with_api_key,
            "source": source,
        }
        # One statement, no error on a repeat: marketplaces send pushes twice
        # and retry them; a duplicate must not cost an exception nor a log line.
        self.env.cr.execute(
            """
            INSERT INTO marketplace_webhook_event
                (account_id, company_id, channel, shop_id, code, kind, dedup_key,
                 msg_id, state, result, raw_body, signed_with_api_key, source,
                 received_at, create_uid, create_date, write_uid, write_date)
            VALUES (%(account_id)s, %(company_id)s, %(channel)s, %(shop_id)s,
                    %(code)s, %(kind)s, %(dedup_key)s,
                    %(msg_id)s, %(state)s, %(result)s, %(raw_body)s,
                    %(signed_with_api_key)s, %(source)s,
                    now() at time zone 'utc', %(uid)s, now() at time zone 'utc',
                    %(uid)s, now() at time zone 'utc')
            ON CONFLICT (account_id, dedup_key) DO NOTHING
            RETURNING id
            """,
            dict(
                values,
                shop_id=values["shop_id"] or None,
                company_id=account.company_id.id,
                channel=account.channel,
                uid=self.env.uid,
            ),
        )
        row = self.env.cr.fetchone()
        if not row:
            return events.search(
                [("account_id", "=", account.id), ("dedup_key", "=", key)], limit=1
            ), False
        event = events.browse(row[0])
        if state == "received":
            event.with_delay(
                channel="root.marketplace.webhook",
                description=self.env._("Webhook event %(key)s", key=key[:16]),
                identity_key=identity_exact,
            )._process()
        return event, True

    def _process(self):
        """Queue job: turn the event into what it asks for."""
        self.ensure_one()
        # what it says is read by the seller: in the shop's language
        event = self.sudo()
        event = event.with_context(lang=event._reader_lang())
        if event.state != "received":
            return event.result
        state, result = event._process_channel_event()
        event.write({"state": state, "result": result})
        _logger.info(
            "Webhook event %s (code %s, shop %s): %s",
            event.id,
            event.code,
            event.shop_id.display_name or "-",
            result,
        )
        return result

    def _process_channel_event(self):
        """The channel contract, webhook side: handle this event, whose
        message its channel's controller verified and stored.

        :returns: ``(state, result)``: the event's new state (``done``,
            ``ignored``, ``not_handled``, ``failed``) and what the seller
            reads about it
        """
        raise NotImplementedError(
            f"The channel {self.channel} does not implement "
            "_process_channel_event, a hook of the marketplace channel contract."
        )

    def _reader_lang(self):
        """The language of the seller who reads this event: its shop's, else
        the company's."""
        self.ensure_one()
        return (
            self.shop_id.lang
            or self.account_id.company_id.partner_id.lang
            or self.env.user.lang
            or "en_US"
        )

    def _on_process_failed(self, exc_info=None, exc_name=None, exc_message=None):
        """Failure hook of ``_process``: the event says it failed, and why (it
        then counts in the shop's push failures)."""
        for event in self.sudo().filtered(lambda e: e.state == "received"):
            event.write(
                {
                    "state": "failed",
                    "result": exc_message or exc_name or self.env._("Failed."),
                }
            )
            _logger.warning(
                "Webhook event %s (code %s) failed: %s",
                event.id,
                event.code,
                exc_message or exc_name,
            )

    def _link_job(self, job):
        self.ensure_one()
        self.env.cr.execute(
            "INSERT INTO marketplace_webhook_event_job_rel (event_id, job_id) "
            "VALUES (%s, %s) ON CONFLICT DO NOTHING",
            [self.id, job.id],
        )
        self.invalidate_recordset(["job_ids"])


class MarketplaceShop(models.Model):
    _inherit = "marketplace.shop"

    last_webhook_at = fields.Datetime(
        string="Last push received", compute="_compute_webhook_health"
    )
    webhook_failures_24h = fields.Integer(
        string="Push failures (24 h)", compute="_compute_webhook_health"
    )

    def _compute_webhook_health(self):
        events = self.env["marketplace.webhook.event"].sudo()
        since = fields.Datetime.subtract(fields.Datetime.now(), hours=24)
        last = dict(
            events._read_group(
                [("shop_id", "in", self.ids)], ["shop_id"], ["received_at:max"]
            )
        )
        failed = dict(
            events._read_group(
                [
                    ("shop_id", "in", self.ids),
                    ("state", "in", ("failed", "rejected")),
                    ("received_at", ">=", since),
                ],
                ["shop_id"],
                ["__count"],
            )
        )
        for shop in self:
            shop.last_webhook_at = last.get(shop, False)
            shop.webhook_failures_24h = failed.get(shop, 0)

    def _queue_webhook_import(self, order_ref, event):
        """An import of ``order_ref`` soon: pushes for orders close together
        join the import the shop already has waiting (it has not started).

        One such import waits per shop (a partial unique index): a push
        handled at the same moment by another worker finds it on its retry
        instead of queuing a second one.
        """
        self.ensure_one()
        jobs = self.env["marketplace.job"].sudo()
        pending = jobs.search(
            [
                ("shop_id", "=", self.id),
                ("job_type", "=", "import_orders"),
                ("origin", "=", "webhook"),
                ("state", "=", "pending"),
            ],
            limit=1,
            order="id desc",
        )
        if pending:
            refs = pending._payload_dict()["order_refs"]
            if order_ref not in refs:
                pending.payload = jobs._dump_payload({"order_refs": refs + [order_ref]})
            event._link_job(pending)
            return pending
        job = jobs.with_context(marketplace_job_eta=3)._queue_for(
            self,
            "import_orders",
            {"order_refs": [order_ref]},
            origin="webhook",
            once=True,
        )
        if not job:
            raise RetryableJobError(
                self.env._("Another push of this shop is queuing its import."),
                seconds=1,
                ignore_retry=True,
            )
        event._link_job(job)
        return job
