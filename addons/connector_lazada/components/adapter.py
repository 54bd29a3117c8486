"""Lazada adapters: the only components that call Lazada.

Errors become job outcomes as the channel contract says: throttling and
Lazada's own failures are retried later, a refused signature or app key
pauses the shop's scheduled work, anything else fails the job with Lazada's
reason.
"""

from contextlib import contextmanager
from datetime import timedelta, timezone
from xml.etree import ElementTree

from odoo.addons.component.core import AbstractComponent, Component
from odoo.addons.connector_marketplace.exceptions import MarketplaceCredentialsError
from odoo.addons.connector_marketplace.models.marketplace_product_binding import (
    clean_sku,
)
from odoo.addons.queue_job.exception import FailedJobError, RetryableJobError

from ..api import (
    LazadaAuthError,
    LazadaError,
    LazadaRateLimitError,
    LazadaServerError,
    LazadaSignError,
)
from .mapper import BANGKOK, NO_SKU_ID, parse_time, sellable

ORDERS_PAGE = 100  # /orders/get's largest page
PRODUCTS_PAGE = 50  # /products/get's largest page
ITEMS_PER_CALL = 50  # order ids per /orders/items/get
# Lazada's refusals of the app itself: connecting the seller again would not
# help.
APP_CODES = {"InvalidAppKey", "AppKeyNotExists", "AppNotExists"}


def lazada_time(moment):
    """A naive UTC datetime as Lazada's filters want it: ISO 8601 with the
    Thai offset."""
    local = moment.replace(tzinfo=timezone.utc).astimezone(BANGKOK)
    return local.isoformat(timespec="seconds")


def stock_payload(updates):
    """The XML body of /product/stock/sellable/update."""
    request = ElementTree.Element("Request")
    skus = ElementTree.SubElement(ElementTree.SubElement(request, "Product"), "Skus")
    for item_id, sku_id, seller_sku, quantity in updates:
        sku = ElementTree.SubElement(skus, "Sku")
        ElementTree.SubElement(sku, "ItemId").text = str(item_id)
        if sku_id and sku_id != NO_SKU_ID:
            ElementTree.SubElement(sku, "SkuId").text = str(sku_id)
        if seller_sku:
            ElementTree.SubElement(sku, "SellerSku").text = seller_sku
        ElementTree.SubElement(sku, "SellableQuantity").text = str(int(quantity))
    return ElementTree.tostring(request, encoding="unicode")


class LazadaAdapter(AbstractComponent):
    _name = "lazada.adapter"
    _inherit = ["marketplace.adapter", "lazada.base"]

    @property
    def client(self):
        return self.work.lazada_client

    @contextmanager
    def _errors(self):
        try:
            yield
        except LazadaRateLimitError as err:
            raise RetryableJobError(
                self.env._(
                    "Lazada is throttling calls (%(error)s); trying again later.",
                    error=err,
                ),
                seconds=30,
            ) from err
        except LazadaServerError as err:
            raise RetryableJobError(
                self.env._(
                    "Lazada or the network failed (%(error)s); trying again later.",
                    error=err,
                )
            ) from err
        except LazadaSignError as err:
            raise MarketplaceCredentialsError(
                self.env._(
                    "Lazada refused the signature of account %(account)s: check "
                    "its app key and app secret. (%(error)s)",
                    account=self.backend_record.account_id.display_name,
                    error=err,
                )
            ) from err
        except LazadaAuthError as err:
            if err.code in APP_CODES:
                raise MarketplaceCredentialsError(
                    self.env._(
                        "Lazada does not know the app key of account "
                        "%(account)s. (%(error)s)",
                        account=self.backend_record.account_id.display_name,
                        error=err,
                    )
                ) from err
            raise FailedJobError(
                self.env._(
                    "Lazada refused the authorization of shop %(shop)s: %(error)s "
                    "If it persists, open the account and press Connect shop.",
                    shop=self.backend_record.display_name,
                    error=err,
                )
            ) from err
        except LazadaError as err:
            raise FailedJobError(
                self.env._("Lazada refused the call: %(error)s", error=err)
            ) from err

    def _get(self, api_path, **params):
        with self._errors():
            return self.client.call("GET", api_path, params) or {}


class LazadaShopAdapter(Component):
    _name = "lazada.shop.adapter"
    _inherit = "lazada.adapter"
    _apply_on = "lazada.shop"

    def read_seller(self):
        return self._get("/seller/get")


