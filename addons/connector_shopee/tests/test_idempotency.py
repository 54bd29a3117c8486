"""Importing an order again, or twice at once, leaves one current record."""

import copy
import json
from datetime import datetime, timedelta
from pathlib import Path
from unittest import mock

from odoo.sql_db import db_connect
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.connector.database import pg_try_advisory_lock

from .common import ShopeeTestCase
from .test_pull_orders import epoch, scenario_orders

SEED_DIR = Path(__file__).resolve().parents[3] / "simulator" / "seeds" / "orders"


def seed_order(min_items=2):
    """An order object exactly as get_order_detail returns it (simulator seed)."""
    for path in sorted(SEED_DIR.glob("*.json")):
        order = json.loads(path.read_text())
        if len(order.get("item_list") or []) >= min_items:
            return order
    raise AssertionError(f"no seed order with {min_items} items in {SEED_DIR}")


@tagged("post_install", "-at_install")
class TestOrderImportIdempotency(ShopeeTestCase):
    def import_order(self, data):
        with self.backend.work_on("shopee.order") as work:
            importer = work.component(usage="record.importer")
            binding = importer.run(data["order_sn"], data)
            return binding, importer.outcome

    def orders(self, order_sn):
        return self.env["marketplace.order"].search(
            [("shop_id", "=", self.shop.id), ("name", "=", order_sn)]
        )

    def test_same_order_twice(self):
        data = seed_order()
        first, outcome = self.import_order(data)
        self.assertEqual(outcome, "created")
        lines = first.line_ids
        self.assertEqual(len(lines), len(data["item_list"]))
        again, outcome = self.import_order(copy.deepcopy(data))
        self.assertEqual(outcome, "uptodate")
        self.assertEqual(again, first)
        self.assertEqual(len(self.orders(data["order_sn"])), 1)
        self.assertEqual(first.line_ids, lines)

    def test_newer_data_wins_older_is_ignored(self):
        data = seed_order()
        binding, _outcome = self.import_order(data)
        newer = copy.deepcopy(data)
        newer["update_time"] = data["update_time"] + 3600
        newer["order_status"] = "SHIPPED"
        newer["item_list"][0]["model_quantity_purchased"] += 1
        removed_key = binding.line_ids[-1].external_key
        del newer["item_list"][-1]
        kept_line = binding.line_ids[0]
        _binding, outcome = self.import_order(newer)
        self.assertEqual(outcome, "updated")
        self.assertEqual(binding.status, "shipping")
        self.assertEqual(binding.raw_status, "SHIPPED")
        self.assertEqual(len(binding.line_ids), len(newer["item_list"]))
        self.assertIn(kept_line, binding.line_ids, "lines are updated in place")
        self.assertEqual(
            kept_line.quantity, newer["item_list"][0]["model_quantity_purchased"]
        )
        self.assertNotIn(removed_key, binding.line_ids.mapped("external_key"))
        older = copy.deepcopy(data)
        older["order_status"] = "READY_TO_SHIP"
        _binding, outcome = self.import_order(older)
        self.assertEqual(outcome, "uptodate")
        self.assertEqual(binding.status, "shipping")
        self.assertEqual(json.loads(binding.raw_payload)["order_status"], "SHIPPED")

    def test_pull_twice_then_status_change(self):
        """Pulling a window again updates its orders; none is duplicated."""
        since, until = datetime(2026, 4, 1), datetime(2026, 4, 2)
        scenario = scenario_orders(
            8, since + timedelta(hours=1), since + timedelta(hours=12), seed=21
        )
        with self.shopee_cassette("pull_orders_twice", scenario):
            first = self.create_pull_job(since, until)
            self.run_queue_jobs()
            second = self.create_pull_job(since, until)
            self.run_queue_jobs()
        self.assertEqual((first.state, second.state), ("completed", "completed"))
        orders = self.shop.order_ids
        self.assertEqual(len(orders), 8)
        self.assertEqual(first.order_ids, orders)
        self.assertEqual(second.order_ids, orders)
        lines = orders.line_ids
        target = orders.sorted("name")[0]
        self.assertEqual(target.job_ids, first | second)
        changed = {
            target.name: {
                "order_status": "CANCELLED",
                "update_time": epoch(since + timedelta(hours=20)),
            }
        }
        scenario = dict(scenario, orders=changed)
        with self.shopee_cassette("pull_orders_status_change", scenario):
            third = self.create_pull_job(since, until)
            self.run_queue_jobs()
        self.assertEqual(third.state, "completed")
        self.assertShopeeCalls(
            ["/api/v2/order/get_order_list", "/api/v2/order/get_order_detail"] * 3
        )
        self.assertEqual(self.shop.order_ids, orders)
        self.assertEqual(orders.line_ids, lines)
        self.assertEqual(target.status, "cancelled")
        self.assertEqual(len(self.orders(target.name)), 1)

    def test_concurrent_import_waits_for_the_other(self):
        """While another transaction imports an order, the chunk waits.

        Waiting for the lock is postponed without spending a retry; once the
        other transaction is over, the order is imported once.
        """
        data = seed_order()
        lock_name = "import({}, {}, {}, {})".format(
            "shopee.shop", self.backend.id, "shopee.order", data["order_sn"]
        )
        other = db_connect(self.env.cr.dbname).cursor()
        self.addCleanup(other.close)
        self.assertTrue(pg_try_advisory_lock(self.env(cr=other), lock_name))
        job = self.create_pull_job(datetime(2026, 3, 1), datetime(2026, 3, 2))

        def queue_one_chunk(mjob):
            mjob._delayable()._job_import_orders([data["order_sn"]]).delay()
            return "listed"

        adapter = "odoo.addons.connector_shopee.components.order_adapter"
        with (
            mock.patch.object(
                type(job),
                "_run_pull_orders",
                autospec=True,
                side_effect=queue_one_chunk,
            ),
            mock.patch(
                f"{adapter}.ShopeeOrderAdapter.read", autospec=True, return_value=[data]
            ),
        ):
            self.run_queue_jobs_once()
            [(uuid, state)] = self.run_queue_jobs_once()
            self.assertEqual(state, "pending")
            qjob = self.env["queue.job"].search([("uuid", "=", uuid)])
            self.assertEqual(qjob.retry, 0, "waiting for a lock costs no retry")
            self.assertFalse(self.orders(data["order_sn"]))
            other.rollback()  # the other transaction ends, and its lock
            [(_uuid, state)] = self.run_queue_jobs_once()
        self.assertEqual(state, "done")
        self.assertEqual(len(self.orders(data["order_sn"])), 1)
        self.assertEqual(job.order_ids, self.orders(data["order_sn"]))

    @mute_logger("odoo.sql_db")
    def test_lost_race_retries_and_updates(self):
        """A transaction that missed the other's insert retries, then updates."""
        data = seed_order()
        binding, _outcome = self.import_order(data)
        newer = copy.deepcopy(data)
        newer["update_time"] += 60
        newer["order_status"] = "PROCESSED"
        binder = "odoo.addons.connector.components.binder.Binder"
        # as if this transaction started before the other one committed
        with (
            mock.patch(
                f"{binder}.to_internal", autospec=True, return_value=binding.browse()
            ),
            self.assertRaisesRegex(Exception, "imported by another job"),
        ):
            self.import_order(newer)
        self.assertEqual(len(self.orders(data["order_sn"])), 1)
        _binding, outcome = self.import_order(newer)
        self.assertEqual(outcome, "updated")
        self.assertEqual(binding.status, "packed")
