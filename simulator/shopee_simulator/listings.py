"""The State's listings: catalogues, stock held per (item, model), update_stock.

A mixin of :class:`~shopee_simulator.state.State`: every method takes the
state's lock. ``self.catalogues`` is ``{shop_id: {item_id: item}}`` (see
``catalogue``).
"""

import copy

from . import catalogue
from .errors import ApiError, param_error

# get_item_list's offset cap: Shopee has one, undocumented (§7.1).
DEFAULT_OFFSET_LIMIT = 10_000
ITEM_FIELDS = {
    "item_status": str,
    "item_sku": str,
    "item_name": str,
    "weight": float,
}
MODEL_FIELDS = {
    "model_sku": str,
    "model_status": str,
    "stock": int,
    "reserved_stock": int,
    "price": int,
    "original_price": int,
}


class Listings:
    # -- catalogue ------------------------------------------------------------

    def shop_items(self, shop_id):
        """The shop's items (live objects: callers hold the lock)."""
        return list(self.catalogues.get(shop_id, {}).values())

    def find_item(self, item_id):
        """(shop_id, item) of any shop, or (None, None)."""
        for shop_id, items in self.catalogues.items():
            if item_id in items:
                return shop_id, items[item_id]
        return None, None

    def catalogue(self, shop_id):
        with self.lock:
            return copy.deepcopy(self.shop_items(shop_id))

    def set_catalogue(self, shop_id, items):
        with self.lock:
            self.catalogues[shop_id] = catalogue.load(items, self.now())
            self.catalogue_version += 1

    def _set_stock(self, model, stock):
        """Set a model's stock; what is in stock changed when it crosses 0."""
        if (model["stock"] > 0) != (stock > 0):
            self.catalogue_version += 1
        model["stock"] = stock

    def change_item(self, item_id, changes, model_id=None):
        """Change an item or one of its models as a seller would; None: unknown."""
        with self.lock:
            _shop_id, item = self.find_item(item_id)
            if item is None:
                return None
            target = item
            if model_id is not None:
                target = catalogue.find_model(item, model_id)
                if target is None:
                    return None
            fields = MODEL_FIELDS if model_id is not None else ITEM_FIELDS
            if model_id is None and not item["has_model"]:
                # An item without variations keeps its price and stock in model 0.
                fields = {**MODEL_FIELDS, **ITEM_FIELDS}
            for name, value in changes.items():
                if name not in fields:
                    raise ValueError(f"cannot change {name}")
                kind = fields[name]
                if kind is str and not isinstance(value, str):
                    raise ValueError(f"{name} must be a string")
                if kind in (int, float) and (
                    isinstance(value, bool) or not isinstance(value, (int, float))
                ):
                    raise ValueError(f"{name} must be a number")
                owner = (
                    item["models"][0]
                    if name in MODEL_FIELDS and target is item
                    else target
                )
                owner[name] = kind(value)
            if item["item_status"] not in catalogue.ITEM_STATUSES:
                raise ValueError("unknown item_status")
            for model in item["models"]:
                if model["model_status"] not in catalogue.MODEL_STATUSES:
                    raise ValueError("unknown model_status")
            item["update_time"] = self.now()
            self.catalogue_version += 1
            return copy.deepcopy(item)

    def stock_levels(self, shop_id):
        with self.lock:
            return [
                {
                    "item_id": item["item_id"],
                    "model_id": model["model_id"],
                    "item_status": item["item_status"],
                    "sku": model["model_sku"]
                    if item["has_model"]
                    else item["item_sku"],
                    "stock": model["stock"],
                    "reserved_stock": model["reserved_stock"],
                }
                for item in self.shop_items(shop_id)
                for model in item["models"]
            ]

    # -- stock taken by orders --------------------------------------------------

    def _take_stock(self, shop_id, order):
        """Take the order's units from seller stock (never below 0)."""
        items = self.catalogues.get(shop_id, {})
        taken = []
        for line in order.get("item_list") or []:
            item = items.get(line.get("item_id"))
            model = item and catalogue.find_model(item, line.get("model_id"))
            if not model:
                continue
            units = min(int(line.get("model_quantity_purchased") or 0), model["stock"])
            self._set_stock(model, model["stock"] - units)
            taken.append([item["item_id"], model["model_id"], units])
        return taken

    def _give_back(self, shop_id, taken):
        items = self.catalogues.get(shop_id, {})
        for item_id, model_id, units in taken or []:
            item = items.get(item_id)
            model = item and catalogue.find_model(item, model_id)
            if model:
                self._set_stock(model, model["stock"] + units)

    def _sync_stock(self, shop_id, order, record_only=False):
        """A placed order holds its units; a cancelled one gives them back."""
        held = self.reservations.setdefault(shop_id, {})
        order_sn = order["order_sn"]
        if order.get("order_status") == "CANCELLED":
            self._give_back(shop_id, held.pop(order_sn, None))
        elif order_sn not in held:
            if record_only:
                held[order_sn] = [
                    [
                        line["item_id"],
                        line["model_id"],
                        line["model_quantity_purchased"],
                    ]
                    for line in order.get("item_list") or []
                ]
            else:
                held[order_sn] = self._take_stock(shop_id, order)

    # -- Shopee's product calls ----------------------------------------------------

    def item_list(self, shop_id, statuses, time_from, time_to):
        with self.lock:
            return [
                catalogue.list_entry(item)
                for item in sorted(self.shop_items(shop_id), key=lambda i: i["item_id"])
                if item["item_status"] in statuses
                and (time_from is None or item["update_time"] >= time_from)
                and (time_to is None or item["update_time"] <= time_to)
            ]

    def items_base_info(self, shop_id, item_ids):
        with self.lock:
            items = self.catalogues.get(shop_id, {})
            return [catalogue.base_info(items[i]) for i in item_ids if i in items]

    def model_list(self, shop_id, item_id):
        with self.lock:
            item = self.catalogues.get(shop_id, {}).get(item_id)
            return catalogue.model_list(item) if item else None

    def update_stock(self, shop_id, item_id, entries):
        """Set seller stock of an item's models: (success_list, failure_list).

        ``entries`` are checked for shape by the caller: [(model_id,
        location_id or None, stock)]. Raises Shopee's errors for the call.
        """
        with self.lock:
            self.stock_calls += 1
            item = self.catalogues.get(shop_id, {}).get(item_id)
            if item is None:
                raise ApiError("error_item_not_found", "Item_id is not found.")
            if item["item_status"] in catalogue.DELETED_STATUSES:
                raise ApiError(
                    "error_item_uneditable",
                    "Can't edit this item. item status can not support editing.",
                )
            success, failure = [], []
            for model_id, location_id, stock in entries:
                reason = self._stock_refusal(item, model_id, stock)
                if reason:
                    failure.append({"model_id": model_id, "failed_reason": reason})
                    continue
                self._set_stock(catalogue.find_model(item, model_id), stock)
                success.append(
                    {
                        "model_id": model_id,
                        "location_id": location_id or "",
                        "stock": stock,
                    }
                )
            if success:
                item["update_time"] = self.now()
            self.stock_models_updated += len(success)
            self.stock_failures += len(failure)
            return success, failure

    @staticmethod
    def _stock_refusal(item, model_id, stock):
        if item["has_model"] and model_id == 0:
            return "Can't to edit item stock directly while item has models."
        model = catalogue.find_model(item, model_id)
        if model is None:
            return "Wrong model_id."
        if stock < model["reserved_stock"]:
            return "Can not update item with stock less than reserved stock"
        return None


