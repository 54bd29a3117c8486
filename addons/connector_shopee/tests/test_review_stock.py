"""Stock never oversold: open demand moves the listings of every shop, an
automatic push queued twice at once loses nothing of its transaction, and
listings wrongly deactivated come back (review fixes 1-3)."""

import threading
from contextlib import contextmanager
from datetime import datetime, timedelta
from unittest import mock

from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import AccessError
from odoo.tests import common, new_test_user, tagged

from odoo.addons.connector_marketplace.components.importer import ChunkResult
from odoo.addons.connector_marketplace.tests.common import (
    CommittedDataMixin,
    NoLivePortMixin,
)

from .common import (
    ACCESS_TOKEN,
    REFRESH_TOKEN,
    ShopeeTestCase,
    registry_without_loading_lock,
)
from .test_pull_products import SCENARIO
from .test_stock import StockCase

OTHER_SHOP_ID = "600100201"


class TwoShopsCase(StockCase):
    """The cable listed on two shops that push automatically."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend2 = cls.env["shopee.shop"].create(
            {
                "account_id": cls.account.id,
                "name": "Bangkok Gadget House 2",
                "external_id": OTHER_SHOP_ID,
                "region": "TH",
                "access_token": ACCESS_TOKEN,
                "refresh_token": REFRESH_TOKEN,
                "access_token_expires_at": fields.Datetime.now() + timedelta(hours=4),
                "auto_create_sale_orders": False,
                "warehouse_id": cls.warehouse.id,
            }
        )
        cls.shop2 = cls.backend2.marketplace_shop_id
        cls.cable_listing2 = cls.env["marketplace.product.binding"].create(
            {
                "shop_id": cls.shop2.id,
                "external_item_id": "201",
                "product_id": cls.cable.id,
            }
        )
        (cls.shop | cls.shop2).auto_push_stock = True

    def setUp(self):
        super().setUp()
        self.pushed = []
        with self.both_shops_stock():
            for shop in self.shop | self.shop2:
                shop._create_push_stock_job({})
            self.run_queue_jobs()
        self.pushed.clear()
        self.history = self.env["marketplace.job"].search([])

    @contextmanager
    def both_shops_stock(self):
        """update_stock of both shops, answered as Shopee does."""

        def update(backend, updates):
            item_id = updates[0][0]
            self.pushed.append(
                (backend.external_id, item_id, [(m, q) for _i, m, q in updates])
            )
            return {"success": {(i, m): q for i, m, q in updates}, "failure": {}}

        with mock.patch.object(type(self.backend), "_marketplace_update_stock", update):
            yield

    def new_auto_pushes(self):
        return (
            self.env["marketplace.job"].search([("origin", "=", "stock")])
            - self.history
        )

    def commit_and_push(self):
        """What the end of the transaction does, then the queued pushes."""
        self.env.cr.flush()
        jobs = self.new_auto_pushes()
        with self.both_shops_stock():
            self.run_queue_jobs()
        self.history = self.env["marketplace.job"].search([])
        for job in jobs:
            self.assertEqual(job.state, "completed", job.error_message)
        pushed = sorted(self.pushed)
        self.pushed.clear()
        return jobs, pushed

    def order(self, shop, status, quantity=3, name="260901DEMAND01"):
        order = self.env["marketplace.order"].create(
            {
                "shop_id": shop.id,
                "name": name,
                "status": status,
                "date_order": datetime(2026, 9, 1),
                "line_ids": [
                    (
                        0,
                        0,
                        {
                            "external_key": "1",
                            "name": "Cable",
                            "quantity": quantity,
                            "item_id": "201" if shop == self.shop2 else "101",
                            "price_unit": 129.0,
                        },
                    )
                ],
            }
        )
        order.line_ids._assign_products()
        self.assertEqual(order.line_ids.product_id, self.cable)
        return order


@tagged("post_install", "-at_install")
class TestOpenDemandMovesEveryShop(TwoShopsCase):
    def test_unpaid_order_on_one_shop_lowers_the_other_at_once(self):
        """10 in stock on two shops; 3 wait on shop 2 (unpaid): both show 7."""
        self.order(self.shop2, "awaiting_payment")
        jobs, pushed = self.commit_and_push()
        self.assertEqual(jobs.shop_id, self.shop | self.shop2, "one push per shop")
        self.assertEqual(
            pushed,
            [("600100200", "101", [("0", 27)]), (OTHER_SHOP_ID, "201", [("0", 27)])],
        )

    def test_status_changes_move_the_demand(self):
        order = self.order(self.shop2, "awaiting_payment")
        self.commit_and_push()
        order.status = "to_ship"  # still waiting: nothing moves
        jobs, pushed = self.commit_and_push()
        self.assertFalse(jobs, "an unchanged demand queues no push")
        order.status = "cancelled"
        _jobs, pushed = self.commit_and_push()
        self.assertEqual(
            pushed,
            [("600100200", "101", [("0", 30)]), (OTHER_SHOP_ID, "201", [("0", 30)])],
        )

    def test_waiting_order_then_its_sale_order_made_and_cancelled(self):
        """Automatic sale orders off: the order waits, its units are kept; its
        sale order takes them from the stock instead; cancelling the
        marketplace order gives them back everywhere."""
        order = self.order(self.shop2, "to_ship")
        _jobs, pushed = self.commit_and_push()
        self.assertEqual({qty for *_i, [(_m, qty)] in pushed}, {27})
        order._create_sale_orders(force=True)
        self.assertEqual(order.sale_order_id.state, "sale")
        _jobs, pushed = self.commit_and_push()
        self.assertFalse(pushed, "reserved instead of waiting: 27 still")
        order.status = "cancelled"
        order._follow_sale_status()
        self.assertEqual(order.sale_order_id.state, "cancel")
        _jobs, pushed = self.commit_and_push()
        self.assertEqual({qty for *_i, [(_m, qty)] in pushed}, {30})

    def test_sale_order_cancelled_in_odoo_keeps_the_units_waiting(self):
        order = self.order(self.shop2, "to_ship")
        order._create_sale_orders(force=True)
        self.commit_and_push()
        order.sale_order_id.with_context(disable_cancel_warning=True)._action_cancel()
        _jobs, pushed = self.commit_and_push()
        # the reservation is released, but the order still waits to ship
        self.assertEqual({qty for *_i, [(_m, qty)] in pushed}, set(), "27 still")
        self.assertEqual(self.quantities(self.cable)[self.cable], 27)

    def test_a_new_product_on_a_waiting_line_moves_both_products(self):
        order = self.order(self.shop2, "awaiting_payment")
        self.commit_and_push()
        shirt_listing2 = self.env["marketplace.product.binding"].create(
            {
                "shop_id": self.shop2.id,
                "external_item_id": "202",
                "product_id": self.shirt_m.id,
            }
        )
        self.commit_and_push()
        order.line_ids.item_id = "202"
        order.line_ids._assign_products()
        self.assertEqual(order.line_ids.product_id, self.shirt_m)
        _jobs, pushed = self.commit_and_push()
        self.assertIn(("600100200", "101", [("0", 30)]), pushed, "the cable is free")
        self.assertIn((OTHER_SHOP_ID, "202", [("0", 11)]), pushed, "14 − 3")
        self.assertTrue(shirt_listing2.last_pushed_at)

    def test_deleted_line_gives_its_units_back(self):
        order = self.order(self.shop2, "awaiting_payment")
        self.commit_and_push()
        order.line_ids.unlink()
        _jobs, pushed = self.commit_and_push()
        self.assertEqual({qty for *_i, [(_m, qty)] in pushed}, {30})

    def test_a_disconnected_shops_orders_count_until_they_must_have_shipped(self):
        """Odoo no longer hears of a disconnected shop's cancellations and
        shipments: its waiting orders hold stock until their ship-by date (3
        days after the order without one), not for ever (README)."""
        recent = self.order(
            self.shop2, "awaiting_payment", quantity=2, name="260901RECENT"
        )
        recent.date_order = fields.Datetime.now() - timedelta(hours=1)
        self.order(self.shop2, "awaiting_payment")  # placed 2026-09-01: long shipped
        self.commit_and_push()
        self.assertEqual(self.quantities(self.cable)[self.cable], 25)
        self.shop2._disconnect("test")
        _jobs, pushed = self.commit_and_push()
        self.assertEqual(pushed, [("600100200", "101", [("0", 28)])])
        self.assertEqual(self.quantities(self.cable)[self.cable], 28, "2 still held")
        recent.ship_by_date = fields.Datetime.now() - timedelta(minutes=1)
        self.assertEqual(self.quantities(self.cable)[self.cable], 30)

    def test_a_deleted_order_gives_its_units_back(self):
        order = self.order(self.shop2, "awaiting_payment")
        self.commit_and_push()
        order.unlink()
        _jobs, pushed = self.commit_and_push()
        self.assertEqual({qty for *_i, [(_m, qty)] in pushed}, {30})


@tagged("post_install", "-at_install")
class TestConcurrentAutomaticPush(TwoShopsCase):
    """Another transaction queued the shop's automatic push at the same moment:
    its unique index refuses the second one, and nothing else of this
    transaction is lost."""

    @contextmanager
    def race(self):
        """Both shops' automatic pushes are waiting, queued by another
        transaction: this one's are refused by the index."""
        self.shop._queue_auto_push()
        self.shop2._queue_auto_push()
        self.env.flush_all()
        self.assertEqual(len(self.new_auto_pushes()), 2)
        yield

    def test_tracked_write_keeps_its_message(self):
        with self.race():
            # the stock change first: its hook runs before the tracking's
            self.env["stock.quant"]._update_available_quantity(
                self.cable, self.warehouse.lot_stock_id, -1
            )
            self.shop.with_context(tracking_disable=False).name = "Renamed shop"
            self.env.cr.flush()
        self.env.invalidate_all()
        tracked = self.shop.message_ids.tracking_value_ids.filtered(
            lambda value: value.field_id.name == "name"
        )
        self.assertEqual(tracked.new_value_char, "Renamed shop")
        self.assertEqual(len(self.new_auto_pushes()), 2, "no third push")
        self.assertTrue(self.cable_listing.push_request, "marked for the push")

    def test_other_hooks_of_the_transaction_keep_their_work(self):
        with self.race():
            self.env["stock.quant"]._update_available_quantity(
                self.cable, self.warehouse.lot_stock_id, -1
            )
            self.env.cr.precommit.add(
                lambda: self.shop.sudo().write({"initial_import_days": 9})
            )
            self.env.cr.flush()
        self.env.invalidate_all()
        self.assertEqual(self.shop.initial_import_days, 9)

    def test_chunk_split_by_a_bad_order_marks_the_good_orders_listings(self):
        """A sale-order chunk where one order fails is split in halves: the
        good orders' sale orders reserve stock, and their listings are
        marked and pushed."""
        self.shop2.sale_orders_from = datetime(2026, 1, 1)
        good = self.order(self.shop2, "to_ship", quantity=2, name="260901GOOD")
        bad = self.order(self.shop, "to_ship", quantity=1, name="260901BAD")
        bad.line_ids.product_id = self.shirt_l  # reserved from another product
        self.commit_and_push()
        builder = type(self.env["marketplace.sale.order.builder"])
        original = builder._sale_order_values

        def values(service, order, partners):
            if order == bad:
                raise ValueError("a rule of the warehouse refuses it")
            return original(service, order, partners)

        with mock.patch.object(builder, "_sale_order_values", values):
            _counts, _had, failed = (good | bad)._sync_sale_orders_isolated(True)
        self.assertEqual(failed, bad)
        self.assertEqual(good.sale_order_id.state, "sale")
        self.env.cr.flush()
        self.assertTrue(self.cable_listing.push_request)
        self.assertTrue(self.cable_listing2.push_request)
        _jobs, pushed = self.commit_and_push()
        # 30 − 2 reserved (the order's demand became a reservation: 28 both
        # before and after), and the shirt L waiting on the bad order
        self.assertNotIn(("600100200", "101", [("0", 30)]), pushed)
        self.assertEqual(self.quantities(self.cable)[self.cable], 28)


