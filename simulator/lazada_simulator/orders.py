"""Orders and their item rows, in the shape ``/orders/get`` and
``/orders/items/get`` answer (lazada-api.md §4 and §8b).

A stored order is a *record*: ``{seller_id, created, updated, order, items}``
with epoch-second times, ``order`` the API's order object and ``items`` its
item rows, one per unit. ``build`` completes an order given in the API's
shape (missing fields filled, money split over the units); ``summarise``
derives the order's totals and statuses from its items, so they always add
up: ``price`` = Σ ``item_price``, ``voucher_*`` = Σ items', ``shipping_fee``
= Σ ``shipping_amount``.
"""

import hashlib
import json
import random

from . import catalogue, money, thai
from .timefmt import lazada_time, parse_time, sla_time

ITEM_STATUSES = (
    "unpaid",
    "pending",
    "packed",
    "repacked",
    "ready_to_ship_pending",
    "ready_to_ship",
    "shipped",
    "delivered",
    "failed_delivery",
    "lost_by_3pl",
    "damaged_by_3pl",
    "canceled",
    "returned",
    "shipped_back",
    "shipped_back_success",
    "shipped_back_failed",
    "package_scrapped",
    "confirmed",
)
# /orders/get's status filter takes Seller Center's tab names too.
STATUS_FILTERS = {
    **{status: (status,) for status in ITEM_STATUSES},
    "topack": ("pending", "repacked"),
    "toship": ("packed", "ready_to_ship_pending", "ready_to_ship"),
    "shipping": ("shipped",),
    "failed": ("failed_delivery",),
    "lost": ("lost_by_3pl",),
}
UNPACKED = frozenset(("unpaid", "pending", "canceled"))
RETURN_STATUSES = frozenset(
    ("returned", "shipped_back", "shipped_back_success", "shipped_back_failed")
)
FINAL_STATUSES = frozenset(
    ("delivered", "canceled", "returned", "shipped_back_success", "lost_by_3pl",
     "damaged_by_3pl", "package_scrapped", "shipped_back_failed", "confirmed")
)  # fmt: skip
SPLIT_FIELDS = (
    "voucher_seller",
    "voucher_platform",
    "shipping_fee_original",
    "shipping_fee_discount_seller",
    "shipping_fee_discount_platform",
)
ROW_MONEY = (
    *SPLIT_FIELDS,
    "item_price",
    "paid_price",
    "tax_amount",
    "voucher_amount",
    "shipping_amount",
    "wallet_credits",
    "shipping_service_cost",
)
PROVIDERS = ("LEX TH", "Flash Express", "Kerry Express", "J&T Express")
CANCEL_REASONS = {
    "buyer": ("เปลี่ยนใจ", "buyer-cancel"),
    "seller": ("สินค้าหมด", "cancellation-internal"),
    "system": ("ไม่ได้ชำระเงินภายในเวลาที่กำหนด", "cancellation-internal"),
}
RETURN_REASON = "สินค้าไม่ตรงตามที่สั่ง"
NO_TAX_INVOICE = '{"TaxInvoiceRequested":false}'
TAX_INVOICE = '{"TaxInvoiceRequested":true}'


def stock_bucket(status):
    """Where a unit's stock sits (catalogue's docstring): withhold, occupy,
    back (given back: cancelled) or out (gone to the buyer or the courier)."""
    if status == "unpaid":
        return "withhold"
    if status in ("pending", "packed", "repacked", "ready_to_ship_pending"):
        return "occupy"
    if status == "canceled":
        return "back"
    return "out"


class Ids:
    """15-digit order and order item ids, never twice."""

    def __init__(self, rng):
        self.rng = rng
        self.orders = set()
        self.items = set()

    def _new(self, taken):
        while True:
            candidate = self.rng.randrange(400_000_000_000_000, 999_999_999_999_999)
            if candidate not in taken:
                taken.add(candidate)
                return candidate

    def order_id(self):
        return self._new(self.orders)

    def item_id(self):
        return self._new(self.items)


