"""A Thai seller's first day (issue 17), the words and the clock: what jobs
write is in the seller's language whoever started them, Thai labels that
cannot be mistaken, one time zone, messages a seller can act on."""

import json
import re
from datetime import datetime
from unittest import mock

from lxml import etree

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.connector_marketplace.tests.test_translations import thai_catalogue

from .test_sale_orders import SaleOrderCase, shopee_order
from .test_stock import StockCase

THAI = re.compile("[\u0e00-\u0e7f]")


def thai(module, msgid, **values):
    """The Thai of ``msgid`` in ``module``'s th.po, filled in."""
    [entry] = [e for e in thai_catalogue(module) if e.msgid == msgid]
    return entry.msgstr % values if values else entry.msgstr


@tagged("post_install", "-at_install")
class TestWrittenInTheSellersLanguage(StockCase):
    def test_a_thai_shops_automatic_push_is_written_in_thai(self):
        """A push caused by a stock change has no user: it took the company
        partner's language (English), it takes the shop's."""
        self.assertEqual(self.env.user.lang, "en_US")
        self.assertNotEqual(self.env.company.partner_id.lang, "th_TH")
        self.shop.write({"lang": "th_TH", "auto_push_stock": True})
        self.env["stock.quant"]._update_available_quantity(
            self.cable, self.warehouse.lot_stock_id, -1
        )
        self.env.cr.flush()
        with self.shopee_stock():
            self.run_queue_jobs()
        job = self.env["marketplace.job"].search(
            [("shop_id", "=", self.shop.id), ("job_type", "=", "push_stock")]
        )
        self.assertEqual((job.origin, job.lang), ("stock", "th_TH"))
        self.assertIn(
            thai(
                "connector_marketplace",
                "%(pushed)s listings pushed, %(unchanged)s unchanged, "
                "%(failed)s failed, %(skipped)s skipped.",
                pushed=1,
                unchanged=0,
                failed=0,
                skipped=0,
            ),
            job.result_summary,
        )
        # its steps' descriptions too (the Steps tab)
        self.assertTrue(all(THAI.search(d) for d in job.queue_job_ids.mapped("name")))

    def test_a_new_shop_speaks_its_own_companys_language(self):
        """Connected while the user works in the Thai company, a shop of an
        English-speaking company writes in English, and the reverse."""
        self.assertEqual(self.env.company.country_id.code, "TH")
        english = self.env["res.company"].create(
            {"name": "Gadget House Ltd", "country_id": self.env.ref("base.us").id}
        )
        english.partner_id.lang = "en_US"
        account = self.env["marketplace.account"].create(
            {
                "name": "Shopee (English company)",
                "channel": "shopee",
                "environment": "simulator",
                "company_id": english.id,
            }
        )
        shop = self.env["marketplace.shop"].create(
            {"account_id": account.id, "name": "Gadget House", "external_id": "77"}
        )
        self.assertEqual(shop.lang, "en_US")
        account.company_id = self.env.company
        thai_shop = self.env["marketplace.shop"].create(
            {"account_id": account.id, "name": "ร้านแกดเจ็ต", "external_id": "78"}
        )
        self.assertEqual(thai_shop.lang, "th_TH")

    def test_a_users_own_job_is_in_the_users_language(self):
        self.shop.lang = "th_TH"
        job = self.push({"product_ids": [self.cable.id]})
        self.assertEqual(job.lang, "en_US")
        self.assertIn("1 listings pushed", job.result_summary)

    def test_the_steps_tab_of_a_job_reads_in_thai(self):
        """queue_job has no Thai: the columns of a job's steps are ours."""
        jobs = self.env["marketplace.job"].with_context(lang="th_TH")
        arch = etree.fromstring(
            jobs.get_views([(False, "form")])["views"]["form"]["arch"]
        )
        [steps] = arch.xpath("//field[@name='queue_job_ids']/list")
        labels = [node.get("string") for node in steps.xpath("field")]
        self.assertTrue(labels and all(labels), "every column named by us")
        self.assertEqual([label for label in labels if not THAI.search(label)], [])
        states = (
            self.env["queue.job"]
            .with_context(lang="th_TH")
            ._fields["marketplace_state"]
        )
        for _value, label in states._description_selection(
            self.env(context={"lang": "th_TH"})
        ):
            self.assertRegex(label, THAI)


@tagged("post_install", "-at_install")
class TestThaiThatCannotBeMistaken(StockCase):
    def selection(self, model, field):
        env = self.env(context={"lang": "th_TH"})
        return dict(env[model]._fields[field]._description_selection(env))

    def test_a_handled_webhook_does_not_read_as_an_order_status(self):
        handled = self.selection("marketplace.webhook.event", "state")["done"]
        self.assertNotIn(
            handled, self.selection("marketplace.order", "status").values()
        )

    def test_the_orders_list_has_no_two_columns_of_one_name(self):
        orders = self.env["marketplace.order"].with_context(lang="th_TH")
        view = orders.get_views([(False, "list")])
        arch = etree.fromstring(view["views"]["list"]["arch"])
        fields = orders.fields_get()
        labels = [
            node.get("string") or fields[node.get("name")]["string"]
            for node in arch.xpath("//list/field")
            if node.get("column_invisible") not in ("1", "True")
        ]
        self.assertEqual(len(labels), len(set(labels)), labels)


