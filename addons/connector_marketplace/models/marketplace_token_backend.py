"""OAuth tokens of a channel backend, refreshed once whoever asks.

A channel whose shops hold an access token and a refresh token adds this
model as its backend's parent (``_inherit = "marketplace.token.backend"``,
itself a ``marketplace.channel.backend``) and implements three hooks:
``_token_host`` (the host the account talks to now),
``_token_request_refresh`` (one refresh call, answering field values) and
``_token_refusal`` (the channel's exception for a refusal for good).

Refreshes are serialized per shop. A refresh token may be single-use (it is
on some marketplaces): the first refresh kills it, so two processes refreshing at once,
or one refresh asking twice, would lose the shop's authorization. A refresh
therefore runs in its own transaction and locks every row its save touches
(the backend's and, through ``_inherits``, the ``marketplace_shop``'s)
*before* calling the marketplace; nobody can then change those rows under
it, so the save cannot fail to serialize. It commits the new pair before
anybody uses it; a second process waiting on the lock finds the fresh pair
and uses it. The marketplace is asked at most once per refresh: if the save
still fails, the same pair is saved again, never asked for again.
"""

import logging
from datetime import timedelta

import psycopg2

from odoo import api, fields, models

from odoo.addons.queue_job.exception import FailedJobError, RetryableJobError

# The tokens' own logger: grep "connector_marketplace.tokens" in the log.
_logger = logging.getLogger("odoo.addons.connector_marketplace.tokens")

# A call with a token this close to its end refreshes it first.
REFRESH_MARGIN = timedelta(minutes=5)
# The cron refreshes tokens expiring within this delay.
CRON_REFRESH_WINDOW = timedelta(hours=1)
LOCK_ATTEMPTS = 3
SAVE_ATTEMPTS = 3


class TokenRefreshRefused(Exception):
    """The marketplace refused a refresh for good: only a new authorization
    by the seller cures it. ``reason`` is what the seller reads (translated,
    no secret); ``error`` the channel's own exception, if any."""

    def __init__(self, reason, error=None):
        super().__init__(reason)
        self.reason = reason
        self.error = error


