"""Connecting a shop: the signed link, and Shopee's redirect back to Odoo.

The callback trusts only the link's state: made by a manager's Connect shop
for this account, unexpired, used once; it needs no Odoo session.
"""

import hashlib
import hmac
import logging
import re
import time
from datetime import timedelta
from unittest import mock
from urllib.parse import parse_qs, urlencode, urljoin, urlparse

import requests
from lxml import html

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.connector_marketplace.tests.common import captured_logs

from ..api import ShopeeClient
from .common import PARTNER_ID, PARTNER_KEY, SHOP_ID, SIMULATOR_URL, ShopeeCassetteMixin

CALLBACK = "/marketplace/shopee/oauth/%s"


class AccessLog(logging.Handler):
    """The access log lines of Odoo's HTTP server, written after the answer."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())

    def wait_for(self, text, timeout=5):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [line for line in self.lines if text in line]
            if found:
                return "\n".join(found)
            time.sleep(0.05)
        raise AssertionError(f"no access log line with {text}")


MAIN_ACCOUNT_ID = "800100"


@tagged("post_install", "-at_install")
class TestShopeeOAuth(ShopeeCassetteMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account = cls.env["marketplace.account"].create(
            {
                "name": "Shopee TH (OAuth test)",
                "channel": "shopee",
                "environment": "simulator",
                "shopee_simulator_url": SIMULATOR_URL,
                "shopee_partner_id": PARTNER_ID,
                "shopee_partner_key": PARTNER_KEY,
            }
        )

    def setUp(self):
        super().setUp()
        self.authenticate("admin", "admin")
        self.admin = self.env.ref("base.user_admin")

    def new_state(self, account=None, user=None):
        """A state as the account's Connect shop button makes it."""
        account = account or self.account
        return (
            self.env["marketplace.oauth.state"]
            .with_user(user or self.admin)
            ._issue(account)
        )

    def shops(self):
        return self.env["marketplace.shop"].search(
            [("account_id", "=", self.account.id)]
        )

    def authorization_code(self, main_account=False):
        """A real code from the simulator's consent page when recording.

        When replaying, any value does: codes are filtered out of cassettes.
        """
        if not self.recording:
            return "code-from-the-consent-page"
        self.simulator_setup({})
        link = self.account.action_shopee_connect()["url"]
        session = requests.Session()
        page = session.get(link, timeout=10)
        page.raise_for_status()
        action = re.search(r'<form[^>]*action="([^"]+)"', page.text).group(1)
        fields_ = dict(
            re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page.text)
        )
        if main_account:
            fields_["main_account_id"] = MAIN_ACCOUNT_ID
        else:
            fields_.update({"shop_id": SHOP_ID, "authorize": "1"})
        answer = session.post(
            urljoin(page.url, action), data=fields_, allow_redirects=False, timeout=10
        )
        location = answer.headers["Location"]
        return parse_qs(urlparse(location).query)["code"][0]

    def callback(self, **params):
        """Shopee's redirect to Odoo; its ``code`` is the one to exchange."""
        if "code" in params:
            self.expect_authorization_code(params["code"])
        account_id = params.pop("account_id", self.account.id)
        if "state" not in params:
            params["state"] = self.new_state()
        elif params["state"] is None:
            del params["state"]
        return self.url_open(f"{CALLBACK % account_id}?{urlencode(params)}")

    def test_connect_shop_link_is_signed(self):
        """The Connect shop button opens Shopee's signed auth_partner link."""
        action = self.account.action_shopee_connect()
        self.assertEqual(action["type"], "ir.actions.act_url")
        url = urlparse(action["url"])
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        self.assertEqual(url.path, "/api/v2/shop/auth_partner")
        self.assertEqual(query["partner_id"], PARTNER_ID)
        redirect = urlparse(query["redirect"])
        self.assertEqual(
            f"{redirect.scheme}://{redirect.netloc}{redirect.path}",
            self.account.shopee_redirect_url,
        )
        self.assertTrue(redirect.path.endswith(CALLBACK % self.account.id))
        # the redirect carries a state Odoo accepts once, for this account
        state = parse_qs(redirect.query)["state"][0]
        states = self.env["marketplace.oauth.state"]
        link, problem = states._consume(state, self.account.id)
        self.assertFalse(problem)
        self.assertEqual(link.account_id, self.account)
        self.assertTrue(states._consume(state, self.account.id)[1])
        self.assertAlmostEqual(int(query["timestamp"]), time.time(), delta=60)
        base = f"{PARTNER_ID}/api/v2/shop/auth_partner{query['timestamp']}"
        expected = hmac.new(PARTNER_KEY.encode(), base.encode(), hashlib.sha256)
        self.assertEqual(query["sign"], expected.hexdigest())

    def test_callback_creates_the_shop(self):
        code = self.authorization_code()
        state = self.new_state()
        access_log = AccessLog()
        logging.getLogger("werkzeug").addHandler(access_log)
        try:
            with self.shopee_cassette("oauth_callback_ok", setup=False):
                response = self.callback(code=code, shop_id=SHOP_ID, state=state)
            log = access_log.wait_for("/marketplace/shopee/oauth/")
        finally:
            logging.getLogger("werkzeug").removeHandler(access_log)
        # Odoo's access log writes the callback's query: code and state masked
        self.assertIn("code=***", log)
        self.assertNotIn(code, log)
        self.assertNotIn(state.split(".")[1], log)
        self.assertEqual(response.status_code, 200)
        self.assertShopeeCalls(
            ["/api/v2/auth/token/get", "/api/v2/shop/get_shop_info"],
            "the code exchanged first, then the shop read with its token",
        )
        self.assertIn("Shop connected", response.text)
        self.assertIn("Bangkok Gadget House", response.text)
        shop = self.shops()
        self.assertEqual(len(shop), 1)
        self.assertEqual(shop.external_id, SHOP_ID)
        self.assertEqual(shop.name, "Bangkok Gadget House")
        self.assertEqual(shop.region, "TH")
        self.assertEqual(shop.auth_state, "connected")
        self.assertTrue(shop.authorization_expires_at)
        self.assertTrue(shop.access_token_expires_at)
        # back inside Odoo, on the shop: at once by its button, else by itself
        page = html.fromstring(response.text)
        shop_url = (
            f"/odoo/action-connector_marketplace.marketplace_shop_action/{shop.id}"
        )
        [button] = page.xpath("//a[@class='button']")
        self.assertEqual(button.get("href"), shop_url)
        self.assertIn("Bangkok Gadget House", button.text_content())
        [refresh] = page.xpath("//meta[@http-equiv='refresh']")
        self.assertTrue(refresh.get("content").endswith(f"url={shop_url}"))
        backend = shop.shopee_backend_ids.sudo()
        self.assertTrue(backend.access_token)
        self.assertTrue(backend.refresh_token)
        # nothing of the connection is stored in a queue job
        stored = str(
            self.env["queue.job"]
            .search([])
            .read(["args", "kwargs", "name", "result", "exc_info", "func_string"])
        )
        for secret in (backend.access_token, backend.refresh_token, code, state):
            self.assertNotIn(secret, stored)

    def test_main_account_connects_all_its_shops(self):
        code = self.authorization_code(main_account=True)
        with self.shopee_cassette("oauth_callback_main_account", setup=False):
            response = self.callback(code=code, main_account_id=MAIN_ACCOUNT_ID)
        self.assertEqual(response.status_code, 200)
        shops = self.shops()
        self.assertEqual(
            sorted(shops.mapped("name")), ["Bangkok Gadget House", "Chiang Mai Crafts"]
        )
        self.assertEqual(set(shops.mapped("auth_state")), {"connected"})
        self.assertTrue(all(shops.shopee_backend_ids.sudo().mapped("refresh_token")))

    def test_reused_code_stores_nothing(self):
        """A code works once; the second callback says so and changes nothing."""
        code = self.authorization_code()
        with self.shopee_cassette("oauth_callback_reused_code", setup=False):
            first = self.callback(code=code, shop_id=SHOP_ID)
            self.assertEqual(first.status_code, 200)
            backend = self.shops().shopee_backend_ids.sudo()
            tokens = (backend.access_token, backend.refresh_token)
            # a new link (state), the same code
            second = self.callback(code=code, shop_id=SHOP_ID)
        self.assertEqual(second.status_code, 400)
        self.assertIn("already used", second.text)
        self.assertEqual(len(self.shops()), 1)
        backend.invalidate_recordset()
        self.assertEqual((backend.access_token, backend.refresh_token), tokens)

    def test_wrong_partner_key_stores_nothing(self):
        code = self.authorization_code()
        self.account.shopee_partner_key = "shpk-not-the-right-key"
        self.expect_partner_key("shpk-not-the-right-key")
        with self.shopee_cassette("oauth_callback_wrong_key", setup=False):
            response = self.callback(code=code, shop_id=SHOP_ID)
        self.assertEqual(response.status_code, 400)
        self.assertIn("partner key", response.text)
        self.assertFalse(self.shops())

    def test_reauthorization_updates_the_shop(self):
        """Authorizing a known shop again reconnects it, without a duplicate."""
        code = self.authorization_code()
        with self.shopee_cassette("oauth_callback_ok", setup=False):
            self.callback(code=code, shop_id=SHOP_ID)
        shop = self.shops()
        shop.write({"auth_state": "needs_reauth", "auth_error": "expired"})
        code = self.authorization_code()
        with self.shopee_cassette("oauth_callback_ok", setup=False):
            response = self.callback(code=code, shop_id=SHOP_ID)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.shops(), shop)
        self.assertEqual(shop.auth_state, "connected")
        self.assertFalse(shop.auth_error)

    def test_disconnected_shop_connected_again_resumes(self):
        """Disconnect, then authorize again: connected, new tokens, and the
        scheduled pull takes the shop again."""
        code = self.authorization_code()
        with self.shopee_cassette("oauth_callback_ok", setup=False):
            self.callback(code=code, shop_id=SHOP_ID)
        shop = self.shops()
        shop.action_disconnect()
        self.assertEqual(shop.auth_state, "disconnected")
        code = self.authorization_code()
        with self.shopee_cassette("oauth_callback_ok", setup=False):
            response = self.callback(code=code, shop_id=SHOP_ID)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.shops(), shop)
        self.assertEqual(shop.auth_state, "connected")
        backend = self.env["shopee.shop"].search(
            [("marketplace_shop_id", "=", shop.id)]
        )
        self.assertTrue(backend.sudo().access_token)
        self.env["marketplace.shop"]._cron_pull_orders()
        self.assertEqual(
            shop.job_ids.filtered(lambda job: job.state == "pending").mapped("origin"),
            ["cron"],
        )

    def test_failed_token_write_shows_and_logs_no_token(self):
        """Shopee issued the tokens, Odoo cannot save them (a CHECK refuses
        them here; in life a token refresh racing the callback): the seller
        is told to connect again, and neither the page nor any log line
        (SQL debugging on) holds a token or the code."""
        issued = {
            "access_token": "issued-access-token-e41a",
            "refresh_token": "issued-refresh-token-93b0",
            "expire_in": 14400,
        }
        self.env.cr.execute(
            "ALTER TABLE shopee_shop ADD CONSTRAINT test_refuses_the_issued_pair "
            "CHECK (access_token IS DISTINCT FROM %s)",
            [issued["access_token"]],
        )
        code = "code-from-the-consent-page-5c7e"
        state = self.new_state()
        with (
            captured_logs("odoo.sql_db", "odoo.http") as capture,
            mock.patch.object(ShopeeClient, "get_token", return_value=issued),
        ):
            response = self.callback(code=code, shop_id=SHOP_ID, state=state)
            # the access log line is written after the answer
            deadline = time.monotonic() + 5
            while "oauth" not in capture.text and time.monotonic() < deadline:
                time.sleep(0.05)
        self.assertEqual(response.status_code, 503)
        self.assertIn("Shop not connected", response.text)
        self.assertIn("press Connect shop", response.text)
        self.assertFalse(self.shops())
        logs = capture.text
        self.assertIn("bad query", logs)
        self.assertIn("Failing row contains (***)", logs)
        self.assertIn("could not be saved", logs)
        for secret in (issued["access_token"], issued["refresh_token"], code):
            self.assertNotIn(secret, logs)
            self.assertNotIn(secret, response.text)
        self.assertNotIn(PARTNER_KEY, logs)

    def test_unknown_account(self):
        """No state can name an account that does not exist."""
        response = self.callback(account_id=987654321, code="x", shop_id=SHOP_ID)
        self.assertEqual(response.status_code, 403)
        self.assertIn("Link not accepted", response.text)

    def test_missing_code(self):
        response = self.callback(shop_id=SHOP_ID)
        self.assertEqual(response.status_code, 400)
        self.assertIn("no authorization code", response.text)
        self.assertFalse(self.shops())

    def test_link_made_by_a_user_is_refused(self):
        """Only a manager's link connects shops."""
        user = new_test_user(
            self.env,
            login="mp_user",
            groups="connector_marketplace.group_marketplace_user",
        )
        with self.assertRaises(AccessError):
            self.account.with_user(user).action_shopee_connect()
        state = self.new_state(user=user)
        response = self.callback(code="x", shop_id=SHOP_ID, state=state)
        self.assertEqual(response.status_code, 403)
        self.assertIn("Only marketplace managers", response.text)
        self.assertFalse(self.shops())

    def test_forged_callbacks_change_nothing(self):
        """A callback without a valid state for this account is refused."""
        other = self.account.copy({"name": "Another account"})
        good = self.new_state()
        forged = {
            "no state": None,
            "garbage": "not-a-state",
            "tampered signature": good[:-4] + "0000",
            "another account's state": self.new_state(account=other),
        }
        for case, state in forged.items():
            with self.subTest(case):
                response = self.callback(code="x", shop_id=SHOP_ID, state=state)
                self.assertEqual(response.status_code, 403)
                self.assertIn("Link not accepted", response.text)
        self.assertFalse(self.shops())
        # an expired state, and a used one
        expired = self.new_state()
        self.env["marketplace.oauth.state"].search(
            [("nonce", "=", expired.split(".")[1])]
        ).expires_at = fields.Datetime.now() - timedelta(minutes=1)
        response = self.callback(code="x", shop_id=SHOP_ID, state=expired)
        self.assertEqual(response.status_code, 403)
        self.assertIn("expired", response.text)
        response = self.callback(shop_id=SHOP_ID, state=good)  # uses it (no code)
        self.assertEqual(response.status_code, 400)
        response = self.callback(code="x", shop_id=SHOP_ID, state=good)
        self.assertEqual(response.status_code, 403)
        self.assertIn("already used", response.text)
        self.assertFalse(self.shops())

    def test_callback_without_odoo_session(self):
        """The seller authorizes on another device: the state is enough."""
        code = self.authorization_code()
        state = self.new_state()
        self.logout()
        with self.shopee_cassette("oauth_callback_ok", setup=False):
            response = self.callback(code=code, shop_id=SHOP_ID, state=state)
        self.assertEqual(response.status_code, 200, response.text)
        shop = self.shops()
        self.assertEqual(shop.auth_state, "connected")
        # on behalf of the manager who made the link
        self.assertEqual(shop.user_id, self.admin)
