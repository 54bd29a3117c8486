"""The tests' own machinery cannot let a test pass by accident.

* the queue job runner fails a test whose queue job failed unless the test
  declared it, and never absorbs an exception queue_job did not record;
* no test reaches a live port: a Shopee call outside a cassette fails, the
  simulator's control API is for recording only;
* tests that commit clean up, even when interrupted;
* replays check the refresh token, the authorization code, the order of the
  calls, and that a replay block made every recorded request (the sign and
  access token checks are in test_hardening's TestReplayChecksWhatIsSent).
"""

import json
import threading
import unittest
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock
from urllib.parse import urlencode, urlparse

import requests
import vcr
from vcr.request import Request

from odoo.tests import TransactionCase, case, loader, tagged

from odoo.addons.connector_marketplace.tests.common import (
    CommittedDataMixin,
    LivePortBlocked,
    NoLivePortMixin,
)
from odoo.addons.queue_job.controllers.main import RunJobController

from ..api import ShopeeClient
from ..api.client import TOKEN_GET_PATH, TOKEN_REFRESH_PATH
from .common import (
    PARTNER_ID,
    PARTNER_KEY,
    REFRESH_TOKEN,
    SHOP_ID,
    ShopeeCassetteMixin,
    ShopeeOutsideCassette,
    ShopeeTestCase,
)


class LivePort:
    """A server on a port of this machine that counts what reaches it."""

    def __init__(self):
        hits = self.hits = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the stdlib's name)
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            do_POST = do_GET  # noqa: N815

            def log_message(self, format, *args):  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@tagged("post_install", "-at_install")
class TestQueueJobRunnerIsStrict(ShopeeTestCase):
    def failing_pull(self):
        def run_pull(job):
            raise ValueError("the pull broke")

        job = self.create_pull_job(datetime(2026, 5, 1), datetime(2026, 5, 2))
        return job, mock.patch.object(type(job), "_run_pull_orders", run_pull)

    def test_failed_job_fails_the_test_unless_declared(self):
        job, broken = self.failing_pull()
        with broken, self.assertRaises(AssertionError) as caught:
            self.run_queue_jobs()
        message = str(caught.exception)
        self.assertIn("Queue jobs that failed: ['_job_run'], expected: []", message)
        self.assertIn("the pull broke", message, "with the job's error")
        # declared: the same run passes, and the job's outcome is the test's
        with broken:
            [(_uuid, state)] = self.run_queue_jobs(failed=["_job_run"])
        self.assertEqual(state, "failed")
        self.assertEqual(job.state, "failed")
        self.assertIn("the pull broke", job.error_message)

    def test_a_declared_failure_that_does_not_happen_fails(self):
        job = self.create_pull_job(datetime(2026, 5, 1), datetime(2026, 5, 2))
        with (
            mock.patch.object(type(job), "_run_pull_orders", return_value="0"),
            self.assertRaises(AssertionError) as caught,
        ):
            self.run_queue_jobs(failed=["_job_run"])
        self.assertIn("expected: ['_job_run']", str(caught.exception))

    def test_run_once_is_strict_too(self):
        _job, broken = self.failing_pull()
        with broken, self.assertRaises(AssertionError):
            self.run_queue_jobs_once()

    def test_exception_queue_job_did_not_record_is_raised(self):
        """A failure hook that breaks: queue_job stores no failure, and the
        helper must not take the job's error for a recorded one."""

        def broken_hook(jobs, exc_info=None, exc_name=None, exc_message=None):
            raise RuntimeError("the failure hook broke")

        job, broken = self.failing_pull()
        with (
            broken,
            mock.patch.object(type(job), "_on_queue_job_failed", broken_hook),
            self.assertRaises(RuntimeError) as caught,
        ):
            self.perform_queue_job(job.sudo().queue_job_ids.uuid)
        self.assertIn("the failure hook broke", str(caught.exception))

    def test_error_after_the_job_is_done_is_raised(self):
        """queue_job's own bookkeeping after a success fails: raised."""
        job = self.create_pull_job(datetime(2026, 5, 1), datetime(2026, 5, 2))
        with (
            mock.patch.object(type(job), "_run_pull_orders", return_value="0"),
            mock.patch.object(
                RunJobController,
                "_enqueue_dependent_jobs",
                side_effect=RuntimeError("dependents not released"),
            ),
            self.assertRaises(RuntimeError),
        ):
            self.perform_queue_job(job.sudo().queue_job_ids.uuid)


