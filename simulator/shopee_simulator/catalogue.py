"""A shop's listings: items, their models, stock; and Shopee's answers about them.

An item is kept the way ``seeds/items.json`` writes it: ``models`` holds one
model with ``model_id`` 0 when the item has no variations (``has_model``
false), else its real models. ``tier_names`` names the variation tiers;
a model's ``model_name`` ("Red,M") lists its option of each tier.

Stock is the seller stock of the shop's one location (``THZ``); a model's
``reserved_stock`` is Shopee's promotion reservation (0 unless a test sets
it). Placed orders take seller stock and cancelled ones give it back (see
``State``).
"""

import copy
import random

LOCATION_ID = "THZ"
CURRENCY = "THB"
ITEM_STATUSES = (
    "NORMAL",
    "BANNED",
    "UNLIST",
    "REVIEWING",
    "SELLER_DELETE",
    "SHOPEE_DELETE",
)
DELETED_STATUSES = ("SELLER_DELETE", "SHOPEE_DELETE")
MODEL_STATUSES = ("MODEL_NORMAL", "MODEL_UNAVAILABLE")
# v2.product.get_item_limit's stock_limit (reference sample max 10,000,000).
MAX_STOCK = 10_000_000
LOGISTICS = (
    (70016, "Flash Express"),
    (70021, "Kerry Express"),
    (70023, "J&T Express"),
    (70066, "SPX Express"),
)
DAY = 86400


def load(items, time_to):
    """Working copies of seed items, with the fields the simulator keeps."""
    catalogue = {}
    for index, item in enumerate(items):
        item = copy.deepcopy(item)
        item.setdefault("create_time", time_to - (400 - 7 * index) * DAY)
        item.setdefault("update_time", time_to - (30 - index % 25) * DAY - 3600)
        item.setdefault("category_id", 100630 + index % 5)
        item.setdefault("tier_names", [])
        for model in item["models"]:
            model.setdefault("reserved_stock", 0)
            model.setdefault("model_status", "MODEL_NORMAL")
        catalogue[item["item_id"]] = item
    return catalogue


def orderable(items):
    """The items a buyer can order: listed and with something to sell."""
    return [item for item in items if item["item_status"] == "NORMAL"]


def find_model(item, model_id):
    for model in item["models"]:
        if model["model_id"] == model_id:
            return model
    return None


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
COLOURS = ("ดำ", "ขาว", "ชมพู", "ฟ้า", "เขียว", "แดง", "เทา", "ม่วง", "ทอง", "เงิน")
SIZES = ("S", "M", "L", "XL", "2XL", "3XL", "4XL", "5XL", "6XL", "7XL")
FIRST_ITEM_ID = 24000000001
FIRST_MODEL_ID = 180000000001


def generate(seed, shop_id, count, models_per_item, time_to):
    """``count`` items of ``models_per_item`` models each (0: no variations).

    Same arguments, same catalogue. About 92 % NORMAL, 5 % UNLIST, 3 %
    SELLER_DELETE; a third of the items have no SKU at all, some models
    have none, a few SKUs end with a newline as sellers paste them.
    """
    if count < 0 or not 0 <= models_per_item <= 100:
        raise ValueError("items ≥ 0 and models_per_item in [0, 100]")
    rng = random.Random(seed * 7_919 + shop_id)
    items = []
    model_id = FIRST_MODEL_ID
    for index in range(count):
        item_id = FIRST_ITEM_ID + index
        with_sku = rng.random() >= 0.34
        roll = rng.random()
        status = (
            "NORMAL" if roll < 0.92 else "UNLIST" if roll < 0.97 else "SELLER_DELETE"
        )
        original = rng.randrange(59, 1990, 10)
        price = (
            original
            if rng.random() < 0.4
            else original - original * rng.randint(1, 3) // 10
        )
        sku = f"GEN-{index + 1:05d}" if with_sku else ""
        if with_sku and rng.random() < 0.02:
            sku += "\n"
        item = {
            "shop_id": shop_id,
            "item_id": item_id,
            "item_name": f"{PRODUCTS[index % len(PRODUCTS)]} รุ่น {index + 1}",
            "item_sku": sku,
            "item_status": status,
            "has_model": models_per_item > 0,
            "weight": round(rng.uniform(0.02, 1.5), 2),
            "image_url": f"https://cf.shopee.co.th/file/th-11134207-7r98o-gen{item_id}",
            "tier_names": [],
            "models": [],
        }
        if models_per_item == 0:
            stock = 0 if status != "NORMAL" else rng.randint(0, 300)
            item["models"].append(_model(0, "", "", original, price, stock))
        else:
            names, item["tier_names"] = _variations(models_per_item)
            for number, name in enumerate(names):
                model_sku = ""
                if with_sku and rng.random() >= 0.1:
                    model_sku = f"{sku.strip()}-{number + 1:02d}"
                    if rng.random() < 0.02:
                        model_sku += "\n"
                stock = rng.randint(0, 120) if status == "NORMAL" else 0
                item["models"].append(
                    _model(model_id, name, model_sku, original, price, stock)
                )
                model_id += 1
        items.append(item)
    return items


