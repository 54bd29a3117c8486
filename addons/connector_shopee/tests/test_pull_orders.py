"""Pulling orders: listing windows and pages, chunks, errors, retries.

Every job here runs through queue_job (stored, acquired, performed, its
dependents released) against recorded Shopee traffic.
"""

from datetime import datetime, timedelta, timezone
from unittest import mock
from urllib.parse import parse_qs, urlparse

from odoo.tests import tagged

from odoo.addons.connector_marketplace.exceptions import MarketplaceCredentialsError

from .common import SHOP_ID, ShopeeTestCase

LIST, DETAIL = "/api/v2/order/get_order_list", "/api/v2/order/get_order_detail"


def epoch(moment):
    return int(moment.replace(tzinfo=timezone.utc).timestamp())


def query_of(request):
    return {
        key: values[0] for key, values in parse_qs(urlparse(request.uri).query).items()
    }


def scenario_orders(count, since, until, seed=11, **extra):
    return dict(
        {
            "reset": {
                "seed": seed,
                "orders": count,
                "shop_id": int(SHOP_ID),
                "time_from": epoch(since),
                "time_to": epoch(until),
                "include_seed_orders": False,
            }
        },
        **extra,
    )


@tagged("post_install", "-at_install")
class TestPullOrders(ShopeeTestCase):
    def assertJobsDone(self, job):
        states = job.sudo().queue_job_ids.mapped("state")
        self.assertTrue(states)
        self.assertEqual(set(states), {"done"}, states)

    def test_pages_and_chunks(self):
        """230 orders: 3 list pages of ≤100, 5 detail chunks of ≤50, 7 jobs."""
        since, until = datetime(2026, 10, 1), datetime(2026, 10, 6)
        scenario = scenario_orders(
            230, since + timedelta(hours=1), until - timedelta(hours=1)
        )
        with self.shopee_cassette("pull_orders_pages", scenario) as cassette:
            job = self.create_pull_job(since, until)
            self.assertEqual(job.state, "pending")
            self.assertEqual(len(job.sudo().queue_job_ids), 1)
            self.run_queue_jobs()
        self.assertEqual(job.state, "completed", job.error_message)
        self.assertJobsDone(job)
        # start + 5 chunks + finish
        self.assertEqual(len(job.sudo().queue_job_ids), 7)
        self.assertEqual(job.orders_listed, 230)
        self.assertEqual(job.order_count, 230)
        self.assertIn("230 new, 0 updated, 0 unchanged", job.result_summary)
        self.assertEqual(self.shop.order_count, 230)
        orders = self.env["marketplace.order"].search([("shop_id", "=", self.shop.id)])
        self.assertEqual(len(set(orders.mapped("name"))), 230)
        self.assertTrue(all(order.line_ids for order in orders))
        self.assertEqual(set(orders.mapped("currency_id.name")), {"THB"})
        list_calls = [r for r in cassette.requests if r.path.endswith("get_order_list")]
        detail_calls = [
            r for r in cassette.requests if r.path.endswith("get_order_detail")
        ]
        self.assertEqual(len(list_calls), 3)
        self.assertTrue(all(int(query_of(r)["page_size"]) <= 100 for r in list_calls))
        self.assertEqual(len(detail_calls), 5)
        sizes = [len(query_of(r)["order_sn_list"].split(",")) for r in detail_calls]
        self.assertEqual(sorted(sizes), [30, 50, 50, 50, 50])
        self.assertIn(
            "item_list", query_of(detail_calls[0])["response_optional_fields"]
        )
        # the sync point joins the shop's history (it had none)
        self.assertEqual(self.shop.order_sync_point, until)

    def test_window_over_15_days(self):
        """A 25-day pull lists two windows of at most 15 days each."""
        since, until = datetime(2026, 9, 1), datetime(2026, 9, 26)
        scenario = scenario_orders(
            120, since + timedelta(hours=2), until - timedelta(hours=2), seed=12
        )
        with self.shopee_cassette("pull_orders_25_days", scenario) as cassette:
            job = self.create_pull_job(since, until)
            self.run_queue_jobs()
        self.assertEqual(job.state, "completed", job.error_message)
        self.assertEqual(job.order_count, 120)
        list_calls = [r for r in cassette.requests if r.path.endswith("get_order_list")]
        windows = {
            (int(query_of(r)["time_from"]), int(query_of(r)["time_to"]))
            for r in list_calls
        }
        self.assertEqual(
            sorted(windows),
            [
                (epoch(since), epoch(since + timedelta(days=15))),
                (epoch(since + timedelta(days=15)), epoch(until)),
            ],
        )
        self.assertTrue(all(end - start <= 15 * 86400 for start, end in windows))
        self.assertEqual(
            {query_of(r)["time_range_field"] for r in list_calls}, {"update_time"}
        )

    def test_no_orders(self):
        """An empty window completes with "0 orders" and moves the sync point."""
        since, until = datetime(2026, 8, 1), datetime(2026, 8, 2)
        with self.shopee_cassette(
            "pull_orders_empty", scenario_orders(0, since, until)
        ):
            job = self.create_pull_job(since, until)
            self.run_queue_jobs()
        self.assertEqual(job.state, "completed")
        self.assertTrue(job.result_summary.startswith("0 orders"))
        self.assertFalse(job.order_ids)
        self.assertEqual(len(job.sudo().queue_job_ids), 1)
        self.assertFalse(job.error_message)
        self.assertEqual(self.shop.order_sync_point, until)

    def test_rate_limit_then_success(self):
        """A throttled listing is postponed with backoff, then succeeds."""
        since, until = datetime(2026, 7, 1), datetime(2026, 7, 2)
        scenario = scenario_orders(
            12,
            since + timedelta(hours=1),
            until - timedelta(hours=1),
            seed=13,
            faults=[
                {
                    "kind": "rate_limit",
                    "path": "/api/v2/order/get_order_list",
                    "times": 1,
                }
            ],
        )
        with self.shopee_cassette("pull_orders_rate_limited", scenario):
            job = self.create_pull_job(since, until)
            [(uuid, state)] = self.run_queue_jobs_once()
            self.assertEqual(state, "pending")
            qjob = self.env["queue.job"].search([("uuid", "=", uuid)])
            self.assertEqual(qjob.retry, 1)
            # retry pattern {1: (20, 40), ...}: postponed, not hammered
            self.assertGreaterEqual(qjob.eta, qjob.date_created + timedelta(seconds=15))
            self.assertEqual(job.state, "pending")
            self.assertEqual(job.retry_count, 1)
            self.assertIn("throttling", job.last_error)
            self.assertFalse(job.order_ids)
            self.run_queue_jobs()
        self.assertEqual(job.state, "completed", job.error_message)
        self.assertShopeeCalls([LIST, LIST, DETAIL], "throttled, listed again, read")
        self.assertEqual(job.order_count, 12)
        self.assertEqual(job.retry_count, 1)
        self.assertIn("throttling", job.last_error)

    def test_server_error_in_chunk_is_retried(self):
        """A 5xx on a detail chunk rolls the chunk back and retries it."""
        since, until = datetime(2026, 6, 1), datetime(2026, 6, 2)
        scenario = scenario_orders(
            60,
            since + timedelta(hours=1),
            until - timedelta(hours=1),
            seed=14,
            faults=[
                {
                    "kind": "server_error",
                    "path": "/api/v2/order/get_order_detail",
                    "times": 1,
                }
            ],
        )
        with self.shopee_cassette("pull_orders_server_error", scenario):
            job = self.create_pull_job(since, until)
            self.run_queue_jobs_once()  # lists, queues 2 chunks
            states = dict(self.run_queue_jobs_once())  # one chunk gets a 500
            self.assertEqual(sorted(states.values()), ["done", "pending"])
            chunks = self.env["queue.job"].search([("uuid", "in", list(states))])
            failed = chunks.filtered(lambda chunk: chunk.state == "pending")
            done = chunks - failed
            # the chunk that failed imported nothing, the other everything
            self.assertEqual(
                set(job.order_ids.mapped("name")), set(done.args[0]), failed.args
            )
            self.run_queue_jobs()
        self.assertEqual(job.state, "completed", job.error_message)
        # two chunks read, one of them again (not the listing)
        self.assertShopeeCalls([LIST, DETAIL, DETAIL, DETAIL])
        self.assertEqual(job.order_count, 60)
        self.assertEqual(job.retry_count, 1)
        self.assertIn("Shopee or the network failed", job.last_error)

    def test_wrong_partner_key_fails_with_message(self):
        """A wrong key fails at once, with a message a seller can act on, and
        pauses the shop's scheduled pulls until the key changes."""
        self.account.shopee_partner_key = "shpk-not-the-right-key"
        self.expect_partner_key("shpk-not-the-right-key")
        since, until = datetime(2026, 5, 1), datetime(2026, 5, 2)
        with self.shopee_cassette(
            "pull_orders_wrong_key", scenario_orders(3, since, until)
        ):
            job = self.create_pull_job(since, until)
            self.run_queue_jobs()
        self.assertEqual((job.state, job.error_kind), ("failed", "refused"))
        self.assertIn("partner key", job.error_message)
        self.assertEqual(job.retry_count, 0)
        self.assertFalse(self.shop.order_ids)
        self.assertFalse(self.shop.order_sync_point)
        activity = self.shop.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.marketplace_cause, "credentials")
        self.assertIn("paused", activity.summary)
        self.assertIn("partner key", activity.note)
        self.assertEqual(activity.user_id, self.shop.user_id)
        self.assertTrue(self.shop.sync_paused)
        self.assertIn("partner key", self.shop.sync_pause_reason)
        # the cron starts no pull that would fail the same way
        self.env["marketplace.shop"].search([]).write({"auto_import_orders": False})
        self.shop.auto_import_orders = True
        with mock.patch.object(
            type(self.backend),
            "_marketplace_check_connection",
            side_effect=MarketplaceCredentialsError("refused"),
        ):
            self.env["marketplace.shop"]._cron_pull_orders()
            # only the test call, queued: it finds the key still refused
            check = self.shop.job_ids - job
            self.assertEqual(check.job_type, "check_connection")
            self.run_queue_jobs()
        self.assertEqual(check.state, "completed", check.error_message)
        self.assertIn("still refuses (refused)", check.result_summary)
        self.assertTrue(self.shop.sync_paused)
        self.assertEqual(len(self.shop.activity_ids), 1, "no second activity")
        # a new key resumes them, and closes the activity
        self.account.shopee_partner_key = "shpk-simulator-demo-key"
        self.assertFalse(self.shop.sync_paused)
        self.assertFalse(self.shop.activity_ids)

    def test_retry_failed_job(self):
        """Retry re-runs a failed job from its start."""
        self.account.shopee_partner_key = "shpk-not-the-right-key"
        self.expect_partner_key("shpk-not-the-right-key")
        since, until = datetime(2026, 5, 1), datetime(2026, 5, 2)
        scenario = scenario_orders(3, since, until)
        with self.shopee_cassette("pull_orders_wrong_key", scenario):
            job = self.create_pull_job(since, until)
            self.run_queue_jobs()
        self.assertEqual(job.state, "failed")
        self.account.shopee_partner_key = "shpk-simulator-demo-key"
        self.expect_partner_key("shpk-simulator-demo-key")
        with self.shopee_cassette("pull_orders_retry_after_fix", scenario):
            job.action_retry()
            self.assertEqual(job.state, "pending")
            self.run_queue_jobs()
        self.assertEqual(job.state, "completed", job.error_message)
        self.assertShopeeCalls([LIST, LIST, DETAIL], "refused; again from the listing")
        self.assertEqual(job.order_count, 3)
