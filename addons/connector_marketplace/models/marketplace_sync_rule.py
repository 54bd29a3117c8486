"""Sync rules: how much of Odoo's stock a shop shows, so it never oversells.

For a bound product on a shop (README, "Stock to the marketplace"):

1. ``base`` = free quantity in the rule's stock source − open marketplace
   demand (units on marketplace orders of any shop without a confirmed sale
   order yet), never below 0;
2. ``online = max(0, (base − buffer) × allocation // 100)`` in integers;
3. rounding ``r > 0``: ``online`` rounded down to a multiple of ``r``;
4. ``online < minimum``: 0 is pushed (the last units stay for other channels).

The rule: the product's, else the rule of its category or nearest parent
category, else the shop-wide one. A shop has at most one active rule per
target (the shop, a category, a product), so no two rules tie. No rule: buffer 0, allocation 100, the shop's warehouse.
"""

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .marketplace_order import OPEN_STATUSES

# Without a ship-by date, how long an order of a shop Odoo no longer hears of
# still holds its units (marketplace.order._holds_demand mirrors the query).
UNHEARD_ORDER_DAYS = 3
# Orders whose units are still to leave the stock.
OPEN_DEMAND_STATUSES = OPEN_STATUSES


def online_quantity(free, demand, buffer=0, allocation=100, rounding=0, minimum=0):
    """The quantity the marketplace gets, by the pinned arithmetic."""
    # (free quantities are floats: 29.9999999 after unit conversions is 30)
    base = max(0, int(round(free, 6)) - int(round(demand, 6)))
    online = max(0, (base - int(buffer)) * int(allocation) // 100)
    if rounding and rounding > 0:
        online = online // int(rounding) * int(rounding)
    if online < int(minimum):
        return 0
    return online


class MarketplaceSyncRule(models.Model):
    _name = "marketplace.sync.rule"
    _description = "Marketplace Stock Sync Rule"
    _order = "shop_id, sequence, id"
    # A rule on another company's locations would advertise and sell its stock.
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True, readonly=False)
    shop_id = fields.Many2one(
        "marketplace.shop",
        required=True,
        ondelete="cascade",
        index=True,
        default=lambda self: self._default_shop(),
    )
    company_id = fields.Many2one(related="shop_id.company_id", store=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)

    scope = fields.Selection(
        [
            ("all", "All products"),
            ("category", "Product category"),
            ("product", "Product"),
        ],
        default="all",
        required=True,
        help="The most specific active rule wins: a product's own rule, then "
        "its category's (or the nearest parent's), then the shop-wide rule.",
    )
    categ_id = fields.Many2one("product.category", string="Category")
    product_id = fields.Many2one("product.product", check_company=True)
    buffer_qty = fields.Integer(
        string="Buffer Quantity",
        help="Units kept back from the marketplace, e.g. for other channels.",
    )
    min_online_qty = fields.Integer(
        string="Min Online Quantity",
        help="Below this quantity the marketplace gets 0: the last units are not "
        "offered there.",
    )
    rounding = fields.Integer(
        help="Round the quantity down to a multiple of this; 0: no rounding."
    )
    allocation = fields.Integer(
        string="Allocation %",
        default=100,
        help="The share of the stock (after the buffer) this shop gets.",
    )
    source = fields.Selection(
        [
            ("warehouse", "The shop's warehouse"),
            ("warehouses", "Chosen warehouses"),
            ("locations", "Chosen locations"),
        ],
        string="Stock source",
        default="warehouse",
        required=True,
    )
    warehouse_ids = fields.Many2many(
        "stock.warehouse", string="Warehouses", check_company=True
    )
    location_ids = fields.Many2many(
        "stock.location",
        string="Locations",
        domain="[('usage', '=', 'internal')]",
        check_company=True,
    )

    @api.model
    def _default_shop(self):
        """The seller's shop when there is only one."""
        shops = self.env["marketplace.shop"].search([], limit=2)
        return shops if len(shops) == 1 else shops.browse()

    @api.depends("scope", "categ_id", "product_id", "shop_id")
    def _compute_name(self):
        for rule in self:
            if rule.scope == "product" and rule.product_id:
                target = rule.product_id.display_name
            elif rule.scope == "category" and rule.categ_id:
                target = rule.categ_id.display_name
            else:
                target = self.env._("All products")
            rule.name = f"{rule.shop_id.name or ''} · {target}".strip(" ·")

    @api.constrains(
        "buffer_qty",
        "min_online_qty",
        "rounding",
        "allocation",
        "scope",
        "categ_id",
        "product_id",
        "source",
        "warehouse_ids",
        "location_ids",
    )
    def _check_values(self):
        for rule in self:
            if rule.buffer_qty < 0:
                raise ValidationError(
                    self.env._("The buffer quantity cannot be negative.")
                )
            if rule.min_online_qty < 0:
                raise ValidationError(
                    self.env._("The minimum online quantity cannot be negative.")
                )
            if rule.rounding < 0:
                raise ValidationError(
                    self.env._("The rounding cannot be negative (0 means no rounding).")
                )
            if not 0 <= rule.allocation <= 100:
                raise ValidationError(
                    self.env._("The allocation is a percentage between 0 and 100.")
                )
            if rule.scope == "category" and not rule.categ_id:
                raise ValidationError(self.env._("Choose the rule's product category."))
            if rule.scope == "product" and not rule.product_id:
                raise ValidationError(self.env._("Choose the rule's product."))
            if rule.source == "warehouses" and not rule.warehouse_ids:
                raise ValidationError(
                    self.env._("Choose the warehouses of the stock source.")
                )
            if rule.source == "locations" and not rule.location_ids:
                raise ValidationError(
                    self.env._("Choose the locations of the stock source.")
                )

    @api.constrains("shop_id", "scope", "categ_id", "product_id", "active")
    def _check_one_rule_per_target(self):
        """Two active rules for the same products of a shop: one of them would
        silently not apply (an abandoned New, saved as 0/0/0, beside the
        seller's rule)."""
        for rule in self.filtered("active"):
            twin = self.search(
                [
                    ("id", "!=", rule.id),
                    ("shop_id", "=", rule.shop_id.id),
                    ("scope", "=", rule.scope),
                    ("categ_id", "=", rule.categ_id.id),
                    ("product_id", "=", rule.product_id.id),
                    ("active", "=", True),
                ],
                limit=1,
            )
            if twin:
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s already applies to these products of this "
                        "shop: change it, or archive it first. Two rules for the "
                        "same products would leave one without effect.",
                        rule=twin.display_name,
                    )
                )

    def unlink(self):
        shops = self.shop_id
        result = super().unlink()
        # what the rule held back goes to the marketplace now
        shops._mark_all_to_push()
        shops._queue_auto_push()
        return result

    def _why_no_listing(self):
        """Why this rule applies to none of its shop's bound listings."""
        self.ensure_one()
        shop = self.shop_id
        bound = self.env["marketplace.product.binding"].search(
            [
                ("shop_id", "=", shop.id),
                ("product_id", "!=", False),
                ("active", "=", True),
            ]
        )
        if self.scope == "product":
            return self.env._(
                "%(shop)s has no listing bound to %(product)s: bind one first "
                "(Marketplace > Product Bindings).",
                shop=shop.display_name,
                product=self.product_id.display_name,
            )
        if not bound:
            return self.env._(
                "%(shop)s has no bound listing yet (Marketplace > Product Bindings).",
                shop=shop.display_name,
            )
        if self.scope == "category":
            under = bound.product_id.filtered(
                lambda p: p.categ_id.parent_path.startswith(self.categ_id.parent_path)
            )
            if not under:
                return self.env._(
                    "No bound listing of %(shop)s sells a product of category "
                    "%(category)s or its subcategories.",
                    shop=shop.display_name,
                    category=self.categ_id.display_name,
                )
        return self.env._(
            "Every listing it could apply to has a more specific rule (a "
            "product's rule, or a nearer category's): that one applies."
        )

    @api.model
    def _without_stray_target(self, scope, vals):
        """The form hides the category of a shop-wide rule, not its value: a
        rule keeps only the target of its scope, or the one-rule check would
        see two shop-wide rules as two targets."""
        vals = dict(vals)
        if scope != "category":
            vals["categ_id"] = False
        if scope != "product":
            vals["product_id"] = False
        return vals

    def write(self, vals):
        if "scope" in vals:
            vals = self._without_stray_target(vals["scope"], vals)
        elif "categ_id" in vals or "product_id" in vals:
            result = True
            for scope in set(self.mapped("scope")):
                same = self.filtered(lambda r, scope=scope: r.scope == scope)
                result &= same.write(dict(vals, scope=scope))
            return result
        shops = self.shop_id
        result = super().write(vals)
        if "shop_id" in vals:
            # the record rules only looked at the rule before it moved
            self.check_access("write")
        # the rule's shop, before and after a change of shop
        (shops | self.shop_id)._mark_all_to_push()
        (shops | self.shop_id)._queue_auto_push()
        return result

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [
            self._without_stray_target(vals.get("scope", "all"), vals)
            for vals in vals_list
        ]
        rules = super().create(vals_list)
        rules.shop_id._mark_all_to_push()
        # a seller who sets a rule wants the marketplace to follow it now
        rules.shop_id._queue_auto_push()
        return rules

    def action_preview(self):
        self.ensure_one()
        return self.env["marketplace.stock.preview"]._open(self.shop_id, self)

    # -- which rule ---------------------------------------------------------------
    def _source_locations(self, shop):
        """The internal locations whose free stock counts (ids, sorted)."""
        if self and self.source == "locations":
            return tuple(sorted(self.location_ids.ids))
        if self and self.source == "warehouses":
            return tuple(sorted(self.warehouse_ids.mapped("lot_stock_id").ids))
        warehouse = shop.warehouse_id or self.env["stock.warehouse"].search(
            [("company_id", "=", shop.company_id.id)], limit=1
        )
        return tuple(warehouse.lot_stock_id.ids)

    @api.model
    def _rules_for(self, shop, products):
        """{product id: rule} (an empty rule where none applies)."""
        rules = self.search([("shop_id", "=", shop.id), ("active", "=", True)])
        by_product, by_categ, shop_wide = {}, {}, self.browse()
        for rule in rules.sorted(lambda r: (r.sequence, r.id)):
            if rule.scope == "product":
                by_product.setdefault(rule.product_id.id, rule)
            elif rule.scope == "category":
                by_categ.setdefault(rule.categ_id.id, rule)
            elif not shop_wide:
                shop_wide = rule
        chosen = {}
        for product in products:
            rule = by_product.get(product.id)
            category = product.categ_id
            while not rule and category:
                rule = by_categ.get(category.id)
                category = category.parent_id
            chosen[product.id] = rule or shop_wide
        return chosen


