"""The Shopee backend of a marketplace shop: tokens and connector entry points.

Token refresh is serialized per shop. Shopee's refresh token is single-use:
the first refresh kills it, so two processes refreshing at once, or one
refresh asking Shopee twice, would lose the shop's authorization. A refresh
therefore runs in its own transaction and locks every row its save touches
(``shopee_shop`` and, through ``_inherits``, ``marketplace_shop``) *before*
calling Shopee; nobody can then change those rows under it, so the save
cannot fail to serialize. It commits the new pair before anybody uses it; a
second process waiting on the lock finds the fresh pair and uses it. Shopee
is asked at most once per refresh: if the save still fails, the same pair is
saved again, never asked for again.
"""

import logging
from contextlib import contextmanager
from datetime import timedelta

import psycopg2

from odoo import api, fields, models

from odoo.addons.connector_marketplace.components.mapper import epoch_to_datetime
from odoo.addons.connector_marketplace.models.marketplace_channel_backend import (
    ChannelCapabilities,
)
from odoo.addons.queue_job.exception import FailedJobError, RetryableJobError

from ..api import (
    ShopeeAuthError,
    ShopeeError,
    ShopeeRateLimitError,
    ShopeeServerError,
)
from ..api.client import error_suffix
from ..components.money import money_from_escrow

# The tokens' own logger: grep "connector_marketplace.tokens" in the log.
_logger = logging.getLogger("odoo.addons.connector_marketplace.tokens")

# A call with a token this close to its end refreshes it first.
REFRESH_MARGIN = timedelta(minutes=5)
# The cron refreshes tokens expiring within this delay.
CRON_REFRESH_WINDOW = timedelta(hours=1)
# ``expire_in`` above this is an epoch, not a duration (shopee-api.md §13.5).
EXPIRE_IN_EPOCH_THRESHOLD = 10**6
LOCK_ATTEMPTS = 3
SAVE_ATTEMPTS = 3
# Refresh errors that only a new authorization by the seller cures (§3.4).
REFRESH_REFUSALS = {
    "error_auth",
    "refresh_token_expired",
    "shop_access_expired",
    "shop_no_linked",
    "error_shop_refresh_token",
    "shop_banned",
    "invalid_shop_id",
}


