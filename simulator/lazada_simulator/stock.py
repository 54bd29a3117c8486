"""The State's catalogues and stock: SKUs found by id or seller SKU, units
of orders holding stock, ``/product/stock/sellable/update``.

A mixin of :class:`~lazada_simulator.state.State`: every method takes the
state's lock. ``self.catalogues`` is ``{seller_id: {item_id: item}}`` (see
``catalogue``); ``self.units`` is ``{order_item_id: [seller_id, item_id,
sku_id, bucket]}``, where ``bucket`` says where the unit's stock sits
(``orders.stock_bucket``) or ``None`` when it took none (no such SKU, or
sold out when it was ordered).
"""

import copy

from . import catalogue
from .errors import ISV, ApiError
from .orders import stock_bucket

ITEM_FIELDS = {"status": str, "name": str, "brand": str, "primary_category": int}
SKU_FIELDS = {
    "seller_sku": ("SellerSku", str),
    "status": ("Status", str),
    "sellable": ("sellable", int),
    "price": ("price", float),
    "special_price": ("special_price", float),
    "variation": ("variation", str),
}
MAX_SELLABLE = 999_999


class Stock:
    # -- catalogue ------------------------------------------------------------

    def seller_items(self, seller_id):
        """The seller's items (live objects: callers hold the lock)."""
        return list(self.catalogues.get(seller_id, {}).values())

    def _index_skus(self, seller_id):
        self.sku_index[seller_id] = {
            sku["SkuId"]: (item, sku)
            for item in self.catalogues.get(seller_id, {}).values()
            for sku in item["skus"]
        }
        self.catalogue_version += 1

    def find_sku(self, seller_id, sku_id):
        return self.sku_index.get(seller_id, {}).get(sku_id, (None, None))

    def resolve(self, seller_id, row):
        """(item, sku) an order row names by ``sku_id``, ``shop_sku`` or seller
        ``sku`` (exact, then ignoring surrounding spaces); else (None, None)."""
        sku_id = str(row.get("sku_id") or "")
        if not sku_id and "_TH-" in str(row.get("shop_sku") or ""):
            sku_id = str(row["shop_sku"]).rsplit("-", 1)[-1]
        if sku_id.isdigit():
            found = self.find_sku(seller_id, int(sku_id))
            if found[1]:
                return found
        return self.find_by_seller_sku(seller_id, row.get("sku"))

    def find_by_seller_sku(self, seller_id, seller_sku):
        if not isinstance(seller_sku, str) or not seller_sku:
            return None, None
        pairs = self.sku_index.get(seller_id, {}).values()
        for pair in pairs:
            if pair[1]["SellerSku"] == seller_sku:
                return pair
        for pair in pairs:
            if pair[1]["SellerSku"].strip() == seller_sku.strip():
                return pair
        return None, None

    def catalogue(self, seller_id):
        with self.lock:
            return [
                {
                    **{k: v for k, v in item.items() if k != "skus"},
                    "skus": [catalogue.stock_row(item, sku) | {
                        "price": sku["price"] / 100,
                        "special_price": sku["special_price"] / 100,
                        "variation": sku["variation"],
                    } for sku in item["skus"]],
                }
                for item in self.seller_items(seller_id)
            ]  # fmt: skip

    def set_catalogue(self, seller_id, items):
        """Replace a catalogue; units of orders keep their ids (those whose
        SKU is gone hold nothing any more)."""
        with self.lock:
            self.catalogues[seller_id] = catalogue.load(items, self.now())
            self._index_skus(seller_id)
            for unit in self.units.values():
                if unit[0] == seller_id:
                    unit[3] = None

    def change_item(self, item_id, changes):
        with self.lock:
            item = self._find_item(item_id)
            if item is None:
                return None
            for name, value in changes.items():
                kind = ITEM_FIELDS.get(name)
                if (
                    kind is None
                    or isinstance(value, bool)
                    or not isinstance(value, kind)
                ):
                    raise ValueError(f"cannot set {name} to {value!r}")
                item[name] = value
            if item["status"] not in catalogue.ITEM_STATUSES:
                raise ValueError("unknown item status")
            item["updated"] = self.now()
            self.catalogue_version += 1
            return copy.deepcopy(item)

    def change_sku(self, item_id, sku_id, changes):
        with self.lock:
            item = self._find_item(item_id)
            sku = (
                next((s for s in item["skus"] if s["SkuId"] == sku_id), None)
                if item
                else None
            )
            if sku is None:
                return None
            for name, value in changes.items():
                field, kind = SKU_FIELDS.get(name, (None, None))
                if field is None or isinstance(value, bool):
                    raise ValueError(f"cannot set {name}")
                if kind is str and not isinstance(value, str):
                    raise ValueError(f"{name} must be a string")
                if kind in (int, float) and not isinstance(value, (int, float)):
                    raise ValueError(f"{name} must be a number")
                if kind is float:
                    value = round(value * 100)
                sku[field] = int(value) if kind is int else value
            if sku["Status"] not in catalogue.SKU_STATUSES or sku["sellable"] < 0:
                raise ValueError("unknown status or negative sellable")
            item["updated"] = self.now()
            self.catalogue_version += 1
            return copy.deepcopy(item)

    def _find_item(self, item_id):
        for items in self.catalogues.values():
            if item_id in items:
                return items[item_id]
        return None

    def stock_levels(self, seller_id):
        with self.lock:
            return [
                catalogue.stock_row(item, sku)
                for item in self.seller_items(seller_id)
                for sku in item["skus"]
            ]

    # -- units of orders ----------------------------------------------------------

    def _sku_of(self, unit):
        return self.find_sku(unit[0], unit[2])[1] if unit[3] else None

    def _hold(self, sku, bucket, amount):
        if bucket in ("withhold", "occupy"):
            sku[bucket] += amount

    def unit_enter(self, seller_id, row, take):
        """A unit comes in: a new order takes one from sellable stock (if any
        is left); a start-up order (``take`` False) had taken it already."""
        item, sku = self.resolve(seller_id, row)
        status = row["status"]
        bucket = stock_bucket(status)
        unit = [seller_id, item and item["item_id"], sku and sku["SkuId"], None]
        self.units[row["order_item_id"]] = unit
        if sku is None or (take and bucket == "back"):
            return
        if take:
            if sku["sellable"] <= 0:
                return
            sku["sellable"] -= 1
            self.catalogue_version += 1
        unit[3] = bucket
        self._hold(sku, bucket, 1)

    def unit_move(self, row):
        """The unit's status changed: stock moves between sellable, withheld
        and occupied; a cancelled unit gives back what it held."""
        unit = self.units.get(row["order_item_id"])
        sku = unit and self._sku_of(unit)
        if sku is None or unit[3] in ("back", "out"):
            return
        bucket = stock_bucket(row["status"])
        self._hold(sku, unit[3], -1)
        if bucket == "back":
            sku["sellable"] += 1
            self.catalogue_version += 1
        self._hold(sku, bucket, 1)
        unit[3] = bucket

    def unit_release(self, order_item_id):
        """An order is replaced: its unit gives back whatever it took."""
        unit = self.units.pop(order_item_id, None)
        sku = unit and self._sku_of(unit)
        if sku is None or unit[3] == "back":
            return
        self._hold(sku, unit[3], -1)
        sku["sellable"] += 1
        self.catalogue_version += 1

    # -- Lazada's product calls ----------------------------------------------------

    def list_products(self, seller_id, name, bounds, seller_skus, offset, limit):
        """(total, page of product answers): items in item_id order."""
        with self.lock:
            found = []
            for item in sorted(
                self.seller_items(seller_id), key=lambda i: i["item_id"]
            ):
                if not catalogue.matches_filter(item, name):
                    continue
                if not _within(item, bounds):
                    continue
                if seller_skus is not None and not any(
                    sku["SellerSku"] in seller_skus for sku in item["skus"]
                ):
                    continue
                found.append(item)
            page = found[offset : offset + limit]
            return len(found), [catalogue.product_answer(item) for item in page]

    def product(self, seller_id, item_id):
        with self.lock:
            item = self.catalogues.get(seller_id, {}).get(item_id)
            if item is None:
                return None
            answer = catalogue.product_answer(item)
            answer["variation"] = catalogue.variation_answer(item)
            return answer

    def update_sellable(self, seller_id, entries):
        """Set sellable quantities: the ``detail`` entries of the SKUs refused.

        ``entries`` are dicts of the XML's fields (strings). A SKU is found by
        ``SkuId`` (with its ``ItemId`` when given) or else by ``SellerSku``.
        """
        with self.lock:
            self.stock_calls += 1
            refused = []
            for entry in entries:
                reason = self._set_sellable(seller_id, entry)
                if reason:
                    reason.setdefault("sku_id", (entry.get("SkuId") or "").strip())
                    reason.setdefault("item_id", (entry.get("ItemId") or "").strip())
                    refused.append(reason)
            self.stock_skus_updated += len(entries) - len(refused)
            self.stock_failures += len(refused)
            return refused

    def _set_sellable(self, seller_id, entry):
        item, sku = self._entry_sku(seller_id, entry)
        seller_sku = entry.get("SellerSku") or (sku["SellerSku"] if sku else "")
        if sku is None:
            return _refusal("SkuId", "SKU not exist", seller_sku, "207")
        if item["status"] == "Deleted":
            return _refusal(
                "ItemId", "Item not exist: the item is deleted", seller_sku, "208"
            )
        raw = entry.get("SellableQuantity")
        try:
            quantity = int(str(raw).strip())
        except ValueError:
            return _refusal(
                "SellableQuantity", f"Invalid SellableQuantity {raw!r}", seller_sku, "5"
            )
        if quantity < 0:
            return _refusal(
                "SellableQuantity",
                "Sellable inventory cannot be negative",
                seller_sku,
                "212",
            )
        if quantity > MAX_SELLABLE:
            return _refusal(
                "SellableQuantity",
                f"SellableQuantity exceeds {MAX_SELLABLE}",
                seller_sku,
                "5",
            )
        if (sku["sellable"] > 0) != (quantity > 0):
            self.catalogue_version += 1
        sku["sellable"] = quantity
        item["updated"] = self.now()
        return None

    def _entry_sku(self, seller_id, entry):
        sku_id = (entry.get("SkuId") or "").strip()
        item_id = (entry.get("ItemId") or "").strip()
        if sku_id:
            item, sku = (
                self.find_sku(seller_id, int(sku_id))
                if sku_id.isdigit()
                else (None, None)
            )
            if item_id and item and str(item["item_id"]) != item_id:
                return None, None
            return item, sku
        return self.find_by_seller_sku(seller_id, entry.get("SellerSku"))


def _refusal(field, message, seller_sku, code):
    return {"field": field, "message": message, "seller_sku": seller_sku, "code": code}


def _within(item, bounds):
    for field, (low, high) in bounds.items():
        if low is not None and item[field] < low:
            return False
        if high is not None and item[field] > high:
            return False
    return True


def update_failed(detail):
    """The answer when some SKUs were refused (the others were set)."""
    # ISV: the caller's data was refused (the connector reads ``detail``).
    return ApiError("501", "E501: Update product failed", ISV, {"detail": detail})
