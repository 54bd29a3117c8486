"""Orders for volume, built deterministically: same seed and arguments, same bytes.

Every generated order has the full get_order_detail shape of the hand-written
seeds (``seeds/orders``), whose recipients and messages it reuses. Amounts are
consistent: ``total_amount`` = Σ model_discounted_price × quantity + the
buyer-paid ``estimated_shipping_fee``.
"""

import copy
import random
import string
from datetime import datetime, timedelta, timezone

ALPHABET = string.digits + string.ascii_uppercase
# order_sn dates follow the shop's local day, and Thai shops live in UTC+7.
SHOP_TZ = timezone(timedelta(hours=7))
DAY = 86400

STATUSES = (
    ("READY_TO_SHIP", 25),
    ("PROCESSED", 12),
    ("SHIPPED", 15),
    ("COMPLETED", 28),
    ("UNPAID", 8),
    ("CANCELLED", 8),
    ("IN_CANCEL", 4),
)
LOGISTICS_STATUS = {
    "UNPAID": "LOGISTICS_NOT_START",
    "READY_TO_SHIP": "LOGISTICS_READY",
    "RETRY_SHIP": "LOGISTICS_PICKUP_RETRY",
    "PROCESSED": "LOGISTICS_REQUEST_CREATED",
    "SHIPPED": "LOGISTICS_PICKUP_DONE",
    "TO_CONFIRM_RECEIVE": "LOGISTICS_DELIVERY_DONE",
    "COMPLETED": "LOGISTICS_DELIVERY_DONE",
    "IN_CANCEL": "LOGISTICS_READY",
    "CANCELLED": "LOGISTICS_INVALID",
}
CARRIERS = (
    (70016, "Flash Express"),
    (70021, "Kerry Express"),
    (70023, "J&T Express"),
    (70066, "SPX Express"),
)
PAYMENT_METHODS = ("ShopeePay", "Credit Card/Debit Card", "Mobile Banking", "SPayLater")
SHIPPING_FEES = (0.0, 0.0, 30.0, 38.0, 45.0)
QUANTITIES = (1, 1, 1, 1, 2, 2, 3)
LINE_COUNTS = (1, 1, 1, 2, 2, 3)
BUYERS = ("ploy", "nong.may", "arthit", "kanokwan", "boss_th", "mint", "tanawat")
BUYER_CANCEL_REASONS = (
    "Need to change delivery address",
    "Modify existing order",
    "Found cheaper elsewhere",
)
SELLER_CANCEL_REASON = "Out of Stock"
SYSTEM_CANCEL_REASON = "Unpaid Order"
FALLBACK_ADDRESS = {
    "name": "a****n",
    "phone": "******00",
    "town": "",
    "district": "Lumphini",
    "city": "Pathum Wan",
    "state": "Bangkok",
    "region": "TH",
    "zipcode": "10330",
    "full_address": "****, Lumphini, Pathum Wan, Bangkok, 10330",
}
TIME_FIELDS = ("create_time", "update_time", "pay_time", "ship_by_date")


def generate_orders(seed, count, shop_id, time_from, time_to, items, templates=()):
    """``count`` orders of ``shop_id`` created and updated in [time_from, time_to].

    :param items: the shop's listed items (``seeds/items.json`` entries)
    :param templates: seed orders, whose recipients and messages are reused
    """
    if count and not items:
        raise ValueError(f"shop {shop_id} has no items to build orders from")
    if time_to < time_from:
        raise ValueError("time_to is before time_from")
    rng = random.Random(seed * 1_000_003 + shop_id)
    addresses = [t["recipient_address"] for t in templates if "recipient_address" in t]
    messages = [t["message_to_seller"] for t in templates if t.get("message_to_seller")]
    pools = {
        "addresses": addresses or [FALLBACK_ADDRESS],
        "messages": messages or ["Please pack carefully"],
    }
    taken = set()
    return [_order(rng, items, pools, time_from, time_to, taken) for _ in range(count)]


