"""Test helpers: queue jobs run as queue_job runs them, no live port, and
data committed by a test removed whatever happens to the test.

Queue jobs
----------
``run_queue_jobs()`` picks the pending ``queue.job`` records, marks them
enqueued as the job runner does, then hands each one to queue_job's own
controller code: ``RunJobController._acquire_job`` and ``_runjob``, which
performs the job as its user with its recorded arguments, marks it done,
releases its dependents (chunks → finish), and on an error postpones it
(``RetryableJobError``, a serialization failure) or fails it and calls the
job function's ``on_fail`` hook, exactly as in production.

It is strict: a queue job that ends failed fails the test, with its error,
unless the test names it in ``failed=`` (the method names of the queue jobs
it expects to fail). An exception queue_job did not record as the job's
failure (its bookkeeping, a failure hook that breaks, the test's own code)
is never absorbed: it fails the test where it happened.

One adaptation for a test that lives in one transaction: every cursor is a
test cursor on the same connection, where a "commit" releases a savepoint
and a "rollback" returns to it. queue_job stores a postponement or a failure
from a second cursor and then rolls the job's cursor back, which here would
also undo what the second cursor stored. The job's work is therefore wrapped
in a savepoint of its own, undone on error before queue_job stores the
outcome, and the job's cursor then has nothing left to roll back.

The real runner and HTTP path are exercised by the end-to-end tests of the
repository (``tests/test_e2e.py``).

No live port
------------
``NoLivePortMixin`` refuses every HTTP request to this machine but to Odoo's
own test server: a marketplace simulator (or anything else) listening on a
port here is never reached by accident. A channel's tests open the way for
its recorded traffic only (inside a cassette).

Committed data
--------------
``CommittedDataMixin`` is for the tests that commit (concurrency tests: each
thread needs its own connection, and sees only committed rows). Their
cleanups also run when the test is interrupted (Ctrl-C skips unittest's
cleanups), and a test clears what a killed run left before it starts.
"""

import logging
import socket
from contextlib import contextmanager
from unittest import mock
from urllib.parse import urlparse

from odoo import SUPERUSER_ID, api, fields
from odoo.tests import common
from odoo.tools import mute_logger

from odoo.addons.queue_job.controllers.main import RunJobController

_logger = logging.getLogger(__name__)
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


def _exception_name(error):
    """The name queue_job stores as a failed job's ``exc_name``, as it makes
    it (``RunJobController._get_failure_values``: a builtin exception's has
    no module)."""
    name = error.__class__.__name__
    if hasattr(error, "__module__"):
        name = f"{error.__module__}.{name}"
    return name


class QueueJobRunnerMixin:
    """Mixin for test cases whose jobs run through queue_job."""

    @classmethod
    def _enter_queue_test_mode(cls):
        """Let the jobs' own cursors see (and undo) the test's transaction."""
        cls.registry.enter_test_mode(cls.cr)
        cls.addClassCleanup(cls.registry.leave_test_mode)

    def _pending_queue_job_uuids(self):
        return (
            self.env["queue.job"]
            .sudo()
            .search([("state", "=", "pending")], order="priority, date_created, id")
            .mapped("uuid")
        )

    def run_queue_jobs(self, max_jobs=500, failed=()):
        """Perform pending jobs, and those they enqueue, until none is left.

        Postponed jobs are performed too, as if their ``eta`` had come: the
        tests check the ``eta`` themselves when it matters.

        :param failed: method names of the queue jobs expected to end failed,
            one per job (``["_job_run"]``); any other outcome fails the test
        :returns: list of (uuid, state) of the performed jobs, in order
        """
        performed = []
        while True:
            pending = self._pending_queue_job_uuids()
            if not pending:
                break
            for uuid in pending:
                performed.append((uuid, self.perform_queue_job(uuid)))
            self.assertLess(
                len(performed), max_jobs, "Jobs keep being enqueued: a loop?"
            )
        self.assertQueueJobsFailed(performed, failed)
        return performed

    def run_queue_jobs_once(self, failed=()):
        """Perform the jobs pending now, not those they enqueue or postpone.

        :param failed: as for ``run_queue_jobs``
        :returns: list of (uuid, state) of the performed jobs, in order
        """
        performed = [
            (uuid, self.perform_queue_job(uuid))
            for uuid in self._pending_queue_job_uuids()
        ]
        self.assertQueueJobsFailed(performed, failed)
        return performed

    def assertQueueJobsFailed(self, performed, failed):
        """Exactly the queue jobs ``failed`` names ended failed."""
        final = dict(performed)  # the last state of each job
        jobs = (
            self.env["queue.job"]
            .sudo()
            .search([("uuid", "in", [u for u, s in final.items() if s == "failed"])])
        )
        if sorted(jobs.mapped("method_name")) == sorted(failed):
            return
        errors = "\n\n".join(
            f"{job.method_name} ({job.name}):\n{job.exc_info or job.exc_message}"
            for job in jobs
        )
        self.fail(
            f"Queue jobs that failed: {sorted(jobs.mapped('method_name'))}, "
            f"expected: {sorted(failed)}.\n{errors}"
        )

    def perform_queue_job(self, uuid):
        """Run one pending job as runner + controller do; return its state.

        The job's own exception is absorbed only when queue_job recorded it
        as the job's failure; any other exception is raised again.
        """
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
            # queue_job logs a failure's traceback at ERROR: the caller
            # declares the failures it expects (run_queue_jobs' failed=), and
            # an unexpected one fails the test with that traceback.
            with (
                queue_job_in_test_transaction(),
                mute_logger("odoo.addons.queue_job.controllers.main"),
            ):
                try:
                    RunJobController._runjob(env, job)
                except Exception as error:
                    if not self._failure_recorded(cr, uuid, error):
                        raise
        self.env.invalidate_all()
        return self.env["queue.job"].sudo().search([("uuid", "=", uuid)]).state

    @staticmethod
    def _failure_recorded(cr, uuid, error):
        """Did queue_job store ``error`` as the failure of job ``uuid``?"""
        cr.execute("SELECT state, exc_name FROM queue_job WHERE uuid = %s", [uuid])
        row = cr.fetchone()
        return bool(row) and row == ("failed", _exception_name(error))


