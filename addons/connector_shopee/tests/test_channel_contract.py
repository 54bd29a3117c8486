"""Shopee implements the whole channel contract of connector_marketplace."""

from odoo.tests import TransactionCase, tagged

from odoo.addons.connector_marketplace.tests.common import NoLivePortMixin
from odoo.addons.connector_marketplace.tests.test_contract import contract_hooks

from .common import ShopeeTestCase


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


@tagged("post_install", "-at_install")
class TestShopeeStatuses(ShopeeTestCase):
    def test_shopees_statuses_in_the_neutral_lifecycle(self):
        from odoo.addons.connector_marketplace.models.marketplace_order import (
            ORDER_STATUSES,
        )

        from ..components.mapper import STATUSES

        neutral = {code for code, _label in ORDER_STATUSES}
        self.assertLessEqual(set(STATUSES.values()), neutral)
        with self.backend.work_on("shopee.order") as work:
            mapper = work.component(usage="import.mapper")
            for raw, expected in (
                ("READY_TO_SHIP", "to_ship"),
                ("RETRY_SHIP", "to_ship"),
                ("PROCESSED", "packed"),
                ("TO_CONFIRM_RECEIVE", "delivered"),
                ("IN_CANCEL", "cancel_requested"),
                ("TO_RETURN", "returned"),
                (" shipped\n", "shipping"),
                ("SOMETHING_NEW", "unknown"),
            ):
                self.assertEqual(
                    mapper.status({"order_status": raw}),
                    {"raw_status": raw, "status": expected},
                )
