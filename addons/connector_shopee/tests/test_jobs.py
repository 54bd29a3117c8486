"""Marketplace jobs: payload validation, queueing, cron and shop button."""

from datetime import datetime, timedelta

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.connector_marketplace.models.marketplace_shop import (
    ORDER_SYNC_OVERLAP,
)

from .common import ShopeeTestCase


@tagged("post_install", "-at_install")
class TestJobPayload(ShopeeTestCase):
    def job_values(self, payload):
        return {
            "job_type": "pull_orders",
            "account_id": self.account.id,
            "shop_id": self.shop.id,
            "payload": payload,
        }

    def assertRefused(self, payload, message):
        jobs = self.env["marketplace.job"].search_count([])
        queue_jobs = self.env["queue.job"].search_count([])
        # assertRaises (not ...Regex) rolls the failed create back, like the
        # request of a user would be
        with self.assertRaises(ValidationError) as caught:
            self.env["marketplace.job"].create(self.job_values(payload))
        self.assertIn(message, str(caught.exception))
        self.assertEqual(self.env["marketplace.job"].search_count([]), jobs)
        self.assertEqual(self.env["queue.job"].search_count([]), queue_jobs)

    def test_malformed_payloads_are_refused_on_save(self):
        """Refused with what is wrong; no job, no queue job (see also the
        payload parsing tests of connector_marketplace)."""
        self.assertRefused('{"since": ', "not valid JSON")
        self.assertRefused('{"from": "2026-01-01T00:00:00"}', "Unknown key")
        self.assertRefused('{"since": "yesterday"}', "ISO 8601")

    def test_job_needs_a_shop_of_its_account(self):
        other = self.env["marketplace.account"].create(
            {"name": "Other", "channel": "shopee", "environment": "sandbox"}
        )
        with self.assertRaises(ValidationError) as caught:
            self.env["marketplace.job"].create(
                dict(self.job_values("{}"), account_id=other.id)
            )
        self.assertIn("does not belong", str(caught.exception))
        with self.assertRaises(ValidationError) as caught:
            self.env["marketplace.job"].create(
                dict(self.job_values("{}"), shop_id=False)
            )
        self.assertIn("needs a shop", str(caught.exception))

    def test_valid_payload_is_queued(self):
        job = self.env["marketplace.job"].create(
            dict(
                self.job_values(
                    '{"since": "2026-01-01T07:00:00+07:00", "until": null}'
                ),
                priority=3,
            )
        )
        self.assertTrue(job.name.startswith("MJ/"))
        self.assertEqual(job.state, "pending")
        self.assertEqual(job.origin, "user")
        payload = job._payload_dict()
        self.assertEqual(payload["since"], datetime(2026, 1, 1, 0, 0))
        self.assertIsNone(payload["until"])
        [qjob] = job.sudo().queue_job_ids
        self.assertEqual(qjob.marketplace_job_id, job, "linked by _job_store_values")
        self.assertEqual(qjob.method_name, "_job_run")
        self.assertEqual(qjob.channel, "root.marketplace.import")
        self.assertEqual(qjob.priority, 3)
        self.assertEqual(qjob.state, "pending")
        self.assertEqual(qjob.max_retries, 10)

    def test_started_job_cannot_change(self):
        job = self.env["marketplace.job"].create(self.job_values("{}"))
        job.state = "processing"
        with self.assertRaises(UserError):
            job.payload = '{"since": null}'

    def test_deleted_job_takes_its_waiting_steps_along(self):
        """Deleting a job cancels its queue jobs still waiting: left behind,
        they would be refused their start forever and hold their channel's
        places. A job whose step runs cannot be deleted."""
        running = self.env["marketplace.job"].create(self.job_values("{}"))
        running.sudo().queue_job_ids.state = "started"
        with self.assertRaises(UserError) as caught:
            running.unlink()
        self.assertIn(running.name, str(caught.exception))
        self.assertTrue(running.exists())
        running.sudo().queue_job_ids.state = "done"
        running.sudo().state = "completed"
        job = self.env["marketplace.job"].create(self.job_values("{}"))
        qjob = job.sudo().queue_job_ids
        self.assertEqual(qjob.state, "pending")
        job.unlink()
        self.assertEqual(qjob.state, "cancelled")
        self.assertEqual(self.run_queue_jobs(), [], "nothing left to run")

    def test_step_of_a_job_deleted_under_it_fails(self):
        """A queue job whose marketplace job vanished (deleted in SQL, by an
        older version) fails once instead of being refused its start."""
        job = self.env["marketplace.job"].create(self.job_values("{}"))
        qjob = job.sudo().queue_job_ids
        self.env.flush_all()
        self.env.cr.execute("DELETE FROM marketplace_job WHERE id = %s", [job.id])
        self.env.invalidate_all()
        [(uuid, state)] = self.run_queue_jobs(failed=["_job_run"])
        self.assertEqual(uuid, qjob.uuid)
        self.assertEqual(state, "failed")

    def test_job_functions_configuration(self):
        """Each step has its channel, a backoff and the failure hook."""
        functions = self.env["queue.job.function"].search(
            [("model_id.model", "=", "marketplace.job")]
        )
        by_method = {function.method: function for function in functions}
        self.assertEqual(
            set(by_method),
            {
                "_job_run",
                "_job_import_orders",
                "_job_import_products",
                "_job_sale_orders",
                "_job_push_stock",
                "_job_ship_orders",
                "_job_print_labels",
                "_job_cancel_orders",
                "_job_finish",
            },
        )
        for function in functions:
            self.assertEqual(function.on_fail_method, "_on_queue_job_failed")
            self.assertTrue(function.retry_pattern)
            self.assertFalse(function.allow_commit)
        self.assertEqual(
            by_method["_job_import_orders"].channel, "root.marketplace.import"
        )
        for method in ("_job_push_stock", "_job_ship_orders", "_job_cancel_orders"):
            self.assertEqual(by_method[method].channel, "root.marketplace.export")


