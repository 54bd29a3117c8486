"""The benchmark's in-process side: Odoo's ORM on the benchmark database.

``bench/run.py`` starts it once (with the Python that runs Odoo) and sends it
one JSON command a line on stdin; each answer is one JSON line on stdout
(Odoo logs to stderr). Each command runs in a fresh cursor and environment,
so what the server committed meanwhile is seen and no cache is stale.

It measures the floors (what bare Odoo does with the same records: batch and
one-by-one creates of the orders, create + confirm of the sale orders), the
compute-only figures (automatic binding, stock quantities) and prepares data
the benchmarks need but do not measure (products, stock, 100,000 orders).
Floors roll back: they leave the database as they found it.

Usage: python odoo_worker.py <odoo options: -c, --addons-path, --db_*> -d DB
"""

import cProfile
import json
import os
import random
import sys
import time
import traceback
from urllib.request import urlopen

import odoo
from odoo import SUPERUSER_ID, api, fields

CHUNK = 50


# channel: (backend model, order binding model, the simulator's shop key)
CHANNELS = {
    "shopee": ("shopee.shop", "shopee.order", "shop_id"),
    "lazada": ("lazada.shop", "lazada.order", "seller_id"),
}


def _shopee_shop(env, shop_id):
    return env["shopee.shop"].search([("marketplace_shop_id", "=", shop_id)], limit=1)


def _channel_backend(env, shop_id):
    """(backend, order binding model, simulator shop key) of the shop."""
    channel = env["marketplace.shop"].browse(shop_id).channel
    backend_model, order_model, key = CHANNELS[channel]
    backend = env[backend_model].search(
        [("marketplace_shop_id", "=", shop_id)], limit=1
    )
    return backend, order_model, key


def _simulator_orders(simulator_url, shop_external_id, key="shop_id"):
    url = f"{simulator_url}/_simulator/orders?{key}={shop_external_id}"
    with urlopen(url, timeout=600) as response:
        return json.loads(response.read())["orders"]


# -- floors -----------------------------------------------------------------------


def order_values(env, shop_id, simulator_url):
    """The values the connector's mapper gives the simulator's orders, for a
    bare ``marketplace.order`` create (binding fields left out)."""
    backend, order_model, key = _channel_backend(env, shop_id)
    orders = _simulator_orders(simulator_url, backend.external_id, key)
    order_fields = env["marketplace.order"]._fields
    values = []
    with backend.work_on(order_model) as work:
        mapper = work.component(usage="import.mapper")
        for order in orders:
            vals = mapper.map_record(order).values(for_create=True)
            values.append({k: v for k, v in vals.items() if k in order_fields})
    return values


def cmd_order_floor(env, shop_id, simulator_url, one_by_one=2000, **_kw):
    """Bare ORM create of the simulator's orders and lines: in batches of 50,
    then one by one (the first ``one_by_one`` orders); rolled back."""
    values = order_values(env, shop_id, simulator_url)
    orders = env["marketplace.order"].sudo()
    lines = sum(len(v.get("line_ids") or []) for v in values)
    env.cr.execute("SAVEPOINT floor")
    queries = env.cr.sql_log_count
    started = time.perf_counter()
    for index in range(0, len(values), CHUNK):
        orders.create(values[index : index + CHUNK])
        env.flush_all()
    batch = time.perf_counter() - started
    queries = env.cr.sql_log_count - queries
    env.cr.execute("ROLLBACK TO SAVEPOINT floor")
    env.invalidate_all()
    single = values[:one_by_one]
    started = time.perf_counter()
    for index in range(0, len(single), CHUNK):
        for vals in single[index : index + CHUNK]:
            orders.create(vals)
        env.flush_all()
    one = time.perf_counter() - started
    env.cr.execute("ROLLBACK TO SAVEPOINT floor")
    env.cr.rollback()
    return {
        "orders": len(values),
        "lines": lines,
        "batch_seconds": batch,
        "batch_rate": len(values) / batch,
        "batch_queries_per_order": queries / len(values),
        "one_by_one_orders": len(single),
        "one_by_one_seconds": one,
        "one_by_one_rate": len(single) / one,
    }