# -- packages and reasons ------------------------------------------------------------


def _digits(text, count):
    digest = hashlib.sha256(text.encode()).hexdigest()
    return str(int(digest[:24], 16)).zfill(count)[-count:]


def tracking_code(provider, package_id):
    digits = _digits(package_id, 14)
    if provider == "LEX TH":
        return f"LXTH{digits[:12]}"
    if provider == "Flash Express":
        return f"TH{digits[:10]}A"
    if provider == "Kerry Express":
        return f"KERDO{digits[:10]}"
    return f"8{digits[:11]}"


def allocated_provider(order_id):
    """The carrier Lazada allocates to the order (TFS: the seller does not choose)."""
    return PROVIDERS[int(_digits(f"provider/{order_id}", 4)) % len(PROVIDERS)]


def buyer_id_for(order_id):
    """The buyer's id (GetOrderItems' ``buyer_id``): 12 digits from the order."""
    return "1" + _digits(f"buyer/{order_id}", 11)


def package_id_for(order_id, sequence=0):
    """The order's ``sequence``-th package id: "FP" and 12 digits."""
    key = f"package/{order_id}" + (f"/{sequence}" if sequence else "")
    return f"FP{_digits(key, 12)}"


def _package(rec):
    """The order's package: shared by its items, derived from the order id."""
    for row in rec["items"]:
        if row["package_id"]:
            return row["package_id"], row["shipment_provider"], row["tracking_code"]
    order_id = rec["order"]["order_id"]
    package_id = package_id_for(order_id)
    provider = allocated_provider(order_id)
    return package_id, provider, tracking_code(provider, package_id)


def settle(rec, row, previous=None):
    """Fill what the status implies: a package once packed, a reason once
    cancelled or returned (unless given)."""
    status = row["status"]
    if status not in UNPACKED and not row["package_id"]:
        package_id, provider, code = _package(rec)
        row.update(
            package_id=package_id, shipment_provider=provider, tracking_code=code
        )
    if status == "canceled" and not row["reason"]:
        who = "system" if previous == "unpaid" else "buyer"
        if previous not in (None, "unpaid", "pending"):
            who = "seller"
        reason, initiator = CANCEL_REASONS[who]
        row.update(reason=reason, cancel_return_initiator=initiator)
    if status in RETURN_STATUSES and not row["reason"]:
        row.update(reason=RETURN_REASON, cancel_return_initiator="buyer-return")


def set_item_status(rec, row, status, now):
    """Move one unit to ``status`` at ``now``; False when it was already there."""
    previous = row["status"]
    if previous == status:
        return False
    row["status"] = status
    row["updated_at"] = lazada_time(now)
    settle(rec, row, previous)
    return True


# -- building an order ------------------------------------------------------------------


def _expand(spec):
    """Item rows of the spec: an entry with ``quantity`` n stands for n units."""
    rows = []
    for entry in spec.get("items") or []:
        entry = dict(entry)
        count = entry.pop("quantity", 1)
        if count != 1 and "order_item_id" in entry:
            raise ValueError("an item row with an order_item_id is one unit")
        rows.extend(dict(entry) for _ in range(int(count)))
    if not rows:
        raise ValueError("an order needs at least one item")
    return rows


def _money_fields(rows, spec, prices):
    """Split the order-level amounts the rows do not carry themselves."""
    for name in SPLIT_FIELDS:
        if any(name in row for row in rows):
            for row in rows:
                row.setdefault(name, 0)
            continue
        total = money.satang(spec.get(name))
        weights = prices if name.startswith("voucher") else [1] * len(rows)
        for row, share in zip(rows, money.split(total, weights), strict=True):
            row[name] = money.number(share)
    for row, price in zip(rows, prices, strict=True):
        vouchers = money.satang(row["voucher_seller"]) + money.satang(
            row["voucher_platform"]
        )
        shipping = (
            money.satang(row["shipping_fee_original"])
            - money.satang(row["shipping_fee_discount_seller"])
            - money.satang(row["shipping_fee_discount_platform"])
        )
        row.setdefault("voucher_amount", money.number(vouchers))
        row.setdefault("paid_price", money.number(price - vouchers))
        row.setdefault("shipping_amount", money.number(shipping))


