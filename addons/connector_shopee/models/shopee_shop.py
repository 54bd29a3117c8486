"""The Shopee backend of a marketplace shop: tokens and connector entry points.

Tokens are refreshed by the base's ``marketplace.token.backend``, serialized
per shop: Shopee's refresh token is single-use (the first refresh kills it).
"""

import json
from contextlib import contextmanager
from datetime import timedelta

import pytz

from odoo import api, fields, models

from odoo.addons.connector_marketplace.components.mapper import epoch_to_datetime
from odoo.addons.connector_marketplace.models.marketplace_channel_backend import (
    ChannelCapabilities,
)
from odoo.addons.connector_marketplace.models.marketplace_token_backend import (
    TokenRefreshRefused,
)
from odoo.addons.queue_job.exception import FailedJobError, RetryableJobError

from ..api import (
    ShopeeAuthError,
    ShopeeError,
    ShopeeRateLimitError,
    ShopeeServerError,
)
from ..api.client import error_suffix
from ..components.logistics_adapter import (
    ARRANGED_STATUSES,
    DOCUMENT_TYPES,
    NOT_YET_ERRORS,
)
from ..components.money import money_from_escrow

# ``expire_in`` above this is an epoch, not a duration (shopee-api.md §13.5).
EXPIRE_IN_EPOCH_THRESHOLD = 10**6
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


# the seller's reasons, as cancel_order takes them (UNDELIVERABLE_AREA is
# for Taiwan and Malaysia only)
CANCEL_REASONS = {
    "out_of_stock": "OUT_OF_STOCK",
    "buyer_asked": "CUSTOMER_REQUEST",
}


