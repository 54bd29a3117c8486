"""The Lazada backend of a marketplace shop (one Thai seller): tokens and
the channel contract's hooks, each handing the work to a component."""

from contextlib import contextmanager
from datetime import timedelta

from odoo import api, fields, models

from odoo.addons.connector_marketplace.models.marketplace_channel_backend import (
    ChannelCapabilities,
)
from odoo.addons.connector_marketplace.models.marketplace_token_backend import (
    TokenRefreshRefused,
)
from odoo.addons.queue_job.exception import FailedJobError, RetryableJobError

from ..api import (
    LazadaAuthError,
    LazadaError,
    LazadaRateLimitError,
    LazadaServerError,
    LazadaSignError,
)
from ..components.logistics_adapter import GONE, LazadaBusy, LazadaRefusal
from ..components.mapper import money_from_items

# Lazada's refusals of the refresh token itself: only the seller's new
# authorization helps (an app key refused is the account's problem).
REFRESH_REFUSED_CODES = {
    "IllegalRefreshToken",
    "InvalidRefreshToken",
    "RefreshTokenExpired",
    "SellerNotAuthorized",
}
# Lazada's answers count in seconds; a missing lifetime is taken as a day so
# that the cron refreshes early rather than late.
DEFAULT_EXPIRES_IN = 24 * 3600
# the limits of /orders/items/get, /product/item/get batches and of
# /product/stock/sellable/update (lazada-api.md §4, §5)
ORDER_CHUNK = 50
ITEM_CHUNK = 50
STOCK_SKUS_PER_CALL = 50


# the seller's reasons, in Lazada's names (lower case) of its reason options
CANCEL_REASON_NAMES = {
    "out_of_stock": ("out of stock",),
    "wrong_price": ("wrong price or pricing error", "wrong price"),
}


