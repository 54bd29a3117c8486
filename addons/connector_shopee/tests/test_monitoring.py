"""Dashboard figures, notifications, the health endpoint, retention."""

import json
from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import HttpCase, tagged

from odoo.addons.connector_marketplace.tests.common import (
    NoLivePortMixin,
    QueueJobRunnerMixin,
)

from .common import ShopeeTestCase


@tagged("post_install", "-at_install")
class TestDashboard(ShopeeTestCase):
    def order(self, name, status, date, total=None, **values):
        order = self.env["marketplace.order"].create(
            dict(
                {
                    "shop_id": self.shop.id,
                    "name": name,
                    "status": status,
                    "date_order": date,
                },
                **values,
            )
        )
        if total:
            partner = self.env["res.partner"].create({"name": f"Buyer {name}"})
            product = self.env["product.product"].create(
                {"name": "P", "list_price": total}
            )
            sale = self.env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "marketplace_order_id": order.id,
                    "order_line": [
                        (
                            0,
                            0,
                            {
                                "product_id": product.id,
                                "price_unit": total,
                                "tax_id": False,
                            },
                        )
                    ],
                }
            )
            sale.action_confirm()
            order.sale_order_id = sale
        return order

    @freeze_time("2026-11-20 05:00:00")  # 12:00 in Bangkok
    def test_figures_on_a_known_data_set(self):
        self.env.user.tz = "Asia/Bangkok"
        now = fields.Datetime.now()
        # other shops of the database may hold orders: compare with before
        before = self.env["marketplace.dashboard"].get_dashboard_data()["pending"]
        self.order(
            "A1",
            "to_ship",
            now - timedelta(hours=1),
            100,
            ship_by_date=now - timedelta(hours=2),
        )
        self.order("A2", "completed", now - timedelta(days=3), 200)
        self.order("A3", "shipping", now - timedelta(days=20), 400)
        self.order("A4", "cancelled", now - timedelta(hours=1), 1000)
        self.order("A5", "to_ship", now - timedelta(days=40), 800)
        self.order(
            "A6",
            "packed",
            now,
            sale_status="waiting",
            ship_by_date=now + timedelta(days=1),
        )
        data = self.env["marketplace.dashboard"].get_dashboard_data()
        [row] = [r for r in data["sales"]["shops"] if r["shop_id"] == self.shop.id]
        periods = {p["key"]: p for p in row["periods"]}
        self.assertEqual(
            (periods["today"]["orders"], periods["today"]["revenue"]), (2, 100)
        )
        self.assertEqual(
            (periods["week"]["orders"], periods["week"]["revenue"]), (3, 300)
        )
        self.assertEqual(
            (periods["month"]["orders"], periods["month"]["revenue"]), (4, 700)
        )
        # every figure opens the list behind it
        orders = self.env["marketplace.order"]
        self.assertEqual(orders.search_count(periods["week"]["domain"]), 3)
        pending = data["pending"]
        added = {
            key: pending[key]["count"] - before[key]["count"]
            for key in ("to_ship", "overdue", "waiting")
        }
        # A1, A5, A6 to ship; only A1 is late (A5 has no ship-by date)
        self.assertEqual(added, {"to_ship": 3, "overdue": 1, "waiting": 1})
        mine = [("shop_id", "=", self.shop.id)]
        self.assertEqual(
            orders.search(pending["overdue"]["domain"] + mine).mapped("name"), ["A1"]
        )
        self.assertEqual(orders.search_count(pending["waiting"]["domain"] + mine), 1)
        self.assertTrue(pending["next"][0]["overdue"], "overdue ones first")

    def test_stock_and_sync_status(self):
        before = self.env["marketplace.dashboard"].get_dashboard_data()["stock"]
        product = self.env["product.product"].create(
            {"name": "Cable", "is_storable": True}
        )
        bindings = self.env["marketplace.product.binding"]
        bindings.create(
            {
                "shop_id": self.shop.id,
                "external_item_id": "1",
                "product_id": product.id,
                "last_pushed_qty": 0,
                "last_pushed_at": fields.Datetime.now(),
            }
        )
        bindings.create(
            {
                "shop_id": self.shop.id,
                "external_item_id": "2",
                "product_id": product.id,
                "last_pushed_qty": 3,
                "last_pushed_at": fields.Datetime.now(),
                "last_push_error": "refused",
            }
        )
        bindings.create({"shop_id": self.shop.id, "external_item_id": "3"})
        job = self.create_pull_job(datetime(2026, 5, 1), datetime(2026, 5, 2))
        job.sudo()._fail_with("boom")
        data = self.env["marketplace.dashboard"].get_dashboard_data()
        stock = data["stock"]
        self.assertEqual(
            {
                key: stock[key]["count"] - before[key]["count"]
                for key in ("bound", "out", "low", "errors", "to_bind")
            },
            {"bound": 2, "out": 1, "low": 1, "errors": 1, "to_bind": 1},
        )
        [sync] = [s for s in data["sync"]["shops"] if s["shop_id"] == self.shop.id]
        self.assertEqual(sync["failed_24h"], 1)
        self.assertEqual(
            self.env["marketplace.job"].search_count(sync["failed_domain"]), 1
        )

    def test_loads_in_a_few_queries(self):
        """The dashboard is one call with a fixed number of queries."""
        for index in range(30):
            self.order(f"Q{index}", "to_ship", fields.Datetime.now())
        self.env["marketplace.dashboard"].get_dashboard_data()  # warm the caches
        with self.assertQueryCount(__system__=60):
            self.env["marketplace.dashboard"].get_dashboard_data()


