"""Give the demo seller its Odoo catalogue: products with stock.

The products carry, as Internal Reference, the SKUs of the simulator's shop
600100200 (simulator/seeds/items.json), so that "Import products now" binds
most listings by SKU by itself; the listings without SKU (a Lightning cable,
a Samsung case in three colours, a screen film in 60 models…) are left for
Bulk Binding. Each product has stock in the main warehouse, so that sale
orders reserve it and a stock push has something to send. Safe to run again:
products are found by their Internal Reference.

Usage: python demo_catalogue.py <odoo options: -c, --addons-path, --db_*> -d DB
"""

import sys

import odoo
from odoo import SUPERUSER_ID, api

# (Internal Reference, name, sales price, quantity in stock)
CATALOGUE = [
    ("BGH-USBC-CABLE-1M", "สายชาร์จ USB-C ถัก 1 ม. 60W", 129, 120),
    ("BGH-TSHIRT-RED-M", "เสื้อยืดโลโก้ผ้าฝ้าย แดง M", 259, 20),
    ("BGH-TSHIRT-RED-L", "เสื้อยืดโลโก้ผ้าฝ้าย แดง L", 259, 15),
    ("BGH-TSHIRT-BLK-M", "เสื้อยืดโลโก้ผ้าฝ้าย ดำ M", 259, 30),
    ("BGH-POWERBANK-10K", "พาวเวอร์แบงก์ PowerCore 10000mAh", 590, 40),
    ("BGH-CASE-IP15-CLR", "เคสกันกระแทก iPhone 15 ใส", 199, 60),
    ("BGH-CASE-IP15-BLK", "เคสกันกระแทก iPhone 15 ดำ", 199, 50),
    ("BGH-GLASS-IP15", "ฟิล์มกระจก iPhone 15 (2 แผ่น)", 149, 100),
    ("BGH-EARBUDS-TWS", "หูฟังไร้สาย TWS ตัดเสียงรบกวน", 890, 12),
    ("BGH-STAND-SLV", "ขาตั้งมือถืออลูมิเนียม สีเงิน", 219, 18),
    ("BGH-CLEANKIT", "ชุดทำความสะอาดหน้าจอ", 89, 25),
    ("BGH-CARCHG-38W", "ที่ชาร์จในรถ 38W USB-C + USB-A", 290, 30),
]


def demo_catalogue(env):
    products = env["product.product"]
    warehouse = env["stock.warehouse"].search(
        [("company_id", "=", env.company.id)], limit=1
    )
    created = 0
    for code, name, price, quantity in CATALOGUE:
        product = products.search([("default_code", "=", code)], limit=1)
        if product:
            continue
        product = products.create(
            {
                "name": name,
                "default_code": code,
                "is_storable": True,
                "list_price": price,
            }
        )
        env["stock.quant"].with_context(inventory_mode=True).create(
            {
                "product_id": product.id,
                "location_id": warehouse.lot_stock_id.id,
                "inventory_quantity": quantity,
            }
        ).action_apply_inventory()
        created += 1
    return created


def main(argv):
    odoo.tools.config.parse_config(argv)
    database = odoo.tools.config["db_name"]
    if isinstance(database, list):  # Odoo 18 may parse it as a list
        database = database[0]
    registry = odoo.modules.registry.Registry(database)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        created = demo_catalogue(env)
    print(f"    demo catalogue: {created} products with stock")


if __name__ == "__main__":
    main(sys.argv[1:])
