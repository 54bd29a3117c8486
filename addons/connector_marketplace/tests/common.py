"""Test helpers: run stored queue jobs the way queue_job does.

``run_queue_jobs()`` picks the pending ``queue.job`` records, marks them
enqueued as the job runner does, then acquires and performs each one with
queue_job's own controller code (``RunJobController._acquire_job``,
``_try_perform_job`` and ``_enqueue_dependent_jobs``): jobs are loaded from
the database, run as their user with their recorded arguments, marked done,
and their dependents (chunks → finish) released.

Only the error handling is re-done here: the controller rolls the job back
with ``cr.rollback()`` and records the outcome from a second connection,
while a test lives in one transaction. A savepoint plays the rollback; the
postponement or failure is then stored with queue_job's own ``Job`` methods,
including the job function's ``on_fail`` hook.

The real runner and HTTP path are exercised by the end-to-end tests of the
repository (``tests/test_e2e.py``).
"""

import traceback

from odoo import SUPERUSER_ID, api, fields
from odoo.tests import common

from odoo.addons.queue_job.controllers.main import RunJobController
from odoo.addons.queue_job.exception import RetryableJobError


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
            try:
                with cr.savepoint():
                    RunJobController._try_perform_job(env, job)
            except RetryableJobError as err:
                job.env.invalidate_all()
                job.postpone(result=str(err), seconds=err.seconds)
                job.set_pending(reset_retry=False)
                job.store()
            except Exception as exc:  # pylint: disable=broad-except
                job.env.invalidate_all()
                values = RunJobController._get_failure_values(
                    job, traceback.format_exc(), exc
                )
                job.set_failed(**values)
                job.store()
                job.on_fail(values)
            else:
                RunJobController._enqueue_dependent_jobs(env, job)
            state = job.state
        self.env.invalidate_all()
        return state


class MarketplaceTestCase(common.TransactionCase, QueueJobRunnerMixin):
    """A company's marketplace account and shop, jobs run through queue_job."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._enter_queue_test_mode()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
