"""Shopee push notifications: verified, stored once, turned into jobs."""

import hashlib
import hmac
import json
from contextlib import contextmanager
from unittest import mock

from werkzeug.formparser import FormDataParser

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.connector_marketplace.tests.common import QueueJobRunnerMixin

from ..api import ShopeeClient
from ..controllers.webhook import MAX_BODY
from .common import PARTNER_KEY, SHOP_ID, SIMULATOR_URL, ShopeeCassetteMixin

PUSH_KEY = "shpk-simulator-demo-push-key"
REGISTERED = "https://odoo.example.com"
# simulator/seeds/orders/02_ready_to_ship_cod.json, and its lines' listings
SEED_ORDER = "2510207M4XB2QP"
SEED_ORDER_LISTINGS = [
    ("23011000102", "170010001"),
    ("23011000101", "0"),
    ("23011000108", "170010007"),
]
SEED_ORDER_SCENARIO = {"reset": {"orders": 0, "seed": 1, "include_seed_orders": True}}


def sign(key, url, body):
    return hmac.new(
        key.encode(), url.encode() + b"|" + body, hashlib.sha256
    ).hexdigest()


@tagged("post_install", "-at_install")
class TestShopeeWebhook(ShopeeCassetteMixin, QueueJobRunnerMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Behind a proxy: the URL registered at Shopee is not the one the
        # request reaches Odoo on.
        cls.env["ir.config_parameter"].set_param(
            "connector_marketplace.public_base_url", REGISTERED
        )
        cls.account = cls.env["marketplace.account"].create(
            {
                "name": "Shopee TH (webhook test)",
                "channel": "shopee",
                "environment": "simulator",
                "shopee_simulator_url": SIMULATOR_URL,
                "shopee_partner_id": "2000001",
                "shopee_partner_key": PARTNER_KEY,
                "shopee_push_partner_key": PUSH_KEY,
            }
        )
        cls.backend = cls.env["shopee.shop"].create(
            {
                "account_id": cls.account.id,
                "name": "Bangkok Gadget House",
                "external_id": SHOP_ID,
                "access_token": "test-access-token-0001",
                "refresh_token": "test-refresh-token-0001",
                "access_token_expires_at": "2099-01-01 00:00:00",
                "auto_create_sale_orders": False,
                "lang": "en_US",
            }
        )
        cls.shop = cls.backend.marketplace_shop_id
        cls.url = f"/marketplace/shopee/webhook/{cls.account.id}"

    def message(self, order_sn=SEED_ORDER, status="READY_TO_SHIP", code=3, **extra):
        return dict(
            {
                "data": {
                    "items": [],
                    "ordersn": order_sn,
                    "status": status,
                    "completed_scenario": "",
                    "update_time": 1760929320,
                },
                "shop_id": int(SHOP_ID),
                "code": code,
                "timestamp": 1760929321,
            },
            **extra,
        )

    def post(self, body, key=PUSH_KEY, url=None, signature=None, headers=None):
        if isinstance(body, dict):
            body = json.dumps(body).encode()
        headers = dict(headers or {})
        if signature is None and key:
            signature = sign(key, url or self.account.shopee_webhook_url, body)
        if signature:
            headers["Authorization"] = signature
        headers.setdefault("Content-Type", "application/json")
        return self.url_open(self.url, data=body, headers=headers)

    def events(self):
        return self.env["marketplace.webhook.event"].search(
            [("account_id", "=", self.account.id)]
        )

    def test_signed_push_is_stored_and_queued(self):
        self.assertEqual(
            self.account.shopee_webhook_url,
            f"{REGISTERED}{self.url}",
            "the URL to register",
        )
        response = self.post(self.message())
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, b"", "an empty body, as Shopee wants")
        event = self.events()
        self.assertEqual(event.state, "received")
        self.assertEqual(event.shop_id, self.shop)
        self.assertEqual((event.code, event.kind), (3, "order_changed"))
        self.run_queue_jobs_once()
        self.env.invalidate_all()
        self.assertEqual(event.state, "done")
        job = event.job_ids
        self.assertEqual(job.job_type, "import_orders")
        self.assertEqual(job.origin, "webhook")
        self.assertEqual(job._payload_dict()["order_refs"], [SEED_ORDER])
        [start] = job.sudo().queue_job_ids
        self.assertEqual(start.channel, "root.marketplace.webhook")

    def test_push_is_stored_by_no_user(self):
        """Nobody is logged in on a push: stored as no user (not as OdooBot),
        its job is done with the job runner's rights."""
        jobs = self.env["queue.job"]
        last = jobs.search([], order="id desc", limit=1).id or 0
        self.assertEqual(self.post(self.message()).status_code, 200)
        event = self.events()
        self.assertFalse(event.create_uid)
        [queued] = jobs.search(
            [("model_name", "=", "marketplace.webhook.event"), ("id", ">", last)]
        )
        self.assertFalse(queued.user_id)
        self.run_queue_jobs_once()
        self.env.invalidate_all()
        self.assertEqual(queued.state, "done")
        self.assertEqual(event.state, "done")
        self.assertEqual(event.job_ids.job_type, "import_orders")

    @mute_logger("odoo.addons.connector_marketplace.webhook")
    def test_processing_failed_for_good_says_so(self):
        from odoo.addons.queue_job.exception import FailedJobError

        self.post(self.message())
        event = self.events()
        with mock.patch.object(
            type(event),
            "_process_channel_event",
            side_effect=FailedJobError("the shop's data cannot be read"),
        ):
            self.run_queue_jobs_once(failed=["_process"])
        self.env.invalidate_all()
        self.assertEqual(event.state, "failed")
        self.assertIn("cannot be read", event.result)
        self.assertEqual(self.shop.webhook_failures_24h, 1)

    @mute_logger("odoo.addons.connector_marketplace.webhook")
    def test_bad_signatures_write_nothing(self):
        body = json.dumps(self.message()).encode()
        cases = {
            "no signature": self.post(body, key=None),
            "wrong key": self.post(body, key="not-the-key"),
            "another URL (the request's own host)": self.post(
                body, url=f"{self.base_url()}{self.url}"
            ),
            "tampered body": self.post(
                body.replace(b"READY_TO_SHIP", b"CANCELLED"),
                signature=sign(PUSH_KEY, self.account.shopee_webhook_url, body),
            ),
        }
        for case, response in cases.items():
            with self.subTest(case):
                self.assertEqual(response.status_code, 401)
        self.assertFalse(self.events())
        unknown_account = self.url_open(
            "/marketplace/shopee/webhook/999999",
            data=body,
            headers={"Authorization": "x"},
        )
        self.assertEqual(unknown_account.status_code, 404)

    @mute_logger("odoo.addons.connector_marketplace.webhook")
    def test_api_key_is_accepted_with_a_warning(self):
        with self.assertLogs(
            "odoo.addons.connector_marketplace.webhook", "WARNING"
        ) as logs:
            response = self.post(self.message(), key=PARTNER_KEY)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(self.events().signed_with_api_key)
        self.assertIn("API partner key", "\n".join(logs.output))

    def test_duplicates_make_no_second_job(self):
        message = self.message(msg_id="8f14e45fceea167a5a36dedd4bea2543")
        for _attempt in range(3):
            self.assertEqual(self.post(message).status_code, 200)
        self.assertEqual(len(self.events()), 1)
        # a retried push whose body differs in nothing but key order
        shuffled = json.dumps(dict(reversed(list(message.items())))).encode()
        self.assertEqual(self.post(shuffled).status_code, 200)
        self.assertEqual(len(self.events()), 1)
        self.run_queue_jobs_once()
        self.assertEqual(self.events().state, "done")
        self.assertEqual(len(self.events().job_ids), 1)

    def test_pushes_for_orders_close_together_join_one_import(self):
        for order_sn, status in (
            ("2510207M4XB2QP", "PROCESSED"),
            ("2510207M4XB2QP", "READY_TO_SHIP"),  # out of order: older status
            ("251020AB12CD34", "READY_TO_SHIP"),
        ):
            message = self.message(order_sn, status)
            message["timestamp"] += len(status)  # distinct pushes
            self.assertEqual(self.post(message).status_code, 200)
        self.run_queue_jobs_once()
        self.assertEqual(set(self.events().mapped("state")), {"done"})
        jobs = self.events().job_ids
        self.assertEqual(len(jobs), 1)
        self.assertEqual(
            jobs._payload_dict()["order_refs"], ["2510207M4XB2QP", "251020AB12CD34"]
        )

    def test_unknown_shop_is_kept_ignored_with_2xx(self):
        message = self.message()
        message["shop_id"] = 123456
        response = self.post(message)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.events().state, "ignored")
        self.assertFalse(
            self.env["queue.job"].search(
                [("model_name", "=", "marketplace.webhook.event")]
            )
        )

    def test_malformed_json_is_rejected_and_kept(self):
        response = self.post(b"{not json", key=PUSH_KEY)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.events().state, "rejected")

    def test_oversized_body(self):
        body = b'{"pad": "' + b"x" * (1024 * 1024) + b'"}'
        response = self.post(body)
        self.assertEqual(response.status_code, 413)
        self.assertFalse(self.events())

    @contextmanager
    def recording_form_parses(self):
        """The form bodies werkzeug parses: (mimetype, bytes read) each."""
        parsed = []
        parse = FormDataParser.parse

        def recording_parse(parser, stream, mimetype, *args, **kwargs):
            try:
                return parse(parser, stream, mimetype, *args, **kwargs)
            finally:
                parsed.append((mimetype, stream.tell()))

        with mock.patch.object(FormDataParser, "parse", recording_parse):
            yield parsed

    def test_oversized_form_bodies_are_refused_before_parsing(self):
        """Odoo parses a form body into the route's parameters before the
        handler runs: a form over 1 MiB must be refused before that."""
        pad = b"x" * MAX_BODY
        headers = {"Authorization": "x"}
        with self.recording_form_parses() as parsed:
            responses = {
                "urlencoded": self.url_open(
                    self.url,
                    data=b"pad=" + pad,
                    headers=dict(
                        headers, **{"Content-Type": "application/x-www-form-urlencoded"}
                    ),
                ),
                "multipart": self.url_open(
                    self.url, files={"pad": ("pad.bin", pad)}, headers=headers
                ),
            }
            # a form the limit lets through is parsed: the recording works
            small = self.url_open(self.url, files={"pad": ("pad.bin", b"x")})
        for case, response in responses.items():
            with self.subTest(case):
                # werkzeug's own answer: 413 with its short HTML page
                self.assertEqual(response.status_code, 413)
                self.assertIn(b"Request Entity Too Large", response.content)
                self.assertLess(len(response.content), 1000)
        self.assertEqual(small.status_code, 401)
        [(mimetype, read)] = parsed  # only the small form
        self.assertEqual(mimetype, "multipart/form-data")
        self.assertGreater(read, 0)
        self.assertFalse(self.events())
        self.assertEqual(self.post(self.message()).status_code, 200)
        self.assertEqual(self.events().state, "received")

    def test_deauthorization_disconnects_the_shop(self):
        message = {
            "data": {"shop_id": int(SHOP_ID), "success": 1, "extra": "cancel"},
            "partner_id": 2000001,
            "code": 2,
            "timestamp": 1760929400,
        }
        self.assertEqual(self.post(message).status_code, 200)
        self.run_queue_jobs_once()
        self.env.invalidate_all()
        self.assertEqual(self.shop.auth_state, "disconnected")
        self.assertFalse(self.backend.sudo().access_token)
        self.assertEqual(self.events().state, "done")

    def cancellation(self, timestamp=1760929400):
        message = {
            "data": {"shop_id": int(SHOP_ID), "success": 1, "extra": "cancel"},
            "partner_id": 2000001,
            "code": 2,
        }
        if timestamp is not None:
            message["timestamp"] = timestamp
        return message

    def drain(self, lost):
        """Read back ``lost`` as Shopee's get_lost_push_message answers it."""

        def call(
            client, method, path, params=None, body=None, public=False, file=False
        ):
            if path.endswith("get_lost_push_message"):
                return {
                    "response": {
                        "push_message_list": lost,
                        "has_next_page": False,
                        "last_message_id": 78,
                    }
                }
            return {"response": {}}

        with mock.patch.object(ShopeeClient, "call", call):
            self.account._marketplace_recover_webhooks()

    def test_lost_cancellation_older_than_the_authorization_is_ignored(self):
        """Seller cancels (push lost), authorizes again, then the lost push is
        read back: the shop stays connected."""
        cancelled_at = 1760929400  # 2025-10-20 03:03:20 UTC
        self.backend.write({"authorized_at": "2025-10-20 03:10:00"})
        pushed = self.cancellation(cancelled_at)
        self.drain(
            [
                # the reference sample's shape: the whole push as a string
                {
                    "shop_id": int(SHOP_ID),
                    "code": 2,
                    "timestamp": cancelled_at,
                    "data": json.dumps(pushed),
                },
                # a bare data object: the time is the lost message's own
                {
                    "shop_id": int(SHOP_ID),
                    "code": 2,
                    "timestamp": cancelled_at + 1,
                    "data": json.dumps(pushed["data"]),
                },
                # a whole push without its own time: the lost message's
                {
                    "shop_id": int(SHOP_ID),
                    "code": 2,
                    "timestamp": cancelled_at + 2,
                    "data": json.dumps(self.cancellation(None)),
                },
            ]
        )
        # and Shopee's last retry of the push, hours later
        self.assertEqual(self.post(pushed).status_code, 200)
        self.run_queue_jobs_once()
        self.env.invalidate_all()
        events = self.events()
        self.assertEqual(
            events.mapped("source").count("lost"), 3, "the lost pushes were read"
        )
        self.assertEqual(set(events.mapped("state")), {"ignored"})
        for event in events:
            self.assertIn("older than the shop's last authorization", event.result)
        self.assertEqual(self.shop.auth_state, "connected")
        self.assertEqual(self.backend.sudo().access_token, "test-access-token-0001")

    def test_cancellation_after_the_authorization_disconnects(self):
        self.backend.write({"authorized_at": "2025-10-20 03:03:19"})
        self.drain(
            [
                {
                    "shop_id": int(SHOP_ID),
                    "code": 2,
                    "timestamp": 1760929400,
                    "data": json.dumps(self.cancellation(1760929400)),
                }
            ]
        )
        self.run_queue_jobs_once()
        self.env.invalidate_all()
        self.assertEqual(self.events().state, "done")
        self.assertEqual(self.shop.auth_state, "disconnected")
        self.assertFalse(self.backend.sudo().access_token)

    def test_undated_cancellation_leaves_an_authorized_shop_connected(self):
        self.backend.write({"authorized_at": "2025-10-20 03:10:00"})
        for timestamp in (None, "soon"):
            message = self.cancellation(timestamp)
            message["data"]["extra"] = str(timestamp)  # distinct pushes
            self.assertEqual(self.post(message).status_code, 200)
        self.run_queue_jobs_once()
        self.env.invalidate_all()
        events = self.events()
        self.assertEqual(len(events), 2)
        self.assertEqual(set(events.mapped("state")), {"ignored"})
        for event in events:
            self.assertIn("carries no time", event.result)
        self.assertEqual(self.shop.auth_state, "connected")

    def test_cancellation_result_is_in_thai(self):
        """A Thai shop's events say what they did in Thai, at Bangkok time."""
        self.backend.write({"authorized_at": "2025-10-20 03:10:00", "lang": "th_TH"})
        self.env.company.partner_id.tz = "Asia/Bangkok"
        self.assertEqual(self.post(self.cancellation()).status_code, 200)
        event = self.events()
        self.run_queue_jobs_once()
        self.env.invalidate_all()
        self.assertEqual(event.state, "ignored")
        self.assertNotIn("older than", event.result)
        self.assertRegex(event.result, "[\u0e00-\u0e7f]")
        self.assertIn("2025-10-20 10:03 (Asia/Bangkok)", event.result)

    def test_other_codes_are_stored_not_handled(self):
        message = {
            "data": {"item_id": 1},
            "shop_id": int(SHOP_ID),
            "code": 6,
            "timestamp": 1,
        }
        self.assertEqual(self.post(message).status_code, 200)
        self.run_queue_jobs_once()
        self.env.invalidate_all()
        self.assertEqual(self.events().state, "not_handled")
        self.assertEqual(self.events().kind, "other")

    def test_a_code_that_is_no_number_is_stored_not_refused(self):
        """The event's code column is a number: a push whose code is text
        was an INSERT error, answered 503 at every retry."""
        message = {"data": {}, "shop_id": int(SHOP_ID), "code": "x", "timestamp": 2}
        self.assertEqual(self.post(message).status_code, 200)
        event = self.events()
        self.assertEqual((event.code, event.kind), (0, "other"))

    def test_order_push_end_to_end_to_the_sale_order(self):
        """code 3 → import job → the order read from Shopee → its sale order
        made with Shopee's escrow, with no pull: the real jobs and reads, on
        recorded Shopee traffic."""
        self.shop.write(
            {
                "auto_create_sale_orders": True,
                "sale_orders_from": "2020-01-01",
                "auto_push_stock": False,  # not this test's business
            }
        )
        for item_id, model_id in SEED_ORDER_LISTINGS:
            product = self.env["product.product"].create(
                {"name": f"Listing {item_id}/{model_id}", "is_storable": True}
            )
            self.env["marketplace.product.binding"].create(
                {
                    "shop_id": self.shop.id,
                    "external_item_id": item_id,
                    "external_variation_id": model_id,
                    "product_id": product.id,
                }
            )
        self.assertEqual(self.post(self.message()).status_code, 200)
        with self.shopee_cassette(
            "webhook_order_to_sale_order", SEED_ORDER_SCENARIO
        ) as cassette:
            self.run_queue_jobs()
        self.assertShopeeCalls(
            [
                "/api/v2/order/get_order_detail",
                "/api/v2/payment/get_escrow_detail_batch",
            ]
        )
        order = self.env["marketplace.order"].search([("name", "=", SEED_ORDER)])
        self.assertEqual(order.status, "to_ship")
        self.assertEqual(len(order.line_ids), len(SEED_ORDER_LISTINGS))
        sale = order.sale_order_id
        self.assertEqual(sale.state, "sale")
        self.assertEqual(sale.client_order_ref, SEED_ORDER)
        # priced from Shopee's escrow: what the seller sold the lines for
        [escrow] = [
            json.loads(response["body"]["string"])
            for request, response in zip(
                cassette.requests, cassette.responses, strict=True
            )
            if request.path.endswith("get_escrow_detail_batch")
        ]
        [detail] = escrow["response"]
        income = detail["escrow_detail"]["order_income"]
        self.assertAlmostEqual(
            sale.amount_total,
            sum(i["original_price"] - i["seller_discount"] for i in income["items"])
            - income["voucher_from_seller"]
            + income["buyer_paid_shipping_fee"],
            places=2,
        )
        self.assertFalse(order.prices_provisional)
        [job] = self.events().job_ids
        self.assertEqual(job.job_type, "import_orders")
        self.assertEqual(job.state, "completed", job.error_message)
        self.assertEqual(job.order_ids, order)
        self.assertFalse(
            self.env["marketplace.job"].search(
                [("shop_id", "=", self.shop.id), ("job_type", "=", "pull_orders")]
            ),
            "no pull",
        )

    def test_lost_pushes_drained_against_what_arrived(self):
        arrived = self.message()
        self.post(arrived)
        lost = [
            dict(arrived, data=json.dumps(arrived["data"])),  # already received
            dict(
                self.message("251020LOST0001"),
                data=json.dumps({"ordersn": "251020LOST0001"}),
            ),
            # the reference sample's shape: the whole push body as a string,
            # the lost message's own timestamp
            {
                "shop_id": arrived["shop_id"],
                "code": 3,
                "timestamp": arrived["timestamp"] + 900,
                "data": json.dumps(self.message("251020LOST0002")),
            },
            {
                "shop_id": arrived["shop_id"],
                "code": 3,
                "timestamp": arrived["timestamp"] + 900,
                "data": json.dumps(arrived),  # already received, too
            },
        ]
        calls = []

        def call(
            client, method, path, params=None, body=None, public=False, file=False
        ):
            calls.append((method, path, body))
            if path.endswith("get_lost_push_message"):
                return {
                    "response": {
                        "push_message_list": lost,
                        "has_next_page": False,
                        "last_message_id": 77,
                    }
                }
            return {"response": {}}

        with mock.patch.object(ShopeeClient, "call", call):
            self.account._marketplace_recover_webhooks()
        self.assertEqual(len(self.events()), 3, "the received one is not stored twice")
        lost_events = self.events().filtered(lambda e: e.source == "lost")
        self.assertEqual(lost_events.mapped("code"), [3, 3])
        self.assertEqual(
            sorted(json.loads(e.raw_body)["data"]["ordersn"] for e in lost_events),
            ["251020LOST0001", "251020LOST0002"],
        )
        self.assertNotIn("failed", lost_events.mapped("state"))
        self.assertIn(
            (
                "POST",
                "push/confirm_consumed_lost_push_message",
                {"last_message_id": 77},
            ),
            calls,
        )

    def test_body_of_unknown_length_is_not_read(self):
        def chunked():
            yield json.dumps(self.message()).encode()

        response = self.opener.post(
            self.base_url() + self.url,
            data=chunked(),
            headers={"Content-Type": "application/json", "Authorization": "x"},
            timeout=10,
        )
        self.assertEqual(response.status_code, 411)
        self.assertFalse(self.events())

    def test_form_of_unknown_length_is_not_read(self):
        def chunked():
            yield b"pad="
            for _chunk in range(4):
                yield b"x" * MAX_BODY

        with self.recording_form_parses() as parsed:
            response = self.opener.post(
                self.base_url() + self.url,
                data=chunked(),
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Authorization": "x",
                },
                timeout=10,
            )
        self.assertEqual(response.status_code, 413)
        self.assertEqual(parsed, [("application/x-www-form-urlencoded", 0)])
        self.assertFalse(self.events())

    def test_users_read_events_not_their_raw_body(self):
        self.post(self.message())
        user = new_test_user(
            self.env,
            login="mp_event_user",
            groups="connector_marketplace.group_marketplace_user",
        )
        event = self.events().with_user(user)
        self.assertEqual(event.code, 3)
        with self.assertRaises(AccessError):
            event.read(["raw_body"])
