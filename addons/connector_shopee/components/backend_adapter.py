"""Shopee adapters: calls through the shop's client, errors as job outcomes."""

from odoo.addons.component.core import AbstractComponent
from odoo.addons.connector_marketplace.exceptions import (
    MarketplaceCredentialsError,
    MarketplacePermissionError,
    RecordsNotFound,
)
from odoo.addons.queue_job.exception import FailedJobError, RetryableJobError

from ..api import (
    ShopeeAuthError,
    ShopeeError,
    ShopeeNotFoundError,
    ShopeePermissionError,
    ShopeeRateLimitError,
    ShopeeServerError,
    ShopeeSignError,
)
from ..api.client import error_suffix

# Refusals of the app itself: connecting the shop again would not help.
APP_CREDENTIAL_CODES = {"invalid_partner_id"}


def explain_stock_refusal(env, reason):
    """Shopee's refusal of a stock, kept as Shopee wrote it, after a sentence
    in the reader's language saying what it means and what to do."""
    text = (reason or "").lower()
    if "has model" in text:
        meaning = env._(
            "This item has variations on Shopee, whose stock is set variation by "
            "variation: bind each variation (its Model ID), e.g. with Bulk "
            "Binding, and archive this listing."
        )
    elif "model_id" in text or "model id" in text:
        meaning = env._(
            "Shopee has no such variation for this item: pull the products "
            "again, then bind the variation Shopee shows (Bulk Binding)."
        )
    elif "reserved" in text:
        meaning = env._(
            "Shopee keeps units for orders not shipped yet and cannot show "
            "fewer: import the orders, then push again."
        )
    elif "edit" in text or "not found" in text or "delete" in text:
        meaning = env._(
            "The item is deleted, banned or locked on Shopee: check it in "
            "Seller Centre, then pull the products; Odoo stops pushing a "
            "listing the pull finds gone."
        )
    else:
        meaning = env._(
            "Shopee refused this quantity: check the listing in Seller Centre, "
            "then push again."
        )
    return env._("%(meaning)s (Shopee: %(reason)s)", meaning=meaning, reason=reason)


class ShopeeAdapter(AbstractComponent):
    _name = "shopee.adapter"
    _inherit = ["marketplace.adapter", "shopee.base"]

    @property
    def client(self):
        return self.work.shopee_client

    def _call(
        self,
        method,
        path,
        params=None,
        body=None,
        not_found=None,
        not_found_codes=(),
        answered_codes=(),
        file=False,
    ):
        """Call Shopee; raise what the job should do about a failure.

        Throttling, outages and timeouts are retried (the job functions'
        retry pattern backs off); refused credentials and bad requests fail
        the job with a message the seller can act on, and a refusal of the
        app's key, partner id or permissions says so by its type (the shop's
        scheduled pulls pause).

        :param not_found: the ids asked for: Shopee's "not found" then raises
            :class:`RecordsNotFound` for them instead of failing the job
        :param not_found_codes: other error codes (without namespace) that
            mean "not found" for this call
        :param answered_codes: error codes whose ``response`` is still the
            answer (update_stock's ``error_busi_update_stock_failed`` lists
            why each model failed); the data is returned as for a success
        :param file: the answer is a file (bytes), see ``ShopeeClient.call``
        """
        try:
            return self.client.call(method, path, params=params, body=body, file=file)
        except ShopeeNotFoundError as err:
            if not_found is not None:
                raise RecordsNotFound(not_found) from err
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
            raise MarketplaceCredentialsError(
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
            if error_suffix(err.code) in APP_CREDENTIAL_CODES:
                raise MarketplaceCredentialsError(
                    self.env._(
                        "Shopee does not know the partner id of account "
                        "%(account)s in its %(environment)s environment: check "
                        "the account's partner id. (%(error)s)",
                        account=self.backend_record.account_id.display_name,
                        environment=self.backend_record.account_id.environment,
                        error=err,
                    )
                ) from err
            raise FailedJobError(
                self.env._(
                    "Shopee refused the authorization of shop %(shop)s: %(error)s "
                    "If it persists, open the account and press Connect shop.",
                    shop=self.backend_record.display_name,
                    error=err,
                )
            ) from err
        except ShopeePermissionError as err:
            raise MarketplacePermissionError(
                self.env._(
                    "The Shopee app of account %(account)s may not call %(path)s: "
                    "add the permission to the app in the Shopee console. "
                    "(%(error)s)",
                    account=self.backend_record.account_id.display_name,
                    path=path,
                    error=err,
                )
            ) from err
        except ShopeeError as err:
            suffix = error_suffix(err.code)
            if suffix in answered_codes and isinstance(err.response, dict):
                return {"error": err.code, "response": err.response}
            if not_found is not None and suffix in not_found_codes:
                raise RecordsNotFound(not_found) from err
            if err.code == "error_busi_update_stock_failed" or (
                path.endswith("update_stock") and err.http_status == 200
            ):
                # A refusal of the item (deleted, not editable): the caller
                # records it on the item and goes on with the others.
                raise FailedJobError(explain_stock_refusal(self.env, str(err))) from err
            raise FailedJobError(
                self.env._("Shopee refused %(path)s: %(error)s", path=path, error=err)
            ) from err
