"""No secret of any channel in the lines Odoo writes about a failed query.

The columns here are another channel's (an app secret, an API key): the
filter knows no channel, only what secret columns look like.
"""

import io
import logging

import psycopg2

from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from ..tools import redaction
from .common import NoLivePortMixin, captured_logs

SECRET = "app-secret-4f1e9a"
OTHER_SECRET = "api-key-77c0d2"


@tagged("post_install", "-at_install")
class TestSecretRedaction(NoLivePortMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.cr.execute(
            """
            CREATE TEMPORARY TABLE test_redaction_app (
                id serial PRIMARY KEY,
                name varchar,
                dedup_key varchar,
                app_secret varchar UNIQUE,
                api_key varchar CHECK (api_key <> %s)
            )
            """,
            [OTHER_SECRET],
        )

    def insert(self, name, app_secret, api_key):
        self.env.cr.execute(
            "INSERT INTO test_redaction_app (name, app_secret, api_key) "
            "VALUES (%s, %s, %s)",
            [name, app_secret, api_key],
        )

    def failing_insert(self, name, app_secret, api_key):
        with self.assertRaises(psycopg2.IntegrityError) as caught:
            with self.env.cr.savepoint():
                self.insert(name, app_secret, api_key)
        return caught.exception

    def test_bad_query_and_its_error_are_masked(self):
        self.insert("first", SECRET, "ok")
        with captured_logs("odoo.sql_db") as capture:
            duplicate = self.failing_insert("second", SECRET, "ok")
            refused = self.failing_insert("third", "other", OTHER_SECRET)
        # the database's own text holds the values: the logs do not
        self.assertIn(SECRET, str(duplicate))
        self.assertIn(OTHER_SECRET, str(refused))
        logs = capture.text
        self.assertIn(
            "ERROR odoo.sql_db bad query: INSERT INTO test_redaction_app", logs
        )
        self.assertIn("VALUES ('***', '***', '***')", logs)
        self.assertIn("Key (app_secret)=(***) already exists", logs)
        self.assertIn("Failing row contains (***)", logs)
        for value in (SECRET, OTHER_SECRET, "second", "third"):
            self.assertNotIn(value, logs)

    def test_queries_without_secret_columns_keep_their_values(self):
        with captured_logs("odoo.sql_db") as capture:
            self.env.cr.execute(
                "SELECT id FROM test_redaction_app WHERE name = %s AND dedup_key = %s",
                ["Somchai", "sha256:5e1f"],
            )
        self.assertIn(
            "WHERE name = 'Somchai' AND dedup_key = 'sha256:5e1f'", capture.text
        )

    def test_tracebacks_and_messages_with_the_error_are_masked(self):
        self.insert("first", SECRET, "ok")
        logger = logging.getLogger("odoo.addons.connector_marketplace.tokens")
        with (
            mute_logger("odoo.sql_db"),
            captured_logs("odoo.addons.connector_marketplace.tokens") as capture,
        ):
            error = self.failing_insert("second", SECRET, "ok")
            try:
                raise RuntimeError("saving failed") from error
            except RuntimeError:
                logger.exception("The save failed")
            logger.warning("The save failed: %s", error)
        logs = capture.text
        self.assertIn("psycopg2.errors.UniqueViolation", logs)
        self.assertIn("RuntimeError: saving failed", logs)
        self.assertEqual(logs.count("Key (app_secret)=(***) already exists"), 2)
        self.assertNotIn(SECRET, logs)

    def test_details_cut_short_or_spread_over_lines(self):
        self.assertEqual(
            redaction.redact("DETAIL:  Failing row contains (1, a\nb) c, secret"),
            "DETAIL:  Failing row contains (***",
        )
        self.assertEqual(
            redaction.redact(
                "DETAIL:  Failing row contains (1, multi\nline, secret).\nnext"
            ),
            "DETAIL:  Failing row contains (***).\nnext",
        )
        self.assertEqual(
            redaction.redact("Key (a)=(s1) conflicts with existing key (a)=(s2)."),
            "Key (a)=(***) conflicts with existing key (a)=(***).",
        )

    def test_any_logger_of_the_server_is_filtered(self):
        """Every record that reaches the server's log handlers is masked, from
        whatever logger: the connector's own module loggers, a job logger
        renamed since, a library's."""
        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        root = logging.getLogger()
        root.addHandler(handler)
        self.addCleanup(root.removeHandler, handler)
        redaction.install()  # as at the addon's import: on the root's handlers
        detail = "DETAIL:  Failing row contains (7, tok-a1b2c3, tok-d4e5f6)."
        for name in (
            "odoo.addons.connector_marketplace.models.marketplace_order_sale",
            "odoo.addons.connector_marketplace.job.stock",
            "some.library",
        ):
            # (a warning: the test log shows it, masked as well)
            logging.getLogger(name).warning("sale order failed: %s", detail)
        self.assertNotIn("tok-", stream.getvalue())
        self.assertEqual(stream.getvalue().count("Failing row contains (***)"), 3)
