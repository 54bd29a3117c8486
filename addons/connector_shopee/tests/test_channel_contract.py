"""Shopee implements the whole channel contract of connector_marketplace."""

from datetime import timedelta

from odoo import fields
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

    def test_shopees_escrow_in_neutral_money(self):
        from ..components.money import money_from_escrow

        escrow = {
            "order_sn": "A1",
            "order_income": {
                "buyer_total_amount": 957,
                "original_price": 1019,
                "seller_discount": 30,
                "shopee_discount": 20,
                "voucher_from_seller": 50,
                "voucher_from_shopee": 15,
                "coins": 12,
                "buyer_paid_shipping_fee": 40,
                "shopee_shipping_rebate": 10,
                "escrow_amount": 850,
                "items": [
                    {
                        "item_id": 7,
                        "model_id": 0,
                        "original_price": 600,
                        "seller_discount": 30,
                        "activity_type": "bundle_deal",
                    }
                ],
            },
        }
        money = money_from_escrow(escrow)
        amounts = money["amounts"]
        self.assertEqual(
            (
                amounts["buyer_total"],
                amounts["items_subtotal"],
                amounts["platform_discount"],
                amounts["seller_voucher"],
                amounts["platform_voucher"],
                amounts["platform_coins"],
                amounts["buyer_shipping_fee"],
                amounts["platform_shipping_subsidy"],
                amounts["payout_amount"],
                amounts["commission_fee"],
            ),
            (957.0, 1019.0, 20.0, 50.0, 15.0, 12.0, 40.0, 10.0, 850.0, 0.0),
        )
        self.assertEqual(
            money["items"],
            [
                {
                    "item_id": "7",
                    "variation_id": "0",
                    "subtotal": 570.0,
                    "deal": "bundle_deal",
                }
            ],
        )
        self.assertIs(money["payload"], escrow)

    def test_a_listing_saved_by_18_0_1_goes_on(self):
        """A pull that failed in 18.0.1.x saved what it listed as
        "order_sns": the next try goes on from it."""
        with self.backend.work_on("shopee.order") as work:
            adapter = work.component(usage="backend.adapter")
            since = fields.Datetime.now() - timedelta(days=1)
            progress = {"window": 99, "cursor": "", "order_sns": ["A1", "B2"]}
            self.assertEqual(
                adapter.search(since, fields.Datetime.now(), progress), ["A1", "B2"]
            )
        self.assertEqual(progress["order_refs"], ["A1", "B2"])
