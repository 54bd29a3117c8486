"""The seed files under ``seeds/lazada/``: products and hand-written orders.

Identities (the app, the sellers) live in ``identities``; the orders name
their SKUs by seller SKU and are completed by ``orders.build``.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from .identities import DEFAULT_SELLER_ID

SEEDS_DIR = Path(__file__).resolve().parents[1] / "seeds" / "lazada"
# The seller the hand-written orders belong to (their SKUs are its SKUs).
SEED_ORDERS_SELLER_ID = DEFAULT_SELLER_ID


@dataclass
class Seeds:
    products: list = field(default_factory=list)
    orders: list = field(default_factory=list)

    def seller_products(self, seller_id):
        return [item for item in self.products if item["seller_id"] == seller_id]


def load_seeds(directory=None):
    directory = Path(directory or SEEDS_DIR)
    orders_path = directory / "orders.json"
    return Seeds(
        products=_read(directory / "products.json"),
        orders=_read(orders_path) if orders_path.exists() else [],
    )


def _read(path):
    return json.loads(path.read_text(encoding="utf-8"))