@tagged("post_install", "-at_install")
class TestSystemFieldsOfListingsAndPulls(StockCase):
    def setUp(self):
        super().setUp()
        self.user = new_test_user(
            self.env,
            login="mp_review_user",
            groups="connector_marketplace.group_marketplace_user",
        )
        self.manager = new_test_user(
            self.env,
            login="mp_review_manager",
            groups="connector_marketplace.group_marketplace_manager",
        )

    def test_users_cannot_write_what_the_push_keeps(self):
        for field, value in (
            ("last_pushed_qty", 30),
            ("last_pushed_at", fields.Datetime.now()),
            ("last_push_error", "x"),
            ("origin", "pulled"),
            ("payload_hash", "x"),
        ):
            for who in (self.user, self.manager):
                with (
                    self.subTest(field=field, user=who.login),
                    self.assertRaises(AccessError),
                ):
                    self.cable_listing.with_user(who).write({field: value})
        with self.assertRaises(AccessError):
            self.env["marketplace.product.binding"].with_user(self.manager).create(
                {
                    "shop_id": self.shop.id,
                    "external_item_id": "999",
                    "last_pushed_qty": 5,
                }
            )

    def test_a_listing_written_by_hand_is_still_pushed(self):
        """Before: a user writing last_pushed_qty made the next push skip the
        listing as unchanged."""
        with self.assertRaises(AccessError):
            self.cable_listing.with_user(self.manager).write({"last_pushed_qty": 30})
        job = self.push({"product_ids": [self.cable.id]})
        self.assertEqual(job.state, "completed", job.error_message)
        self.assertEqual(self.calls, [("101", [("0", 30)])])

    def test_users_cannot_make_a_partial_pull_whole(self):
        jobs = self.env["marketplace.job"]
        job = jobs.sudo().create(
            {
                "job_type": "pull_products",
                "account_id": self.account.id,
                "shop_id": self.shop.id,
                "payload": jobs._dump_payload(
                    {"since": datetime(2026, 9, 1), "until": datetime(2026, 9, 2)}
                ),
            }
        )
        for who in (self.user, self.manager):
            with self.subTest(user=who.login), self.assertRaises(AccessError):
                job.with_user(who).write({"full_catalogue": True})
            with self.subTest(user=who.login), self.assertRaises(AccessError):
                job.with_user(who).write({"items_listed": 3})

    def test_a_partial_pull_never_deactivates_what_it_did_not_list(self):
        """Even with the flag set while it runs (as a user could before), the
        finish of a pull of a window reads its payload: only a whole pass
        tells that a listing is gone."""
        jobs = self.env["marketplace.job"].sudo()
        self.cable_listing.sudo().origin = "pulled"
        backend = type(self.backend)
        with (
            mock.patch.object(
                backend, "_marketplace_list_items", lambda b, s, u: [["555", "NORMAL"]]
            ),
            mock.patch.object(
                backend,
                "_marketplace_import_items",
                lambda b, items: ChunkResult(self.env["marketplace.product.binding"]),
            ),
        ):
            job = jobs.create(
                {
                    "job_type": "pull_products",
                    "account_id": self.account.id,
                    "shop_id": self.shop.id,
                    "payload": jobs._dump_payload(
                        {"since": datetime(2026, 9, 1), "until": datetime(2026, 9, 2)}
                    ),
                }
            )
            self.run_queue_jobs_once()
            self.assertEqual(job.state, "processing")
            job.full_catalogue = True
            self.run_queue_jobs()
        self.assertEqual(job.state, "completed", job.error_message)
        self.assertTrue(self.cable_listing.active)


