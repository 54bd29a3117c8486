"""Connecting a shop: the signed link, and Shopee's redirect back to Odoo."""

import hashlib
import hmac
import re
import time
from urllib.parse import parse_qs, urlencode, urljoin, urlparse

import requests

from odoo.tests import HttpCase, new_test_user, tagged

from .common import PARTNER_ID, PARTNER_KEY, SHOP_ID, SIMULATOR_URL, ShopeeCassetteMixin

CALLBACK = "/marketplace/shopee/oauth/%s"
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
        account_id = params.pop("account_id", self.account.id)
        return self.url_open(f"{CALLBACK % account_id}?{urlencode(params)}")

    def test_connect_shop_link_is_signed(self):
        """The Connect shop button opens Shopee's signed auth_partner link."""
        action = self.account.action_shopee_connect()
        self.assertEqual(action["type"], "ir.actions.act_url")
        url = urlparse(action["url"])
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        self.assertEqual(url.path, "/api/v2/shop/auth_partner")
        self.assertEqual(query["partner_id"], PARTNER_ID)
        self.assertEqual(query["redirect"], self.account.shopee_redirect_url)
        self.assertTrue(
            query["redirect"].endswith(CALLBACK % self.account.id), query["redirect"]
        )
        self.assertAlmostEqual(int(query["timestamp"]), time.time(), delta=60)
        base = f"{PARTNER_ID}/api/v2/shop/auth_partner{query['timestamp']}"
        expected = hmac.new(PARTNER_KEY.encode(), base.encode(), hashlib.sha256)
        self.assertEqual(query["sign"], expected.hexdigest())

    def test_callback_creates_the_shop(self):
        code = self.authorization_code()
        with self.shopee_cassette("oauth_callback_ok", setup=False):
            response = self.callback(code=code, shop_id=SHOP_ID)
        self.assertEqual(response.status_code, 200)
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
        backend = shop.shopee_backend_ids.sudo()
        self.assertTrue(backend.access_token)
        self.assertTrue(backend.refresh_token)

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
            second = self.callback(code=code, shop_id=SHOP_ID)
        self.assertEqual(second.status_code, 400)
        self.assertIn("already used", second.text)
        self.assertEqual(len(self.shops()), 1)
        backend.invalidate_recordset()
        self.assertEqual((backend.access_token, backend.refresh_token), tokens)

    def test_wrong_partner_key_stores_nothing(self):
        code = self.authorization_code()
        self.account.shopee_partner_key = "shpk-not-the-right-key"
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

    def test_unknown_account(self):
        response = self.callback(account_id=987654321, code="x", shop_id=SHOP_ID)
        self.assertEqual(response.status_code, 404)
        self.assertIn("Unknown account", response.text)

    def test_missing_code(self):
        response = self.callback(shop_id=SHOP_ID)
        self.assertEqual(response.status_code, 400)
        self.assertIn("no authorization code", response.text)
        self.assertFalse(self.shops())

    def test_only_managers_connect_shops(self):
        new_test_user(
            self.env,
            login="mp_user",
            groups="connector_marketplace.group_marketplace_user",
        )
        self.authenticate("mp_user", "mp_user")
        response = self.callback(code="x", shop_id=SHOP_ID)
        self.assertEqual(response.status_code, 403)
        self.assertFalse(self.shops())