@tagged("post_install", "-at_install")
class TestNotifications(ShopeeTestCase):
    def expiry_activities(self):
        return self.shop.activity_ids.filtered(
            lambda a: a.marketplace_cause == "auth_expiry"
        )

    def test_authorization_expiry_at_30_7_1_days(self):
        expires = datetime(2026, 12, 31, 12, 0)
        self.shop.authorization_expires_at = expires
        shops = self.env["marketplace.shop"]

        def run():
            self.shop.invalidate_recordset(["authorization_days_left"])
            shops._cron_notifications()

        with freeze_time(expires - timedelta(days=40)):
            run()
            self.assertFalse(self.expiry_activities())
        with freeze_time(expires - timedelta(days=29)):
            run()
            run()  # hourly: no duplicate
            self.assertEqual(len(self.expiry_activities()), 1)
            self.assertIn("(30)", self.expiry_activities().summary)
        with freeze_time(expires - timedelta(days=6, hours=12)):
            run()
            self.assertEqual(len(self.expiry_activities()), 1)
            self.assertIn("(7)", self.expiry_activities().summary)
        with freeze_time(expires - timedelta(hours=20)):
            run()
            self.assertEqual(len(self.expiry_activities()), 1)
            self.assertIn("(1)", self.expiry_activities().summary)
            data = self.env["marketplace.dashboard"].get_dashboard_data()
            self.assertTrue(
                [b for b in data["banners"] if b["shop_id"] == self.shop.id],
                "the banner",
            )

    def test_no_expiry_date_no_warning(self):
        self.shop.authorization_expires_at = False
        self.env["marketplace.shop"]._cron_notifications()
        self.assertFalse(self.expiry_activities())
        data = self.env["marketplace.dashboard"].get_dashboard_data()
        self.assertFalse([b for b in data["banners"] if b["shop_id"] == self.shop.id])

    def test_pushes_gone_silent_while_pulls_find_orders(self):
        account = self.account
        self.env["marketplace.webhook.event"].sudo().create(
            {
                "account_id": account.id,
                "shop_id": self.shop.id,
                "dedup_key": "k1",
                "code": 3,
                "state": "done",
                "received_at": datetime(2026, 11, 20, 0, 0),
            }
        )
        with freeze_time("2026-11-20 10:00:00"):
            self.env["marketplace.order"].create(
                {"shop_id": self.shop.id, "name": "SILENT01"}
            )
            self.env["marketplace.shop"]._cron_notifications()
            self.env["marketplace.shop"]._cron_notifications()
        silent = self.shop.activity_ids.filtered(
            lambda a: a.marketplace_cause == "webhook_silent"
        )
        self.assertEqual(len(silent), 1)
        self.assertIn("1 orders", silent.note)

    def test_digest_mail(self):
        self.shop.send_digest = True
        self.shop.user_id.email = "owner@bangkokgadgethouse.example"
        self.env["marketplace.shop"]._cron_digest()
        mail = self.env["mail.mail"].search(
            [("email_to", "=", "owner@bangkokgadgethouse.example")], limit=1
        )
        self.assertIn(self.shop.name, mail.subject)
        self.assertIn("Failed jobs", mail.body_html)


