"""Job outcomes the marketplace flow tells apart.

A channel's adapter raises these so that the failure hook of a marketplace
job knows the cause without parsing messages: a credential or permission
error pauses the shop's scheduled work until it is fixed, while a transient
failure does not.
"""

from odoo.addons.queue_job.exception import FailedJobError


class MarketplaceCredentialsError(FailedJobError):
    """The app's credentials are refused (wrong key or partner id)."""

    cause = "credentials"


class MarketplacePermissionError(FailedJobError):
    """The app lacks a permission the call needs."""

    cause = "permission"


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
