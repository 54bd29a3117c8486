"""Shopee listings: items by offset pages, their details by 50, their models.

A listing is one (item, model) pair: an item without variations is one
listing (model 0), an item with variations one listing per model. ``read``
answers listings, flattened from ``get_item_base_info`` and, for the items
that have models, ``get_model_list`` (Shopee leaves ``price_info`` out of an
item that has models). Stock is read from ``stock_info_v2`` only.
"""

from odoo.addons.component.core import Component
from odoo.addons.queue_job.exception import FailedJobError

from .backend_adapter import explain_stock_refusal
from .order_adapter import to_epoch

ITEM_STATUSES = ("NORMAL", "UNLIST", "BANNED", "SELLER_DELETE", "SHOPEE_DELETE")
LIST_PAGE_SIZE = 100
BASE_INFO_CHUNK = 50
MAX_PAGES = 10000


def seller_stock(stock_info):
    """The seller stock of a ``stock_info_v2`` (all locations)."""
    locations = (stock_info or {}).get("seller_stock") or []
    return sum(int(location.get("stock") or 0) for location in locations)


def current_price(price_info):
    for price in price_info or []:
        if price.get("current_price") is not None:
            return float(price["current_price"])
    return 0.0


def variation_name(tier_variation, tier_index):
    """ "Black,M": the option of each tier the model stands for."""
    names = []
    for tier, index in zip(tier_variation or [], tier_index or [], strict=False):
        options = tier.get("option_list") or []
        if 0 <= index < len(options):
            names.append(options[index].get("option") or "")
    return ",".join(name for name in names if name)


class ShopeeProductAdapter(Component):
    _name = "shopee.product.adapter"
    _inherit = "shopee.adapter"
    _apply_on = "shopee.product.binding"

    def search(self, since=None, until=None):
        """[item_id, item_status] of the shop's items (changed in the window)."""
        items, offset = {}, 0
        for _page in range(MAX_PAGES):
            params = {
                "offset": offset,
                "page_size": LIST_PAGE_SIZE,
                "item_status": list(ITEM_STATUSES),
            }
            if since:
                params["update_time_from"] = to_epoch(since)
            if until:
                params["update_time_to"] = to_epoch(until)
            data = self._call("GET", "product/get_item_list", params=params)
            page = data.get("response") or {}
            for item in page.get("item") or []:
                item_id = str(item["item_id"])
                items.setdefault(item_id, [item_id, item.get("item_status") or ""])
            if not page.get("has_next_page"):
                return list(items.values())
            next_offset = page.get("next_offset")
            if not isinstance(next_offset, int) or next_offset <= offset:
                raise FailedJobError(
                    self.env._("Shopee said more items follow but sent no next offset.")
                )
            offset = next_offset
        raise FailedJobError(
            self.env._(
                "Shopee kept sending pages of items: stopped after %(pages)s.",
                pages=MAX_PAGES,
            )
        )

    def read(self, item_ids):  # pylint: disable=method-required-super
        """The listings of ``item_ids`` (≤ 50), one dict per (item, model)."""
        data = self._call(
            "GET",
            "product/get_item_base_info",
            params={"item_id_list": ",".join(str(i) for i in item_ids)},
            not_found=[str(i) for i in item_ids],
        )
        listings = []
        for item in (data.get("response") or {}).get("item_list") or []:
            if item.get("has_model"):
                listings.extend(self._model_listings(item))
            else:
                listings.append(self._listing(item))
        return listings

    def _listing(self, item, model=None, tiers=None):
        model = model or {}
        sku = model.get("model_sku") if model else item.get("item_sku")
        return {
            "item_id": str(item["item_id"]),
            "model_id": str(model.get("model_id") or 0),
            "item_name": item.get("item_name") or "",
            "model_name": variation_name(tiers, model.get("tier_index"))
            if model
            else "",
            "sku": sku or "",
            "price": current_price(
                model.get("price_info") if model else item.get("price_info")
            ),
            "stock": seller_stock(
                model.get("stock_info_v2") if model else item.get("stock_info_v2")
            ),
            "item_status": item.get("item_status") or "",
            "update_time": item.get("update_time") or 0,
        }

    def _model_listings(self, item):
        data = self._call(
            "GET", "product/get_model_list", params={"item_id": item["item_id"]}
        )
        response = data.get("response") or {}
        tiers = response.get("tier_variation") or []
        return [
            self._listing(item, model, tiers) for model in response.get("model") or []
        ]

    def update_stock(self, item_id, models):
        """Set the seller stock of one item's models (≤ 50 per call).

        :param models: [(model_id, quantity)], model "0" for an item without
            variations
        :returns: {"success": {model_id: stock}, "failure": {model_id: reason}}
        """
        answer = {"success": {}, "failure": {}}
        for index in range(0, len(models), 50):
            chunk = models[index : index + 50]
            data = self._call(
                "POST",
                "product/update_stock",
                body={
                    "item_id": int(item_id),
                    "stock_list": [
                        {
                            "model_id": int(model_id),
                            "seller_stock": [{"stock": int(qty)}],
                        }
                        for model_id, qty in chunk
                    ],
                },
                # every model refused: the failure_list still says why
                answered_codes=("error_busi_update_stock_failed",),
            )
            response = data.get("response") or {}
            for success in response.get("success_list") or []:
                answer["success"][str(success.get("model_id") or 0)] = int(
                    success.get("stock") or 0
                )
            for failure in response.get("failure_list") or []:
                answer["failure"][str(failure.get("model_id") or 0)] = (
                    explain_stock_refusal(self.env, failure.get("failed_reason"))
                )
        return answer

    def read_stock(self, item_ids):
        """{(item_id, model_id): seller stock} as Shopee shows it now."""
        stock = {}
        for index in range(0, len(item_ids), BASE_INFO_CHUNK):
            for listing in self.read(item_ids[index : index + BASE_INFO_CHUNK]):
                stock[(listing["item_id"], listing["model_id"])] = listing["stock"]
        return stock
