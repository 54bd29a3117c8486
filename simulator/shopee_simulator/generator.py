"""Orders for volume, built deterministically: same seed and arguments, same bytes.

Every generated order has the full get_order_detail shape of the hand-written
seeds (``seeds/orders``) and looks like a real Thai order: money in whole
baht (ints), recipients in Thai script with masked name and phone, the
top-level ``shipping_carrier`` empty while the package and
``checkout_shipping_carrier`` name the carrier, lines without SKU (well over
30 %), SKUs ending with a newline, several models of one item, bundle-deal
lines at ``model_discounted_price`` 0, and vouchers, coins and Shopee
discounts, so that ``total_amount`` is rarely Σ lines + shipping.

Each order comes with its money *terms* (see ``money``): its
``total_amount`` is the escrow's ``buyer_total_amount``.
"""

import copy
import hashlib
import random
import string
from datetime import datetime, timedelta, timezone

from . import catalogue, money, thai

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
# A package has a tracking number once shipment is arranged (§5.3 PROCESSED).
TRACKED_LOGISTICS = frozenset(
    (
        "LOGISTICS_REQUEST_CREATED",
        "LOGISTICS_PICKUP_DONE",
        "LOGISTICS_DELIVERY_DONE",
        "LOGISTICS_PICKUP_FAILED",
        "LOGISTICS_PICKUP_RETRY",
        "LOGISTICS_DELIVERY_FAILED",
        "LOGISTICS_LOST",
    )
)
SHIPPED_STATUSES = ("SHIPPED", "TO_CONFIRM_RECEIVE", "COMPLETED")
CARRIERS = (
    (70016, "Flash Express"),
    (70021, "Kerry Express"),
    (70023, "J&T Express"),
    (70066, "SPX Express"),
)
PAYMENT_METHODS = ("ShopeePay", "Credit Card/Debit Card", "Mobile Banking", "SPayLater")
SHIPPING_FEES = (30, 35, 38, 45)
QUANTITIES = (1, 1, 1, 1, 2, 2, 3)
LINE_COUNTS = (1, 1, 1, 2, 2, 3)
# Share of lines drawn from the SKU-less listings (sellers often leave SKUs out).
NO_SKU_SHARE = 0.42
BUYERS = ("ploy", "nong.may", "arthit", "kanokwan", "boss_th", "mint", "tanawat")
BUYER_CANCEL_REASONS = (
    "Need to change delivery address",
    "Modify existing order",
    "Found cheaper elsewhere",
)
SELLER_CANCEL_REASON = "Out of Stock"
SYSTEM_CANCEL_REASON = "Unpaid Order"
TIME_FIELDS = ("create_time", "update_time", "pay_time", "ship_by_date")
PRODUCT_PROMOTION_ID = 5100001
FLASH_SALE_ID = 6200001
BUNDLE_DEAL_ID = 880001


def generate_orders(seed, count, shop_id, time_from, time_to, items, templates=()):
    """``count`` orders of ``shop_id`` created and updated in [time_from, time_to].

    :param items: the shop's items (``seeds/items.json`` entries); orders
        are made of the NORMAL ones
    :param templates: seed orders, whose messages to the seller are reused
    """
    return [
        order
        for order, _terms in generate_orders_with_terms(
            seed, count, shop_id, time_from, time_to, items, templates
        )
    ]


def generate_orders_with_terms(
    seed, count, shop_id, time_from, time_to, items, templates=()
):
    """Like :func:`generate_orders`, as (order, money terms) pairs."""
    items = catalogue.orderable(items)
    if count and not items:
        raise ValueError(f"shop {shop_id} has no items to build orders from")
    if time_to < time_from:
        raise ValueError("time_to is before time_from")
    rng = random.Random(seed * 1_000_003 + shop_id)
    pools = pools_for(items, templates)
    taken = set()
    return [_generated(rng, pools, time_from, time_to, taken) for _ in range(count)]


def pools_for(items, templates=()):
    """What orders are drawn from: listings with and without SKU, messages."""
    no_sku, with_sku = {}, {}
    for item in catalogue.orderable(items):
        for model in item["models"]:
            bare = not item["item_sku"] and not model["model_sku"]
            pool = no_sku if bare else with_sku
            pool.setdefault(item["item_id"], (item, []))[1].append(model)
    messages = [t["message_to_seller"] for t in templates if t.get("message_to_seller")]
    return {
        "no_sku": list(no_sku.values()),
        "with_sku": list(with_sku.values()),
        "messages": messages + list(thai.MESSAGES),
    }


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
        "model_original_price": int(model["original_price"]),
        "model_discounted_price": int(model["price"]),
        "wholesale": False,
        "weight": item["weight"],
        "add_on_deal": False,
        "main_item": False,
        "add_on_deal_id": 0,
        "promotion_type": "product_promotion" if discounted else "",
        "promotion_id": PRODUCT_PROMOTION_ID if discounted else 0,
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