def cmd_import_direct(env, shop_id, simulator_url, count=2000, **_kw):
    """The connector's chunk import called directly, without queue_job (what
    a chunk's queue job runs, minus its bookkeeping), on the first ``count``
    of the simulator's orders; rolled back."""
    backend = _shopee_shop(env, shop_id)
    order_sns = [
        order["order_sn"]
        for order in _simulator_orders(simulator_url, backend.external_id)[:count]
    ]
    env.cr.execute("SAVEPOINT direct")
    queries = env.cr.sql_log_count
    started = time.perf_counter()
    for index in range(0, len(order_sns), CHUNK):
        result = backend._marketplace_import_orders(order_sns[index : index + CHUNK])
        result.records.line_ids._assign_products()
        env.flush_all()
    seconds = time.perf_counter() - started
    queries = env.cr.sql_log_count - queries
    env.cr.execute("ROLLBACK TO SAVEPOINT direct")
    env.cr.rollback()
    return {
        "orders": len(order_sns),
        "seconds": seconds,
        "rate": len(order_sns) / seconds,
        "queries_per_order": queries / len(order_sns),
    }


def cmd_sale_direct(env, order_ids, **_kw):
    """The connector's sale orders for these orders, called directly (what a
    sale_orders chunk runs after its escrow and tracking calls), by 50;
    rolled back."""
    orders = env["marketplace.order"].browse(order_ids)
    env.cr.execute("SAVEPOINT direct")
    started = time.perf_counter()
    for index in range(0, len(orders), CHUNK):
        orders[index : index + CHUNK]._sync_sale_orders_isolated(False)
        env.flush_all()
    seconds = time.perf_counter() - started
    env.cr.execute("ROLLBACK TO SAVEPOINT direct")
    env.cr.rollback()
    return {"orders": len(orders), "seconds": seconds, "rate": len(orders) / seconds}


def sale_floor_values(env, order):
    """A sale order as bare Odoo would record the marketplace order: its
    customer, its lines at the marketplace's tax-included prices, shipping."""
    shop = order.shop_id
    tax = shop._sale_tax()
    lines = [
        fields.Command.create(
            {
                "product_id": line.product_id.id,
                "name": line.name,
                "product_uom_qty": line.quantity,
                "price_unit": line.price_unit or line.price_original,
                "tax_id": [fields.Command.set(tax.ids)],
            }
        )
        for line in order.line_ids
    ]
    if order.shipping_fee:
        lines.append(
            fields.Command.create(
                {
                    "product_id": shop._shipping_product().id,
                    "name": "Shipping",
                    "product_uom_qty": 1,
                    "price_unit": order.shipping_fee,
                    "tax_id": [fields.Command.set(tax.ids)],
                }
            )
        )
    values = {
        "company_id": order.company_id.id,
        "client_order_ref": order.name,
        "date_order": order.date_order or fields.Datetime.now(),
        "order_line": lines,
    }
    if shop.warehouse_id:
        values["warehouse_id"] = shop.warehouse_id.id
    return values


def cmd_sale_floor(env, order_ids, **_kw):
    """Bare Odoo: customers (one per buyer, a delivery address each), sale
    orders with the same lines, confirmed; by 50; rolled back."""
    orders = env["marketplace.order"].browse(order_ids)
    values = [sale_floor_values(env, order) for order in orders]
    env.flush_all()
    partners = env["res.partner"].sudo()
    sales = env["sale.order"].sudo()
    env.cr.execute("SAVEPOINT floor")
    started = time.perf_counter()
    for index in range(0, len(orders), CHUNK):
        chunk = orders[index : index + CHUNK]
        customers = partners.create(
            [
                {"name": o.buyer_username or o.name, "ref": f"floor-{o.buyer_user_id}"}
                for o in chunk
            ]
        )
        addresses = partners.create(
            [
                {
                    "type": "delivery",
                    "parent_id": customer.id,
                    "name": o.recipient_name or customer.name,
                    "street": o.recipient_address,
                    "city": o.recipient_city,
                    "zip": o.recipient_zip,
                }
                for o, customer in zip(chunk, customers, strict=True)
            ]
        )
        vals_list = [
            dict(
                vals,
                partner_id=customer.id,
                partner_invoice_id=customer.id,
                partner_shipping_id=address.id,
            )
            for vals, customer, address in zip(
                values[index : index + CHUNK], customers, addresses, strict=True
            )
        ]
        sales.create(vals_list).action_confirm()
        env.flush_all()
    seconds = time.perf_counter() - started
    env.cr.execute("ROLLBACK TO SAVEPOINT floor")
    env.cr.rollback()
    return {"orders": len(orders), "seconds": seconds, "rate": len(orders) / seconds}