class LivePortBlocked(AssertionError):
    """A test tried to reach a port of this machine (a test failure, not a
    network error the code would retry)."""


def odoo_test_port():
    """The port of Odoo's own HTTP server in this test run, if it runs."""
    return common.HttpCase.http_port()


LOOPBACK = ("localhost", "127.0.0.1", "::1")


class NoLivePortMixin:
    """No request of the test reaches a port of this machine but Odoo's own.

    Odoo's tests let any request to localhost through: a simulator or a
    demo listening there would be reached by a test that forgot to mock or
    record its traffic, and the test would depend on it.
    """

    # Ports a test opened on purpose (a closed port, for a connection error).
    open_ports = frozenset()
    # Requests refused during the test: it fails even if the code swallowed
    # the exception. A class attribute: Odoo's HTTP server threads send too.
    blocked_requests = []

    def setUp(self):
        super().setUp()
        type(self).blocked_requests = []
        self.addCleanup(self._assert_no_request_blocked)

    def _assert_no_request_blocked(self):
        self.assertFalse(
            self.blocked_requests,
            "Requests to live ports were refused:\n" + "\n".join(self.blocked_requests),
        )

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        url = urlparse(r.url)
        if url.hostname in LOOPBACK and not cls._local_port_allowed(url):
            message = (
                f"{r.method} {url.scheme}://{url.netloc}{url.path}: this test "
                "reached a port of this machine. Tests never reach a live "
                "port: record the traffic (a cassette) or mock the call."
            )
            cls.blocked_requests.append(message)
            raise LivePortBlocked(message)
        return super()._request_handler(s, r, **kw)

    @classmethod
    def _local_port_allowed(cls, url):
        port = url.port or (443 if url.scheme == "https" else 80)
        return port == odoo_test_port() or port in cls.open_ports

    def closed_port(self):
        """A port of this machine nothing listens on, open to this test.

        For a real connection error: the port is bound then released, so a
        connection to it is refused.
        """
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        cls = type(self)
        self.addCleanup(setattr, cls, "open_ports", cls.open_ports)
        cls.open_ports = cls.open_ports | {port}
        return port


class CommittedDataMixin:
    """For tests that commit: their data goes, even when they are cut short.

    A test registers its cleanup with ``addCleanup`` *before* it commits, and
    the cleanup finds what to delete by itself (by a name no other test
    uses), so that it also works on a half-made set-up. unittest skips the
    cleanups of an interrupted test (KeyboardInterrupt): they run here
    instead. ``purge_committed_data`` is also called before the set-up, for
    what a killed run left in the database.
    """

    def purge_committed_data(self):
        """Delete what the test committed; nothing when there is nothing."""
        raise NotImplementedError

    def setUp(self):
        super().setUp()
        self.purge_committed_data()
        self.addCleanup(self.purge_committed_data)

    def run(self, result=None):
        try:
            return super().run(result)
        except BaseException:
            # An interrupted test: unittest did not run its cleanups.
            while self._cleanups:
                function, args, kwargs = self._cleanups.pop()
                try:
                    function(*args, **kwargs)
                except Exception:
                    _logger.exception("Cleanup of interrupted %s failed", self)
            raise


class MarketplaceTestCase(NoLivePortMixin, common.TransactionCase, QueueJobRunnerMixin):
    """A company's marketplace account and shop, jobs run through queue_job."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._enter_queue_test_mode()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
