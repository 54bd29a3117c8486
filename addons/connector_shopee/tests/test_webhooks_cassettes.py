"""Pushes Shopee could not deliver, read back and imported (recorded traffic).

While the webhook was unreachable, two orders changed on Shopee; the drain
reads the lost messages (``data`` is the whole push as a JSON string), stores
each once, imports the orders they name, and confirms them to Shopee.
"""

import json
from datetime import datetime, timedelta

from odoo.tests import tagged

from .common import ShopeeTestCase
from .test_pull_orders import epoch

SINCE, UNTIL = datetime(2026, 10, 1), datetime(2026, 10, 6)
SCENARIO = {
    "reset": {
        "orders": 0,
        "seed": 1,
        "include_seed_orders": True,
        "time_from": epoch(SINCE + timedelta(hours=1)),
        "time_to": epoch(UNTIL - timedelta(hours=1)),
    }
}
PROCESSED, CANCELLED = "2510207M4XB2QP", "2510236FJ9UA2H"


@tagged("post_install", "-at_install")
class TestLostPushes(ShopeeTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account.shopee_push_partner_key = "shpk-simulator-demo-push-key"

    def test_lost_pushes_become_orders(self):
        if self.recording:
            self.simulator_setup(SCENARIO)
            # the webhook is down: Shopee keeps the pushes as lost messages
            self.simulator_call(
                "POST",
                "push",
                {"url": "http://127.0.0.1:9/down", "enabled": True, "withhold": True},
            )
            self.simulator_call(
                "POST", f"orders/{PROCESSED}", {"order_status": "PROCESSED"}
            )
            self.simulator_call(
                "POST", f"orders/{CANCELLED}", {"order_status": "CANCELLED"}
            )
        with self.shopee_cassette("webhook_lost_pushes", setup=False) as cassette:
            received = self.account._shopee_drain_lost_pushes()
            self.run_queue_jobs()
            again = self.account._shopee_drain_lost_pushes()
        self.env.invalidate_all()
        answers = [
            json.loads(response["body"]["string"])
            for request, response in zip(
                cassette.requests, cassette.responses, strict=True
            )
            if request.path.endswith("get_lost_push_message")
        ]
        lost = answers[0]["response"]
        # code 3 for both orders, code 4 for the tracking number
        self.assertEqual(
            sorted(message["code"] for message in lost["push_message_list"]), [3, 3, 4]
        )
        self.assertEqual((received, again), (3, 0), "consumed once")
        # confirmed once stored (Shopee then forgets them), imported after
        self.assertShopeeCalls(
            [
                "/api/v2/push/get_lost_push_message",
                "/api/v2/push/confirm_consumed_lost_push_message",
                "/api/v2/order/get_order_detail",
                "/api/v2/push/get_lost_push_message",
            ]
        )
        confirms = [
            json.loads(request.body)
            for request in cassette.requests
            if request.path.endswith("confirm_consumed_lost_push_message")
        ]
        self.assertEqual(confirms, [{"last_message_id": lost["last_message_id"]}])
        events = self.env["marketplace.webhook.event"].search(
            [("account_id", "=", self.account.id)]
        )
        self.assertEqual(len(events), 3)
        self.assertEqual(set(events.mapped("source")), {"lost"})
        self.assertNotIn("failed", events.mapped("state"))
        self.assertEqual(events.job_ids.mapped("state"), ["completed"], "one import")
        orders = self.env["marketplace.order"].search([("shop_id", "=", self.shop.id)])
        self.assertEqual(
            {order.name: order.status for order in orders},
            {PROCESSED: "packed", CANCELLED: "cancelled"},
        )
        # one import for both orders (coalesced), one get_order_detail
        details = [r for r in cassette.requests if r.path.endswith("get_order_detail")]
        self.assertEqual(len(details), 1)