# -- catalogue, binding, stock ------------------------------------------------------


def cmd_create_products(env, shop_id, count, **_kw):
    """``count`` storable products: one per distinct SKU of the shop's
    listings (the SKU as Internal Reference), the others without a listing
    SKU; quantities in stock in the shop's warehouse (set in SQL: setup)."""
    bindings = (
        env["marketplace.product.binding"]
        .with_context(active_test=False)
        .search([("shop_id", "=", shop_id)], order="id")
    )
    skus = list(dict.fromkeys(b.sku for b in bindings if b.sku))
    codes = skus[:count] + [f"BENCH-{n:06d}" for n in range(count - len(skus[:count]))]
    started = time.perf_counter()
    products = _create_products(env, codes)
    seconds = time.perf_counter() - started
    _stock_in_sql(env, env["marketplace.shop"].browse(shop_id), products)
    env.cr.commit()
    return {
        "products": len(products),
        "with_listing_sku": len(skus[:count]),
        "listings": len(bindings),
        "listings_with_sku": sum(1 for b in bindings if b.sku),
        "seconds": seconds,
    }


def _create_products(env, codes, prefix="Bench product"):
    created = env["product.product"]
    for index in range(0, len(codes), 1000):
        created |= (
            env["product.product"]
            .sudo()
            .create(
                [
                    {
                        "name": f"{prefix} {code}",
                        "default_code": code,
                        "type": "consu",
                        "is_storable": True,
                        "list_price": 100.0,
                    }
                    for code in codes[index : index + 1000]
                ]
            )
        )
        env.flush_all()
    return created


def _stock_in_sql(env, shop, products):
    """On-hand quantities (10 to 200, same every run) in one INSERT."""
    warehouse = shop.warehouse_id or env["stock.warehouse"].search(
        [("company_id", "=", shop.company_id.id)], limit=1
    )
    rng = random.Random(13)
    rows = [(product.id, rng.randint(10, 200)) for product in products]
    env.cr.execute(
        """
        INSERT INTO stock_quant (product_id, location_id, company_id, quantity,
                                 reserved_quantity, in_date, create_uid,
                                 create_date, write_uid, write_date)
        SELECT r.product_id, %s, %s, r.qty, 0, now(), 1, now(), 1, now()
          FROM jsonb_to_recordset(%s::jsonb) AS r(product_id int, qty int)
        """,
        [
            warehouse.lot_stock_id.id,
            shop.company_id.id,
            json.dumps([{"product_id": p, "qty": q} for p, q in rows]),
        ],
    )
    env["stock.quant"].invalidate_model()


def cmd_auto_match(env, shop_id, **_kw):
    """The automatic binding (SKU match) of every listing of the shop."""
    bindings = (
        env["marketplace.product.binding"]
        .with_context(active_test=False)
        .search([("shop_id", "=", shop_id)])
    )
    started = time.perf_counter()
    results = bindings._auto_match()
    env.flush_all()
    seconds = time.perf_counter() - started
    env.cr.commit()
    return dict(results, listings=len(bindings), seconds=seconds)