class ShopeeShop(models.Model):
    _name = "shopee.shop"
    _description = "Shopee Shop Backend"
    _inherit = "marketplace.token.backend"
    _inherits = {"marketplace.shop": "marketplace_shop_id"}

    marketplace_shop_id = fields.Many2one(
        "marketplace.shop", required=True, ondelete="cascade", index=True
    )

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
        """A client for this shop whose tokens refresh themselves."""
        self.ensure_one()
        get_access_token, refresh_access_token = self._token_getters()
        return self.sudo().account_id._shopee_client(
            shop_id=self.external_id,
            get_access_token=get_access_token,
            refresh_access_token=refresh_access_token,
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

    # -- the token backend's hooks ----------------------------------------------
    def _token_host(self):
        return self.account_id._shopee_host()

    def _token_request_refresh(self, refresh_token):
        client = self.account_id._shopee_client()
        try:
            data = client.refresh_token(refresh_token, self.external_id)
        except ShopeeAuthError as err:
            # A wrong partner key or id is the account's problem: connecting
            # the shop again would not help, so the shop is not marked.
            if error_suffix(err.code) not in REFRESH_REFUSALS:
                raise
            raise TokenRefreshRefused(str(err), err) from err
        return self._token_values(data)

    def _token_refusal(self, message, error=None):
        return ShopeeAuthError(
            message,
            code=getattr(error, "code", "") or "refresh_failed",
            request_id=getattr(error, "request_id", ""),
        )

    def _token_job_error(self, error):
        if isinstance(error, (ShopeeRateLimitError, ShopeeServerError)):
            return RetryableJobError(
                self.env._(
                    "Shopee could not refresh the tokens now (%(error)s); trying "
                    "again later.",
                    error=error,
                )
            )
        if isinstance(error, ShopeeError):
            # a refusal for good has marked the shop to authorize again
            return FailedJobError(str(error))
        return None

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
            can_ship=True,
            can_print_labels=True,
            # ship_order and the document calls take one order each, or 50
            ship_batch_size=50,
            label_batch_size=50,
            # Shopee: arrange shipment about an hour after the order (§8.2)
            ship_wait_minutes=60,
            can_cancel=True,
            # cancel_order's reasons for a Thai shop (§5.5)
            cancel_reasons=tuple(CANCEL_REASONS),
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

    # -- fulfilment -------------------------------------------------------------
    def _shopee_packages(self, order_sns):
        """{order_sn: [package_number, ...]} from the stored orders; [None]
        for an order Shopee gave no package (one parcel: Shopee's own)."""
        orders = self.env["marketplace.order"].search(
            [("shop_id", "=", self.marketplace_shop_id.id), ("name", "in", order_sns)]
        )
        packages = {sn: [None] for sn in order_sns}
        for order in orders:
            try:
                payload = json.loads(order.raw_payload or "{}")
            except ValueError:
                continue
            numbers = [
                package.get("package_number")
                for package in payload.get("package_list") or []
                if package.get("package_number")
            ]
            if numbers:
                packages[order.name] = numbers
        return packages

    @staticmethod
    def _shopee_settle_refusals(adapter, results, done):
        """A refusal of an order whose status says the work is done already
        (a retry after a lost answer) counts as done.

        :param done: tells, from an order's Shopee status, that it is
        """
        refused = [sn for sn, reason in results.items() if reason]
        if refused:
            statuses = adapter.order_statuses(refused)
            for order_sn in refused:
                if done(statuses.get(order_sn)):
                    results[order_sn] = None
        return results

    def _marketplace_shipping_options(self, order_sns):
        self.ensure_one()
        tz = pytz.timezone(self.company_id.partner_id.tz or "Asia/Bangkok")
        with self.work_on("shopee.order") as work:
            adapter = work.component(usage="logistics.adapter")
            first = order_sns[0]
            parameter = adapter.shipping_parameter(
                first, self._shopee_packages([first])[first][0]
            )
            options = adapter.options(parameter, tz)
        if "pickup" in options["modes"] and len(order_sns) > 1:
            options["note"] = self.env._(
                "Each parcel is picked up at the time Shopee recommends for it "
                "(else its earliest), unless you choose one."
            )
        return options

    def _marketplace_ship(self, order_sns, shipment):
        """ship_order for each package; a refusal of an order that Shopee
        has arranged already (a retry after a lost answer) counts as
        arranged."""
        self.ensure_one()
        results = {}
        packages = self._shopee_packages(order_sns)
        with self.work_on("shopee.order") as work:
            adapter = work.component(usage="logistics.adapter")
            for order_sn in order_sns:
                reasons = [
                    adapter.ship(order_sn, package, shipment)
                    for package in packages[order_sn]
                ]
                results[order_sn] = next((r for r in reasons if r), None)
            return self._shopee_settle_refusals(
                adapter, results, lambda status: status in ARRANGED_STATUSES
            )

    def _shopee_item_list(self, order_sns):
        """{order_sn: [{item_id, model_id}]} of the stored orders' lines."""
        orders = self.env["marketplace.order"].search(
            [("shop_id", "=", self.marketplace_shop_id.id), ("name", "in", order_sns)]
        )
        return {
            order.name: [
                {"item_id": int(item_id), "model_id": int(model_id or 0)}
                for item_id, model_id in dict.fromkeys(
                    (line.item_id, line.variation_id)
                    for line in order.line_ids
                    if line.item_id
                )
            ]
            for order in orders
        }

    def _marketplace_cancel(self, order_sns, reason):
        """cancel_order (the whole order: every item, for out of stock); an
        order Shopee has cancelled already counts as cancelled."""
        self.ensure_one()
        items = self._shopee_item_list(order_sns)
        with self.work_on("shopee.order") as work:
            adapter = work.component(usage="logistics.adapter")
            results = {
                sn: adapter.cancel(sn, CANCEL_REASONS[reason], items.get(sn, []))
                for sn in order_sns
            }
            return self._shopee_settle_refusals(
                adapter, results, lambda status: status == "CANCELLED"
            )

    def _marketplace_answer_cancellation(self, order_sns, accept):
        """handle_buyer_cancellation; an order no longer IN_CANCEL in the
        way the answer leads counts as answered (a retry)."""
        self.ensure_one()
        with self.work_on("shopee.order") as work:
            adapter = work.component(usage="logistics.adapter")
            results = {sn: adapter.answer_cancellation(sn, accept) for sn in order_sns}
            return self._shopee_settle_refusals(
                adapter,
                results,
                lambda status: (
                    status == "CANCELLED"
                    if accept
                    else status not in (None, "IN_CANCEL", "CANCELLED")
                ),
            )

    def _marketplace_fetch_labels(self, order_sns, label_format):
        """Ask Shopee for the documents it has not made (or failed to make),
        then download the ready ones, one file per order."""
        self.ensure_one()
        document_type = DOCUMENT_TYPES[label_format]
        packages = [
            (sn, package)
            for sn, numbers in self._shopee_packages(order_sns).items()
            for package in numbers
        ]
        ready, pending, failed = {}, set(), {}
        with self.work_on("shopee.order") as work:
            adapter = work.component(usage="logistics.adapter")
            results = adapter.document_results(packages, document_type)
            to_create = [
                key
                for key in packages
                if results.get(key, ("",))[0] not in ("READY", "PROCESSING")
            ]
            refused = adapter.create_documents(to_create, document_type)
            for key in packages:
                status = results.get(key, ("",))[0]
                if key in refused:
                    error, message = refused[key]
                    if error_suffix(error) in NOT_YET_ERRORS:
                        pending.add(key[0])
                    else:
                        failed[key[0]] = message or error
                elif status != "READY":
                    pending.add(key[0])
            for order_sn in order_sns:
                if order_sn in pending or order_sn in failed:
                    continue
                pdf = adapter.download(
                    [key for key in packages if key[0] == order_sn], document_type
                )
                if isinstance(pdf, bytes) and pdf.startswith(b"%PDF"):
                    ready[order_sn] = pdf
                else:
                    failed[order_sn] = self.env._("Shopee sent no PDF for it.")
        return {
            "ready": ready,
            "pending": sorted(pending - set(failed)),
            "failed": failed,
        }

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
