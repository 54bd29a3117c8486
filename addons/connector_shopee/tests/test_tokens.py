"""Access token refresh: before expiry, on an expired-token error, for good."""

import threading
import time
from datetime import datetime, timedelta
from unittest import mock

from odoo import SUPERUSER_ID, api, fields, sql_db
from odoo.tests import common, tagged
from odoo.tools import mute_logger

from odoo.addons.connector_marketplace.tests.common import CommittedDataMixin

from ..api import ShopeeAuthError, ShopeeClient, ShopeeSignError
from .common import (
    ACCESS_TOKEN,
    PARTNER_ID,
    PARTNER_KEY,
    REFRESH_TOKEN,
    SHOP_ID,
    SIMULATOR_URL,
    ShopeeCassetteMixin,
    ShopeeTestCase,
    registry_without_loading_lock,
)


@tagged("post_install", "-at_install")
class TestTokenRefresh(ShopeeTestCase):
    def expire_access_token(self, refresh_token=None):
        values = {
            "access_token_expires_at": fields.Datetime.now() - timedelta(minutes=1)
        }
        if refresh_token:
            values["refresh_token"] = refresh_token
            self.expect_refresh_token(refresh_token)
        self.backend.write(values)
        # The refresh reads the shop in a transaction of its own.
        self.env.flush_all()

    def test_refresh_before_expiry(self):
        """A call with an expiring token refreshes it first, and stores it."""
        self.expire_access_token()
        with self.shopee_cassette("token_refresh_before_expiry"):
            self.backend._sync_shop_info()
        self.assertShopeeCalls(
            ["/api/v2/auth/access_token/get", "/api/v2/shop/get_shop_info"],
            "the refresh first, then the call with the new token",
        )
        self.env.invalidate_all()
        self.assertNotEqual(self.backend.access_token, ACCESS_TOKEN)
        self.assertNotEqual(self.backend.refresh_token, REFRESH_TOKEN)
        self.assertGreater(
            self.backend.access_token_expires_at,
            fields.Datetime.now() + timedelta(hours=3),
        )
        self.assertEqual(self.shop.name, "Bangkok Gadget House")
        self.assertEqual(self.shop.auth_state, "connected")

    def test_expired_token_error_refreshes_once_and_retries(self):
        """invalid_acceess_token → one refresh → the call is sent again once."""
        scenario = {"faults": [{"kind": "expire_access_token", "times": 1}]}
        with self.shopee_cassette("token_expired_error_retry", scenario) as cassette:
            self.backend._sync_shop_info()
        self.assertShopeeCalls(
            [
                "/api/v2/shop/get_shop_info",
                "/api/v2/auth/access_token/get",
                "/api/v2/shop/get_shop_info",
            ]
        )
        self.assertEqual(cassette.responses[0]["status"]["code"], 403)
        self.env.invalidate_all()
        self.assertNotEqual(self.backend.access_token, ACCESS_TOKEN)
        self.assertEqual(self.shop.auth_state, "connected")

    def refresh_error(self, cassette, error_class):
        """The error a refresh raises, what it committed left in place.

        Not assertRaises: its savepoint would undo what the refresh committed.
        """
        error = None
        with self.shopee_cassette(cassette):
            try:
                self.backend._refresh_tokens(ACCESS_TOKEN)
            except error_class as exc:
                error = exc
        self.assertIsNotNone(error, f"the refresh raised no {error_class.__name__}")
        self.env.invalidate_all()
        return error

    def test_refresh_refused_marks_shop(self):
        """A refused refresh marks the shop "needs re-authorization"."""
        self.expire_access_token(refresh_token="revoked-refresh-token")
        error = self.refresh_error("token_refresh_refused", ShopeeAuthError)
        self.assertIn("Connect shop", str(error))
        self.assertEqual(self.shop.auth_state, "needs_reauth")
        self.assertIn("refresh_token", self.shop.auth_error)
        self.assertIn("Connect shop", self.shop.message_ids[0].body)
        # no new job while the shop waits for its seller
        self.env["marketplace.shop"]._cron_pull_orders()
        self.assertFalse(self.shop.job_ids)

    def test_wrong_partner_key_does_not_mark_the_shop(self):
        """A refresh refused for the app's key is not the shop's problem."""
        self.account.shopee_partner_key = "shpk-not-the-right-key"
        self.expect_partner_key("shpk-not-the-right-key")
        self.expire_access_token()
        error = self.refresh_error("token_refresh_wrong_key", ShopeeSignError)
        self.assertEqual(error.code, "error_sign")
        self.assertEqual(self.shop.auth_state, "connected")
        self.assertEqual(self.backend.refresh_token, REFRESH_TOKEN)

    def test_refresh_refused_fails_the_job(self):
        """A pull whose token cannot be refreshed fails with what to do."""
        self.expire_access_token(refresh_token="revoked-refresh-token")
        with self.shopee_cassette("token_refresh_refused_job"):
            job = self.create_pull_job(datetime(2026, 5, 1), datetime(2026, 5, 2))
            self.run_queue_jobs()
        self.assertEqual((job.state, job.error_kind), ("failed", "refused"))
        self.assertIn("Connect shop", job.error_message)
        self.assertEqual(job.retry_count, 0, "an auth failure is not retried")
        self.assertFalse(self.shop.order_ids)

    def test_cron_refreshes_tokens_expiring_soon(self):
        """The cron refreshes the tokens expiring within the hour, only them."""
        later = self.env["shopee.shop"].create(
            {
                "account_id": self.account.id,
                "name": "Chiang Mai Crafts",
                "external_id": "600100201",
                "access_token": "token-of-the-other-shop",
                "refresh_token": "refresh-of-the-other-shop",
                "access_token_expires_at": fields.Datetime.now() + timedelta(hours=3),
            }
        )
        self.backend.access_token_expires_at = fields.Datetime.now() + timedelta(
            minutes=30
        )
        self.env.flush_all()
        with self.shopee_cassette("token_refresh_cron"):
            self.env["shopee.shop"]._cron_refresh_tokens()
            # the cron only queues the refresh, of this shop only
            job = self.env["marketplace.job"].search(
                [
                    ("job_type", "=", "refresh_tokens"),
                    ("account_id", "=", self.account.id),
                ]
            )
            self.assertEqual(job.shop_id, self.shop)
            self.assertShopeeCalls([])
            self.run_queue_jobs()
        self.assertEqual(job.state, "completed", job.error_message)
        self.assertShopeeCalls(["/api/v2/auth/access_token/get"])
        self.env.invalidate_all()
        self.assertNotEqual(self.backend.access_token, ACCESS_TOKEN)
        self.assertEqual(later.access_token, "token-of-the-other-shop")