def item_row(given, order_id, item_id, listing, times, status):
    """One unit, with Lazada's fields in Lazada's order; ``given`` wins."""
    item, sku = listing
    created, updated = times
    row = {
        "order_item_id": item_id,
        "order_id": order_id,
        "status": status,
        "sku": sku["SellerSku"] if sku else "",
        "shop_sku": catalogue.shop_sku(item["item_id"], sku["SkuId"]) if sku else "",
        "sku_id": str(sku["SkuId"]) if sku else "",
        "product_id": str(item["item_id"]) if item else "",
        "name": item["name"] if item else "",
        "variation": sku["variation"] if sku else "",
        "item_price": money.number(catalogue.item_price(sku)) if sku else 0,
    }
    row.update(given)
    defaults = {
        "tax_amount": 0,
        "voucher_code": "",
        "wallet_credits": 0,
        "shipping_service_cost": 0,
        "shipping_type": "Dropshipping",
        "shipping_provider_type": "standard",
        "shipment_provider": "",
        "package_id": "",
        "tracking_code": "",
        "tracking_code_pre": "",
        "reason": "",
        "reason_detail": "",
        "return_status": "",
        "cancel_return_initiator": "",
        "buyer_id": buyer_id_for(order_id),
        # A buyer's cancellation request (reverse.py): the seller must answer.
        "need_cancel_confirm": False,
        "is_cancel_pending": False,
        "currency": "THB",
        "created_at": lazada_time(created),
        "updated_at": lazada_time(updated),
        "sla_time_stamp": sla_time(created),
        "promised_shipping_time": "",
        "invoice_number": "",
        "is_digital": 0,
        "digital_delivery_info": "",
        "warehouse_code": catalogue.WAREHOUSE,
        "order_type": "Normal",
        "order_flag": "NORMAL",
        "is_fbl": 0,
        "is_reroute": 0,
        "delivery_option_sof": 0,
        "purchase_order_id": "",
        "purchase_order_number": "",
        "product_main_image": catalogue.image(item) if item else "",
        "product_detail_url": catalogue.product_url(item, sku) if sku else "",
    }
    for name, value in defaults.items():
        row.setdefault(name, value)
    return row


def _buyer(spec, rng):
    first = spec.get("customer_first_name")
    if first is None:
        first = rng.choice(thai.FIRST_NAMES)
    last = spec.get("customer_last_name")
    if last is None:
        last = rng.choice(thai.LAST_NAMES)
    shipping = spec.get("address_shipping") or thai.address(rng, first, last)
    billing = spec.get("address_billing") or dict(shipping)
    return first, last, shipping, billing


def _order_fields(spec, order_id, rng):
    first, last, shipping, billing = _buyer(spec, rng)
    tax_code = spec.get("tax_code", "")
    order = {
        "order_id": order_id,
        "order_number": int(spec.get("order_number") or order_id),
        "created_at": "",
        "updated_at": "",
        "statuses": [],
        "items_count": 0,
        "price": "0.00",
        "voucher": 0,
        "voucher_platform": 0,
        "voucher_seller": 0,
        "voucher_code": "",
        "shipping_fee": 0,
        "shipping_fee_original": 0,
        "shipping_fee_discount_seller": 0,
        "shipping_fee_discount_platform": 0,
        "payment_method": spec.get("payment_method") or "COD",
        "customer_first_name": first,
        "customer_last_name": last,
        "address_shipping": shipping,
        "address_billing": billing,
        "branch_number": spec.get("branch_number", ""),
        "tax_code": tax_code,
        "extra_attributes": TAX_INVOICE if tax_code else NO_TAX_INVOICE,
        "remarks": "",
        "warehouse_code": catalogue.WAREHOUSE,
        "gift_option": False,
        "gift_message": "",
        "promised_shipping_times": "",
        "national_registration_number": "",
        "delivery_info": "",
        "need_cancel_confirm": False,
        "is_cancel_pending": False,
    }
    derived = set(SPLIT_FIELDS) | {"statuses", "items_count", "price", "voucher",
                                   "shipping_fee", "created_at", "updated_at",
                                   "order_id", "order_number", "items", "status",
                                   "need_cancel_confirm", "is_cancel_pending"}  # fmt: skip
    order.update((k, v) for k, v in spec.items() if k not in derived)
    return order


