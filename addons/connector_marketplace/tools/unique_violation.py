"""Insert, or learn that a concurrent transaction inserted it first.

Some inserts race on purpose (one automatic push waiting per shop, one
customer per buyer…): a unique index refuses the second one, which then
knows the work is done or retries. Odoo logs every failed query at ERROR
("bad query"), which such an expected refusal must not do. ``mute_logger``
would mute the logger for every thread of the server while it lasts; this
filter only drops the refusal of the thread that expects it.
"""

import logging
import threading
from contextlib import contextmanager

_expecting = threading.local()


class ExpectedUniqueViolationFilter(logging.Filter):
    def filter(self, record):
        if not getattr(_expecting, "depth", 0):
            return True
        return "violates unique constraint" not in str(record.args or record.msg)


@contextmanager
def unique_violation_expected(cr):
    """Run the block in a savepoint that does not flush (see
    ``marketplace.job._create_unless_queued``); a unique violation rolls the
    block back and is raised, not logged."""
    _expecting.depth = getattr(_expecting, "depth", 0) + 1
    try:
        with cr.savepoint(flush=False):
            yield
    finally:
        _expecting.depth -= 1


def install():
    logger = logging.getLogger("odoo.sql_db")
    if not any(isinstance(f, ExpectedUniqueViolationFilter) for f in logger.filters):
        logger.addFilter(ExpectedUniqueViolationFilter())


install()
