"""A push through the base's webhook half: verified by the channel's
signature, stored once, turned into an import job by queue_job."""

import json

from odoo.tests import HttpCase, tagged

from odoo.addons.connector_marketplace.tests.common import QueueJobRunnerMixin

from ..fake_api import API
from ..models.marketplace_account import push_signature
from .common import SHOP, create_test_shop, order


@tagged("post_install", "-at_install")
class TestWebhook(QueueJobRunnerMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        create_test_shop(cls, "Test channel (push)")
        cls.url = f"/marketplace/test_channel/webhook/{cls.account.id}"

    def setUp(self):
        super().setUp()
        API.reset()
        self.addCleanup(API.reset)

    def post(self, message, key="push-key"):
        body = json.dumps(message).encode()
        return self.url_open(
            self.url,
            data=body,
            headers={
                "Content-Type": "application/json",
                "X-Test-Signature": push_signature(key, body),
            },
        )

    def events(self):
        return self.env["marketplace.webhook.event"].search(
            [("account_id", "=", self.account.id)]
        )

    def test_a_signed_push_imports_its_order_once(self):
        API.put_order(SHOP, order("TC-20", [("501", "0", "X", "10.00", "pending")]))
        message = {"shop": SHOP, "type": 1, "order": "TC-20", "id": "m1", "sent": 1}
        self.assertEqual(self.post(message).status_code, 200)
        self.assertEqual(self.post(message).status_code, 200)  # sent twice
        event = self.events()
        self.assertEqual(len(event), 1)
        self.assertEqual(
            (event.kind, event.code, event.msg_id), ("order_changed", 1, "m1")
        )
        self.run_queue_jobs()
        self.env.invalidate_all()
        self.assertEqual(event.state, "done", event.result)
        imported = self.env["marketplace.order"].search(
            [("shop_id", "=", self.shop.id)]
        )
        self.assertEqual(imported.mapped("name"), ["TC-20"])
        self.assertEqual(event.job_ids.job_type, "import_orders")
        self.assertEqual(event.job_ids.state, "completed")

    def test_a_push_signed_with_another_key_is_refused_and_not_stored(self):
        message = {"shop": SHOP, "type": 1, "order": "TC-20", "id": "m2", "sent": 2}
        with self.assertLogs("odoo.addons.connector_marketplace.webhook", "WARNING"):
            answer = self.post(message, key="not-the-key")
        self.assertEqual(answer.status_code, 401)
        self.assertFalse(self.events())

    def test_a_cancelled_authorization_disconnects_the_shop(self):
        self.post({"shop": SHOP, "type": 2, "id": "m3", "sent": 3})
        self.run_queue_jobs()
        self.env.invalidate_all()
        event = self.events()
        self.assertEqual((event.kind, event.state), ("authorization_cancelled", "done"))
        self.assertEqual(self.shop.auth_state, "disconnected")

    def test_lost_pushes_are_read_back_once(self):
        """The recover_webhooks job reads the pushes the marketplace could not
        deliver; one that did arrive meanwhile is not stored twice."""
        for ref in ("TC-21", "TC-22"):
            API.put_order(SHOP, order(ref, [("501", "0", "X", "10.00", "pending")]))
        delivered = {"shop": SHOP, "type": 1, "order": "TC-21", "id": "m4", "sent": 4}
        lost = {"shop": SHOP, "type": 1, "order": "TC-22", "id": "m5", "sent": 5}
        self.post(delivered)
        API.lost = [json.dumps(delivered), json.dumps(lost)]
        job = self.account._queue_recover_webhooks(origin="user")
        self.run_queue_jobs()
        self.env.invalidate_all()
        self.assertEqual(job.state, "completed", job.error_message)
        events = self.events()
        self.assertEqual(sorted(events.mapped("msg_id")), ["m4", "m5"])
        self.assertEqual(events.filtered(lambda e: e.msg_id == "m5").source, "lost")