class MarketplaceTokenBackend(models.AbstractModel):
    _name = "marketplace.token.backend"
    _inherit = "marketplace.channel.backend"
    _description = "Marketplace Backend with OAuth Tokens"

    access_token = fields.Char(groups="base.group_system", copy=False)
    refresh_token = fields.Char(groups="base.group_system", copy=False)
    token_api_host = fields.Char(
        groups="base.group_system",
        copy=False,
        help="The marketplace host that issued the tokens: they are never sent "
        "to another one.",
    )
    # Tests shorten it; a refresh never waits forever on a lock.
    _refresh_lock_timeout = "20s"

    # -- the channel's hooks ------------------------------------------------------
    def _token_host(self):
        """The host the shop's account talks to now (tokens go only there)."""
        raise NotImplementedError(f"{self._name} does not implement _token_host")

    def _token_request_refresh(self, refresh_token):
        """Ask the marketplace for a new pair, once.

        :returns: field values: ``access_token``, ``refresh_token``,
            ``access_token_expires_at`` (and any other of the backend's)
        :raises TokenRefreshRefused: only a new authorization cures it
        :raises RetryableJobError: a passing trouble (or another exception
            the channel's ``_token_job_error`` translates)
        """
        raise NotImplementedError(
            f"{self._name} does not implement _token_request_refresh"
        )

    def _token_refusal(self, message, error=None):
        """The exception raised after the shop was marked to authorize again
        (a ``FailedJobError`` by default; a channel may give its own)."""
        return FailedJobError(message)

    def _token_job_error(self, error):
        """A job's outcome for an exception of ``_token_request_refresh``:
        a ``RetryableJobError`` or ``FailedJobError`` to raise, or None to let
        it through."""
        return None

    # -- for the channel's client ---------------------------------------------------
    def _token_getters(self):
        """``(get_access_token(), refresh_access_token(rejected))`` for a
        client of this shop whose tokens refresh themselves.

        The current pair is kept in this client's memory only: after a refresh
        committed in its own transaction, this (older) transaction still
        reads the old values.
        """
        self.ensure_one()
        shop = self.sudo()
        shop._check_token_host()
        tokens = {
            "access_token": shop.access_token,
            "expires_at": shop.access_token_expires_at,
        }

        def get_access_token():
            expires_at = tokens["expires_at"]
            if not expires_at or expires_at - REFRESH_MARGIN <= fields.Datetime.now():
                tokens.update(shop._refresh_tokens(tokens["access_token"]))
            return tokens["access_token"]

        def refresh_access_token(rejected_token):
            tokens.update(shop._refresh_tokens(rejected_token))
            return tokens["access_token"]

        return get_access_token, refresh_access_token

    def _check_token_host(self):
        """Tokens go back only to the host that issued them."""
        self.ensure_one()
        if self.token_api_host and self.token_api_host != self._token_host():
            message = self.env._(
                "The tokens of shop %(shop)s were issued by another %(channel)s "
                "environment than the account's current one: connect the shop "
                "again.",
                shop=self.display_name,
                channel=self._channel_label(),
            )
            raise self._token_refusal(message)

    # -- refresh ----------------------------------------------------------------------
    def _lock_rows(self):
        """Lock this backend's row and its marketplace shop's, or raise.

        :returns: (access_token, refresh_token, access_token_expires_at) as
            committed, read under the locks
        """
        cr = self.env.cr
        cr.execute(f"SET LOCAL lock_timeout = '{self._refresh_lock_timeout}'")
        # the table name is the model's own, never user input
        cr.execute(
            f"SELECT s.access_token, s.refresh_token, m.access_token_expires_at "  # noqa: S608
            f"FROM {self._table} s JOIN marketplace_shop m "
            "ON m.id = s.marketplace_shop_id "
            "WHERE s.id = %s FOR UPDATE OF s, m",
            [self.id],
        )
        return cr.fetchone()

    def _refresh_tokens(self, seen_access_token):
        """Refresh this shop's tokens, once, whoever asks at the same time.

        :param seen_access_token: the token the caller has and found expired
        :returns: dict with the valid ``access_token`` and its ``expires_at``
        """
        self.ensure_one()
        for attempt in range(1, LOCK_ATTEMPTS + 1):
            try:
                with self.env.registry.cursor() as cr:
                    shop = self.with_env(self.env(cr=cr)).sudo()
                    outcome = shop._refresh_tokens_locked(seen_access_token)
            except (
                psycopg2.errors.SerializationFailure,
                psycopg2.errors.LockNotAvailable,
            ):
                # Raised while taking the locks, before the marketplace was
                # asked. Serialization: another process changed the shop while
                # we waited, and a new transaction sees what it committed.
                # Lock timeout: never wait forever, the caller's own
                # transaction may hold a lock this refresh needs.
                if attempt == LOCK_ATTEMPTS:
                    raise RetryableJobError(
                        self.env._(
                            "The tokens of this shop are being refreshed; retrying."
                        ),
                        seconds=5,
                    ) from None
                continue
            if outcome.get("unsaved"):
                self._save_refreshed_tokens(outcome["unsaved"])
            return {
                "access_token": outcome["access_token"],
                "expires_at": outcome["expires_at"],
            }
        return None

    def _refresh_tokens_locked(self, seen_access_token):
        """Refresh under the shop's row locks, in the refresh's own cursor.

        :returns: the pair to use; with ``unsaved`` (the values to store) when
            the marketplace issued a new pair that could not be saved here
        """
        row = self._lock_rows()
        if not row:
            raise self._token_refusal(
                self.env._("Shop %(shop)s is not saved yet.", shop=self.external_id)
            )
        access_token, refresh_token, expires_at = row
        now = fields.Datetime.now()
        if (
            access_token
            and access_token != seen_access_token
            and expires_at
            and expires_at - REFRESH_MARGIN > now
        ):
            return {"access_token": access_token, "expires_at": expires_at}
        if not refresh_token:
            self._fail_authorization(
                self.env._("The shop has no refresh token: it was never authorized.")
            )
        self._check_token_host()
        try:
            values = self._token_request_refresh(refresh_token)
        except TokenRefreshRefused as refusal:
            self._fail_authorization(refusal.reason, refusal.error)
        values = dict(values, token_api_host=self._token_host())
        outcome = {
            "access_token": values["access_token"],
            "expires_at": values["access_token_expires_at"],
        }
        # The marketplace may have killed the old refresh token: from here
        # on, only this pair surely works, and it is saved whatever it takes.
        try:
            with self.env.cr.savepoint():
                self.write(values)
                self.env.flush_all()
            # Our own cursor, not the caller's: the new pair must be saved
            # before anybody uses it, whatever happens to the caller's
            # transaction.
            self.env.cr.commit()  # pylint: disable=invalid-commit
        except Exception:  # pylint: disable=broad-except
            _logger.exception(
                "%s %s: the refreshed tokens could not be saved at once; saving "
                "them again",
                self._name,
                self.external_id,
            )
            outcome["unsaved"] = values
            return outcome
        _logger.info(
            "%s %s: access token refreshed, valid until %s",
            self._name,
            self.external_id,
            values["access_token_expires_at"],
        )
        return outcome

    def _save_refreshed_tokens(self, values):
        """Save a pair the marketplace already issued, never asking again."""
        for attempt in range(1, SAVE_ATTEMPTS + 1):
            try:
                with self.env.registry.cursor() as cr:
                    shop = self.with_env(self.env(cr=cr)).sudo()
                    shop._lock_rows()
                    shop.write(values)
                    cr.commit()  # pylint: disable=invalid-commit
                _logger.info(
                    "%s %s: refreshed tokens saved (try %s)",
                    self._name,
                    self.external_id,
                    attempt,
                )
                return True
            except Exception:  # pylint: disable=broad-except
                _logger.exception(
                    "%s %s: saving the refreshed tokens failed (try %s/%s)",
                    self._name,
                    self.external_id,
                    attempt,
                    SAVE_ATTEMPTS,
                )
        # The caller still gets the pair for its own calls; the next refresh
        # will find the old refresh token refused and ask for a new connection.
        return False

    def _channel_label(self):
        shop = self.marketplace_shop_id
        return dict(shop._fields["channel"]._description_selection(self.env)).get(
            shop.channel, shop.channel
        )

    def _fail_authorization(self, reason, error=None):
        """Mark the shop as needing re-authorization, commit, and raise.

        Runs in the refresh's cursor, which holds the shop's row locks.
        """
        channel = self._channel_label()
        self.marketplace_shop_id._mark_needs_reauth(reason)
        self.marketplace_shop_id._marketplace_activity(
            "token_refresh",
            self.env._(
                "%(channel)s refused to refresh the tokens of %(shop)s",
                channel=channel,
                shop=self.name,
            ),
            self.env._(
                "%(reason)s Open its account and press Connect shop to authorize it "
                "again.",
                reason=reason,
            ),
        )
        # Still the refresh's own cursor: the mark outlives the caller's
        # rollback.
        self.env.cr.commit()  # pylint: disable=invalid-commit
        _logger.warning(
            "%s %s needs re-authorization: %s", self._name, self.external_id, reason
        )
        raise self._token_refusal(
            self.env._(
                "%(channel)s refused to refresh the authorization of shop "
                "%(shop)s (%(reason)s). Open its account and press Connect shop "
                "to authorize it again.",
                channel=channel,
                shop=self.display_name,
                reason=reason,
            ),
            error,
        )

    @api.model
    def _cron_refresh_tokens(self):
        """Queue a refresh of the access tokens that expire within the hour."""
        limit = fields.Datetime.now() + CRON_REFRESH_WINDOW
        shops = self.sudo().search(
            [
                ("auth_state", "=", "connected"),
                ("account_id.active", "=", True),
                # (one never authorized has nothing to refresh)
                ("refresh_token", "!=", False),
                "|",
                ("access_token_expires_at", "=", False),
                ("access_token_expires_at", "<", limit),
            ]
        )
        for shop in shops:
            # before the pulls and pushes waiting in the channel: they need it
            shop.marketplace_shop_id._queue_job_once("refresh_tokens", priority=5)

    def _marketplace_refresh_tokens(self):
        """The contract's hook: refresh the access token unless it is still
        valid for a while (an API call may have refreshed it since the job
        was queued).

        :returns: when the token now expires
        """
        self.ensure_one()
        shop = self.sudo()
        expires_at = shop.access_token_expires_at
        if expires_at and expires_at > fields.Datetime.now() + CRON_REFRESH_WINDOW:
            return expires_at
        try:
            return shop._refresh_tokens(shop.access_token)["expires_at"]
        except (RetryableJobError, FailedJobError):
            raise
        except Exception as err:
            outcome = self._token_job_error(err)
            if outcome is None:
                raise
            raise outcome from err
