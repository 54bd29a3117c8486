"""Who may read what on a Lazada account: the app secret stays with
managers, the tokens with the system; staff read orders and listings."""

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import APP_SECRET, LazadaTestCase


@tagged("post_install", "-at_install")
class TestLazadaAccessRights(LazadaTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(
            cls.env,
            login="lzd_user",
            groups="connector_marketplace.group_marketplace_user",
        )
        cls.manager = new_test_user(
            cls.env,
            login="lzd_manager",
            groups="connector_marketplace.group_marketplace_manager",
        )
        cls.order = cls.env["marketplace.order"].create(
            {"shop_id": cls.shop.id, "name": "301000000009999"}
        )

    def test_staff_read_orders_not_secrets(self):
        account = self.account.with_user(self.user)
        self.assertEqual(account.name, "Lazada TH (test)")
        with self.assertRaises(AccessError):
            account.read(["lazada_app_secret"])
        with self.assertRaises(AccessError):
            account.read(["lazada_simulator_url"])
        for field in ("access_token", "refresh_token"):
            with self.assertRaises(AccessError):
                self.backend.with_user(self.user).read([field])
        # lazada.shop is the managers' (tokens, hosts); staff see the shop
        with self.assertRaises(AccessError):
            self.backend.with_user(self.user).read(["lazada_short_code"])
        self.assertEqual(self.shop.with_user(self.user).auth_state, "connected")
        self.assertEqual(self.order.with_user(self.user).name, "301000000009999")
        with self.assertRaises(AccessError):
            self.order.with_user(self.user).write({"status": "completed"})

    def test_managers_keep_the_app_secret_not_the_tokens(self):
        account = self.account.with_user(self.manager)
        self.assertEqual(account.lazada_app_secret, APP_SECRET)
        account.lazada_app_secret = "a-new-secret"
        self.assertEqual(self.account.lazada_app_secret, "a-new-secret")
        with self.assertRaises(AccessError):
            self.backend.with_user(self.manager).read(["access_token"])

    def test_staff_cannot_connect_a_seller(self):
        with self.assertRaises(AccessError):
            self.account.with_user(self.user).action_lazada_connect()
