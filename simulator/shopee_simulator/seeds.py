"""The seed files: partners, shops, items, hand-written orders and their money.

``escrow.json`` holds the money terms of the hand-written orders (see
``money``): what their order detail does not say (vouchers, coins, who paid
the shipping, bundle prices).
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parents[1] / "seeds"
# The shop the hand-written orders belong to (their items are its items).
SEED_ORDERS_SHOP_ID = 600100200


@dataclass
class Seeds:
    partners: dict = field(default_factory=dict)
    shops: dict = field(default_factory=dict)
    main_accounts: dict = field(default_factory=dict)
    items: list = field(default_factory=list)
    orders: list = field(default_factory=list)
    escrow: dict = field(default_factory=dict)

    def shop_items(self, shop_id):
        return [item for item in self.items if item["shop_id"] == shop_id]


def load_seeds(directory=None):
    directory = Path(directory or SEEDS_DIR)
    shops = _read(directory / "shops.json")
    return Seeds(
        partners={p["partner_id"]: p for p in _read(directory / "partners.json")},
        shops={s["shop_id"]: s for s in shops["shops"]},
        main_accounts={m["main_account_id"]: m for m in shops["main_accounts"]},
        items=_read(directory / "items.json"),
        orders=[_read(path) for path in sorted((directory / "orders").glob("*.json"))],
        escrow=_read(directory / "escrow.json")
        if (directory / "escrow.json").exists()
        else {},
    )


def _read(path):
    return json.loads(path.read_text(encoding="utf-8"))