@tagged("post_install", "-at_install")
class TestListingsComeBack(ShopeeTestCase):
    """A listing deactivated by mistake is active again once a pull lists it,
    even when Shopee's answer did not change (the pull skips unchanged
    listings)."""

    def pull(self, cassette, setup=True):
        with self.shopee_cassette(cassette, SCENARIO, setup=setup):
            job, _created = self.shop._create_pull_products_job("user", full=True)
            self.run_queue_jobs()
        self.assertEqual(job.state, "completed", job.error_message)
        self.env.invalidate_all()
        return job

    def test_unchanged_listing_seen_again_is_active(self):
        self.pull("pull_products_catalogue")
        listings = (
            self.env["marketplace.product.binding"]
            .with_context(active_test=False)
            .search([("shop_id", "=", self.shop.id), ("origin", "=", "pulled")])
        )
        gone = listings.filtered(lambda b: not b.active)
        self.assertTrue(gone, "the catalogue has a deleted item")
        self.assertGreater(len(listings - gone), 70)
        (listings - gone)[:5].sudo().active = False
        job = self.pull("pull_products_catalogue_again", setup=False)
        self.assertIn("0 new, 5 updated", job.result_summary)
        self.assertTrue(all((listings - gone).mapped("active")))
        self.assertFalse(any(gone.mapped("active")), "gone ones stay inactive")


