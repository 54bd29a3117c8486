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
        expected = getattr(_expecting, "constraints", ())
        if not expected:
            return True
        text = str(record.args or record.msg)
        return not any(
            f'violates unique constraint "{name}"' in text for name in expected
        )


@contextmanager
def unique_violation_expected(cr, constraints):
    """Run the block in a savepoint that does not flush (see
    ``marketplace.job._create_unless_queued``); a violation of one of the
    unique ``constraints`` rolls the block back and is raised, not logged
    (any other error is logged as usual)."""
    previous = getattr(_expecting, "constraints", ())
    _expecting.constraints = (*previous, *constraints)
    try:
        with cr.savepoint(flush=False):
            yield
    finally:
        _expecting.constraints = previous


def install():
    logger = logging.getLogger("odoo.sql_db")
    if not any(isinstance(f, ExpectedUniqueViolationFilter) for f in logger.filters):
        logger.addFilter(ExpectedUniqueViolationFilter())


install()
