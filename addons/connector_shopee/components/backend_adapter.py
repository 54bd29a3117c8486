"""Shopee adapters: calls through the shop's client, errors as job outcomes."""

from odoo.addons.component.core import AbstractComponent
from odoo.addons.queue_job.exception import FailedJobError, RetryableJobError

from ..api import (
    ShopeeAuthError,
    ShopeeError,
    ShopeeNotFoundError,
    ShopeeRateLimitError,
    ShopeeServerError,
    ShopeeSignError,
)


class ShopeeAdapter(AbstractComponent):
    _name = "shopee.adapter"
    _inherit = ["marketplace.adapter", "shopee.base"]

    @property
    def client(self):
        return self.work.shopee_client

    def _call(self, method, path, params=None, body=None, missing_ok=False):
        """Call Shopee; raise what the job should do about a failure.

        Throttling, outages and timeouts are retried (the job functions'
        retry pattern backs off); refused credentials and bad requests fail
        the job with a message the seller can act on.

        :param missing_ok: answer ``{}`` when Shopee says "not found"
        """
        try:
            return self.client.call(method, path, params=params, body=body)
        except ShopeeNotFoundError as err:
            if missing_ok:
                return {}
            raise FailedJobError(
                self.env._(
                    "Shopee found nothing at %(path)s: %(error)s", path=path, error=err
                )
            ) from err
        except ShopeeRateLimitError as err:
            raise RetryableJobError(
                self.env._(
                    "Shopee is throttling requests (%(error)s); trying again later.",
                    error=err,
                )
            ) from err
        except ShopeeServerError as err:
            raise RetryableJobError(
                self.env._(
                    "Shopee or the network failed (%(error)s); trying again later.",
                    error=err,
                )
            ) from err
        except ShopeeSignError as err:
            raise FailedJobError(
                self.env._(
                    "Shopee refused the signature of account %(account)s: check "
                    "its partner id and partner key, and that they are the "
                    "%(environment)s ones. (%(error)s)",
                    account=self.backend_record.account_id.display_name,
                    environment=self.backend_record.account_id.environment,
                    error=err,
                )
            ) from err
        except ShopeeAuthError as err:
            raise FailedJobError(
                self.env._(
                    "Shopee refused the authorization of shop %(shop)s: %(error)s "
                    "If it persists, open the account and press Connect shop.",
                    shop=self.backend_record.display_name,
                    error=err,
                )
            ) from err
        except ShopeeError as err:
            raise FailedJobError(
                self.env._("Shopee refused %(path)s: %(error)s", path=path, error=err)
            ) from err
