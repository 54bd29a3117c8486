"""Lazada push notifications: verified by their Authorization header, stored
once, turned into the base's import jobs."""

import json
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.connector_marketplace.tests.common import QueueJobRunnerMixin

from ..api.client import push_signature
from .common import APP_KEY, APP_SECRET, SELLER_ID, SIMULATOR_URL, LazadaCassetteMixin

ORDER_ID = "700100200300401"


@tagged("post_install", "-at_install")
class TestLazadaWebhook(LazadaCassetteMixin, QueueJobRunnerMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account = cls.env["marketplace.account"].create(
            {
                "name": "Lazada TH (webhook test)",
                "channel": "lazada",
                "environment": "simulator",
                "lazada_simulator_url": SIMULATOR_URL,
                "lazada_app_key": APP_KEY,
                "lazada_app_secret": APP_SECRET,
            }
        )
        cls.backend = cls.env["lazada.shop"].create(
            {
                "account_id": cls.account.id,
                "name": "Bangkok Gadget House (Lazada)",
                "external_id": SELLER_ID,
                "access_token": "test-lazada-access-0001",
                "refresh_token": "test-lazada-refresh-0001",
                "access_token_expires_at": fields.Datetime.now() + timedelta(days=7),
                "auto_create_sale_orders": False,
                "lang": "en_US",
            }
        )
        cls.shop = cls.backend.marketplace_shop_id
        cls.url = f"/marketplace/lazada/webhook/{cls.account.id}"

    def message(self, order_id=ORDER_ID, status="pending", message_type=0, **extra):
        return dict(
            {
                "seller_id": SELLER_ID,
                "message_type": message_type,
                "data": {
                    "order_status": status,
                    "trade_order_id": order_id,
                    "trade_order_line_id": f"{order_id}1",
                    "status_update_time": 1764565200,
                },
                "timestamp": 1764565201,
                "site": "lazada_th",
            },
            **extra,
        )

    def post(self, body, secret=APP_SECRET, signature=None):
        if isinstance(body, dict):
            body = json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if signature is None and secret:
            signature = push_signature(APP_KEY, secret, body)
        if signature:
            headers["Authorization"] = signature
        return self.url_open(self.url, data=body, headers=headers)

    def events(self):
        return self.env["marketplace.webhook.event"].search(
            [("account_id", "=", self.account.id)]
        )

    def test_signed_push_is_stored_and_queued(self):
        self.assertTrue(self.account.lazada_webhook_url.endswith(self.url))
        response = self.post(self.message())
        self.assertEqual(response.status_code, 200)
        event = self.events()
        self.assertEqual(event.state, "received")
        self.assertEqual(event.shop_id, self.shop)
        self.assertEqual((event.code, event.kind), (0, "order_changed"))
        self.run_queue_jobs_once()
        self.env.invalidate_all()
        self.assertEqual(event.state, "done")
        job = event.job_ids
        self.assertEqual(job.job_type, "import_orders")
        self.assertEqual(job.origin, "webhook")
        self.assertEqual(job._payload_dict()["order_refs"], [ORDER_ID])
        self.assertEqual(job.channel, "lazada")

    @mute_logger("odoo.addons.connector_marketplace.webhook")
    def test_bad_signatures_write_nothing(self):
        body = json.dumps(self.message()).encode()
        cases = {
            "no signature": self.post(body, secret=None),
            "another app's secret": self.post(body, secret="not-the-secret"),
            "tampered body": self.post(
                body.replace(b"pending", b"canceled"),
                signature=push_signature(APP_KEY, APP_SECRET, body),
            ),
        }
        for case, response in cases.items():
            with self.subTest(case):
                self.assertEqual(response.status_code, 401)
        self.assertFalse(self.events())
        unknown_account = self.url_open(
            "/marketplace/lazada/webhook/999999",
            data=body,
            headers={"Authorization": push_signature(APP_KEY, APP_SECRET, body)},
        )
        self.assertEqual(unknown_account.status_code, 404)

    @mute_logger("odoo.addons.connector_marketplace.webhook")
    def test_a_signature_of_other_characters_is_refused(self):
        """Not hex, not ASCII: refused like any wrong signature, no 5xx."""
        response = self.post(self.message(), signature="é" * 64)
        self.assertEqual(response.status_code, 401)
        self.assertFalse(self.events())

    def test_upper_case_signature_is_the_same_signature(self):
        body = json.dumps(self.message()).encode()
        signature = push_signature(APP_KEY, APP_SECRET, body).upper()
        self.assertEqual(self.post(body, signature=signature).status_code, 200)
        self.assertEqual(len(self.events()), 1)

    def test_a_push_delivered_again_makes_no_second_job(self):
        """Lazada sends a push again, same body, when the answer was late."""
        message = self.message()
        for _attempt in range(3):
            self.assertEqual(self.post(message).status_code, 200)
        self.assertEqual(len(self.events()), 1)
        self.run_queue_jobs_once()
        self.assertEqual(self.events().state, "done")
        self.assertEqual(len(self.events().job_ids), 1)

    def test_each_item_of_an_order_pushes_and_one_import_reads_it(self):
        """One push per order item: the order is imported once."""
        for line in range(3):
            message = self.message()
            message["data"]["trade_order_line_id"] = f"{ORDER_ID}{line}"
            self.assertEqual(self.post(message).status_code, 200)
        self.assertEqual(len(self.events()), 3)
        self.run_queue_jobs_once()
        self.assertEqual(set(self.events().mapped("state")), {"done"})
        jobs = self.events().job_ids
        self.assertEqual(len(jobs), 1)
        self.assertEqual(jobs._payload_dict()["order_refs"], [ORDER_ID])

    def test_unknown_seller_is_kept_ignored_with_2xx(self):
        jobs = self.env["queue.job"]
        last = jobs.search([], order="id desc", limit=1).id or 0
        message = self.message()
        message["seller_id"] = "999"
        self.assertEqual(self.post(message).status_code, 200)
        self.assertEqual(self.events().state, "ignored")
        self.assertFalse(
            jobs.search(
                [("model_name", "=", "marketplace.webhook.event"), ("id", ">", last)]
            )
        )

    def test_other_message_types_are_stored_not_handled(self):
        """A reverse order (type 10) is kept for later issues, with no job."""
        self.assertEqual(self.post(self.message(message_type=10)).status_code, 200)
        event = self.events()
        self.assertEqual((event.code, event.kind), (10, "other"))
        self.run_queue_jobs_once()
        self.env.invalidate_all()
        self.assertEqual(event.state, "not_handled")
        self.assertFalse(event.job_ids)

    def test_a_push_naming_no_order_fails_with_its_reason(self):
        message = self.message()
        message["data"].pop("trade_order_id")
        self.assertEqual(self.post(message).status_code, 200)
        self.run_queue_jobs_once()
        self.env.invalidate_all()
        self.assertEqual(self.events().state, "failed")
        self.assertIn("names no order", self.events().result)
