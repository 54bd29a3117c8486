"""A seller's products: items, their SKUs and stock; and Lazada's answers about them.

An item is kept as ``{item_id, seller_id, name, brand, primary_category,
status, package_weight, created, updated, skus}`` (times in epoch seconds);
a SKU as ``{SkuId, SellerSku, price, special_price (satang, 0: none),
sellable, withhold, occupy, variation, saleProp, Status}``.

Stock follows Lazada's inventory guide: ``sellable`` is what buyers can
still buy and what ``/product/stock/sellable/update`` sets; units of unpaid
orders are *withheld*, of pending to packed orders *occupied*; they leave at
ready-to-ship; ``quantity`` = sellable + withheld + occupied.
"""

import copy
import random

from . import money
from .timefmt import DAY, millis

ITEM_STATUSES = ("Active", "InActive", "Deleted", "Pending QC", "Suspended")
SKU_STATUSES = ("active", "inactive")
FILTERS = ("all", "live", "inactive", "deleted", "pending", "rejected", "sold-out")
WAREHOUSE = "dropshipping"
IMAGE_HOST = "https://th-live-02.slatic.net/p"


def shop_sku(item_id, sku_id):
    return f"{item_id}_TH-{sku_id}"


def item_price(sku):
    """What a buyer pays for one unit now: the special price when set."""
    return sku["special_price"] or sku["price"]


def load(items, time_to):
    """Working copies of seed (or control) items: ``{item_id: item}``."""
    catalogue = {}
    for index, item in enumerate(items):
        item = copy.deepcopy(item)
        item.setdefault("brand", "No Brand")
        item.setdefault("primary_category", 10100869)
        item.setdefault("status", "Active")
        item.setdefault("package_weight", "0.2")
        item.setdefault("created", time_to - (420 - 9 * index) * DAY)
        item.setdefault("updated", time_to - (40 - index % 30) * DAY - 7200)
        for sku in item["skus"]:
            sku["price"] = money.satang(sku.get("price"))
            sku["special_price"] = money.satang(sku.get("special_price"))
            sku.setdefault("sellable", 0)
            sku.setdefault("variation", "")
            sku.setdefault("Status", "active")
            sku["withhold"] = sku["occupy"] = 0
        catalogue[item["item_id"]] = item
    return catalogue


def orderable(items):
    """(item, sku) pairs a buyer can order: live items, active SKUs."""
    return [
        (item, sku)
        for item in items
        if item["status"] == "Active"
        for sku in item["skus"]
        if sku["Status"] == "active"
    ]


def matches_filter(item, name):
    status = item["status"]
    if name == "all":
        return status != "Deleted"
    if name == "live":
        return status == "Active"
    if name == "inactive":
        return status == "InActive"
    if name == "deleted":
        return status == "Deleted"
    if name == "pending":
        return status == "Pending QC"
    if name == "rejected":
        return status == "Suspended"
    return status == "Active" and not any(sku["sellable"] for sku in item["skus"])


# -- generated catalogues -------------------------------------------------------

PRODUCTS = (
    "เคสโทรศัพท์กันกระแทก",
    "สายชาร์จ USB-C",
    "หูฟังบลูทูธ",
    "ฟิล์มกระจกนิรภัย",
    "พาวเวอร์แบงค์",
    "ที่ชาร์จในรถ",
    "ขาตั้งมือถือ",
    "ลำโพงบลูทูธพกพา",
    "เมาส์ไร้สาย",
    "Smart Watch Strap",
    "Magnetic Phone Holder",
    "LED Desk Lamp",
)
COLOURS = (
    ("ดำ", "Black"), ("ขาว", "White"), ("ชมพู", "Pink"), ("ฟ้า", "Blue"),
    ("เขียว", "Green"), ("แดง", "Red"), ("เทา", "Grey"), ("ม่วง", "Purple"),
    ("ทอง", "Gold"), ("เงิน", "Silver"),
)  # fmt: skip
SIZES = ("S", "M", "L", "XL", "2XL", "3XL", "4XL", "5XL", "6XL", "7XL")
FIRST_ITEM_ID = 4200000001
FIRST_SKU_ID = 18000000001


