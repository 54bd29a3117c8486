"""Keep secrets out of the logs of other libraries.

Odoo's HTTP access log (logger ``werkzeug``) writes the request line with
its query string, so the OAuth callback's ``code`` would land in the log at
INFO; urllib3 writes every signed URL (``access_token``, ``sign``) at DEBUG.
A filter on those loggers masks the values of secret parameters before any
handler sees the record.
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
FILTERED_LOGGERS = ("werkzeug", "urllib3.connectionpool", "urllib3.connection")


def redact(text):
    """``text`` with the values of secret query parameters masked."""
    return SECRET_VALUE.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)


class SecretRedactionFilter(logging.Filter):
    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # pylint: disable=broad-except
            return True  # a broken record is logging's problem, not ours
        masked = redact(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


def install():
    """Attach the filter once to each logger that writes URLs."""
    for name in FILTERED_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, SecretRedactionFilter) for f in logger.filters):
            logger.addFilter(SecretRedactionFilter())


install()
