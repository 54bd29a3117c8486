"""Shopee implements the whole channel contract of connector_marketplace."""

from odoo.tests import TransactionCase, tagged

from odoo.addons.connector_marketplace.tests.common import NoLivePortMixin
from odoo.addons.connector_marketplace.tests.test_contract import contract_hooks


@tagged("post_install", "-at_install")
class TestShopeeImplementsTheContract(NoLivePortMixin, TransactionCase):
    def test_every_hook_is_implemented(self):
        contract = type(self.env["marketplace.channel.backend"])
        shopee = type(self.env["shopee.shop"])
        base_of = {
            hook: getattr(contract, hook).__qualname__
            for hook in contract_hooks(self.env)
        }
        for hook, declared in base_of.items():
            with self.subTest(hook=hook):
                self.assertNotEqual(getattr(shopee, hook).__qualname__, declared)
        capabilities = self.env["shopee.shop"]._marketplace_capabilities()
        self.assertEqual(
            (capabilities.stock_batching, capabilities.stock_batch_size), ("item", 50)
        )
        self.assertEqual(capabilities.order_chunk_size, 50)