def cmd_bind_rest(env, shop_id, **_kw):
    """Setup: each listing still without product gets a product of its own
    (not measured; in SQL)."""
    bindings = (
        env["marketplace.product.binding"]
        .with_context(active_test=False)
        .search([("shop_id", "=", shop_id), ("product_id", "=", False)], order="id")
    )
    bound = (
        env["marketplace.product.binding"]
        .with_context(active_test=False)
        .search([("product_id", "!=", False)])
        .product_id
    )
    spare = (
        env["product.product"]
        .search([("default_code", "=like", "BENCH-%")], order="id")
        .filtered(lambda p: p not in bound)
    )
    pairs = list(zip(bindings.ids, spare.ids, strict=False))
    if len(pairs) < len(bindings):
        missing = bindings[len(pairs) :]
        products = _create_products(
            env, [f"BENCH-L{binding.id}" for binding in missing]
        )
        _stock_in_sql(env, env["marketplace.shop"].browse(shop_id), products)
        pairs += list(zip(missing.ids, products.ids, strict=True))
    env.cr.execute(
        """
        UPDATE marketplace_product_binding b
           SET product_id = r.product_id, match_state = 'bound'
          FROM jsonb_to_recordset(%s::jsonb) AS r(binding_id int, product_id int)
         WHERE b.id = r.binding_id
        """,
        [json.dumps([{"binding_id": b, "product_id": p} for b, p in pairs])],
    )
    # Order lines already imported follow their listings, as binding does.
    env["marketplace.product.binding"].invalidate_model()
    lines = env["marketplace.order.line"].search(
        [("shop_id", "=", shop_id), ("product_id", "=", False)]
    )
    lines._assign_products()
    env.cr.commit()
    return {"bound": len(pairs)}


def _bound_products(env, shop_id):
    return (
        env["marketplace.product.binding"]
        .search([("shop_id", "=", shop_id), ("product_id", "!=", False)], order="id")
        .product_id
    )


def cmd_stock_compute(env, shop_id, sizes, repeat=3, **_kw):
    """Time ``shop._stock_quantities`` over the first N bound products (then
    over other storable products for sizes beyond them), cold cache."""
    shop = env["marketplace.shop"].browse(shop_id)
    products = _bound_products(env, shop_id)
    others = env["product.product"].search(
        [("is_storable", "=", True), ("id", "not in", products.ids)], order="id"
    )
    pool = products | others
    results = {}
    for size in sizes:
        subset = pool[:size]
        timings = []
        for _run in range(repeat):
            env.invalidate_all()
            started = time.perf_counter()
            shop._stock_quantities(subset)
            timings.append(time.perf_counter() - started)
        results[str(size)] = {"products": len(subset), "seconds": sorted(timings)}
    env.cr.rollback()
    return results


def cmd_more_products(env, shop_id, total, **_kw):
    """Setup for the stock scaling: storable products with stock up to
    ``total`` (not measured)."""
    count = env["product.product"].search_count([("is_storable", "=", True)])
    missing = max(total - count, 0)
    started = time.perf_counter()
    products = _create_products(
        env, [f"BENCH-X{n:06d}" for n in range(missing)], prefix="Extra product"
    )
    _stock_in_sql(env, env["marketplace.shop"].browse(shop_id), products)
    env.cr.commit()
    return {"created": len(products), "seconds": time.perf_counter() - started}


def cmd_change_stock(env, shop_id, share=0.01, **_kw):
    """Setup: the on-hand quantity of ``share`` of the bound products changes
    (same products every run), as receipts would do."""
    products = _bound_products(env, shop_id)
    rng = random.Random(29)
    chosen = rng.sample(list(products.ids), max(1, int(len(products) * share)))
    env.cr.execute(
        """
        UPDATE stock_quant SET quantity = quantity + 7
         WHERE id IN (SELECT DISTINCT ON (product_id) id FROM stock_quant
                       WHERE product_id IN %s AND quantity > 0
                    ORDER BY product_id, id)
        """,
        [tuple(chosen)],
    )
    items = (
        env["marketplace.product.binding"]
        .search(
            [
                ("shop_id", "=", shop_id),
                ("product_id", "in", chosen),
                ("active", "=", True),
            ]
        )
        .mapped("external_item_id")
    )
    env.cr.commit()
    return {"products": len(chosen), "items": len(set(items))}


# -- orders ---------------------------------------------------------------------------