def order_sn(rng, create_time, taken):
    day = datetime.fromtimestamp(create_time, SHOP_TZ).strftime("%y%m%d")
    while True:
        candidate = day + "".join(rng.choice(ALPHABET) for _ in range(8))
        if candidate not in taken:
            taken.add(candidate)
            return candidate


def order_line(item, model, quantity):
    """One ``item_list`` entry as get_order_detail returns it."""
    discounted = model["price"] < model["original_price"]
    return {
        "item_id": item["item_id"],
        "item_name": item["item_name"],
        "item_sku": item["item_sku"],
        "model_id": model["model_id"],
        "model_name": model["model_name"],
        "model_sku": model["model_sku"],
        "model_quantity_purchased": quantity,
        "model_original_price": model["original_price"],
        "model_discounted_price": model["price"],
        "wholesale": False,
        "weight": item["weight"],
        "add_on_deal": False,
        "main_item": False,
        "add_on_deal_id": 0,
        "promotion_type": "product_promotion" if discounted else "",
        "promotion_id": 5100001 if discounted else 0,
        "order_item_id": item["item_id"],
        "promotion_group_id": 0,
        "image_info": {"image_url": item.get("image_url", "")},
        # An array in order items, a string in packages (shopee-api.md §13.7).
        "product_location_id": ["THZ"],
        "is_prescription_item": False,
        "is_b2c_owned_item": False,
    }


def package(number, status, carrier, lines):
    channel_id, carrier_name = carrier
    return {
        "package_number": number,
        "logistics_status": LOGISTICS_STATUS.get(status, "LOGISTICS_NOT_START"),
        "logistics_channel_id": channel_id,
        "shipping_carrier": carrier_name,
        "allow_self_design_awb": False,
        "item_list": [
            {
                "item_id": line["item_id"],
                "model_id": line["model_id"],
                "model_quantity": line["model_quantity_purchased"],
                "order_item_id": line["order_item_id"],
                "promotion_group_id": line["promotion_group_id"],
                "product_location_id": "THZ",
            }
            for line in lines
        ],
        "parcel_chargeable_weight_gram": weight_grams(lines),
        "group_shipment_id": None,
        "sorting_group": "",
    }


def weight_grams(lines):
    return round(
        sum(line["weight"] * line["model_quantity_purchased"] for line in lines) * 1000
    )


def goods_amount(lines):
    return sum(
        line["model_discounted_price"] * line["model_quantity_purchased"]
        for line in lines
    )


def _lines(rng, items):
    variants = [(item, model) for item in items for model in item["models"]]
    count = min(rng.choice(LINE_COUNTS), len(variants))
    return [
        order_line(item, model, rng.choice(QUANTITIES))
        for item, model in rng.sample(variants, count)
    ]


def _status(rng):
    names = [name for name, _weight in STATUSES]
    weights = [weight for _name, weight in STATUSES]
    return rng.choices(names, weights)[0]


def _cancellation(rng, status):
    """(buyer_cancel_reason, cancel_by, cancel_reason)."""
    if status == "IN_CANCEL":
        return rng.choice(BUYER_CANCEL_REASONS), "", ""
    if status != "CANCELLED":
        return "", "", ""
    cancel_by = rng.choice(("buyer", "buyer", "seller", "system"))
    if cancel_by == "buyer":
        reason = rng.choice(BUYER_CANCEL_REASONS)
        return reason, "buyer", reason
    if cancel_by == "seller":
        return "", "seller", SELLER_CANCEL_REASON
    return "", "system", SYSTEM_CANCEL_REASON


def _times(rng, status, time_from, time_to):
    """create, update, pay (None: never paid) and pickup times of one order."""
    create = rng.randint(time_from, time_to)
    room = time_to - create
    if status == "UNPAID":
        update = create + min(room, rng.randint(0, 600))
    else:
        update = create + min(room, rng.randint(60, 3 * DAY))
    pay = create + min(update - create, rng.randint(30, 900))
    pickup = pay + (update - pay) // 2
    return create, update, pay, pickup