def tracking_number(order, parcel):
    """The package's tracking number once shipment is arranged, else ""."""
    if parcel.get("logistics_status") not in TRACKED_LOGISTICS:
        return ""
    digest = hashlib.sha256(
        f"{order['order_sn']}/{parcel['package_number']}".encode()
    ).hexdigest()
    digits = str(int(digest[:16], 16)).zfill(20)
    carrier = parcel.get("shipping_carrier", "")
    if carrier == "Kerry Express":
        return f"SHP{digits[:10]}"
    if carrier == "J&T Express":
        return f"8{digits[:11]}"
    if carrier == "SPX Express":
        return f"TH{digits[:12]}X"
    return f"TH{digits[:10]}A"


def forder_id(parcel):
    """The fulfilment order id of push code 4: digits of the package number."""
    digits = "".join(c for c in parcel["package_number"] if c.isdigit())
    return str(int(digits or "0") % 10**18 + 5_000_000_000_000_000)


# -- lines and money -----------------------------------------------------------------


def _pick(rng, pools, chosen):
    """One (item, model) not yet in the order, or None."""
    no_sku, with_sku = pools["no_sku"], pools["with_sku"]
    pool = no_sku if (no_sku and rng.random() < NO_SKU_SHARE) else with_sku
    pool = pool or no_sku
    for _attempt in range(6):
        item, models = rng.choice(pool)
        model = rng.choice(models)
        if (item["item_id"], model["model_id"]) not in chosen:
            return item, models, model
    return None


def _choose(rng, pools):
    """The (item, model) pairs of one order; sometimes two models of an item."""
    count = rng.choice(LINE_COUNTS)
    chosen = {}
    while len(chosen) < count:
        picked = _pick(rng, pools, chosen)
        if picked is None:
            break
        item, models, model = picked
        chosen[item["item_id"], model["model_id"]] = (item, model)
        others = [m for m in models if (item["item_id"], m["model_id"]) not in chosen]
        if others and rng.random() < 0.25:
            other = rng.choice(others)
            chosen[item["item_id"], other["model_id"]] = (item, other)
    return list(chosen.values())


def _lines(rng, pools):
    """(item_list, per-line terms): promotions, Shopee discounts, bundle deals."""
    lines, line_terms = [], {}
    for item, model in _choose(rng, pools):
        line = order_line(item, model, rng.choice(QUANTITIES))
        unit = line["model_discounted_price"]
        if rng.random() < 0.08 and unit >= 60:
            cut = rng.choice((5, 10, 15))
            line.update(
                model_discounted_price=unit - cut,
                promotion_type="flash_sale",
                promotion_id=FLASH_SALE_ID,
            )
            shopee = cut * line["model_quantity_purchased"]
            line_terms[money.line_key(line)] = {"shopee_discount": shopee}
        lines.append(line)
    plain = [line for line in lines if line["promotion_type"] != "flash_sale"]
    if plain and rng.random() < 0.14:
        _bundle(rng, plain[: rng.choice((1, 2))], line_terms)
    return lines, line_terms


def _bundle(rng, lines, line_terms):
    """Put ``lines`` in one bundle deal: price 0 in the order, real in the escrow."""
    group = 1_100_000_000 + rng.randint(1, 99_999)
    cut = rng.choice((10, 15, 20))
    for line in lines:
        quantity = line["model_quantity_purchased"]
        subtotal = line["model_discounted_price"] * quantity
        paid = subtotal - money.percent(subtotal, cut)
        line_terms[money.line_key(line)] = {
            "seller_discount": line["model_original_price"] * quantity - paid
        }
        line.update(
            model_discounted_price=0,
            promotion_type="bundle_deal",
            promotion_id=BUNDLE_DEAL_ID,
            promotion_group_id=group,
            order_item_id=lines[0]["item_id"],
        )