@tagged("post_install", "-at_install")
class TestShopPulls(ShopeeTestCase):
    def test_cron_queues_one_job_per_active_shop(self):
        sleeping = self.env["shopee.shop"].create(
            {
                "account_id": self.account.id,
                "name": "Chiang Mai Crafts",
                "external_id": "600100201",
                "auth_state": "needs_reauth",
            }
        )
        manual = self.env["shopee.shop"].create(
            {
                "account_id": self.account.id,
                "name": "Manual shop",
                "external_id": "600100202",
                "auto_import_orders": False,
            }
        )
        self.env["marketplace.shop"]._cron_pull_orders()
        job = self.shop.job_ids
        self.assertEqual(len(job), 1)
        self.assertEqual(job.origin, "cron")
        self.assertFalse(sleeping.job_ids)
        self.assertFalse(manual.job_ids)
        # a new shop starts `initial_import_days` back
        since = job._payload_dict()["since"]
        expected = fields.Datetime.now() - timedelta(days=self.shop.initial_import_days)
        self.assertAlmostEqual(since, expected, delta=timedelta(minutes=1))
        # still pending: the next run does not pile up another one
        self.env["marketplace.shop"]._cron_pull_orders()
        self.assertEqual(self.shop.job_ids, job)

    def test_cancelled_pull_ends_and_frees_the_shop(self):
        """A pull cancelled in the job queue fails and no longer blocks."""
        self.env["marketplace.shop"]._cron_pull_orders()
        job = self.shop.job_ids
        job.sudo().queue_job_ids.button_cancelled()
        self.assertEqual(job.state, "failed")
        self.assertIn("Cancelled", job.error_message)
        self.env["marketplace.shop"]._cron_pull_orders()
        self.assertEqual(len(self.shop.job_ids), 2)

    def test_cron_starts_from_sync_point_with_overlap(self):
        self.shop.order_sync_point = datetime(2026, 11, 1, 12, 0)
        self.env["marketplace.shop"]._cron_pull_orders()
        since = self.shop.job_ids._payload_dict()["since"]
        self.assertEqual(since, datetime(2026, 11, 1, 12, 0) - ORDER_SYNC_OVERLAP)

    def test_import_orders_now_button(self):
        action = self.shop.action_import_orders()
        self.assertEqual(action["tag"], "display_notification")
        job = self.shop.job_ids
        self.assertEqual(len(job), 1)
        self.assertEqual(job.origin, "user")
        self.assertIn(job.name, action["params"]["message"])
        self.assertEqual(action["params"]["type"], "success")
        again = self.shop.action_import_orders()
        self.assertEqual(self.shop.job_ids, job)
        self.assertIn("already queued", again["params"]["message"])
        self.shop.auth_state = "needs_reauth"
        with self.assertRaisesRegex(UserError, "authorized again"):
            self.shop.action_import_orders()

    def test_sync_point_only_moves_forward_without_gap(self):
        shop = self.shop
        self.assertTrue(
            shop._advance_order_sync_point(datetime(2026, 1, 1), datetime(2026, 1, 5))
        )
        # overlapping the point: moves
        self.assertTrue(
            shop._advance_order_sync_point(datetime(2026, 1, 4), datetime(2026, 1, 9))
        )
        self.assertEqual(shop.order_sync_point, datetime(2026, 1, 9))
        # a back-fill behind it: stays
        self.assertFalse(
            shop._advance_order_sync_point(datetime(2025, 12, 1), datetime(2025, 12, 5))
        )
        # a window after a gap: stays, the gap was never pulled
        self.assertFalse(
            shop._advance_order_sync_point(datetime(2026, 2, 1), datetime(2026, 2, 5))
        )
        self.assertEqual(shop.order_sync_point, datetime(2026, 1, 9))