def parse_stock_list(stock_list):
    """[(model_id, location_id, stock)] of an update_stock body; or error_param."""
    if not isinstance(stock_list, list) or not 1 <= len(stock_list) <= 50:
        raise param_error("stock_list length should be between 1 to 50.")
    entries, seen = [], set()
    for entry in stock_list:
        if not isinstance(entry, dict):
            raise param_error("stock_list is invalid.")
        model_id = entry.get("model_id", 0)
        if isinstance(model_id, bool) or not isinstance(model_id, int):
            raise param_error("model_id is invalid.")
        if model_id in seen:
            raise ApiError("error_param", "Repeat model_id.")
        seen.add(model_id)
        seller_stock = entry.get("seller_stock")
        if not isinstance(seller_stock, list) or not seller_stock:
            raise param_error("seller_stock is required.")
        if len(seller_stock) > 1:
            raise _location_refused()
        location = seller_stock[0] if isinstance(seller_stock[0], dict) else {}
        location_id = location.get("location_id")
        if location_id not in (None, "", catalogue.LOCATION_ID):
            raise _location_refused()
        stock = location.get("stock")
        if (
            isinstance(stock, bool)
            or not isinstance(stock, int)
            or not 0 <= stock <= catalogue.MAX_STOCK
        ):
            raise ApiError(
                "error_param",
                "Parameter is not match the constraints, stock should be in "
                f"[0, {catalogue.MAX_STOCK}].",
            )
        entries.append((model_id, location_id, stock))
    return entries


def _location_refused():
    return ApiError(
        "error_auth",
        "The location_id input is not matched the shop's location_id(more/wrong). "
        "Please double check.",
    )
