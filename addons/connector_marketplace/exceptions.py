"""Job outcomes the marketplace flow tells apart.

A channel's adapter raises these so that the failure hook of a marketplace
job knows the cause without parsing messages: a credential or permission
error pauses the shop's scheduled work until it is fixed, while a transient
failure does not.
"""

import functools

from odoo.addons.queue_job.exception import FailedJobError


class MarketplaceCredentialsError(FailedJobError):
    """The app's credentials are refused (wrong key or partner id)."""

    cause = "credentials"


class MarketplacePermissionError(FailedJobError):
    """The app lacks a permission the call needs."""

    cause = "permission"


class RecordRefusal:
    """Context manager around the calls about one record (an order): the
    marketplace's refusal of that record (a ``FailedJobError``) is kept as
    ``reason`` for the caller to report per record, instead of ending the
    job. A refusal of the app's credentials or permissions still ends it.
    """

    reason = None

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if isinstance(error, FailedJobError) and not isinstance(
            error, (MarketplaceCredentialsError, MarketplacePermissionError)
        ):
            self.reason = str(error)
            return True
        return False


class RecordsNotFound(Exception):
    """The marketplace answered "not found" for a whole batch of records."""

    def __init__(self, external_ids):
        super().__init__(", ".join(external_ids))
        self.external_ids = list(external_ids)


# What the failure hook sees: queue_job stores the exception's class name.
PAUSING_CAUSES = {
    f"{cls.__module__}.{cls.__name__}": cls.cause
    for cls in (MarketplaceCredentialsError, MarketplacePermissionError)
}


def refusal_ends_the_job(step):
    """Decorator of the queue jobs (steps) of a marketplace job.

    An expected refusal (a ``FailedJobError``: the marketplace refused, a
    product has no binding...) undoes the step's work and ends its
    marketplace job failed with the reason, in one WARNING line, and the
    queue job is done. Raised to queue_job, the same refusal is logged as an
    ERROR with its traceback, then twice more by Odoo's HTTP layer (a 500 to
    the job runner): lines for an administrator, about the seller's business.
    Anything else (a bug, retries exhausted) still goes to queue_job.
    """

    @functools.wraps(step)
    def run(self, *args, **kwargs):
        try:
            with self.env.cr.savepoint():
                return step(self, *args, **kwargs)
        except FailedJobError as refusal:
            kind = type(refusal)
            self._on_queue_job_failed(
                exc_name=f"{kind.__module__}.{kind.__name__}",
                exc_message=str(refusal),
                refused=True,
            )
            return str(refusal)

    return run


class AuthorizationRefused(Exception):
    """A channel's authorization of a shop did not go through: ``message``
    says the seller why and what to do (translated, no secret); ``status``
    is the HTTP status of the result page."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status