def _terms(rng, lines, line_terms, fee, payment_method):
    """Vouchers, coins, payment promotion and who paid the shipping."""
    terms = {"lines": line_terms} if line_terms else {}
    goods = sum(
        original - seller - shopee
        for original, seller, shopee in (
            money.line_amounts(line, terms) for line in lines
        )
    )
    roll = rng.random()
    if roll < 0.45:
        terms["buyer_paid_shipping_fee"] = fee
    elif roll < 0.85:  # Shopee's free shipping programme
        terms.update(buyer_paid_shipping_fee=0, shopee_shipping_rebate=fee)
    elif roll < 0.95:  # a Shopee shipping voucher
        rebate = min(fee, 20)
        terms.update(
            buyer_paid_shipping_fee=fee - rebate, shopee_shipping_rebate=rebate
        )
    else:  # free shipping the seller pays for
        terms["buyer_paid_shipping_fee"] = 0
    if rng.random() < 0.2:
        terms["voucher_from_seller"] = min(rng.choice((10, 20, 30, 50)), goods // 4)
    if rng.random() < 0.2:
        terms["voucher_from_shopee"] = min(rng.choice((15, 25, 40, 60)), goods // 4)
    if rng.random() < 0.25:
        terms["coins"] = rng.randint(1, max(1, min(80, goods // 10)))
    if payment_method == "Credit Card/Debit Card" and rng.random() < 0.3:
        terms["payment_promotion"] = min(50, goods // 5)
    return terms


# -- orders ------------------------------------------------------------------------------


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
    """create, update, pay and pickup times of one order."""
    create = rng.randint(time_from, time_to)
    room = time_to - create
    if status == "UNPAID":
        update = create + min(room, rng.randint(0, 600))
    else:
        update = create + min(room, rng.randint(60, 3 * DAY))
    pay = create + min(update - create, rng.randint(30, 900))
    pickup = pay + (update - pay) // 2
    return create, update, pay, pickup


def _generated(rng, pools, time_from, time_to, taken):
    status = _status(rng)
    times = _times(rng, status, time_from, time_to)
    return build_order(rng, pools, taken, status, times, _cancellation(rng, status))


def new_order(rng, pools, taken, status, now):
    """An order placed at ``now`` (traffic): UNPAID, or READY_TO_SHIP if paid."""
    return build_order(rng, pools, taken, status, (now, now, now, now), ("", "", ""))


def build_order(rng, pools, taken, status, times, cancellation):
    """(order, terms): one order in ``status`` with the given times."""
    create, update, pay, pickup = times
    cod = rng.random() < 0.3
    paid = status != "UNPAID" and cancellation[2] != SYSTEM_CANCEL_REASON
    lines, line_terms = _lines(rng, pools)
    carrier = rng.choice(CARRIERS)
    fee = rng.choice(SHIPPING_FEES)
    shipped = status in SHIPPED_STATUSES
    days_to_ship = rng.choice((2, 3))
    payment_method = "Cash on Delivery" if cod else rng.choice(PAYMENT_METHODS)
    terms = _terms(rng, lines, line_terms, fee, payment_method)
    sn = order_sn(rng, create, taken)
    order = {"order_sn": sn, "region": "TH", "currency": "THB", "cod": cod}
    order.update(
        {
            "order_status": status,
            # Empty on real Thai orders: the package names the carrier.
            "shipping_carrier": "",
            "payment_method": payment_method,
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
            "recipient_address": thai.recipient(rng),
            "actual_shipping_fee": fee if shipped else 0,
            "goods_to_declare": False,
            "note": "",
            "note_update_time": 0,
            "item_list": lines,
        }
    )
    if paid:
        order = {
            **{k: order[k] for k in ("order_sn", "region", "currency", "cod")},
            "total_amount": money.buyer_total(order, terms),
            **order,
        }
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
            "reverse_shipping_fee": 0,
            "order_chargeable_weight_gram": weight_grams(lines),
            "booking_sn": "",
            "advance_package": False,
        }
    )
    return order, terms


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


def apply_status(order, status, now, terms=None):
    """Keep an order coherent when it moves to ``status``.

    Packages follow; leaving UNPAID for a paid status sets ``total_amount``
    (the escrow's buyer total under ``terms``) and ``pay_time``; shipping
    sets the pickup time and actual fee; a cancellation says who and why
    unless the change does.
    """
    previous = order.get("order_status")
    order["order_status"] = status
    for parcel in order.get("package_list") or []:
        parcel["logistics_status"] = LOGISTICS_STATUS.get(
            status, parcel.get("logistics_status", "LOGISTICS_NOT_START")
        )
    never_paid = status == "CANCELLED" and previous == "UNPAID"
    if status != "UNPAID" and "total_amount" not in order and not never_paid:
        terms = terms if terms is not None else money.default_terms(order)
        order["total_amount"] = money.buyer_total(order, terms)
        if not order.get("cod"):
            order.setdefault("pay_time", now)
    if status in SHIPPED_STATUSES:
        if not order.get("pickup_done_time"):
            order["pickup_done_time"] = now
        if not order.get("actual_shipping_fee"):
            order["actual_shipping_fee"] = order.get("estimated_shipping_fee") or 0
    if status == "COMPLETED":
        order["actual_shipping_fee_confirmed"] = True
        if order.get("cod") and "total_amount" in order:
            order.setdefault("pay_time", now)
    if status == "IN_CANCEL" and not order.get("buyer_cancel_reason"):
        order["buyer_cancel_reason"] = BUYER_CANCEL_REASONS[0]
    if status == "CANCELLED" and not order.get("cancel_by"):
        if previous == "UNPAID":
            order.update(cancel_by="system", cancel_reason=SYSTEM_CANCEL_REASON)
        elif previous == "IN_CANCEL":
            reason = order.get("buyer_cancel_reason") or BUYER_CANCEL_REASONS[0]
            order.update(cancel_by="buyer", cancel_reason=reason)
        else:
            order.update(cancel_by="seller", cancel_reason=SELLER_CANCEL_REASON)
