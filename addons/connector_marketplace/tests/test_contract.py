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
            "_marketplace_read_escrow": ([],),
            "_marketplace_read_tracking": ([],),
            "_marketplace_import_items": ([],),
            "_marketplace_update_stock": ("1", []),
            "_marketplace_read_stock": ([],),
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