@tagged("post_install", "-at_install")
class TestRetention(ShopeeTestCase):
    def test_old_jobs_go_failures_stay_longer_retries_survive(self):
        old_done = self.create_pull_job(datetime(2026, 5, 1), datetime(2026, 5, 2))
        old_done.sudo()._fail_with("x")
        old_done.sudo().write({"state": "completed"})
        old_failed = self.create_pull_job(datetime(2026, 5, 3), datetime(2026, 5, 4))
        old_failed.sudo()._fail_with("boom")
        self.env.cr.execute(
            "UPDATE marketplace_job SET date_done = %s WHERE id IN %s",
            [fields.Datetime.now() - timedelta(days=45), (old_done.id, old_failed.id)],
        )
        # queue_job cleans up its queue jobs: retries and last error stay
        qjob = old_failed.sudo().queue_job_ids
        qjob.write({"marketplace_last_error": "throttled", "retry": 3, "state": "done"})
        qjob.unlink()
        self.env.invalidate_all()
        self.assertEqual(old_failed.retry_count, 2)
        self.assertEqual(old_failed.last_error, "throttled")
        removed, _events = self.env["marketplace.job"]._cron_cleanup()
        self.assertEqual(removed, 1)
        self.assertFalse(old_done.exists())
        self.assertTrue(old_failed.exists(), "failures are kept 90 days")


@tagged("post_install", "-at_install")
class TestHealthEndpoint(NoLivePortMixin, QueueJobRunnerMixin, HttpCase):
    def test_health_behind_a_token(self):
        params = self.env["ir.config_parameter"]
        self.assertEqual(
            self.url_open("/marketplace/health").status_code, 404, "off by default"
        )
        params.set_param("connector_marketplace.health_token", "s3cret-monitor-token")
        self.assertEqual(self.url_open("/marketplace/health").status_code, 403)
        response = self.url_open(
            "/marketplace/health", headers={"X-Marketplace-Token": "wrong"}
        )
        self.assertEqual(response.status_code, 403)
        response = self.url_open(
            "/marketplace/health",
            headers={"X-Marketplace-Token": "s3cret-monitor-token"},
        )
        self.assertEqual(response.status_code, 200)
        report = json.loads(response.content)
        self.assertIn(report["status"], ("ok", "degraded"))
        for key in ("queue", "failed_jobs_24h", "shops", "generated_at"):
            self.assertIn(key, report)
        self.assertNotIn("s3cret", response.text)

    def test_health_token_in_the_query_string_is_refused(self):
        """A token in the URL lands in access logs and proxies: refused even
        when it is right, and even beside the right header."""
        token = "s3cret-monitor-token"
        self.env["ir.config_parameter"].set_param(
            "connector_marketplace.health_token", token
        )
        header = {"X-Marketplace-Token": token}
        cases = {
            "right token in the query": (f"?token={token}", {}),
            "right header, token in the query too": (f"?token={token}", header),
            "right header, empty token in the query": ("?token=", header),
        }
        for case, (query, headers) in cases.items():
            with self.subTest(case):
                with self.assertLogs(
                    "odoo.addons.connector_marketplace.monitoring", "WARNING"
                ) as logs:
                    response = self.url_open(
                        "/marketplace/health" + query, headers=headers
                    )
                self.assertEqual(response.status_code, 403)
                self.assertEqual(response.content, b"")
                self.assertIn("X-Marketplace-Token", "\n".join(logs.output))
                self.assertNotIn(token, "\n".join(logs.output))
        self.assertEqual(
            self.url_open("/marketplace/health", headers=header).status_code, 200
        )