def _model(model_id, name, sku, original, price, stock):
    return {
        "model_id": model_id,
        "model_name": name,
        "model_sku": sku,
        "original_price": original,
        "price": price,
        "stock": stock,
    }


def _variations(count):
    """(model names, tier names): one colour tier up to 10, else colour × size."""
    if count <= len(COLOURS):
        return list(COLOURS[:count]), ["สี"]
    names = [f"{colour},{size}" for colour in COLOURS for size in SIZES]
    return names[:count], ["สี", "ขนาด"]


# -- Shopee's answers -------------------------------------------------------------


def list_entry(item):
    """One ``get_item_list`` entry."""
    return {
        "item_id": item["item_id"],
        "item_status": item["item_status"],
        "update_time": item["update_time"],
        "tag": {"kit": False},
    }


def price_info(model):
    return [
        {
            "currency": CURRENCY,
            "original_price": float(model["original_price"]),
            "current_price": float(model["price"]),
        }
    ]


def stock_info(models, saleable=True):
    """``stock_info_v2`` of one model, or the sum of an item's models."""
    stock = sum(model["stock"] for model in models)
    return {
        "summary_info": {
            "total_reserved_stock": sum(model["reserved_stock"] for model in models),
            "total_available_stock": stock,
        },
        "seller_stock": [
            {"location_id": LOCATION_ID, "stock": stock, "if_saleable": saleable}
        ],
        "shopee_stock": [],
    }


def _image_id(item):
    return item["image_url"].rsplit("/", 1)[-1]


def base_info(item):
    """One ``get_item_base_info`` entry: no ``price_info`` when it has models."""
    info = {
        "item_id": item["item_id"],
        "category_id": item["category_id"],
        "item_name": item["item_name"],
        "description": item.get("description", item["item_name"]),
        "item_sku": item["item_sku"],
        "create_time": item["create_time"],
        "update_time": item["update_time"],
        "attribute_list": [],
    }
    if not item["has_model"]:
        info["price_info"] = price_info(item["models"][0])
    info.update(
        {
            "image": {
                "image_url_list": [item["image_url"]],
                "image_id_list": [_image_id(item)],
            },
            "weight": f"{item['weight']:.2f}",
            "dimension": {
                "package_length": 15,
                "package_width": 10,
                "package_height": 5,
            },
            "logistic_info": [
                {
                    "logistic_id": channel_id,
                    "logistic_name": name,
                    "enabled": True,
                    "is_free": False,
                }
                for channel_id, name in LOGISTICS
            ],
            "pre_order": {"is_pre_order": False, "days_to_ship": 2},
            "condition": "NEW",
            "size_chart": "",
            "item_status": item["item_status"],
            "deboost": False,
            "has_model": item["has_model"],
            "promotion_id": 0,
            "brand": {"brand_id": 0, "original_brand_name": "NoBrand"},
            "item_dangerous": 0,
            "description_type": "normal",
            "stock_info_v2": stock_info(
                item["models"], item["item_status"] == "NORMAL"
            ),
        }
    )
    return info


def tiers(item):
    """(tier_variation, {model_id: tier_index}) from the models' names."""
    options = [[] for _name in item["tier_names"]]
    indexes = {}
    for model in item["models"]:
        parts = model["model_name"].split(",") if item["tier_names"] else []
        index = []
        for tier, part in zip(options, parts, strict=False):
            if part not in tier:
                tier.append(part)
            index.append(tier.index(part))
        indexes[model["model_id"]] = index
    variation = [
        {"name": name, "option_list": [{"option": option} for option in tier]}
        for name, tier in zip(item["tier_names"], options, strict=True)
    ]
    return variation, indexes


def model_list(item):
    """``get_model_list``'s response: tiers and models (none without variations)."""
    if not item["has_model"]:
        return {"tier_variation": [], "model": [], "standardise_tier_variation": []}
    variation, indexes = tiers(item)
    saleable = item["item_status"] == "NORMAL"
    return {
        "tier_variation": variation,
        "model": [
            {
                "model_id": model["model_id"],
                "model_sku": model["model_sku"],
                "model_status": model["model_status"],
                "tier_index": indexes[model["model_id"]],
                "price_info": price_info(model),
                "stock_info_v2": stock_info(
                    [model], saleable and model["model_status"] == "MODEL_NORMAL"
                ),
                "pre_order": {"is_pre_order": False, "days_to_ship": 2},
                "weight": f"{item['weight']:.2f}",
                "dimension": {
                    "package_length": 15,
                    "package_width": 10,
                    "package_height": 5,
                },
                "gtin_code": "00",
                "promotion_id": 0,
                "is_fulfillment_by_shopee": False,
            }
            for model in item["models"]
        ],
        "standardise_tier_variation": [],
    }