COMMITTED_ACCOUNT = "Shopee TH (concurrency test, committed)"


@tagged("post_install", "-at_install")
class TestConcurrentRefresh(
    CommittedDataMixin, ShopeeCassetteMixin, common.TransactionCase
):
    """Two processes refresh one shop at once: Shopee is called once.

    Shopee kills a refresh token when it issues a new one, so a second call
    would fail and lose the shop's authorization. Here the data is committed
    (each thread has its own connection, as two Odoo workers would) and
    thread A is held inside its Shopee call until thread B waits on the lock.
    """

    def setUp(self):
        super().setUp()  # the cleanup of the committed data comes first
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            account = env["marketplace.account"].create(
                {
                    "name": COMMITTED_ACCOUNT,
                    "channel": "shopee",
                    "environment": "simulator",
                    "shopee_simulator_url": SIMULATOR_URL,
                    "shopee_partner_id": PARTNER_ID,
                    "shopee_partner_key": PARTNER_KEY,
                }
            )
            backend = env["shopee.shop"].create(
                {
                    "account_id": account.id,
                    "name": "Bangkok Gadget House",
                    "external_id": SHOP_ID,
                    "access_token": ACCESS_TOKEN,
                    "refresh_token": REFRESH_TOKEN,
                    "access_token_expires_at": fields.Datetime.now(),
                }
            )
            self.account_id, self.backend_id = account.id, backend.id

    def purge_committed_data(self):
        """The test's account, and with it its shop, jobs and states."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            accounts = (
                env["marketplace.account"]
                .with_context(active_test=False)
                .search([("name", "=", COMMITTED_ACCOUNT)])
            )
            accounts.unlink()

    @mute_logger("odoo.sql_db")  # the serialization failure is expected
    def test_two_concurrent_refreshes(self):
        original_refresh = ShopeeClient.refresh_token
        a_inside = threading.Event()
        calls = []

        def held_refresh(client, refresh_token, shop_id):
            calls.append(refresh_token)
            a_inside.set()
            self._wait_for_lock_waiter()
            return original_refresh(client, refresh_token, shop_id)

        results, errors = {}, {}

        def refresh(name):
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    backend = env["shopee.shop"].browse(self.backend_id)
                    results[name] = backend._refresh_tokens(ACCESS_TOKEN)
            except Exception as exc:  # pylint: disable=broad-except
                errors[name] = exc

        with (
            self.shopee_cassette("token_refresh_concurrent") as cassette,
            self._patch_refresh(held_refresh),
            self._registry_without_loading_lock(),
        ):
            thread_a = threading.Thread(target=refresh, args=("a",))
            thread_a.start()
            self.assertTrue(a_inside.wait(10), errors)
            thread_b = threading.Thread(target=refresh, args=("b",))
            thread_b.start()
            thread_a.join(30)
            thread_b.join(30)
        self.assertFalse(errors)
        self.assertEqual(len(calls), 1, "Shopee must be asked once")
        if not self.recording:
            self.assertEqual(cassette.play_count, 1)
        self.assertEqual(results["a"]["access_token"], results["b"]["access_token"])
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            backend = env["shopee.shop"].browse(self.backend_id)
            self.assertEqual(backend.access_token, results["a"]["access_token"])
            self.assertNotEqual(backend.refresh_token, REFRESH_TOKEN)

    @mute_logger("odoo.sql_db", "odoo.addons.connector_marketplace.tokens")
    def test_refresh_while_another_connection_holds_the_shop(self):
        """Another transaction writes the shop's marketplace row (the finish
        step advancing the sync point) during a refresh: the refresh waits for
        it before asking Shopee, asks once, and the shop stays connected."""
        calls = []
        original_refresh = ShopeeClient.refresh_token

        def counted_refresh(client, refresh_token, shop_id):
            calls.append(refresh_token)
            return original_refresh(client, refresh_token, shop_id)

        writer = sql_db.db_connect(self.env.cr.dbname).cursor()
        self.addCleanup(writer.close)
        writer.execute(
            "UPDATE marketplace_shop SET order_sync_point = '2026-11-01 00:00:00' "
            "WHERE id = (SELECT marketplace_shop_id FROM shopee_shop WHERE id = %s)",
            [self.backend_id],
        )
        results, errors = {}, {}

        def refresh():
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    backend = env["shopee.shop"].browse(self.backend_id)
                    results["a"] = backend._refresh_tokens(ACCESS_TOKEN)
            except Exception as exc:  # pylint: disable=broad-except
                errors["a"] = exc

        with (
            self.shopee_cassette("token_refresh_locked_shop") as cassette,
            self._patch_refresh(counted_refresh),
            self._registry_without_loading_lock(),
        ):
            thread = threading.Thread(target=refresh)
            thread.start()
            self._wait_for_lock_waiter()
            self.assertFalse(calls, "Shopee must not be asked while the shop is held")
            writer.commit()
            thread.join(30)
        self.assertFalse(errors)
        self.assertEqual(len(calls), 1, "Shopee must be asked once")
        if not self.recording:
            self.assertEqual(cassette.play_count, 1)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            backend = env["shopee.shop"].browse(self.backend_id)
            self.assertEqual(backend.auth_state, "connected")
            self.assertEqual(backend.access_token, results["a"]["access_token"])
            self.assertNotEqual(backend.refresh_token, REFRESH_TOKEN)
            # and the other transaction's write is kept
            self.assertEqual(backend.order_sync_point, datetime(2026, 11, 1, 0, 0, 0))

    def _registry_without_loading_lock(self):
        return registry_without_loading_lock()

    def _patch_refresh(self, replacement):
        return mock.patch.object(ShopeeClient, "refresh_token", replacement)

    def _wait_for_lock_waiter(self, timeout=10):
        """Block until another backend waits for a row lock (thread B)."""
        deadline = time.monotonic() + timeout
        with self.registry.cursor() as cr:
            while time.monotonic() < deadline:
                cr.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
                if cr.fetchone()[0]:
                    return
                cr.rollback()
                time.sleep(0.05)
        raise AssertionError("thread B never waited for the shop's lock")
