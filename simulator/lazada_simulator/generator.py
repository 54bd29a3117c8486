"""Orders for volume, built deterministically: same seed and arguments, same orders.

Every generated order has the messiness of real Lazada Thailand orders
(lazada-api.md §8b): one row per unit (two of a SKU are two rows), item rows
of one order in different statuses now and then, seller and platform
vouchers and shipping discounts (so the buyer's total is rarely price +
shipping), COD and card and 7-Eleven payments, bilingual masked addresses,
tax-invoice requests, older orders whose ``order_number`` differs from
``order_id`` and whose rows lack ``sku_id``. Order ids grow with creation
time, as Lazada's do.
"""

import random

from . import catalogue, orders, thai
from .timefmt import DAY, parse_time

STAGES = (
    ("unpaid", 6),
    ("pending", 20),
    ("packed", 7),
    ("ready_to_ship", 9),
    ("shipped", 14),
    ("delivered", 30),
    ("canceled", 9),
    ("failed_delivery", 2),
    ("returned", 3),
)
# How long after creation an order in a stage was last updated (seconds).
DELAYS = {
    "unpaid": (0, 900),
    "pending": (60, 6 * 3600),
    "packed": (3600, DAY),
    "ready_to_ship": (2 * 3600, 2 * DAY),
    "shipped": (DAY, 3 * DAY),
    "delivered": (2 * DAY, 6 * DAY),
    "canceled": (300, 2 * DAY),
    "failed_delivery": (3 * DAY, 6 * DAY),
    "returned": (5 * DAY, 12 * DAY),
}
PAYMENTS = (
    ("COD", 36),
    ("MIXEDCARD", 28),
    ("PAYMENT_ACCOUNT", 10),
    ("SEVENELEVEN_OTC", 5),
    ("KASIKORN_BANK_ONLINE", 6),
    ("AC_WALLET_RABBIT_LINE_PAY", 5),
    ("TMN_EXPRESS", 10),
)
QUANTITIES = (1, 1, 1, 1, 1, 2, 2, 3)
LINE_COUNTS = (1, 1, 1, 1, 2, 2, 3)
SHIPPING_FEES = (30, 38, 40, 45, 50)
FIRST_ORDER_ID = 400_000_000_000_000


def _weighted(rng, table):
    names = [name for name, _weight in table]
    weights = [weight for _name, weight in table]
    return rng.choices(names, weights)[0]


def _lines(rng, pool):
    """[(listing, quantity)]: one to three distinct SKUs."""
    chosen = {}
    for _attempt in range(rng.choice(LINE_COUNTS) * 3):
        item, sku = rng.choice(pool)
        chosen.setdefault(sku["SkuId"], ((item, sku), rng.choice(QUANTITIES)))
        if len(chosen) >= 3:
            break
    return list(chosen.values())


def _statuses(rng, stage, units):
    """Each unit's status: mostly the stage, sometimes one unit apart."""
    statuses = [stage] * units
    if units > 1 and rng.random() < 0.12:
        if stage in ("pending", "packed", "ready_to_ship", "unpaid"):
            statuses[rng.randrange(units)] = "canceled"
        elif stage == "delivered":
            statuses[rng.randrange(units)] = "returned"
    return statuses


def _money(rng, spec, goods, stage):
    """Vouchers and shipping discounts on the order (split over units later)."""
    if rng.random() < 0.25 and stage != "unpaid":
        spec["voucher_seller"] = min(rng.choice((10, 20, 30, 50)), goods // 400)
    if rng.random() < 0.2:
        spec["voucher_platform"] = min(rng.choice((15, 25, 40, 60)), goods // 400)
    fee = rng.choice(SHIPPING_FEES)
    spec["shipping_fee_original"] = fee
    roll = rng.random()
    if roll < 0.4:  # Lazada's free shipping programme
        spec["shipping_fee_discount_platform"] = fee
    elif roll < 0.5:
        spec["shipping_fee_discount_seller"] = fee
    elif roll < 0.6:
        spec["shipping_fee_discount_platform"] = min(fee, 20)


def order_spec(rng, pool, created, updated, order_id, old=False):
    """One order in the API's shape, for :func:`orders.build`."""
    stage = _weighted(rng, STAGES)
    lines = _lines(rng, pool)
    units = [listing for listing, quantity in lines for _ in range(quantity)]
    statuses = _statuses(rng, stage, len(units))
    items = []
    for (item, sku), status in zip(units, statuses, strict=True):
        row = {"_listing": (item, sku), "status": status}
        if old and rng.random() < 0.5:
            row["sku_id"] = ""
        items.append(row)
    low, high = DELAYS[stage]
    spec = {
        "order_id": order_id,
        "created_at": created,
        "updated_at": min(created + rng.randint(low, high), updated),
        "items": items,
        "payment_method": "SEVENELEVEN_OTC"
        if stage == "unpaid" and rng.random() < 0.5
        else _weighted(rng, PAYMENTS),
        "remarks": rng.choice(thai.REMARKS),
    }
    if old:
        spec["order_number"] = order_id - rng.randint(10**9, 10**10)
    first = rng.choice(thai.FIRST_NAMES)
    last = rng.choice(thai.LAST_NAMES)
    spec["customer_first_name"], spec["customer_last_name"] = first, last
    spec["address_shipping"] = thai.address(rng, first, last, rng.random() > 0.1)
    if rng.random() < 0.05:
        spec["tax_code"] = "".join(str(rng.randint(0, 9)) for _ in range(13))
        spec["branch_number"] = "00000"
    goods = sum(catalogue.item_price(sku) for _item, sku in units)
    _money(rng, spec, goods, stage)
    return spec


def generate_orders(seed, count, seller_id, time_from, time_to, items):
    """``count`` order records of ``seller_id`` created in [time_from, time_to].

    :param items: the seller's catalogue items; orders are made of its live
        items' active SKUs
    """
    pool = catalogue.orderable(items)
    if count and not pool:
        raise ValueError(f"seller {seller_id} has no products to build orders from")
    if time_to < time_from:
        raise ValueError("time_to is before time_from")
    rng = random.Random(seed * 1_000_003 + seller_id)
    ids = orders.Ids(random.Random(seed))
    created = sorted(rng.randint(time_from, time_to) for _ in range(count))
    old_before = time_from + (time_to - time_from) // 10
    order_id = FIRST_ORDER_ID + rng.randrange(10**13)
    records = []
    for moment in created:
        order_id += rng.randint(2_000, 90_000)
        spec = order_spec(rng, pool, moment, time_to, order_id, moment < old_before)
        records.append(orders.build(spec, seller_id, None, ids, moment))
    return records


def new_order_spec(rng, pool, status, moment, order_id):
    """An order placed at ``moment`` (traffic): every unit in ``status``."""
    spec = order_spec(rng, pool, moment, moment, order_id)
    spec["updated_at"] = moment
    for row in spec["items"]:
        row["status"] = status
    if status == "unpaid":
        spec.pop("voucher_seller", None)
    return spec


def redate(specs, time_from, time_to):
    """Copies of seed order specs moved into [time_from, time_to], spread
    evenly; each keeps the interval between its creation and last update."""
    span = max(time_to - time_from, 0)
    moved = []
    for index, spec in enumerate(specs):
        spec = dict(spec)
        created = parse_time(spec["created_at"])
        updated = parse_time(spec.get("updated_at")) or created
        target = time_from + span * (index + 1) // (len(specs) + 1)
        spec["created_at"] = target
        spec["updated_at"] = min(target + (updated - created), time_to)
        moved.append(spec)
    return moved