def generate(seed, seller_id, count, skus_per_item, time_to):
    """``count`` items of ``skus_per_item`` SKUs each (0: one SKU, no variation).

    Same arguments, same catalogue: about 92 % Active, 5 % InActive, 3 %
    Deleted; most seller SKUs ``GEN-00001-01``, some the shape Lazada makes
    up when the seller leaves it out (``<item_id>-<ms>-<n>``), a few with a
    trailing newline or space as sellers paste them.
    """
    if count < 0 or not 0 <= skus_per_item <= 100:
        raise ValueError("items ≥ 0 and skus_per_item in [0, 100]")
    rng = random.Random(seed * 7_919 + seller_id)
    items = []
    sku_id = FIRST_SKU_ID
    for index in range(count):
        item_id = FIRST_ITEM_ID + index
        roll = rng.random()
        status = "Active" if roll < 0.92 else "InActive" if roll < 0.97 else "Deleted"
        price = rng.randrange(59, 1990, 10)
        special = 0 if rng.random() < 0.4 else price - price * rng.randint(1, 3) // 10
        auto_sku = rng.random() < 0.25
        variations = _variations(skus_per_item) if skus_per_item else [("", {})]
        skus = []
        for number, (variation, sale_prop) in enumerate(variations):
            if auto_sku:
                seller_sku = f"{item_id}-{1690000000000 + item_id % 10**6}-{number}"
            else:
                seller_sku = f"GEN-{index + 1:05d}-{number + 1:02d}"
                roll = rng.random()
                seller_sku += "\n" if roll < 0.02 else " " if roll < 0.03 else ""
            sellable = rng.randint(0, 120) if status == "Active" else 0
            sku = {"SkuId": sku_id, "SellerSku": seller_sku, "price": price,
                   "special_price": special, "sellable": sellable, "variation": variation}  # fmt: skip
            if sale_prop:
                sku["saleProp"] = sale_prop
            skus.append(sku)
            sku_id += 1
        items.append(
            {
                "item_id": item_id,
                "seller_id": seller_id,
                "name": f"{PRODUCTS[index % len(PRODUCTS)]} รุ่น {index + 1}",
                "brand": "No Brand",
                "primary_category": 10100869 + index % 7,
                "status": status,
                "package_weight": f"{rng.uniform(0.02, 1.5):.2f}",
                "created": time_to - rng.randint(30, 700) * DAY,
                "updated": time_to - rng.randint(0, 29) * DAY - rng.randint(0, DAY),
                "skus": skus,
            }
        )
    return items


def _variations(count):
    """(variation text, saleProp) of ``count`` SKUs: colours, then colour × size."""
    if count <= len(COLOURS):
        return [(f"สี:{th}", {"color_family": en}) for th, en in COLOURS[:count]]
    pairs = [
        (f"สี:{th}, ขนาด:{size}", {"color_family": en, "size": size})
        for th, en in COLOURS
        for size in SIZES
    ]
    return pairs[:count]


# -- Lazada's answers -------------------------------------------------------------


def quantity(sku):
    return sku["sellable"] + sku["withhold"] + sku["occupy"]


def image(item):
    return f"{IMAGE_HOST}/sim{item['item_id']}.jpg"


def product_url(item, sku):
    return f"https://www.lazada.co.th/-i{item['item_id']}-s{sku['SkuId']}.html"


def sku_answer(item, sku):
    total = quantity(sku)
    answer = {
        "Status": sku["Status"],
        "quantity": total,
        "Images": [image(item)],
        "SellerSku": sku["SellerSku"],
        "ShopSku": shop_sku(item["item_id"], sku["SkuId"]),
        "Url": product_url(item, sku),
        "multiWarehouseInventories": [
            {
                "occupyQuantity": sku["occupy"],
                "quantity": total,
                "totalQuantity": total,
                "withholdQuantity": sku["withhold"],
                "warehouseCode": WAREHOUSE,
                "sellableQuantity": sku["sellable"],
            }
        ],
        "package_width": "10.00",
        "package_height": "5.00",
        "fblWarehouseInventories": [],
        "special_price": sku["special_price"] / 100,
        "price": sku["price"] / 100,
        "channelInventories": [],
        "package_length": "15.00",
        "package_weight": item["package_weight"],
        "Available": sku["sellable"],
        "SkuId": sku["SkuId"],
    }
    if sku.get("saleProp"):
        answer["saleProp"] = dict(sku["saleProp"])
    return answer


def product_answer(item):
    """One product as ``/products/get`` and ``/product/item/get`` show it."""
    return {
        "created_time": millis(item["created"]),
        "updated_time": millis(item["updated"]),
        "images": [image(item)],
        "skus": [sku_answer(item, sku) for sku in item["skus"]],
        "item_id": item["item_id"],
        "trialProduct": False,
        "primary_category": item["primary_category"],
        "marketImages": [],
        "attributes": {
            "name": item["name"],
            "short_description": f"<ul><li>{item['name']}</li></ul>",
            "description": f"<p>{item['name']}</p>",
            "brand": item["brand"],
            "warranty_type": "No Warranty",
            "source": "asc",
        },
        "status": item["status"],
        "suspendedSkus": [],
    }


def variation_answer(item):
    """``/product/item/get``'s ``variation``: the names of its sale props."""
    names = []
    for sku in item["skus"]:
        for name in sku.get("saleProp") or {}:
            if name not in names:
                names.append(name)
    answer = {}
    for number, name in enumerate(names, start=1):
        options = []
        for sku in item["skus"]:
            option = (sku.get("saleProp") or {}).get(name)
            if option and option not in options:
                options.append(option)
        answer[f"variation{number}"] = {
            "name": name,
            "has_image": number == 1,
            "customize": False,
            "options": options,
            "label": name.replace("_", " ").title(),
        }
    return answer


def stock_row(item, sku):
    return {
        "item_id": item["item_id"],
        "sku_id": sku["SkuId"],
        "seller_sku": sku["SellerSku"],
        "item_status": item["status"],
        "status": sku["Status"],
        "sellable": sku["sellable"],
        "withhold": sku["withhold"],
        "occupy": sku["occupy"],
        "quantity": quantity(sku),
    }