class LazadaOrderAdapter(Component):
    _name = "lazada.order.adapter"
    _inherit = "lazada.adapter"
    _apply_on = "lazada.order"

    def search(self, since, until, progress=None):
        """order_id of the orders updated in [since, until], oldest change
        first.

        Paged by time, not by offset alone: an order that changes while the
        pages are read moves past ``until`` and out of the listing, and with
        plain offsets every later order would shift one place back, the one
        at a page's edge never listed. Each page starts a second before the
        last change seen (whether Lazada's ``update_after`` takes that second
        or not, none of its orders is missed; those seen come again and are
        skipped); the offset only steps over a page whose orders all changed
        within that second. ``progress`` keeps the cursor and the ids listed
        so far, so that a retry goes on where the listing stopped."""
        progress = {} if progress is None else progress
        refs = progress.setdefault("order_refs", [])
        seen = set(refs)
        cursor = progress.get("cursor") or lazada_time(since)
        offset = progress.get("offset", 0)
        while cursor is not None:
            page = self._get(
                "/orders/get",
                update_after=cursor,
                update_before=lazada_time(until),
                sort_by="updated_at",
                sort_direction="ASC",
                offset=offset,
                limit=ORDERS_PAGE,
            )
            orders = page.get("orders") or []
            for order in orders:
                ref = str(order["order_id"])
                if ref not in seen:
                    seen.add(ref)
                    refs.append(ref)
            total = int(page.get("countTotal") or 0)
            cursor, offset = self._next_page(cursor, offset, orders, total)
            progress.update(cursor=cursor, offset=offset)
        return list(refs)

    @staticmethod
    def _next_page(cursor, offset, orders, total):
        """(update_after, offset) of the next page, (None, 0) after the last
        (``total``: how many orders this page's window holds, 0 if unsaid)."""
        if len(orders) < ORDERS_PAGE or 0 < total <= offset + len(orders):
            return None, 0
        last = parse_time(orders[-1].get("updated_at"))
        # (same format, same offset: the texts sort as the times do)
        start = lazada_time(last - timedelta(seconds=1)) if last else cursor
        if start <= cursor:
            return cursor, offset + len(orders)
        return start, 0

    def read(self, order_refs):  # pylint: disable=method-required-super
        """The orders with their item rows (``items``); an order Lazada does
        not know is left out."""
        items = self.read_items(order_refs)
        orders = []
        for ref in order_refs:
            # An order without its rows would lose its lines: it is left
            # out (reported missing) and read again by a later pull.
            if not items.get(str(ref)):
                continue
            order = self._get("/order/get", order_id=ref)
            if order:
                orders.append(dict(order, items=items[str(ref)]))
        return orders

    def read_items(self, order_refs):
        """{order_id: its item rows (one per unit)}."""
        refs = [str(ref) for ref in order_refs]
        rows = {}
        for start in range(0, len(refs), ITEMS_PER_CALL):
            chunk = refs[start : start + ITEMS_PER_CALL]
            answer = self._get(
                "/orders/items/get", order_ids="[" + ",".join(chunk) + "]"
            )
            for order in answer if isinstance(answer, list) else []:
                rows[str(order.get("order_id"))] = order.get("order_items") or []
        return rows


class LazadaListingAdapter(Component):
    _name = "lazada.listing.adapter"
    _inherit = "lazada.adapter"
    _apply_on = "lazada.product.binding"

    def search(self, since=None, until=None):
        """[item_id, status] of the seller's products (changed in the window)."""
        window = {}
        if since:
            window["update_after"] = lazada_time(since)
        if until:
            window["update_before"] = lazada_time(until)
        items, offset = [], 0
        while True:
            page = self._get(
                "/products/get",
                filter="all",
                offset=offset,
                limit=PRODUCTS_PAGE,
                **window,
            )
            products = page.get("products") or []
            items += [[str(p["item_id"]), p.get("status") or ""] for p in products]
            offset += len(products)
            if not products or offset >= int(page.get("total_products") or 0):
                return items

    def read(self, item_ids):  # pylint: disable=method-required-super
        """The products of ``item_ids`` Lazada still has."""
        products = []
        for item_id in item_ids:
            product = self._get("/product/item/get", item_id=item_id)
            if product:
                products.append(product)
        return products

    def read_stock(self, item_ids):
        return {
            (str(product["item_id"]), str(sku.get("SkuId") or NO_SKU_ID)): sellable(sku)
            for product in self.read(item_ids)
            for sku in product.get("skus") or []
        }

    def update_stock(self, updates):
        """One /product/stock/sellable/update call for up to 50 SKUs."""
        bindings = self.model.search(
            [
                ("backend_id", "=", self.backend_record.id),
                ("external_id", "in", [f"{i}/{v}" for i, v, _q in updates]),
            ]
        )
        seller_skus = {b.external_id: b.sku for b in bindings}
        rows = [
            (item, sku_id, seller_skus.get(f"{item}/{sku_id}") or "", qty)
            for item, sku_id, qty in updates
        ]
        try:
            with self._errors():
                self.client.call(
                    "POST",
                    "/product/stock/sellable/update",
                    {"payload": stock_payload(rows)},
                )
        except FailedJobError as refusal:
            failures, unmatched = self._sku_failures(refusal.__cause__, rows)
            if not failures and not unmatched:
                raise
            # Refusals Lazada named in a way no row matches: which of the
            # others were set is unknown, so they are left out of the answer
            # (the base reports them as such) rather than taken as set.
            success = (
                {}
                if unmatched
                else {
                    (item, sku_id): qty
                    for item, sku_id, _sku, qty in rows
                    if (item, sku_id) not in failures
                }
            )
            return {"success": success, "failure": failures}
        return {
            "success": {(item, sku_id): qty for item, sku_id, _sku, qty in rows},
            "failure": {},
        }

    @staticmethod
    def _sku_failures(error, rows):
        """({(item, sku id): reason} of the SKUs an error names, from its
        ``detail`` list; how many entries named no row)."""
        detail = (getattr(error, "response", None) or {}).get("detail") or []
        by_seller_sku = {
            clean_sku(sku): (item, sku_id) for item, sku_id, sku, _q in rows if sku
        }
        by_sku_id = {str(sku_id): (item, sku_id) for item, sku_id, _s, _q in rows}
        failures, unmatched = {}, 0
        for entry in detail if isinstance(detail, list) else []:
            if not isinstance(entry, dict):
                unmatched += 1
                continue
            key = by_sku_id.get(str(entry.get("sku_id") or entry.get("SkuId"))) or (
                by_seller_sku.get(
                    clean_sku(entry.get("seller_sku") or entry.get("SellerSku"))
                )
            )
            if key:
                failures[key] = entry.get("message") or entry.get("code") or ""
            else:
                unmatched += 1
        return failures, unmatched
