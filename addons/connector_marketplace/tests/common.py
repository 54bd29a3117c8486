"""Test helpers: run stored queue jobs the way queue_job does.

``run_queue_jobs()`` picks the pending ``queue.job`` records, marks them
enqueued as the job runner does, then hands each one to queue_job's own
controller code: ``RunJobController._acquire_job`` and ``_runjob``, which
performs the job as its user with its recorded arguments, marks it done,
releases its dependents (chunks → finish), and on an error postpones it
(``RetryableJobError``, a serialization failure) or fails it and calls the
job function's ``on_fail`` hook, exactly as in production.

One adaptation for a test that lives in one transaction: every cursor is a
test cursor on the same connection, where a "commit" releases a savepoint
and a "rollback" returns to it. queue_job stores a postponement or a failure
from a second cursor and then rolls the job's cursor back, which here would
also undo what the second cursor stored. The job's work is therefore wrapped
in a savepoint of its own, undone on error before queue_job stores the
outcome, and the job's cursor then has nothing left to roll back.

The real runner and HTTP path are exercised by the end-to-end tests of the
repository (``tests/test_e2e.py``).
"""

import contextlib
import logging
from contextlib import contextmanager
from unittest import mock

from odoo import SUPERUSER_ID, api, fields
from odoo.tests import common
from odoo.tools import mute_logger

from odoo.addons.queue_job.controllers.main import RunJobController

_try_perform_job = RunJobController._try_perform_job.__func__


def _try_perform_job_in_savepoint(cls, env, job):
    try:
        with env.cr.savepoint():
            _try_perform_job(cls, env, job)
    except Exception:
        # Nothing of the job's work is left: "commit" the empty transaction,
        # so that queue_job's rollback after storing the outcome is a no-op.
        env.cr.commit()
        raise


@contextmanager
def queue_job_in_test_transaction():
    with mock.patch.object(
        RunJobController,
        "_try_perform_job",
        classmethod(_try_perform_job_in_savepoint),
    ):
        yield


class LogCapture(logging.Handler):
    """Log records formatted as a handler formats them (tracebacks too)."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))

    def emit(self, record):
        self.lines.append(self.format(record))

    @property
    def text(self):
        return "\n".join(self.lines)


@contextmanager
def captured_logs(*names):
    """Capture what every logger writes at its level, and what the loggers
    ``names`` write down to DEBUG (``odoo.sql_db``: every query): theirs goes
    nowhere else."""
    capture = LogCapture()
    saved = []
    for name in names:
        logger = logging.getLogger(name)
        saved.append((logger, logger.level, logger.propagate))
        logger.setLevel(logging.DEBUG)
        logger.propagate = False
        logger.addHandler(capture)
    root = logging.getLogger()
    root.addHandler(capture)
    try:
        yield capture
    finally:
        root.removeHandler(capture)
        for logger, level, propagate in saved:
            logger.removeHandler(capture)
            logger.setLevel(level)
            logger.propagate = propagate


class QueueJobRunnerMixin:
    """Mixin for test cases whose jobs run through queue_job."""

    @classmethod
    def _enter_queue_test_mode(cls):
        """Let the jobs' own cursors see (and undo) the test's transaction."""
        cls.registry.enter_test_mode(cls.cr)
        cls.addClassCleanup(cls.registry.leave_test_mode)

    def run_queue_jobs(self, max_jobs=500):
        """Perform pending jobs, and those they enqueue, until none is left.

        Postponed jobs are performed too, as if their ``eta`` had come: the
        tests check the ``eta`` themselves when it matters.

        :returns: list of (uuid, state) of the performed jobs, in order
        """
        performed = []
        while True:
            pending = self.env["queue.job"].search(
                [("state", "=", "pending")], order="priority, date_created, id"
            )
            if not pending:
                break
            for uuid in pending.mapped("uuid"):
                performed.append((uuid, self.perform_queue_job(uuid)))
            self.assertLess(
                len(performed), max_jobs, "Jobs keep being enqueued: a loop?"
            )
        return performed

    def run_queue_jobs_once(self):
        """Perform the jobs pending now, not those they enqueue or postpone."""
        pending = self.env["queue.job"].search(
            [("state", "=", "pending")], order="priority, date_created, id"
        )
        return [(uuid, self.perform_queue_job(uuid)) for uuid in pending.mapped("uuid")]

    def perform_queue_job(self, uuid):
        """Run one pending job as runner + controller do; return its state."""
        self.env.flush_all()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cr.execute(
                "UPDATE queue_job SET state = 'enqueued', date_enqueued = %s "
                "WHERE uuid = %s AND state = 'pending'",
                (fields.Datetime.now(), uuid),
            )
            job = RunJobController._acquire_job(env, uuid)
            self.assertTrue(job, f"job {uuid} could not be acquired")
            # queue_job logs a failure's traceback at ERROR: expected here.
            with (
                queue_job_in_test_transaction(),
                mute_logger("odoo.addons.queue_job.controllers.main"),
            ):
                # a failure is stored on the job by _runjob, which re-raises
                with contextlib.suppress(Exception):
                    RunJobController._runjob(env, job)
        self.env.invalidate_all()
        return self.env["queue.job"].search([("uuid", "=", uuid)]).state


class MarketplaceTestCase(common.TransactionCase, QueueJobRunnerMixin):
    """A company's marketplace account and shop, jobs run through queue_job."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._enter_queue_test_mode()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
