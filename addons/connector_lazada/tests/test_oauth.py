"""Connecting a Lazada seller: the authorization link, and Lazada's redirect
back to Odoo (code → /auth/token/create → the Thai seller's shop)."""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urljoin, urlparse

import requests

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import APP_KEY, APP_SECRET, SELLER_ID, SIMULATOR_URL, LazadaCassetteMixin

CALLBACK = "/marketplace/lazada/oauth/%s"


@tagged("post_install", "-at_install")
class TestLazadaOAuth(LazadaCassetteMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account = cls.env["marketplace.account"].create(
            {
                "name": "Lazada TH (OAuth test)",
                "channel": "lazada",
                "environment": "simulator",
                "lazada_simulator_url": SIMULATOR_URL,
                "lazada_app_key": APP_KEY,
                "lazada_app_secret": APP_SECRET,
            }
        )

    def setUp(self):
        super().setUp()
        self.authenticate("admin", "admin")
        self.admin = self.env.ref("base.user_admin")

    def new_state(self):
        return (
            self.env["marketplace.oauth.state"]
            .with_user(self.admin)
            ._issue(self.account)
        )

    def shops(self):
        return self.env["marketplace.shop"].search(
            [("account_id", "=", self.account.id)]
        )

    def authorization_code(self):
        """A real code from the simulator's consent page when recording;
        when replaying any value does (codes are not stored in cassettes)."""
        if not self.recording:
            return "code-from-the-consent-page"
        self.simulator_setup({"tokens": []})
        link = self.account.action_lazada_connect()["url"]
        session = requests.Session()
        page = session.get(link, timeout=10)
        page.raise_for_status()
        action = re.search(r'<form[^>]*action="([^"]+)"', page.text).group(1)
        values = dict(
            re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page.text)
        )
        values.update({"seller_id": SELLER_ID, "authorize": "1"})
        answer = session.post(
            urljoin(page.url, action), data=values, allow_redirects=False, timeout=10
        )
        location = answer.headers["Location"]
        return parse_qs(urlparse(location).query)["code"][0]

    def callback(self, **params):
        """Lazada's redirect to Odoo; its ``code`` is the one to exchange."""
        if "code" in params:
            self.expect_authorization_code(params["code"])
        params.setdefault("state", self.new_state())
        return self.url_open(f"{CALLBACK % self.account.id}?{urlencode(params)}")

    def test_connect_shop_opens_lazadas_authorization_page(self):
        action = self.account.action_lazada_connect()
        self.assertEqual(action["type"], "ir.actions.act_url")
        url = urlparse(action["url"])
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        self.assertEqual(url.path, "/oauth/authorize")
        self.assertEqual(query["client_id"], APP_KEY)
        self.assertEqual(query["response_type"], "code")
        self.assertEqual(query["redirect_uri"], self.account.lazada_redirect_url)
        self.assertTrue(query["redirect_uri"].endswith(CALLBACK % self.account.id))
        self.assertNotIn(APP_SECRET, action["url"])
        # the state is Odoo's, accepted once, for this account
        states = self.env["marketplace.oauth.state"]
        link, problem = states._consume(query["state"], self.account.id)
        self.assertFalse(problem)
        self.assertEqual(link.account_id, self.account)
        self.assertTrue(states._consume(query["state"], self.account.id)[1])

    def test_callback_creates_the_sellers_shop(self):
        code = self.authorization_code()
        with self.lazada_cassette("oauth_callback_ok", setup=False):
            response = self.callback(code=code)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(
            self.lazada_calls(),
            ["/auth/token/create", "/seller/get"],
            "the code exchanged first, then the seller read with its token",
        )
        self.assertIn("Bangkok Gadget House", response.text)
        shop = self.shops()
        self.assertEqual(len(shop), 1)
        self.assertEqual(shop.external_id, SELLER_ID)
        self.assertEqual(shop.name, "Bangkok Gadget House")
        self.assertEqual(shop.channel, "lazada")
        self.assertEqual(shop.auth_state, "connected")
        backend = shop.lazada_backend_ids.sudo()
        self.assertEqual(backend.lazada_short_code, "THBGH01")
        self.assertTrue(backend.access_token and backend.refresh_token)
        # the lifetimes Lazada gave: 7 days for the access token, 30 for the
        # refresh token (the seller authorizes again before then)
        now = fields.Datetime.now()
        self.assertAlmostEqual(
            backend.access_token_expires_at,
            now + timedelta(days=7),
            delta=timedelta(minutes=5),
        )
        self.assertAlmostEqual(
            shop.authorization_expires_at,
            now + timedelta(days=30),
            delta=timedelta(minutes=5),
        )
        stored = str(
            self.env["queue.job"]
            .search([])
            .read(["args", "kwargs", "name", "result", "exc_info", "func_string"])
        )
        for secret in (backend.access_token, backend.refresh_token, code):
            self.assertNotIn(secret, stored)

    def test_a_seller_name_lazada_cannot_give_now_keeps_the_authorization(self):
        """/seller/get fails once after the code was traded: the shop is
        connected with its tokens all the same (the code is spent)."""
        code = self.authorization_code()
        if self.recording:
            self.simulator_call(
                "POST", "faults", {"kind": "system_error", "path": "/seller/get"}
            )
        with self.lazada_cassette("oauth_callback_seller_get_fails", setup=False):
            response = self.callback(code=code)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(self.lazada_calls(), ["/auth/token/create", "/seller/get"])
        shop = self.shops()
        self.assertEqual(shop.auth_state, "connected")
        self.assertEqual(shop.name, f"Lazada shop {SELLER_ID}")
        self.assertTrue(shop.lazada_backend_ids.sudo().refresh_token)

    def test_a_code_used_twice_stores_nothing_the_second_time(self):
        code = self.authorization_code()
        with self.lazada_cassette("oauth_callback_reused_code", setup=False):
            first = self.callback(code=code)
            self.assertEqual(first.status_code, 200)
            backend = self.shops().lazada_backend_ids.sudo()
            tokens = (backend.access_token, backend.refresh_token)
            second = self.callback(code=code)
        self.assertEqual(second.status_code, 400)
        self.assertIn("already used", second.text)
        self.assertEqual(len(self.shops()), 1)
        backend.invalidate_recordset()
        self.assertEqual((backend.access_token, backend.refresh_token), tokens)

    def test_a_wrong_app_secret_stores_nothing(self):
        code = self.authorization_code()
        self.account.lazada_app_secret = "not-the-app-secret"
        self.expect_app_secret("not-the-app-secret")
        with self.lazada_cassette("oauth_callback_wrong_secret", setup=False):
            response = self.callback(code=code)
        self.assertEqual(response.status_code, 400)
        self.assertIn("app secret", response.text)
        self.assertFalse(self.shops())

    def test_a_callback_without_code_says_so(self):
        response = self.callback()
        self.assertEqual(response.status_code, 400)
        self.assertIn("no authorization code", response.text)
        self.assertFalse(self.shops())
