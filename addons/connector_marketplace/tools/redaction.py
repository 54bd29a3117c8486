"""Keep secrets out of the logs of other libraries.

Two kinds of lines carry them:

* URLs. Odoo's HTTP access log (logger ``werkzeug``) writes the request line
  with its query string, so the OAuth callback's ``code`` would land in the
  log at INFO; urllib3 writes every signed URL (``access_token``, ``sign``) at
  DEBUG. The values of secret parameters are masked.
* SQL. Odoo logs a failing query with its values (``odoo.sql_db`` "bad
  query", at ERROR) and, with SQL debugging, every query; PostgreSQL's error
  text repeats the values ("Failing row contains (…)", "Key (…)=(…)"), and so
  does every message or traceback that carries the error. A token write that
  fails (a refresh racing the OAuth callback) would print both tokens. Every
  literal of a query that names a secret-looking column or parameter (a
  token, a key, a secret, a password: whatever the channel calls it) is
  masked, and so are the values of PostgreSQL's error details (always: a
  row holds every column of its table).

A filter on each logger that writes such lines rewrites the record before any
handler formats it: its message, and its traceback (formatted, masked, kept
as text in place of the exception).
"""

import logging
import re

SECRET_PARAMETERS = (
    "access_token",
    "refresh_token",
    "sign",
    "code",
    "state",
    "partner_key",
    "token",
)
SECRET_VALUE = re.compile(
    r"(?i)\b(" + "|".join(SECRET_PARAMETERS) + r")(=|%3D)([^&\s\"'#]+)"
)
# A column or parameter that holds a secret, whatever its channel's name:
# access_token, app_secret, partner_key, api_key, password, database.secret,
# an OAuth state's nonce. Not any "key" (dedup_key, external_key): a failed
# query keeps its values when it touches no secret.
SECRET_NAME = re.compile(
    r"(?i)(?:token|secret|nonce)s?\b"
    r"|(?:api|app|partner|private|secret|client|signing|encryption)_?keys?\b"
    r"|passw|credential"
)
# A quoted SQL literal as psycopg2 writes it (quotes doubled inside).
SQL_LITERAL = re.compile(r"'(?:[^']|'')*'")
# PostgreSQL's details: the whole row of a failed INSERT/UPDATE, the values
# of a unique, foreign or exclusion key. Up to the ")" that ends the line, or
# the one before the words that follow a key's values.
# A row cut short (no ")" ends a line after it) is masked to the end.
ROW_DETAIL = re.compile(
    r"(Failing row contains \()(?:.*?(\)\.?)[ \t]*$|.*)", re.M | re.S
)
KEY_DETAIL = re.compile(
    r"(\b[Kk]ey \([^)]*\)=\().*?"
    r"(\)(?= already exists| is not present| is still referenced| conflicts with)"
    r"|\)\.?[ \t]*$)",
    re.M | re.S,
)

URL_LOGGERS = ("werkzeug", "urllib3.connectionpool", "urllib3.connection")
SQL_LOGGERS = ("odoo.sql_db",)
# Loggers that write a database error's text or traceback: a request's, a
# cron's, a queue job's, and the connector's own. (Every record that reaches
# the server's log handlers is masked too: see install().)
ERROR_LOGGERS = (
    "odoo.http",
    "odoo.service.server",
    "odoo.addons.base.models.ir_cron",
    "odoo.addons.queue_job.controllers.main",
    "odoo.addons.connector_marketplace.tokens",
    "odoo.addons.connector_marketplace.webhook",
    "odoo.addons.connector_marketplace.job.pull",
    "odoo.addons.connector_marketplace.job.stock",
    "odoo.addons.connector_marketplace.monitoring",
)


def redact(text, sql=False):
    """``text`` with secret query parameters and database values masked.

    :param sql: ``text`` holds a query (``odoo.sql_db``): every literal is
        masked when a secret-looking name appears in it
    """
    text = SECRET_VALUE.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)
    text = ROW_DETAIL.sub(r"\1***\2", text)
    text = KEY_DETAIL.sub(r"\1***\2", text)
    if sql and SECRET_NAME.search(text):
        text = SQL_LITERAL.sub("'***'", text)
    return text


def _message(record, sql):
    if sql and isinstance(record.args, tuple) and record.args:
        # Odoo logs a bad query as psycopg2's bytes: their repr would escape
        # the quotes of the literals.
        args = tuple(
            arg.decode("utf-8", "replace") if isinstance(arg, bytes) else arg
            for arg in record.args
        )
        return str(record.msg) % args
    return record.getMessage()


class SecretRedactionFilter(logging.Filter):
    def __init__(self, sql=False):
        super().__init__()
        self.sql = sql

    def filter(self, record):
        try:
            message = _message(record, self.sql)
        except Exception:  # pylint: disable=broad-except
            return True  # a broken record is logging's problem, not ours
        masked = redact(message, sql=self.sql)
        if masked != message:
            record.msg, record.args = masked, ()
        self._redact_traceback(record)
        return True

    @staticmethod
    def _redact_traceback(record):
        text = record.exc_text
        if not text and record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
        if not text:
            return
        masked = redact(text)
        if masked != text:
            # Handlers print exc_text as it is; none is left the exception.
            record.exc_text, record.exc_info = masked, None


def _has_filter(filterer):
    return any(isinstance(f, SecretRedactionFilter) for f in filterer.filters)


def install():
    """Attach the filter once to each logger that writes secrets, and to the
    handlers of the root logger (the server's log, set up before the addons
    load): a record of any other logger is masked there, whoever wrote it."""
    for names, sql in (
        (URL_LOGGERS, False),
        (SQL_LOGGERS, True),
        (ERROR_LOGGERS, False),
    ):
        for name in names:
            logger = logging.getLogger(name)
            if not _has_filter(logger):
                logger.addFilter(SecretRedactionFilter(sql=sql))
    for handler in logging.getLogger().handlers:
        if not _has_filter(handler):
            handler.addFilter(SecretRedactionFilter())


install()