def cmd_fill_orders(env, shop_id, total, **_kw):
    """Setup for the dashboard: copies of the shop's orders (and their lines)
    in SQL until it has ``total`` orders, spread over the last 60 days."""
    env.cr.execute("SELECT count(*) FROM marketplace_order")
    count = env.cr.fetchone()[0]
    missing = max(total - count, 0)
    if not missing:
        return {"orders": count, "added": 0}
    env.cr.execute(
        "SELECT count(*) FROM marketplace_order WHERE shop_id = %s", [shop_id]
    )
    sources = env.cr.fetchone()[0]
    env.cr.execute(
        """
        SELECT column_name FROM information_schema.columns
         WHERE table_name = 'marketplace_order' AND column_name NOT IN
               ('id', 'name', 'date_order', 'sale_order_id', 'payload_hash')
        """
    )
    columns = [row[0] for row in env.cr.fetchall()]
    env.cr.execute(
        """
        SELECT column_name FROM information_schema.columns
         WHERE table_name = 'marketplace_order_line'
           AND column_name NOT IN ('id', 'order_id')
        """
    )
    line_columns = [row[0] for row in env.cr.fetchall()]
    cols = ", ".join(f'"{c}"' for c in columns)
    line_cols = ", ".join(f'"{c}"' for c in line_columns)
    started = time.perf_counter()
    env.cr.execute(
        f"""
        CREATE TEMP TABLE bench_source ON COMMIT DROP AS
        SELECT id, row_number() OVER (ORDER BY id) - 1 AS rank
          FROM marketplace_order WHERE shop_id = %(shop)s;
        CREATE TEMP TABLE bench_copy ON COMMIT DROP AS
        SELECT s.id AS source_id, nextval('marketplace_order_id_seq') AS new_id,
               g.n
          FROM generate_series(1, %(missing)s) AS g(n)
          JOIN bench_source s ON s.rank = (g.n - 1) %% %(count)s;
        INSERT INTO marketplace_order (id, name, date_order, {cols})
        SELECT c.new_id, o.name || '-C' || c.n,
               (now() at time zone 'utc') - (c.n %% 60) * interval '1 day'
                   - (c.n %% 86400) * interval '1 second',
               {", ".join(f"o.{c}" for c in columns)}
          FROM bench_copy c JOIN marketplace_order o ON o.id = c.source_id;
        INSERT INTO marketplace_order_line (order_id, {line_cols})
        SELECT c.new_id, {", ".join(f"l.{c}" for c in line_columns)}
          FROM bench_copy c JOIN marketplace_order_line l ON l.order_id = c.source_id;
        """,
        {"missing": missing, "shop": shop_id, "count": sources},
    )
    env.cr.execute("ANALYZE marketplace_order; ANALYZE marketplace_order_line")
    env.cr.commit()
    return {
        "orders": count + missing,
        "added": missing,
        "seconds": time.perf_counter() - started,
    }


def cmd_eligible_orders(env, shop_id, count, statuses, **_kw):
    """Ids of ``count`` orders at ``statuses`` with every line bound and no
    sale order yet."""
    orders = env["marketplace.order"].search(
        [
            ("shop_id", "=", shop_id),
            ("status", "in", statuses),
            ("sale_order_id", "=", False),
            ("unbound_line_count", "=", 0),
            ("line_ids", "!=", False),
        ],
        order="id",
        limit=count,
    )
    return {"order_ids": orders.ids}


def cmd_sql(env, query, params=None, **_kw):
    env.cr.execute(query, params or [])
    rows = env.cr.fetchall() if env.cr.description else []
    env.cr.commit()
    return {"rows": [list(row) for row in rows]}


COMMANDS = {
    name[4:]: function
    for name, function in globals().items()
    if name.startswith("cmd_") and callable(function)
}


def run_command(env, request):
    """Run one command; with BENCH_PROFILE set to a directory, under cProfile,
    its statistics written there as <command>.prof (a tool, not a figure)."""
    command = COMMANDS[request["command"]]
    args = request.get("args", {})
    folder = os.environ.get("BENCH_PROFILE")
    if not folder:
        return command(env, **args)
    profile = cProfile.Profile()
    try:
        return profile.runcall(command, env, **args)
    finally:
        profile.dump_stats(os.path.join(folder, f"{request['command']}.prof"))


def main(argv):
    odoo.tools.config.parse_config(argv)
    database = odoo.tools.config["db_name"]
    if isinstance(database, list):  # Odoo 18 may parse it as a list
        database = database[0]
    registry = odoo.modules.registry.Registry(database)
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            registry = registry.check_signaling()
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                answer = run_command(env, request)
            print(json.dumps({"ok": True, "result": answer}), flush=True)
        except Exception:  # pylint: disable=broad-except
            print(
                json.dumps({"ok": False, "error": traceback.format_exc()}), flush=True
            )


if __name__ == "__main__":
    main(sys.argv[1:])
