"""What a user meets first on the job screens (the Thai-sellers issue)."""

from datetime import datetime, timedelta

from lxml import etree

from odoo.exceptions import ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import ShopeeTestCase
from .test_pull_orders import scenario_orders


@tagged("post_install", "-at_install")
class TestJobScreens(ShopeeTestCase):
    def job_values(self, payload="{}"):
        return {
            "job_type": "pull_orders",
            "account_id": self.account.id,
            "shop_id": self.shop.id,
            "payload": payload,
        }

    def test_refused_save_uses_no_number(self):
        first = self.env["marketplace.job"].create(self.job_values())
        first.sudo()._fail_with("done with it")
        with self.assertRaises(ValidationError):
            self.env["marketplace.job"].create(self.job_values('{"since": "soon"}'))
        second = self.env["marketplace.job"].create(self.job_values())
        number = int(first.name.rsplit("/", 1)[1])
        self.assertEqual(
            second.name, first.name.replace(f"{number:05d}", f"{number + 1:05d}")
        )

    def test_new_job_form_has_a_type_and_the_account(self):
        """Jobs > New: a Type chosen (no blank option) and the only account."""
        self.assertTrue(self.env["marketplace.job"]._fields["job_type"].required)
        accounts = self.env["marketplace.account"].search([])
        (accounts - self.account).active = False
        form = Form(self.env["marketplace.job"])
        self.assertEqual(form.job_type, "pull_orders")
        self.assertEqual(form.account_id, self.account)

    def test_shops_tab_opens_the_shop_form(self):
        """A shop clicked in its account's Shops tab opens its full form (with
        Import orders now and its smart buttons), not a dialog."""
        arch = self.env["marketplace.account"].get_view(view_type="form")["arch"]
        [shops] = etree.fromstring(arch).xpath("//field[@name='shop_ids']/list")
        self.assertEqual(shops.get("open_form_view"), "True")
        self.assertTrue(shops.get("editable"), "open_form_view needs an editable list")

    def test_order_statuses_as_seller_centre_names_them(self):
        """The Thai status names are Shopee Seller Centre's tab names."""
        self.env["res.lang"]._activate_lang("th_TH")
        self.env["ir.module.module"]._load_module_terms(
            ["connector_marketplace"], ["th_TH"]
        )
        field = self.env["marketplace.order"]._fields["status"]
        names = dict(field._description_selection(self.env(context={"lang": "th_TH"})))
        self.assertEqual(names["awaiting_payment"], "ยังไม่ชำระ")
        self.assertEqual(names["to_ship"], "ที่ต้องจัดส่ง")
        self.assertEqual(names["shipping"], "กำลังจัดส่ง")
        self.assertEqual(names["completed"], "สำเร็จแล้ว")
        self.assertEqual(names["cancelled"], "ยกเลิกแล้ว")
        self.assertEqual(names["returned"], "คืนเงิน/คืนสินค้า")

    def test_unknown_job_type_is_a_clear_error(self):
        with self.assertRaises(ValidationError) as caught:
            self.env["marketplace.job"].create(
                dict(self.job_values(), job_type="push_everything")
            )
        message = str(caught.exception)
        self.assertIn("Unknown job type", message)
        self.assertIn("pull_orders", message)

    def test_account_defaults_to_the_only_one(self):
        accounts = self.env["marketplace.account"].search([])
        (accounts - self.account).active = False
        self.assertEqual(
            self.env["marketplace.job"]._default_account(), self.account.id
        )
        self.env["marketplace.account"].create(
            {"name": "Second", "channel": "shopee", "environment": "sandbox"}
        )
        self.assertFalse(self.env["marketplace.job"]._default_account())

    def test_waiting_for_retry_then_history(self):
        """A job waiting for its retry says so and when; once completed, the
        error it got over is history, not its state."""
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
            self.run_queue_jobs_once()
            job.invalidate_recordset()
            self.assertEqual(job.state, "pending")
            self.assertTrue(job.waiting_retry)
            self.assertTrue(job.retry_eta)
            self.assertTrue(job.date_started, "it has started: its first try failed")
            self.assertIn("throttling", job.summary_line or job.last_error)
            self.run_queue_jobs()
        job.invalidate_recordset()
        self.assertEqual(job.state, "completed")
        self.assertShopeeCalls(
            [
                "/api/v2/order/get_order_list",
                "/api/v2/order/get_order_list",
                "/api/v2/order/get_order_detail",
            ]
        )
        self.assertFalse(job.waiting_retry)
        self.assertFalse(job.error_message)
        self.assertIn("12 new", job.summary_line)
        self.assertIn("throttling", job.last_error, "kept as history")

    def test_results_in_the_language_of_who_started_the_job(self):
        """A Thai user's job fails in Thai; a scheduled job in the company's
        language."""
        thai_user = new_test_user(
            self.env,
            login="mp_thai_user",
            groups="connector_marketplace.group_marketplace_manager",
            lang="th_TH",
        )
        cron_job, _created = self.shop._create_pull_orders_job(origin="cron")
        self.assertEqual(cron_job.lang, self.env.company.partner_id.lang or "en_US")
        cron_job.sudo()._fail_with("replaced by the next one")
        self.account.shopee_partner_key = "shpk-not-the-right-key"
        self.expect_partner_key("shpk-not-the-right-key")
        since, until = datetime(2026, 5, 1), datetime(2026, 5, 2)
        with self.shopee_cassette(
            "pull_orders_wrong_key", scenario_orders(3, since, until)
        ):
            job = (
                self.env["marketplace.job"]
                .with_user(thai_user)
                .create(
                    self.job_values(
                        '{"since": "2026-05-01T00:00:00Z", '
                        '"until": "2026-05-02T00:00:00Z"}'
                    )
                )
            )
            self.assertEqual(job.lang, "th_TH")
            self.run_queue_jobs()
        job.invalidate_recordset()
        self.assertEqual(job.state, "failed")
        self.assertNotIn("refused the signature", job.error_message, "not English")
        self.assertIn("Partner Key", job.error_message, "the field's label")
        self.assertIn("Shopee", job.error_message)
        self.assertRegex(job.error_message, "[\u0e00-\u0e7f]", "Thai script")
