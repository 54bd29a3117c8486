"""Bulk Binding: bind many products to a shop's listings at once.

Choose the shop and the products (those selected in a list, or all); the
preview sorts the shop's listings and the products into matched (the
listing's SKU is the Internal Reference or barcode of exactly one of the
products), ambiguous, listings without product, products without listing,
and already bound; Bind binds the matched ones, and creates Odoo products for
the listings ticked for it (many sellers start from their marketplace catalogue).
"""

from odoo import api, fields, models
from odoo.exceptions import UserError

KINDS = [
    ("matched", "Matched"),
    ("ambiguous", "Ambiguous SKU"),
    ("listing", "Listing without product"),
    ("product", "Product without listing"),
    ("bound", "Already bound"),
]


class ProductBindWizard(models.TransientModel):
    _name = "marketplace.product.bind.wizard"
    _description = "Bulk Binding"

    shop_id = fields.Many2one("marketplace.shop", required=True)
    company_id = fields.Many2one(related="shop_id.company_id")
    product_ids = fields.Many2many(
        "product.product",
        string="Products",
        check_company=True,
        domain="[('is_storable', '=', True)]",
        help="The products to bind; none chosen means every storable product "
        "of the shop's company.",
    )
    binding_ids = fields.Many2many(
        "marketplace.product.binding",
        string="Listings",
        help="The listings to bind; none chosen means every listing of the shop.",
    )
    line_ids = fields.One2many(
        "marketplace.product.bind.wizard.line", "wizard_id", string="Preview"
    )
    previewed = fields.Boolean(readonly=True)
    initial_stock = fields.Selection(
        [
            ("marketplace", "The listing's stock on the marketplace"),
            ("hold", "None yet: hold their push until I confirm"),
        ],
        string="Stock of the products created",
        default=lambda self: self._default_initial_stock(),
        required=True,
        help="A product created here has no stock in Odoo, and the next push "
        "would set its listing to 0. Either its initial quantity is the "
        "listing's stock on the marketplace (plus the units of its open orders, "
        "still on the shelf), as an inventory adjustment in the shop's "
        "warehouse; or the listing is bound with its push held until you count "
        "the product and press Confirm and push on it.",
    )
    matched_count = fields.Integer(compute="_compute_counts")
    ambiguous_count = fields.Integer(compute="_compute_counts")
    listing_count = fields.Integer(compute="_compute_counts")
    product_count = fields.Integer(compute="_compute_counts")
    bound_count = fields.Integer(compute="_compute_counts")

    @api.model
    def _default_initial_stock(self):
        # Counting stock is an inventory adjustment: Odoo lets only its
        # inventory administrators apply one.
        if self.env.user.has_group("stock.group_stock_manager"):
            return "marketplace"
        return "hold"

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        ids = context.get("active_ids") or []
        if context.get("active_model") == "product.product" and ids:
            values["product_ids"] = [fields.Command.set(ids)]
        elif context.get("active_model") == "product.template" and ids:
            variants = self.env["product.template"].browse(ids).product_variant_ids
            values["product_ids"] = [fields.Command.set(variants.ids)]
        if not values.get("shop_id"):
            shop = self.env["marketplace.shop"].search([], limit=1)
            values["shop_id"] = shop.id or False
        return values

    @api.depends("line_ids.kind")
    def _compute_counts(self):
        for wizard in self:
            kinds = wizard.line_ids.mapped("kind")
            wizard.matched_count = kinds.count("matched")
            wizard.ambiguous_count = kinds.count("ambiguous")
            wizard.listing_count = kinds.count("listing")
            wizard.product_count = kinds.count("product")
            wizard.bound_count = kinds.count("bound")

    # -- preview --------------------------------------------------------------
    def _listings(self):
        if self.binding_ids:
            return self.binding_ids.filtered(
                lambda b: b.shop_id == self.shop_id and b.active
            )
        return self.env["marketplace.product.binding"].search(
            [("shop_id", "=", self.shop_id.id)]
        )

    def _products(self):
        if self.product_ids:
            return self.product_ids
        return self.env["product.product"].search(
            [
                ("is_storable", "=", True),
                ("company_id", "in", [self.shop_id.company_id.id, False]),
            ]
        )

    def _preview_values(self):
        """The preview lines' values, computed with a few queries."""
        listings = self._listings()
        products = self._products()
        by_code = {}
        for product in products:
            for code in {product.default_code, product.barcode} - {False, ""}:
                by_code.setdefault(code, []).append(product.id)
        lines, used_products = [], set()
        for listing in listings:
            values = {"binding_id": listing.id, "sku": listing.sku}
            if listing.product_id:
                used_products.add(listing.product_id.id)
                lines.append(
                    dict(values, kind="bound", product_id=listing.product_id.id)
                )
                continue
            candidates = (
                sorted(set(by_code.get(listing.sku, []))) if listing.sku else []
            )
            if len(candidates) == 1:
                used_products.add(candidates[0])
                lines.append(dict(values, kind="matched", product_id=candidates[0]))
            elif candidates:
                used_products.update(candidates)
                lines.append(
                    dict(
                        values,
                        kind="ambiguous",
                        candidate_ids=[fields.Command.set(candidates)],
                    )
                )
            else:
                lines.append(dict(values, kind="listing"))
        bound_elsewhere = set(
            self.env["marketplace.product.binding"]
            .search(
                [
                    ("shop_id", "=", self.shop_id.id),
                    ("product_id", "in", products.ids),
                ]
            )
            .mapped("product_id.id")
        )
        for product in products:
            if product.id not in used_products and product.id not in bound_elsewhere:
                lines.append(
                    {
                        "kind": "product",
                        "product_id": product.id,
                        "sku": product.default_code,
                    }
                )
        return lines

    def action_preview(self):
        self.ensure_one()
        self.line_ids.unlink()
        self.write(
            {
                "line_ids": [fields.Command.create(v) for v in self._preview_values()],
                "previewed": True,
            }
        )
        return self._reopen()

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Bulk Binding"),
        }

    # -- confirm --------------------------------------------------------------
    def action_confirm(self):
        """Bind the matched listings; create products for the ticked ones."""
        self.ensure_one()
        if not self.previewed:
            self.action_preview()
        to_bind = {}
        for line in self.line_ids.filtered(lambda line: line.kind == "matched"):
            to_bind.setdefault(
                line.product_id.id, self.env["marketplace.product.binding"]
            )
            to_bind[line.product_id.id] |= line.binding_id
        for product_id, bindings in to_bind.items():
            bindings.filtered(lambda b: not b.product_id).write(
                {"product_id": product_id}
            )
        created = self._create_products(
            self.line_ids.filtered(
                lambda line: line.kind == "listing" and line.create_product
            )
        )
        bound = sum(len(bindings) for bindings in to_bind.values())
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Bulk Binding"),
                "message": self.env._(
                    "%(bound)s listing(s) bound to existing products, %(created)s "
                    "product(s) created from listings.",
                    bound=bound,
                    created=created,
                ),
                "type": "success",
                "sticky": False,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _create_products(self, lines):
        """Storable products made from listings: SKU as Internal Reference."""
        if not lines:
            return 0
        if not self.env["product.product"].has_access("create"):
            raise UserError(self.env._("You are not allowed to create products."))
        if self.initial_stock == "marketplace" and not self.env.user.has_group(
            "stock.group_stock_manager"
        ):
            raise UserError(
                self.env._(
                    "Only an inventory administrator can set the products' "
                    "initial stock. Choose to hold their push until the stock is "
                    "counted, or ask an inventory administrator to bind them."
                )
            )
        company = self.shop_id.company_id
        values = []
        for line in lines:
            listing = line.binding_id
            name = listing.name or listing.sku or listing.external_item_id
            if listing.variation_name:
                name = f"{name} ({listing.variation_name})"
            values.append(
                {
                    "name": name,
                    "type": "consu",
                    "is_storable": True,
                    "default_code": listing.sku or False,
                    "list_price": listing.price,
                    "company_id": company.id,
                }
            )
        products = self.env["product.product"].create(values)
        for line, product in zip(lines, products, strict=True):
            line.binding_id.product_id = product
        listings = lines.binding_id
        if self.initial_stock == "hold":
            listings._hold_push(
                self.env._(
                    "created by Bulk Binding with no stock: count it in Odoo, "
                    "then press Confirm and push"
                ),
                by_seller=True,
            )
        else:
            self._initial_stock_from_listings(listings)
        return len(products)

    def _initial_stock_from_listings(self, listings):
        """An inventory adjustment, labelled, in the shop's warehouse: each new
        product's quantity is its listing's stock on the marketplace plus the
        units of its open marketplace orders (sold, still on the shelf), so
        that the next push gives the marketplace what it shows now."""
        shop = self.shop_id
        location = (
            shop.warehouse_id.lot_stock_id
            or self.env["stock.warehouse"]
            .search([("company_id", "=", shop.company_id.id)], limit=1)
            .lot_stock_id
        )
        demand = shop._open_demand(listings.product_id)
        label = self.env._(
            "Initial stock from the listing on %(shop)s (Bulk Binding)",
            shop=shop.display_name,
        )
        quants = self.env["stock.quant"].sudo().with_context(inventory_mode=True)
        new = quants.browse()
        for listing in listings:
            quantity = max(listing.marketplace_stock, 0) + demand.get(
                listing.product_id.id, 0
            )
            if quantity:
                new |= quants.create(
                    {
                        "product_id": listing.product_id.id,
                        "location_id": location.id,
                        "inventory_quantity": quantity,
                    }
                )
        new.with_context(inventory_name=label)._apply_inventory()


class ProductBindWizardLine(models.TransientModel):
    _name = "marketplace.product.bind.wizard.line"
    _description = "Bulk Binding Line"
    _order = "kind, sku, id"

    wizard_id = fields.Many2one(
        "marketplace.product.bind.wizard", required=True, ondelete="cascade"
    )
    kind = fields.Selection(KINDS, required=True)
    binding_id = fields.Many2one("marketplace.product.binding", string="Listing")
    variation_name = fields.Char(related="binding_id.variation_name")
    product_id = fields.Many2one("product.product", string="Product (Odoo)")
    sku = fields.Char(string="SKU")
    candidate_ids = fields.Many2many("product.product", string="Candidates")
    create_product = fields.Boolean(
        string="Create product",
        help="Create an Odoo product from this listing and bind it.",
    )
