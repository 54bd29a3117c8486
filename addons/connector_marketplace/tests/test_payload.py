"""Job payloads: what a pull of orders accepts, and how it is stored."""

import json
from datetime import datetime, timedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged

from .common import NoLivePortMixin


@tagged("post_install", "-at_install")
class TestPullOrdersPayload(NoLivePortMixin, TransactionCase):
    def parse(self, text):
        return self.env["marketplace.job"]._parse_payload(text, "pull_orders")

    def assertRefused(self, text, message):
        with self.assertRaises(ValidationError) as caught:
            self.parse(text)
        self.assertIn(message, str(caught.exception))

    def test_defaults(self):
        self.assertEqual(self.parse("{}"), {"since": None, "until": None})
        self.assertEqual(self.parse(""), {"since": None, "until": None})
        self.assertEqual(
            self.parse('{"since": null, "until": null}'),
            {"since": None, "until": None},
        )

    def test_datetimes_are_stored_in_utc(self):
        payload = self.parse(
            '{"since": "2026-01-01T07:00:00+07:00", "until": "2026-01-02T00:00:00Z"}'
        )
        self.assertEqual(payload["since"], datetime(2026, 1, 1, 0, 0))
        self.assertEqual(payload["until"], datetime(2026, 1, 2, 0, 0))
        # without an offset: UTC
        self.assertEqual(
            self.parse('{"since": "2026-01-01T07:00:00"}')["since"],
            datetime(2026, 1, 1, 7, 0),
        )

    def test_refused(self):
        self.assertRefused('{"since": ', "not valid JSON")
        self.assertRefused('["since"]', "must be a JSON object")
        self.assertRefused('"since"', "must be a JSON object")
        self.assertRefused('{"from": "2026-01-01T00:00:00"}', "Unknown key")
        self.assertRefused('{"since": "yesterday"}', "ISO 8601")
        self.assertRefused('{"since": "2026-13-01T00:00:00"}', "ISO 8601")
        self.assertRefused('{"since": 1767225600}', "ISO 8601")
        self.assertRefused(
            '{"since": "2026-02-01T00:00:00", "until": "2026-01-01T00:00:00"}',
            "before",
        )
        future = (fields.Datetime.now() + timedelta(days=2)).isoformat()
        self.assertRefused(json.dumps({"since": future}), "future")

    def test_dump_round_trip(self):
        job = self.env["marketplace.job"]
        text = job._dump_payload(
            {"since": datetime(2026, 3, 4, 5, 6, 7), "until": None}
        )
        self.assertEqual(
            json.loads(text), {"since": "2026-03-04T05:06:07+00:00", "until": None}
        )
        self.assertEqual(self.parse(text)["since"], datetime(2026, 3, 4, 5, 6, 7))
