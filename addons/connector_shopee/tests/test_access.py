"""Who may read what: keys and tokens stay with managers and the system.

That no key or token is stored in any queue job of a real pull, refresh and
connection is checked in test_hardening and test_oauth.
"""

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import ShopeeTestCase


@tagged("post_install", "-at_install")
class TestAccessRights(ShopeeTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(
            cls.env,
            login="mp_user",
            groups="connector_marketplace.group_marketplace_user",
        )
        cls.manager = new_test_user(
            cls.env,
            login="mp_manager",
            groups="connector_marketplace.group_marketplace_manager",
        )
        cls.order = cls.env["marketplace.order"].create(
            {"shop_id": cls.shop.id, "name": "260101ACCESS01"}
        )

    def test_user_cannot_read_keys_or_tokens(self):
        account = self.account.with_user(self.user)
        self.assertEqual(account.name, "Shopee TH (test)")
        for field in ("shopee_partner_key", "shopee_push_partner_key"):
            with self.assertRaises(AccessError):
                account.read([field])
        backend = self.backend.with_user(self.user)
        for field in ("access_token", "refresh_token"):
            with self.assertRaises(AccessError):
                backend.read([field])
        # what a seller's staff needs is readable
        self.assertEqual(self.shop.with_user(self.user).auth_state, "connected")
        self.assertEqual(self.order.with_user(self.user).name, "260101ACCESS01")

    def test_user_cannot_change_configuration(self):
        with self.assertRaises(AccessError):
            self.account.with_user(self.user).write({"name": "Mine now"})
        with self.assertRaises(AccessError):
            self.shop.with_user(self.user).write({"name": "Mine now"})
        with self.assertRaises(AccessError):
            self.order.with_user(self.user).write({"status": "completed"})

    def test_user_starts_imports_and_sees_jobs(self):
        action = self.shop.with_user(self.user).action_import_orders()
        self.assertEqual(action["params"]["type"], "success")
        job = (
            self.env["marketplace.job"]
            .with_user(self.user)
            .search([("shop_id", "=", self.shop.id)])
        )
        self.assertEqual(len(job), 1)
        self.assertEqual(job.state, "pending")
        self.assertEqual(job.retry_count, 0)
        with self.assertRaises(AccessError):
            self.env["queue.job"].with_user(self.user).search([]).read(["args"])

    def test_manager_reads_keys_not_tokens(self):
        account = self.account.with_user(self.manager)
        self.assertEqual(account.shopee_partner_key, "shpk-simulator-demo-key")
        with self.assertRaises(AccessError):
            self.backend.with_user(self.manager).read(["access_token"])


@tagged("post_install", "-at_install")
class TestOtherCompany(ShopeeTestCase):
    """A marketplace manager of another company changes nothing here."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        other = cls.env["res.company"].create({"name": "Other marketplace company"})
        cls.other_manager = new_test_user(
            cls.env,
            login="mp_other_manager",
            groups="connector_marketplace.group_marketplace_manager",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )

    def test_cannot_disconnect_a_shop_of_another_company(self):
        with self.assertRaises(AccessError):
            self.shop.with_user(self.other_manager).action_disconnect()
        self.assertEqual(self.shop.auth_state, "connected")
        self.assertTrue(self.backend.access_token)

    def test_cannot_read_authorization_links_of_another_company(self):
        self.env["marketplace.oauth.state"]._issue(self.account)
        states = self.env["marketplace.oauth.state"].with_user(self.other_manager)
        self.assertFalse(states.search([("account_id", "=", self.account.id)]))

    def test_no_wizard_on_a_shop_of_another_company(self):
        for model in ("marketplace.product.bind.wizard", "marketplace.stock.preview"):
            with self.assertRaises(AccessError):
                self.env[model].with_user(self.other_manager).create(
                    {"shop_id": self.shop.id}
                )
