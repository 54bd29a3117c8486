"""The channel contract: declared hooks and declared job types."""

import inspect

from odoo.tests import TransactionCase, tagged

from ..models.marketplace_channel_backend import ChannelCapabilities
from .common import NoLivePortMixin


def contract_hooks(env):
    """The hook names the contract declares on the channel backend."""
    model = type(env["marketplace.channel.backend"])
    return sorted(
        name
        for name, _member in inspect.getmembers(model, inspect.isfunction)
        if name.startswith("_marketplace_")
    )


@tagged("post_install", "-at_install")
class TestChannelContract(NoLivePortMixin, TransactionCase):
    def test_a_missing_hook_names_the_backend_and_the_hook(self):
        backend = self.env["marketplace.channel.backend"]
        hooks = contract_hooks(self.env)
        self.assertIn("_marketplace_list_orders", hooks)
        self.assertIn("_marketplace_update_stock", hooks)
        arguments = {
            "_marketplace_list_orders": (None, None),
            "_marketplace_import_orders": ([],),
            "_marketplace_read_money": ([],),
            "_marketplace_read_tracking": ([],),
            "_marketplace_import_items": ([],),
            "_marketplace_update_stock": ([],),
            "_marketplace_read_stock": ([],),
            "_marketplace_shipping_options": ([],),
            "_marketplace_ship": ([], {}),
            "_marketplace_fetch_labels": ([], "a4"),
            "_marketplace_cancel": ([], "out_of_stock"),
            "_marketplace_answer_cancellation": ([], True),
        }
        for hook in hooks:
            if hook == "_marketplace_capabilities":
                continue
            with (
                self.subTest(hook=hook),
                self.assertRaises(NotImplementedError) as caught,
            ):
                getattr(backend, hook)(*arguments.get(hook, ()))
            self.assertIn(hook, str(caught.exception))
            self.assertIn("marketplace.channel.backend", str(caught.exception))
        self.assertEqual(backend._marketplace_capabilities(), ChannelCapabilities())

    def test_every_job_type_is_declared_with_its_methods(self):
        jobs = self.env["marketplace.job"]
        declared = jobs._job_types()
        selectable = dict(jobs._fields["job_type"].selection)
        self.assertEqual(set(declared), set(selectable))
        for name, kind in declared.items():
            for method in filter(None, (kind.run, kind.finish, kind.validate)):
                with self.subTest(job_type=name, method=method):
                    self.assertTrue(callable(getattr(jobs, method, None)))
            self.assertTrue(kind.channel.startswith("root.marketplace"))
        self.assertIn("push_stock", jobs._shop_job_types())
        self.assertNotIn("recover_webhooks", jobs._shop_job_types())
        self.assertEqual(
            set(jobs._one_live_per_shop_types()),
            {"pull_orders", "pull_products", "refresh_tokens", "check_connection"},
        )


@tagged("post_install", "-at_install")
class TestOrderLifecycle(NoLivePortMixin, TransactionCase):
    def test_an_order_of_items_is_as_far_as_its_least_advanced_live_item(self):
        from ..models.marketplace_order import ORDER_STATUSES, order_status_of_items

        self.assertEqual(order_status_of_items(["shipping", "to_ship"]), "to_ship")
        self.assertEqual(order_status_of_items(["delivered", "shipping"]), "shipping")
        # a cancelled or returned item does not hold the others back
        self.assertEqual(order_status_of_items(["cancelled", "shipping"]), "shipping")
        self.assertEqual(order_status_of_items(["returned", "completed"]), "completed")
        # one item the buyer asks to cancel: the seller must answer
        self.assertEqual(
            order_status_of_items(["to_ship", "cancel_requested"]), "cancel_requested"
        )
        # no live item left
        self.assertEqual(order_status_of_items(["cancelled", "cancelled"]), "cancelled")
        self.assertEqual(order_status_of_items(["cancelled", "returned"]), "returned")
        self.assertEqual(order_status_of_items(["to_ship", "unknown"]), "unknown")
        # a status outside the lifecycle (a mapper that let the channel's
        # own through) makes the order unknown, it does not break the import
        self.assertEqual(order_status_of_items(["to_ship", "READY_TO_SHIP"]), "unknown")
        self.assertEqual(order_status_of_items([None]), "unknown")
        self.assertEqual(order_status_of_items([]), "unknown")
        neutral = {code for code, _label in ORDER_STATUSES}
        for status in neutral:
            self.assertIn(order_status_of_items([status]), neutral)


@tagged("post_install", "-at_install")
class TestNeutralPayloads(NoLivePortMixin, TransactionCase):
    def test_an_import_queued_by_18_0_1_still_runs(self):
        """Jobs queued before the upgrade name their orders "order_sns"."""
        jobs = self.env["marketplace.job"]
        self.assertEqual(
            jobs._parse_payload('{"order_sns": ["A1 ", "B2", "A1"]}', "import_orders"),
            {"order_refs": ["A1", "B2"]},
        )
        self.assertEqual(
            jobs._parse_payload('{"order_refs": ["C3"]}', "import_orders"),
            {"order_refs": ["C3"]},
        )