def build(spec, seller_id, resolve, ids, now):
    """A record for the order ``spec`` (the API's shape, partial).

    :param resolve: row → (item, sku) of the seller's catalogue, or
        (None, None); rows may carry ``_listing`` = (item, sku) instead
    :param ids: an :class:`Ids`, which remembers the ids taken
    """
    created = parse_time(spec.get("created_at"))
    created = now if created is None else created
    updated = parse_time(spec.get("updated_at"))
    updated = created if updated is None else max(updated, created)
    order_id = int(spec.get("order_id") or ids.order_id())
    ids.orders.add(order_id)
    rng = random.Random(order_id)
    rows, listings = [], []
    for given in _expand(spec):
        listing = given.pop("_listing", None) or resolve(given)
        listings.append(listing)
        rows.append(given)
    prices = [
        money.satang(row["item_price"]) if "item_price" in row
        else catalogue.item_price(sku) if sku else 0
        for row, (_item, sku) in zip(rows, listings, strict=True)
    ]  # fmt: skip
    for row, price in zip(rows, prices, strict=True):
        row["item_price"] = money.number(price)
    _money_fields(rows, spec, prices)
    for row in rows:
        for name in ROW_MONEY:
            if name in row:
                row[name] = money.number(money.satang(row[name]))
    status = spec.get("status") or "pending"
    items = []
    for given, listing in zip(rows, listings, strict=True):
        item_id = int(given.pop("order_item_id", 0) or ids.item_id())
        ids.items.add(item_id)
        items.append(
            item_row(given, order_id, item_id, listing, (created, updated), status)
        )
    rec = {
        "seller_id": seller_id,
        "created": created,
        "updated": updated,
        "order": _order_fields(spec, order_id, rng),
        "items": items,
    }
    for row in items:
        settle(rec, row)
    summarise(rec)
    return rec


def summarise(rec):
    """Derive the order's statuses, count, totals and times from its items."""
    order, items = rec["order"], rec["items"]
    order["created_at"] = lazada_time(rec["created"])
    order["updated_at"] = lazada_time(rec["updated"])
    order["statuses"] = list(dict.fromkeys(row["status"] for row in items))
    order["items_count"] = len(items)
    order["price"] = money.price_string(
        sum(money.satang(r["item_price"]) for r in items)
    )
    sums = {
        name: sum(money.satang(row[name]) for row in items)
        for name in (*SPLIT_FIELDS, "shipping_amount")
    }
    order["voucher"] = money.number(sums["voucher_seller"] + sums["voucher_platform"])
    for name in SPLIT_FIELDS:
        order[name] = money.number(sums[name])
    order["shipping_fee"] = money.number(sums["shipping_amount"])
    # GetOrder's flags: some item awaits the seller's answer to a buyer's
    # cancellation request (or, agreed, the logistics).
    order["need_cancel_confirm"] = any(r.get("need_cancel_confirm") for r in items)
    order["is_cancel_pending"] = any(r.get("is_cancel_pending") for r in items)


def order_answer(rec):
    """The order object (a copy): what /orders/get and /order/get show."""
    return json.loads(json.dumps(rec["order"]))


def items_answer(rec):
    return json.loads(json.dumps(rec["items"]))


def public(rec):
    """The order with its item rows under ``items`` (control API)."""
    return {**order_answer(rec), "items": items_answer(rec)}