class MarketplaceShop(models.Model):
    _inherit = "marketplace.shop"

    sync_rule_ids = fields.One2many(
        "marketplace.sync.rule", "shop_id", string="Sync rules"
    )
    auto_push_stock = fields.Boolean(
        string="Push stock automatically",
        default=True,
        help="Every change of a bound product's free quantity (deliveries, "
        "receipts, reservations, inventory, sale orders) queues a push of the "
        "changed products a few seconds later.",
    )
    stock_sync_point = fields.Datetime(
        string="Stock pushed at",
        compute="_compute_stock_sync_point",
        help="When the last push of this shop's stock completed.",
    )

    def _compute_stock_sync_point(self):
        # Read from the jobs, not written on the shop: every push's finish
        # writing the shop's row would collide with the other jobs writing it.
        done = dict(
            self.env["marketplace.job"]
            .sudo()
            ._read_group(
                [
                    ("shop_id", "in", self.ids),
                    ("job_type", "=", "push_stock"),
                    ("state", "=", "completed"),
                ],
                ["shop_id"],
                ["date_done:max"],
            )
        )
        for shop in self:
            shop.stock_sync_point = done.get(shop, False)

    def action_stock_preview(self):
        self.ensure_one()
        return self.env["marketplace.stock.preview"]._open(self)

    def _mark_all_to_push(self):
        """A rule changed: every bound listing of the shop is pushed again."""
        for shop in self:
            shop.binding_ids.filtered(
                lambda b: b.product_id and b.active
            )._request_push()

    def _stock_quantities(self, products):
        """{product id: (quantity to push, rule, free, demand)} in bulk.

        One free-quantity computation per stock source and one query for the
        open demand, whatever the number of products.
        """
        self.ensure_one()
        rules = self.env["marketplace.sync.rule"]._rules_for(self, products)
        # Ids gathered, then browsed once: a union per product is quadratic.
        sources, by_source = {}, {}
        for product in products:
            rule = rules[product.id]
            if rule.id not in sources:
                sources[rule.id] = rule._source_locations(self)
            by_source.setdefault(sources[rule.id], []).append(product.id)
        free = {}
        for source, product_ids in by_source.items():
            quantities = (
                self.env["product.product"]
                .browse(product_ids)
                .with_context(location=list(source))
                ._compute_quantities_dict(None, None, None)
            )
            for product_id, values in quantities.items():
                free[product_id] = values["free_qty"]
        demand = self._open_demand(products)
        result = {}
        for product in products:
            rule = rules[product.id]
            quantity = online_quantity(
                free.get(product.id, 0.0),
                demand.get(product.id, 0.0),
                rule.buffer_qty if rule else 0,
                rule.allocation if rule else 100,
                rule.rounding if rule else 0,
                rule.min_online_qty if rule else 0,
            )
            result[product.id] = (
                quantity,
                rule,
                free.get(product.id, 0.0),
                demand.get(product.id, 0.0),
            )
        return result

    def _open_demand(self, products):
        """{product id: units} on marketplace orders, of any shop, that have no
        confirmed sale order yet (unpaid, waiting for bindings…); the orders
        of a disconnected or archived shop until they must have shipped (see
        ``marketplace.order._holds_demand``, which this query mirrors)."""
        if not products:
            return {}
        self.env["marketplace.order.line"].flush_model(
            ["product_id", "quantity", "order_id"]
        )
        self.env["marketplace.order"].flush_model(
            ["status", "sale_order_id", "shop_id", "ship_by_date", "date_order"]
        )
        self.env["marketplace.shop"].flush_model(["auth_state", "active"])
        self.env["sale.order"].flush_model(["state"])
        self.env.cr.execute(
            """
            SELECT line.product_id, SUM(line.quantity)
              FROM marketplace_order_line line
              JOIN marketplace_order o ON o.id = line.order_id
              JOIN marketplace_shop shop ON shop.id = o.shop_id
         LEFT JOIN sale_order so ON so.id = o.sale_order_id
             WHERE line.product_id IN %s
               AND o.status IN %s
               AND (
                    shop.active AND shop.auth_state != 'disconnected'
                    OR COALESCE(o.ship_by_date, o.date_order + %s * interval '1 day')
                       > now() AT TIME ZONE 'UTC'
               )
               AND (so.id IS NULL OR so.state NOT IN ('sale', 'done'))
          GROUP BY line.product_id
            """,
            [tuple(products.ids), OPEN_DEMAND_STATUSES, UNHEARD_ORDER_DAYS],
        )
        return dict(self.env.cr.fetchall())