class ShopeeShop(models.Model):
    _name = "shopee.shop"
    _description = "Shopee Shop Backend"
    _inherit = "marketplace.channel.backend"
    _inherits = {"marketplace.shop": "marketplace_shop_id"}

    marketplace_shop_id = fields.Many2one(
        "marketplace.shop", required=True, ondelete="cascade", index=True
    )
    access_token = fields.Char(groups="base.group_system", copy=False)
    refresh_token = fields.Char(groups="base.group_system", copy=False)
    token_api_host = fields.Char(
        groups="base.group_system",
        copy=False,
        help="The Shopee host that issued the tokens: they are never sent to "
        "another one.",
    )
    # Tests shorten it; a refresh never waits forever on a lock.
    _refresh_lock_timeout = "20s"

    _sql_constraints = [
        (
            "marketplace_shop_uniq",
            "unique(marketplace_shop_id)",
            "A marketplace shop has one Shopee backend.",
        ),
    ]

    # -- connector ------------------------------------------------------------
    @contextmanager
    def work_on(self, model_name, **kwargs):
        """Work context carrying a Shopee client for this shop."""
        self.ensure_one()
        client = self._shopee_client()
        with super().work_on(model_name, shopee_client=client, **kwargs) as work:
            yield work

    def _shopee_client(self):
        """A client for this shop whose tokens refresh themselves.

        The current pair is kept in memory: after a refresh committed in its
        own transaction, this (older) transaction still reads the old values.
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

        return shop.account_id._shopee_client(
            shop_id=shop.external_id,
            get_access_token=get_access_token,
            refresh_access_token=refresh_access_token,
        )

    def _check_token_host(self):
        """Tokens go back only to the host that issued them."""
        self.ensure_one()
        host = self.account_id._shopee_host()
        if self.token_api_host and self.token_api_host != host:
            raise ShopeeAuthError(
                self.env._(
                    "The tokens of shop %(shop)s were issued by another Shopee "
                    "environment than the account's current one: connect the shop "
                    "again.",
                    shop=self.display_name,
                ),
                code="environment_changed",
            )

    # -- tokens ---------------------------------------------------------------
    @api.model
    def _token_values(self, data):
        """Field values of a token answer of Shopee (get or refresh)."""
        expire_in = int(data.get("expire_in") or 0)
        if expire_in > EXPIRE_IN_EPOCH_THRESHOLD:
            expires_at = epoch_to_datetime(expire_in)
        else:
            expires_at = fields.Datetime.now() + timedelta(seconds=expire_in)
        return {
            "access_token": data["access_token"],
            "refresh_token": data["refresh_token"],
            "access_token_expires_at": expires_at,
            "auth_state": "connected",
            "auth_error": False,
        }

    def _lock_rows(self):
        """Lock this backend's row and its marketplace shop's, or raise.

        :returns: (access_token, refresh_token, access_token_expires_at) as
            committed, read under the locks
        """
        cr = self.env.cr
        cr.execute(f"SET LOCAL lock_timeout = '{self._refresh_lock_timeout}'")
        cr.execute(
            "SELECT s.access_token, s.refresh_token, m.access_token_expires_at "
            "FROM shopee_shop s JOIN marketplace_shop m "
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
                # Raised while taking the locks, before Shopee was asked.
                # Serialization: another process changed the shop while we
                # waited, and a new transaction sees what it committed. Lock
                # timeout: never wait forever, the caller's own transaction may
                # hold a lock this refresh needs.
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
            Shopee issued a new pair that could not be saved here
        """
        row = self._lock_rows()
        if not row:
            raise ShopeeAuthError(
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
        client = self.account_id._shopee_client()
        try:
            data = client.refresh_token(refresh_token, self.external_id)
        except ShopeeAuthError as err:
            # A wrong partner key or id is the account's problem: connecting
            # the shop again would not help, so the shop is not marked.
            if error_suffix(err.code) not in REFRESH_REFUSALS:
                raise
            self._fail_authorization(str(err), err)
        values = self._token_values(data)
        values["token_api_host"] = self.account_id._shopee_host()
        outcome = {
            "access_token": values["access_token"],
            "expires_at": values["access_token_expires_at"],
        }
        # Shopee has killed the old refresh token: from here on, only this
        # pair works, and it is saved whatever it takes.
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
                "Shopee shop %s: the refreshed tokens could not be saved at "
                "once; saving them again",
                self.external_id,
            )
            outcome["unsaved"] = values
            return outcome
        _logger.info(
            "Shopee shop %s: access token refreshed, valid until %s",
            self.external_id,
            values["access_token_expires_at"],
        )
        return outcome

    def _save_refreshed_tokens(self, values):
        """Save a pair Shopee already issued, never asking Shopee again."""
        for attempt in range(1, SAVE_ATTEMPTS + 1):
            try:
                with self.env.registry.cursor() as cr:
                    shop = self.with_env(self.env(cr=cr)).sudo()
                    shop._lock_rows()
                    shop.write(values)
                    cr.commit()  # pylint: disable=invalid-commit
                _logger.info(
                    "Shopee shop %s: refreshed tokens saved (try %s)",
                    self.external_id,
                    attempt,
                )
                return True
            except Exception:  # pylint: disable=broad-except
                _logger.exception(
                    "Shopee shop %s: saving the refreshed tokens failed (try %s/%s)",
                    self.external_id,
                    attempt,
                    SAVE_ATTEMPTS,
                )
        # The caller still gets the pair for its own calls; the next refresh
        # will find the old refresh token refused and ask for a new connection.
        return False

    def _fail_authorization(self, reason, error=None):
        """Mark the shop as needing re-authorization, commit, and raise.

        Runs in the refresh's cursor, which holds the shop's row locks.
        """
        self.marketplace_shop_id._mark_needs_reauth(reason)
        self.marketplace_shop_id._marketplace_activity(
            "token_refresh",
            self.env._(
                "Shopee refused to refresh the tokens of %(shop)s", shop=self.name
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
            "Shopee shop %s needs re-authorization: %s", self.external_id, reason
        )
        raise ShopeeAuthError(
            self.env._(
                "Shopee refused to refresh the authorization of shop %(shop)s "
                "(%(reason)s). Open its account and press Connect shop to "
                "authorize it again.",
                shop=self.display_name,
                reason=reason,
            ),
            code=getattr(error, "code", "") or "refresh_failed",
            request_id=getattr(error, "request_id", ""),
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
        """Refresh the access token unless it is still valid for a while (an
        API call may have refreshed it since the job was queued).

        :returns: when the token now expires
        """
        self.ensure_one()
        shop = self.sudo()
        expires_at = shop.access_token_expires_at
        if expires_at and expires_at > fields.Datetime.now() + CRON_REFRESH_WINDOW:
            return expires_at
        try:
            return shop._refresh_tokens(shop.access_token)["expires_at"]
        except (ShopeeRateLimitError, ShopeeServerError) as err:
            raise RetryableJobError(
                self.env._(
                    "Shopee could not refresh the tokens now (%(error)s); trying "
                    "again later.",
                    error=err,
                )
            ) from err
        except ShopeeError as err:
            # a refusal for good has marked the shop to authorize again
            raise FailedJobError(str(err)) from err

    # -- shop -----------------------------------------------------------------
    def _sync_shop_info(self):
        """Read the shop's name, region and authorization dates from Shopee."""
        for backend in self:
            with backend.work_on("shopee.shop") as work:
                info = work.component(usage="backend.adapter").read_info()
            values = {
                "region": info.get("region") or False,
                "authorization_expires_at": epoch_to_datetime(info.get("expire_time")),
            }
            if info.get("shop_name"):
                values["name"] = info["shop_name"]
            if info.get("auth_time"):
                values["authorized_at"] = epoch_to_datetime(info["auth_time"])
            backend.write(values)

    # -- the marketplace channel contract --------------------------------------
    def _marketplace_capabilities(self):
        return ChannelCapabilities(
            # get_order_detail and get_item_base_info take at most 50 ids
            # (shopee-api.md §5.2, §7.2)
            order_chunk_size=50,
            item_chunk_size=50,
            # update_stock: one item and up to 50 of its models per call
            stock_batching="item",
            stock_batch_size=50,
        )

    def _marketplace_list_orders(self, since, until, progress=None):
        """order_sn of the orders updated in [since, until] (``progress``: see
        the order adapter's ``search``)."""
        self.ensure_one()
        with self.work_on("shopee.order") as work:
            return work.component(usage="batch.importer").list_updated(
                since, until, progress=progress
            )

    def _marketplace_import_orders(self, order_sns):
        """Import a chunk of orders.

        :returns: the importer's ``ChunkResult``, its ``records`` being the
            marketplace orders
        """
        self.ensure_one()
        with self.work_on("shopee.order") as work:
            result = work.component(usage="batch.importer").import_chunk(order_sns)
        result.records = result.bindings.odoo_id
        return result

    def _marketplace_list_items(self, since=None, until=None):
        """[item_id, status] of the shop's items (changed in the window)."""
        self.ensure_one()
        with self.work_on("shopee.product.binding") as work:
            return work.component(usage="backend.adapter").search(since, until)

    def _marketplace_import_items(self, items):
        """Import the listings of a chunk of items.

        :returns: a ``ChunkResult`` whose ``records`` are the product bindings
        """
        self.ensure_one()
        with self.work_on("shopee.product.binding") as work:
            result = work.component(usage="batch.importer").import_chunk(items)
        result.records = result.bindings.odoo_id
        return result

    def _marketplace_read_money(self, order_sns):
        self.ensure_one()
        with self.work_on("shopee.order") as work:
            settlements = work.component(usage="backend.adapter").read_escrow(order_sns)
        return {sn: money_from_escrow(escrow) for sn, escrow in settlements.items()}

    def _marketplace_read_tracking(self, order_sns):
        self.ensure_one()
        with self.work_on("shopee.order") as work:
            return work.component(usage="backend.adapter").read_tracking_numbers(
                order_sns
            )

    def _marketplace_update_stock(self, updates):
        """One update_stock call: the updates are models of one item (the
        capabilities' "item" batching)."""
        self.ensure_one()
        item_ids = {item_id for item_id, _model, _qty in updates}
        if len(item_ids) != 1:
            raise ValueError("Shopee's update_stock takes the models of one item")
        item_id = item_ids.pop()
        with self.work_on("shopee.product.binding") as work:
            answer = work.component(usage="backend.adapter").update_stock(
                item_id, [(model_id, qty) for _item, model_id, qty in updates]
            )
        return {
            outcome: {
                (item_id, model_id): value for model_id, value in by_model.items()
            }
            for outcome, by_model in answer.items()
        }

    def _marketplace_read_stock(self, item_ids):
        self.ensure_one()
        with self.work_on("shopee.product.binding") as work:
            return work.component(usage="backend.adapter").read_stock(item_ids)

    def _marketplace_items_in_unimported_orders(self):
        """Item ids of the orders Shopee changed after the shop's sync point:
        their stock on Shopee may already count orders Odoo has not seen."""
        self.ensure_one()
        since = self.order_sync_point or fields.Datetime.now()
        until = fields.Datetime.now()
        if since >= until:
            return set()
        with self.work_on("shopee.order") as work:
            adapter = work.component(usage="backend.adapter")
            order_sns = adapter.search(since, until)
            orders = adapter.read(order_sns) if order_sns else []
        return {
            str(item.get("item_id"))
            for order in orders
            for item in order.get("item_list") or []
        }

    def _marketplace_check_connection(self):
        """A light call that succeeds only if the app and shop are accepted."""
        self.ensure_one()
        with self.work_on("shopee.shop") as work:
            work.component(usage="backend.adapter").read_info()
        return True