def _order(rng, items, pools, time_from, time_to, taken):
    status = _status(rng)
    cod = rng.random() < 0.3
    create, update, pay, pickup = _times(rng, status, time_from, time_to)
    cancellation = _cancellation(rng, status)
    paid = status != "UNPAID" and cancellation[2] != SYSTEM_CANCEL_REASON
    lines = _lines(rng, items)
    carrier = rng.choice(CARRIERS)
    fee = rng.choice(SHIPPING_FEES)
    shipped = status in ("SHIPPED", "TO_CONFIRM_RECEIVE", "COMPLETED")
    days_to_ship = rng.choice((2, 3))
    sn = order_sn(rng, create, taken)
    order = {"order_sn": sn, "region": "TH", "currency": "THB", "cod": cod}
    if paid:
        order["total_amount"] = round(goods_amount(lines) + fee, 2)
    order.update(
        {
            "order_status": status,
            "shipping_carrier": carrier[1],
            "payment_method": "Cash on Delivery"
            if cod
            else rng.choice(PAYMENT_METHODS),
            "estimated_shipping_fee": fee,
            "message_to_seller": (
                rng.choice(pools["messages"]) if rng.random() < 0.2 else ""
            ),
            "create_time": create,
            "update_time": update,
            "days_to_ship": days_to_ship,
            "ship_by_date": create + days_to_ship * DAY,
            "buyer_user_id": rng.randint(100_000_000, 999_999_999),
            "buyer_username": f"{rng.choice(BUYERS)}{rng.randint(1, 999)}",
            "recipient_address": copy.deepcopy(rng.choice(pools["addresses"])),
            "actual_shipping_fee": fee if shipped else 0.0,
            "goods_to_declare": False,
            "note": "",
            "note_update_time": 0,
            "item_list": lines,
        }
    )
    # COD buyers pay the courier on delivery.
    if paid and (not cod or status == "COMPLETED"):
        order["pay_time"] = update if cod else pay
    order.update(
        {
            "dropshipper": "",
            "dropshipper_phone": "",
            "split_up": False,
            "buyer_cancel_reason": cancellation[0],
            "cancel_by": cancellation[1],
            "cancel_reason": cancellation[2],
            "actual_shipping_fee_confirmed": status == "COMPLETED",
            "fulfillment_flag": "fulfilled_by_local_seller",
            "pickup_done_time": pickup if shipped else 0,
            "package_list": [
                package(f"OFG{rng.randint(10**14, 10**15 - 1)}", status, carrier, lines)
            ],
            "invoice_data": None,
            "checkout_shipping_carrier": carrier[1],
            "reverse_shipping_fee": 0.0,
            "order_chargeable_weight_gram": weight_grams(lines),
            "booking_sn": "",
            "advance_package": False,
        }
    )
    return order


def redate(orders, time_from, time_to):
    """Copies of ``orders`` moved into [time_from, time_to], spread evenly.

    Each keeps the intervals between its own times (paid 5 min after
    creation stays so), clamped to the range.
    """
    span = max(time_to - time_from, 0)
    moved = []
    for index, order in enumerate(orders):
        order = copy.deepcopy(order)
        target = time_from + span * (index + 1) // (len(orders) + 1)
        shift = target - order["create_time"]
        for field in (*TIME_FIELDS, "pickup_done_time", "note_update_time"):
            if order.get(field):
                order[field] = order[field] + shift
        for field in (
            "update_time",
            "pay_time",
            "pickup_done_time",
            "note_update_time",
        ):
            if order.get(field):
                order[field] = min(order[field], time_to)
        moved.append(order)
    return moved


def apply_status(order, status, now):
    """Keep an order coherent when a test moves it to ``status``."""
    order["order_status"] = status
    for parcel in order.get("package_list") or []:
        parcel["logistics_status"] = LOGISTICS_STATUS.get(
            status, parcel.get("logistics_status", "LOGISTICS_NOT_START")
        )
    if status != "UNPAID" and "total_amount" not in order:
        lines = order.get("item_list") or []
        fee = order.get("estimated_shipping_fee") or 0.0
        order["total_amount"] = round(goods_amount(lines) + fee, 2)
        if not order.get("cod"):
            order.setdefault("pay_time", now)