@tagged("post_install", "-at_install")
class TestNoLivePort(ShopeeTestCase):
    def setUp(self):
        super().setUp()
        self.live = LivePort()
        self.addCleanup(self.live.close)

    def shopee_here(self):
        """The account's Shopee is the server on this machine."""
        return mock.patch.object(
            type(self.account),
            "_shopee_host",
            return_value=f"http://localhost:{self.live.port}",
        )

    def forget_refusals(self):
        """The refusals this test provoked on purpose."""
        self.shopee_expect["violations"].clear()
        self.blocked_requests.clear()

    def test_shopee_call_outside_a_cassette_fails(self):
        """A simulator runs here: a call that forgot its cassette fails, and
        nothing reaches the simulator."""
        with self.shopee_here(), self.assertRaises(ShopeeOutsideCassette) as caught:
            self.backend._sync_shop_info()
        self.assertIn("outside a cassette", str(caught.exception))
        self.assertEqual(self.live.hits, [])
        # swallowed by the code, it still fails the test
        self.assertEqual(len(self.shopee_expect["violations"]), 1)
        self.forget_refusals()

    def test_queued_job_outside_a_cassette_fails_its_test(self):
        self.create_pull_job(datetime(2026, 5, 1), datetime(2026, 5, 2))
        with self.shopee_here(), self.assertRaises(AssertionError) as caught:
            self.run_queue_jobs()
        self.assertIn("outside a cassette", str(caught.exception))
        self.assertEqual(self.live.hits, [])
        self.forget_refusals()

    def test_any_local_port_is_refused(self):
        with self.assertRaises(LivePortBlocked):
            requests.get(f"http://127.0.0.1:{self.live.port}/", timeout=5)
        self.assertEqual(self.live.hits, [])
        self.assertEqual(len(self.blocked_requests), 1)
        self.forget_refusals()

    def test_simulator_control_api_only_while_recording(self):
        with (
            mock.patch.object(type(self), "recording", False),
            self.assertRaises(AssertionError) as caught,
        ):
            self.simulator_call("POST", "reset", {"orders": 0})
        self.assertIn("only used to record", str(caught.exception))
        with (
            mock.patch.object(type(self), "recording", False),
            self.assertRaises(LivePortBlocked),
        ):
            requests.post(
                f"http://localhost:{self.live.port}/_simulator/reset", timeout=5
            )
        self.assertEqual(self.live.hits, [])
        self.forget_refusals()

    def test_every_test_class_refuses_live_ports(self):
        """A test class of these addons without the block is refused here."""
        classes = {
            obj
            for addon in ("connector_marketplace", "connector_shopee")
            for module in loader.get_test_modules(addon)
            for obj in vars(module).values()
            if isinstance(obj, type)
            and issubclass(obj, case.TestCase)
            and obj.__module__ == module.__name__
        }
        self.assertIn(type(self), classes)
        self.assertEqual(
            sorted(c.__name__ for c in classes if not issubclass(c, NoLivePortMixin)),
            [],
            "use ShopeeTestCase, ShopeeCassetteMixin or NoLivePortMixin",
        )


@tagged("post_install", "-at_install")
class TestCommittedDataCleanedUp(NoLivePortMixin, TransactionCase):
    def test_interrupted_test_still_cleans_up(self):
        """unittest skips the cleanups of a test interrupted by Ctrl-C."""
        cleaned = []

        class Committing(CommittedDataMixin, case.TestCase):
            def purge_committed_data(self):
                cleaned.append("purge")

            def test_interrupted(self):
                self.addCleanup(cleaned.append, "the test's own cleanup")
                raise KeyboardInterrupt

        with self.assertRaises(KeyboardInterrupt):
            Committing("test_interrupted").run(unittest.TestResult())
        self.assertEqual(
            cleaned,
            [
                "purge",  # what a killed run left, before the set-up
                "the test's own cleanup",
                "purge",
            ],
        )


