"""Lazada's tokens refreshed by themselves: before they expire (lifetimes
from the token answer), by the cron, and for good when Lazada refuses."""

from datetime import timedelta
from unittest import mock

from odoo import fields
from odoo.tests import tagged

from ..api import LazadaAuthError, LazadaClient
from .common import ACCESS_TOKEN, REFRESH_TOKEN, SELLER_ID, LazadaTestCase


@tagged("post_install", "-at_install")
class TestLazadaTokens(LazadaTestCase):
    def expire_access_token(self, minutes=-1, refresh_token=None):
        values = {
            "access_token_expires_at": fields.Datetime.now()
            + timedelta(minutes=minutes)
        }
        if refresh_token:
            values["refresh_token"] = refresh_token
            self.expect_refresh_token(refresh_token)
        self.backend.write(values)
        # The refresh reads the shop in a transaction of its own.
        self.env.flush_all()

    def test_refresh_before_expiry(self):
        """A call with an expiring token refreshes it first, and stores the
        new pair with Lazada's lifetimes."""
        self.expire_access_token()
        with self.lazada_cassette("token_refresh_before_expiry"):
            self.backend._sync_shop_info()
        self.assertEqual(
            self.lazada_calls(),
            ["/auth/token/refresh", "/seller/get"],
            "the refresh first, then the call with the new token",
        )
        self.env.invalidate_all()
        self.assertNotEqual(self.backend.access_token, ACCESS_TOKEN)
        self.assertNotEqual(self.backend.refresh_token, REFRESH_TOKEN)
        now = fields.Datetime.now()
        self.assertAlmostEqual(
            self.backend.access_token_expires_at,
            now + timedelta(days=7),
            delta=timedelta(minutes=5),
        )
        self.assertAlmostEqual(
            self.backend.refresh_token_expires_at,
            now + timedelta(days=30),
            delta=timedelta(minutes=5),
        )
        self.assertEqual(self.shop.name, "Bangkok Gadget House")
        self.assertEqual(self.shop.auth_state, "connected")

    def test_refused_refresh_marks_the_shop(self):
        """Lazada no longer knows the refresh token: the shop waits for its
        seller to connect again, and says so."""
        self.expire_access_token(refresh_token="revoked-refresh-token")
        error = None
        # not assertRaises: its savepoint would undo what the refresh committed
        with self.lazada_cassette("token_refresh_refused"):
            try:
                self.backend._refresh_tokens(ACCESS_TOKEN)
            except LazadaAuthError as exc:
                error = exc
        self.assertIsNotNone(error)
        self.assertIn("Connect shop", str(error))
        self.env.invalidate_all()
        self.assertEqual(self.shop.auth_state, "needs_reauth")
        self.assertIn("Connect shop", self.shop.message_ids[0].body)
        self.env["marketplace.shop"]._cron_pull_orders()
        self.assertFalse(self.shop.job_ids, "no pull while the shop waits")

    def test_an_app_key_refused_leaves_the_shop_connected(self):
        """Lazada refuses the app, not the seller's token: connecting the
        seller again would not help, the shop is not marked."""
        self.expire_access_token()
        refusal = LazadaAuthError("Specified app key is invalid", code="InvalidAppKey")
        error = None
        with mock.patch.object(LazadaClient, "refresh_token", side_effect=refusal):
            try:
                self.backend._refresh_tokens(ACCESS_TOKEN)
            except LazadaAuthError as exc:
                error = exc
        self.assertIs(error, refusal)
        self.env.invalidate_all()
        self.assertEqual(self.shop.auth_state, "connected")
        self.assertEqual(self.backend.refresh_token, REFRESH_TOKEN)

    def test_cron_refreshes_the_tokens_expiring_within_the_hour(self):
        other = self.env["lazada.shop"].create(
            {
                "account_id": self.account.id,
                "name": "Chiang Mai Crafts",
                "external_id": "1000200301",
                "access_token": "token-of-the-other-seller",
                "refresh_token": "refresh-of-the-other-seller",
                "access_token_expires_at": fields.Datetime.now() + timedelta(days=3),
            }
        )
        self.expire_access_token(minutes=30)
        with self.lazada_cassette("token_refresh_cron"):
            self.env["lazada.shop"]._cron_refresh_tokens()
            job = self.env["marketplace.job"].search(
                [
                    ("job_type", "=", "refresh_tokens"),
                    ("account_id", "=", self.account.id),
                ]
            )
            self.assertEqual(job.shop_id, self.shop)
            self.run_queue_jobs()
        self.assertEqual(job.state, "completed", job.error_message)
        self.assertEqual(self.lazada_calls(), ["/auth/token/refresh"])
        self.env.invalidate_all()
        self.assertNotEqual(self.backend.access_token, ACCESS_TOKEN)
        self.assertEqual(other.access_token, "token-of-the-other-seller")
        self.assertEqual(self.shop.external_id, SELLER_ID)