@tagged("post_install", "-at_install")
class TestOneClock(StockCase):
    def pull(self, payload, **values):
        return self.env["marketplace.job"].create(
            dict(
                {
                    "job_type": "pull_orders",
                    "account_id": self.account.id,
                    "shop_id": self.shop.id,
                    "payload": payload,
                },
                **values,
            )
        )

    def test_a_time_without_offset_is_the_users(self):
        """The guide's {"since": "2024-11-01T00:00:00"} was read as UTC
        (07:00 in Bangkok): it is midnight in Bangkok."""
        self.env.user.tz = "Asia/Bangkok"
        job = self.pull('{"since": "2024-11-01T00:00:00", "until": null}')
        self.assertEqual(json.loads(job.payload)["since"], "2024-11-01T00:00:00+07:00")
        self.assertEqual(job._payload_dict()["since"], datetime(2024, 10, 31, 17, 0))
        self.assertEqual(
            job._local(datetime(2024, 10, 31, 17, 0)), "2024-11-01 00:00 (Asia/Bangkok)"
        )
        # an offset given is kept
        job.sudo().unlink()
        job = self.pull('{"since": "2024-11-01T00:00:00+00:00"}')
        self.assertEqual(job._payload_dict()["since"], datetime(2024, 11, 1, 0, 0))

    def test_a_user_without_time_zone_gets_the_companys(self):
        self.env.company.partner_id.tz = "Asia/Bangkok"
        self.env.user.tz = False
        job = self.pull('{"since": "2024-11-01T00:00:00"}')
        self.assertEqual(job._payload_dict()["since"], datetime(2024, 10, 31, 17, 0))
        self.assertEqual(job.tz, "Asia/Bangkok")

    def test_an_empty_payload_means_everything(self):
        for empty in ("", "  ", False):
            job = self.pull(empty)
            self.assertEqual(job._payload_dict()["since"], None)
            job.sudo().unlink()


@tagged("post_install", "-at_install")
class TestMessagesASellerCanActOn(SaleOrderCase):
    def test_unbound_lines_are_named_and_offered_to_bind(self):
        detail, escrow = shopee_order(
            "260901FIRST01",
            "READY_TO_SHIP",
            [
                {"item_id": 101, "price": 159},
                {
                    "item_id": 555,
                    "model_id": 9,
                    "price": 99,
                    "name": "Phone stand",
                    "model_name": "Silver",
                },
                {"item_id": 556, "price": 59, "name": "Screen film", "sku": "FILM-9H"},
            ],
        )
        order = self.import_order(detail, escrow)
        with self.shopee_reads(), self.assertRaises(UserError) as caught:
            order.action_create_sale_order()
        message = str(caught.exception)
        self.assertIn("Phone stand (Silver)", message)
        self.assertIn("Screen film, SKU FILM-9H", message)
        self.assertNotIn("555", message)
        self.assertIn("Bind these listings", message)
        # the button it names opens the listings to bind
        action = order.action_bind_listings()
        self.assertEqual(action["res_model"], "marketplace.product.binding")
        self.assertIn(("external_item_id", "in", ["555", "556"]), action["domain"])
        self.assertEqual(action["context"]["default_external_variation_id"], "9")

    def test_a_refusal_is_one_warning_and_offers_no_retry(self):
        """The guide's §6 (push the stock of a product without binding) logged
        three tracebacks and an HTTP 500: one WARNING line, a job that says
        what to change, and no Retry that would fail the same way."""
        loose = self.env["product.product"].create(
            {"name": "Not bound", "is_storable": True}
        )
        job = self.shop._create_push_stock_job({"product_ids": [loose.id]})
        with (
            self.assertLogs("odoo", level="WARNING") as logged,
            mock.patch.object(
                type(self.backend), "_marketplace_update_stock"
            ) as update,
        ):
            performed = self.run_queue_jobs()
        update.assert_not_called()
        self.assertEqual([state for _uuid, state in performed], ["done"])
        self.assertEqual(job.state, "failed")
        self.assertEqual(job.error_kind, "refused")
        self.assertTrue(job.date_started <= job.date_done)
        self.assertIn(loose.display_name, job.error_message)
        self.assertEqual(
            [line for line in logged.output if not line.startswith("WARNING")], []
        )
        self.assertEqual(len(logged.output), 1, logged.output)
        self.assertNotIn("Traceback", logged.output[0])