@tagged("post_install", "-at_install")
class TestReplayChecksTokensCodesAndOrder(ShopeeTestCase):
    """What the cassette handler refuses besides a wrong sign or token.

    The handler's checks of a replay, also while the other tests record.
    """

    def setUp(self):
        super().setUp()
        self.patch(type(self), "recording", False)

    def client(self):
        return ShopeeClient(PARTNER_ID, PARTNER_KEY, "http://localhost:8079")

    def token_call(self, path, body):
        """What the handler sees of a token call the code sends."""
        query = self.client().signed_params(path)
        url = urlparse(f"http://localhost:8079{path}?{urlencode(query)}")
        type(self)._check_shopee_request(url, json.dumps(body).encode())
        return self.shopee_expect["violations"]

    def refresh(self, refresh_token, shop_id=SHOP_ID):
        body = {
            "refresh_token": refresh_token,
            "partner_id": int(PARTNER_ID),
            "shop_id": int(shop_id),
        }
        return self.token_call(TOKEN_REFRESH_PATH, body)

    def answer_refresh(self, access_token, refresh_token):
        """A token call's answer, as the handler learns from it."""
        request = mock.Mock(body=json.dumps({"shop_id": int(SHOP_ID)}).encode())
        response = requests.Response()
        response._content = json.dumps(
            {"access_token": access_token, "refresh_token": refresh_token}
        ).encode()
        type(self)._learn_issued_token(request, response)
        return json.loads(response._content)

    def test_wrong_or_reused_refresh_token_is_a_violation(self):
        self.assertEqual(
            self.refresh("not-the-shops-refresh-token"),
            [
                f"{TOKEN_REFRESH_PATH}: it sends the refresh token "
                f"'not-the-shops-refresh-token' for shop {SHOP_ID}, "
                f"not '{REFRESH_TOKEN}'"
            ],
        )
        self.shopee_expect["violations"].clear()
        self.assertEqual(self.refresh(REFRESH_TOKEN), [], "the test's: right")
        violations = self.refresh(REFRESH_TOKEN)
        self.assertIn("a second time", violations.pop())
        # Shopee answers a new pair: the next refresh sends the new one
        issued = self.answer_refresh("ACCESS_TOKEN", "REFRESH_TOKEN")
        self.assertNotEqual(issued["refresh_token"], "REFRESH_TOKEN", "its own")
        self.assertEqual(self.refresh(issued["refresh_token"]), [])
        # the one answered before it is refused, as Shopee would
        old = self.refresh(REFRESH_TOKEN)
        self.assertTrue(old)
        self.assertIn("a second time", old[0])
        old.clear()
        # two answers replayed from the same placeholder are distinct tokens
        again = self.answer_refresh("ACCESS_TOKEN", "REFRESH_TOKEN")
        self.assertNotEqual(again["refresh_token"], issued["refresh_token"])
        self.assertNotEqual(again["access_token"], issued["access_token"])
        self.assertEqual(self.shopee_expect["tokens"][SHOP_ID], again["access_token"])

    def test_wrong_authorization_code_is_a_violation(self):
        body = {"code": "code-of-the-callback", "partner_id": int(PARTNER_ID)}
        body["shop_id"] = int(SHOP_ID)
        violations = self.token_call(TOKEN_GET_PATH, body)
        self.assertIn("not None (the one the callback got)", violations.pop())
        self.expect_authorization_code("code-of-the-callback")
        self.assertEqual(self.token_call(TOKEN_GET_PATH, body), [])
        body["code"] = "a-code-from-elsewhere"
        violations = self.token_call(TOKEN_GET_PATH, body)
        self.assertIn("'a-code-from-elsewhere'", violations.pop())

    def test_calls_in_the_wrong_order_fail_though_the_cassette_replays(self):
        """vcrpy matches a request wherever it is in the cassette: the
        cassette alone does not see calls made in another order.

        (The cassette is test_tokens', which runs before this module.)
        """
        client = self.backend._shopee_client()
        with self.shopee_cassette(
            "token_refresh_before_expiry", replay=True
        ) as cassette:
            client.get("shop/get_shop_info")  # before the refresh
            self.backend._refresh_tokens(self.backend.access_token)
        self.assertTrue(cassette.all_played, "the cassette is satisfied")
        with self.assertRaises(AssertionError):
            self.assertShopeeCalls(
                ["/api/v2/auth/access_token/get", "/api/v2/shop/get_shop_info"]
            )
        self.assertShopeeCalls(
            ["/api/v2/shop/get_shop_info", "/api/v2/auth/access_token/get"]
        )

    def test_replay_block_must_make_every_recorded_request(self):
        """Also with repeats allowed, each recorded request as often as the
        cassette holds it."""

        def request(path):
            return Request("GET", f"http://localhost:8079{path}", None, {})

        recorded = vcr.cassette.Cassette(
            "in-memory",
            match_on=[vcr.matchers.method, vcr.matchers.path],
            allow_playback_repeats=True,
        )
        list_, detail = "/api/v2/order/get_order_list", "/api/v2/order/get_order_detail"
        for path in (list_, list_, detail):  # a retried listing, then a read
            recorded.append(request(path), {"status": {"code": 200}})
        unplayed = ShopeeCassetteMixin._unplayed_requests
        recorded.play_response(request(list_))
        self.assertEqual(
            unplayed(recorded),
            [
                f"GET {list_} (recorded 2, made 1)",
                f"GET {detail} (recorded 1, made 0)",
            ],
        )
        for path in (list_, detail, detail):
            recorded.play_response(request(path))
        self.assertEqual(unplayed(recorded), [], "more than recorded is fine")
        recorded.allow_playback_repeats = False
        recorded.play_counts.clear()
        recorded.play_response(request(list_))
        self.assertEqual(
            unplayed(recorded), [f"GET {list_}", f"GET {detail}"], "without repeats"
        )