MARKS_ACCOUNT = "Concurrent marks (committed by test_review_stock)"


@tagged("post_install", "-at_install")
class TestConcurrentMarks(CommittedDataMixin, NoLivePortMixin, common.TransactionCase):
    """Two import chunks with orders of the same product commit side by side,
    in two real transactions: both mark the product's listing to push, and
    neither fails to serialize (marking only inserts rows; it updated the
    shared listing row, and the second chunk was retried, Shopee read again)."""

    def setUp(self):
        super().setUp()  # the cleanup of the committed data comes first
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            account = env["marketplace.account"].create(
                {"name": MARKS_ACCOUNT, "channel": "shopee", "environment": "simulator"}
            )
            shop = (
                env["shopee.shop"]
                .create(
                    {
                        "account_id": account.id,
                        "name": "Concurrent marks shop",
                        "external_id": "600100298",
                    }
                )
                .marketplace_shop_id
            )
            product = env["product.product"].create(
                {"name": "Concurrent marks cable", "is_storable": True}
            )
            self.binding_id = (
                env["marketplace.product.binding"]
                .create(
                    {
                        "shop_id": shop.id,
                        "external_item_id": "101",
                        "product_id": product.id,
                    }
                )
                .id
            )
            env["marketplace.push.mark"].search(
                [("binding_id", "=", self.binding_id)]
            ).unlink()
            self.shop_id, self.product_id = shop.id, product.id

    def purge_committed_data(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            accounts = (
                env["marketplace.account"]
                .with_context(active_test=False)
                .search([("name", "=", MARKS_ACCOUNT)])
            )
            orders = env["marketplace.order"].search(
                [("shop_id.account_id", "in", accounts.ids)]
            )
            products = orders.line_ids.product_id | (
                env["marketplace.product.binding"]
                .with_context(active_test=False)
                .search([("shop_id.account_id", "in", accounts.ids)])
                .product_id
            )
            orders.line_ids.unlink()
            orders.unlink()
            accounts.unlink()
            products.active = False

    def test_two_chunks_mark_one_listing_at_once(self):
        started, done, errors = threading.Barrier(2), threading.Barrier(2), []

        def import_order(name):
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    env["marketplace.product.binding"].browse(self.binding_id).read(
                        ["shop_id"]
                    )  # both snapshots start here
                    started.wait(10)
                    env["marketplace.order"].create(
                        {
                            "shop_id": self.shop_id,
                            "name": name,
                            "status": "awaiting_payment",
                            "line_ids": [
                                (
                                    0,
                                    0,
                                    {
                                        "external_key": "1",
                                        "name": "Cable",
                                        "quantity": 1,
                                        "product_id": self.product_id,
                                    },
                                )
                            ],
                        }
                    )
                    env.flush_all()
                    done.wait(10)  # both made their order, then both commit
            except Exception as error:  # pylint: disable=broad-except
                errors.append(repr(error))

        with registry_without_loading_lock():
            threads = [
                threading.Thread(target=import_order, args=(name,))
                for name in ("260901MARKA", "260901MARKB")
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
        self.assertEqual(errors, [])
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            binding = env["marketplace.product.binding"].browse(self.binding_id)
            self.assertTrue(binding.push_request, "marked, by both")
            self.assertEqual(
                env["marketplace.order"].search_count([("shop_id", "=", self.shop_id)]),
                2,
            )

    def test_a_push_started_since_the_snapshot_does_not_take_the_marks(self):
        """This transaction's snapshot still shows the shop's automatic push
        waiting, but it has started and ended since: the marks of this
        transaction get a push of their own."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["marketplace.shop"].browse(self.shop_id)._queue_auto_push()
            [waiting] = (
                env["marketplace.job"]
                .search([("shop_id", "=", self.shop_id), ("origin", "=", "stock")])
                .ids
            )
        snapshot, pushed = threading.Event(), threading.Event()
        errors = []

        def mark():
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    env["marketplace.job"].browse(waiting).read(["state"])
                    snapshot.set()
                    pushed.wait(10)
                    env["marketplace.product.binding"].browse(
                        self.binding_id
                    )._request_push()
                    env["marketplace.shop"].browse(self.shop_id)._queue_auto_push()
            except Exception as error:  # pylint: disable=broad-except
                errors.append(repr(error))

        with registry_without_loading_lock():
            thread = threading.Thread(target=mark)
            thread.start()
            snapshot.wait(10)
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                job = env["marketplace.job"].browse(waiting)
                job.queue_job_ids.write({"state": "done"})
                job.write({"state": "completed"})
            pushed.set()
            thread.join(60)
        self.assertEqual(errors, [])
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            pending = env["marketplace.job"].search(
                [
                    ("shop_id", "=", self.shop_id),
                    ("origin", "=", "stock"),
                    ("state", "=", "pending"),
                ]
            )
            self.assertEqual(len(pending), 1, "a push for the new marks")