class LazadaShop(models.Model):
    _name = "lazada.shop"
    _description = "Lazada Shop Backend"
    _inherit = "marketplace.token.backend"
    _inherits = {"marketplace.shop": "marketplace_shop_id"}

    marketplace_shop_id = fields.Many2one(
        "marketplace.shop", required=True, ondelete="cascade", index=True
    )
    lazada_short_code = fields.Char(
        string="Seller short code",
        readonly=True,
        help="The seller's short code on Lazada (Seller Center > Account).",
    )
    refresh_token_expires_at = fields.Datetime(
        readonly=True,
        help="The seller must authorize the app again before this date.",
    )

    _sql_constraints = [
        (
            "marketplace_shop_uniq",
            "unique(marketplace_shop_id)",
            "A marketplace shop has one Lazada backend.",
        ),
    ]

    # -- connector ------------------------------------------------------------
    @contextmanager
    def work_on(self, model_name, **kwargs):
        """Work context carrying a Lazada client for this seller."""
        self.ensure_one()
        client = self._lazada_client()
        with super().work_on(model_name, lazada_client=client, **kwargs) as work:
            yield work

    def _lazada_client(self):
        self.ensure_one()
        get_access_token, refresh_access_token = self._token_getters()
        return self.sudo().account_id._lazada_client(
            get_access_token=get_access_token,
            refresh_access_token=refresh_access_token,
        )

    # -- tokens ---------------------------------------------------------------
    @api.model
    def _token_values(self, data):
        """Field values of a token answer (create or refresh)."""
        now = fields.Datetime.now()
        expires_in = int(data.get("expires_in") or DEFAULT_EXPIRES_IN)
        values = {
            "access_token": data["access_token"],
            "refresh_token": data["refresh_token"],
            "access_token_expires_at": now + timedelta(seconds=expires_in),
            "auth_state": "connected",
            "auth_error": False,
        }
        if data.get("refresh_expires_in"):
            expiry = now + timedelta(seconds=int(data["refresh_expires_in"]))
            values["refresh_token_expires_at"] = expiry
            values["authorization_expires_at"] = expiry
        return values

    def _token_host(self):
        return self.account_id._lazada_hosts()[0]

    def _token_request_refresh(self, refresh_token):
        client = self.account_id._lazada_client()
        try:
            data = client.refresh_token(refresh_token)
        except LazadaAuthError as err:
            # A wrong app key or secret is the account's problem: connecting
            # the seller again would not help, so the shop is not marked.
            if isinstance(err, LazadaSignError) or err.code not in (
                REFRESH_REFUSED_CODES
            ):
                raise
            raise TokenRefreshRefused(str(err), err) from err
        return self._token_values(data)

    def _token_refusal(self, message, error=None):
        return LazadaAuthError(
            message,
            code=getattr(error, "code", "") or "refresh_failed",
            request_id=getattr(error, "request_id", ""),
        )

    def _token_job_error(self, error):
        if isinstance(error, (LazadaRateLimitError, LazadaServerError)):
            return RetryableJobError(
                self.env._(
                    "Lazada could not refresh the tokens now (%(error)s); trying "
                    "again later.",
                    error=error,
                )
            )
        if isinstance(error, LazadaError):
            return FailedJobError(str(error))
        return None

    # -- shop -----------------------------------------------------------------
    def _sync_shop_info(self):
        """The seller's name from Lazada."""
        for backend in self:
            with backend.work_on("lazada.shop") as work:
                info = work.component(usage="backend.adapter").read_seller()
            if info.get("name"):
                backend.name = info["name"]

    # -- the marketplace channel contract --------------------------------------
    def _marketplace_capabilities(self):
        return ChannelCapabilities(
            order_chunk_size=ORDER_CHUNK,
            item_chunk_size=ITEM_CHUNK,
            # /product/stock/sellable/update takes SKUs of any items
            stock_batching="sku",
            stock_batch_size=STOCK_SKUS_PER_CALL,
            can_ship=True,
            can_print_labels=True,
            # pack, ready to ship and the document take 20 orders or packages
            ship_batch_size=20,
            label_batch_size=20,
            can_cancel=True,
            # the reasons /order/reverse/cancel/validate offers a seller
            cancel_reasons=tuple(CANCEL_REASON_NAMES),
        )

    def _marketplace_check_connection(self):
        self.ensure_one()
        with self.work_on("lazada.shop") as work:
            work.component(usage="backend.adapter").read_seller()
        return True

    def _marketplace_list_orders(self, since, until, progress=None):
        self.ensure_one()
        with self.work_on("lazada.order") as work:
            return work.component(usage="batch.importer").list_updated(
                since, until, progress=progress
            )

    def _marketplace_import_orders(self, order_refs):
        self.ensure_one()
        with self.work_on("lazada.order") as work:
            result = work.component(usage="batch.importer").import_chunk(order_refs)
        result.records = result.bindings.odoo_id
        return result

    def _marketplace_items_in_unimported_orders(self):
        self.ensure_one()
        since = self.order_sync_point or fields.Datetime.now()
        until = fields.Datetime.now()
        if since >= until:
            return set()
        with self.work_on("lazada.order") as work:
            adapter = work.component(usage="backend.adapter")
            refs = adapter.search(since, until)
            items = adapter.read_items(refs) if refs else {}
        return {
            str(row.get("product_id"))
            for rows in items.values()
            for row in rows
            if row.get("product_id")
        }

    def _marketplace_read_money(self, order_refs):
        """The money of the orders from their items (prices, vouchers,
        shipping); Lazada's fees come with its finance transactions."""
        self.ensure_one()
        with self.work_on("lazada.order") as work:
            items = work.component(usage="backend.adapter").read_items(order_refs)
        return {ref: money_from_items(rows) for ref, rows in items.items() if rows}

    def _marketplace_read_tracking(self, order_refs):
        self.ensure_one()
        with self.work_on("lazada.order") as work:
            items = work.component(usage="backend.adapter").read_items(order_refs)
        numbers = {}
        for ref, rows in items.items():
            codes = [
                row.get("tracking_code") for row in rows if row.get("tracking_code")
            ]
            if codes:
                numbers[ref] = codes[0]
        return numbers

    # -- fulfilment -------------------------------------------------------------
    def _marketplace_shipping_options(self, order_refs):
        """Lazada picks the parcels up (or takes them at a drop-off point)
        as the seller's Lazada account says, with the carrier Lazada
        allocates: nothing to choose per parcel."""
        self.ensure_one()
        return {
            "modes": ["pickup"],
            "addresses": [],
            "branches": [],
            "note": self.env._(
                "Lazada allocates the carrier, and picks the parcels up at the "
                "address of your Lazada seller account (or you drop them off, as "
                "your account is set in Lazada Seller Center)."
            ),
        }

    def _marketplace_ship(self, order_refs, shipment):
        """Pack, then ready to ship, order by order (items already packed by
        an earlier try go straight to ready to ship)."""
        self.ensure_one()
        with self.work_on("lazada.order") as work:
            orders = work.component(usage="backend.adapter")
            logistics = work.component(usage="logistics.adapter")
            rows = orders.read_items(order_refs)
            return {
                ref: logistics.ship(ref, rows.get(str(ref)) or []) for ref in order_refs
            }

    def _marketplace_cancel(self, order_refs, reason):
        self.ensure_one()
        with self.work_on("lazada.order") as work:
            rows = work.component(usage="backend.adapter").read_items(order_refs)
            logistics = work.component(usage="logistics.adapter")
            return {
                ref: logistics.cancel(
                    ref, rows.get(str(ref)) or [], CANCEL_REASON_NAMES[reason]
                )
                for ref in order_refs
            }

    def _marketplace_answer_cancellation(self, order_refs, accept):
        self.ensure_one()
        with self.work_on("lazada.order") as work:
            rows = work.component(usage="backend.adapter").read_items(order_refs)
            logistics = work.component(usage="logistics.adapter")
            return {
                ref: logistics.answer_cancellation(rows.get(str(ref)) or [], accept)
                for ref in order_refs
            }

    def _marketplace_fetch_labels(self, order_refs, label_format):
        """The air waybill of each order's packages (Lazada prints A6
        labels, whatever the shop's page setting)."""
        self.ensure_one()
        ready, pending, failed = {}, [], {}
        with self.work_on("lazada.order") as work:
            rows = work.component(usage="backend.adapter").read_items(order_refs)
            logistics = work.component(usage="logistics.adapter")
            for ref in order_refs:
                packages = sorted(
                    {
                        row["package_id"]
                        for row in rows.get(str(ref)) or []
                        if row.get("package_id") and row.get("status") not in GONE
                    }
                )
                if not packages:
                    failed[ref] = self.env._("The order is not packed on Lazada.")
                    continue
                try:
                    ready[ref] = logistics.awb(packages)
                except LazadaBusy:
                    pending.append(ref)
                except LazadaRefusal as refusal:
                    failed[ref] = str(refusal)
        return {"ready": ready, "pending": pending, "failed": failed}

    def _marketplace_list_items(self, since=None, until=None):
        self.ensure_one()
        with self.work_on("lazada.product.binding") as work:
            return work.component(usage="backend.adapter").search(since, until)

    def _marketplace_import_items(self, items):
        self.ensure_one()
        with self.work_on("lazada.product.binding") as work:
            result = work.component(usage="batch.importer").import_chunk(items)
        result.records = result.bindings.odoo_id
        return result

    def _marketplace_update_stock(self, updates):
        self.ensure_one()
        with self.work_on("lazada.product.binding") as work:
            return work.component(usage="backend.adapter").update_stock(updates)

    def _marketplace_read_stock(self, item_ids):
        self.ensure_one()
        with self.work_on("lazada.product.binding") as work:
            return work.component(usage="backend.adapter").read_stock(item_ids)
