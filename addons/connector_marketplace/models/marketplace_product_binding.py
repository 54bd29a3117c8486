"""Product bindings: which Odoo product each marketplace listing is.

One row per listing of a shop: the marketplace's (item, variation) pair,
variation ``NO_VARIATION`` for an item without variations. Rows come from
catalogue pulls (or are made by hand for a listing not pulled yet) and hold
what the marketplace says of the listing; the Odoo product is set by the
automatic match on SKU, by Bulk Binding or by hand. A gone listing becomes inactive, never deleted:
orders and stock history keep pointing at it.
"""

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

# The variation id of a listing whose item has no variations (every channel's
# importer writes this one, whatever its own marker).
NO_VARIATION = "0"
# A listing's state on the marketplace, the same for every channel (the
# channel's importer maps its own).
LISTING_STATUSES = [
    ("normal", "Active"),
    ("unlisted", "Unlisted"),
    ("under_review", "Under review"),
    ("banned", "Banned"),
    ("deleted_by_seller", "Deleted by seller"),
    ("deleted_by_marketplace", "Deleted by the marketplace"),
    ("unknown", "Unknown"),
]
# Listings in these states are gone for good: their bindings are inactive.
GONE_STATUSES = ("banned", "deleted_by_seller", "deleted_by_marketplace")
# What the pulls and the pushes keep: a user writing the last pushed quantity
# would make the next push skip the listing as unchanged.
SYSTEM_FIELDS = {
    "origin",
    "payload_hash",
    "marketplace_stock",
    "marketplace_stock_at",
    "bound_at",
    "push_held",
    "push_hold_reason",
    "push_held_by_seller",
    "stock_confirmed_at",
    "last_pushed_qty",
    "last_pushed_at",
    "last_push_error",
    "last_seen_job_id",
}
# A push that would lower to 0 a listing bound this recently is held.
FRESH_BINDING = timedelta(days=1)
# Products whose listings the end of the transaction marks and pushes.
PUSH_LATER = "marketplace.push.products"


def clean_sku(value):
    """A SKU as sellers mean it: real ones may end with a newline."""
    return (value or "").strip()


class MarketplaceProductBinding(models.Model):
    _name = "marketplace.product.binding"
    _description = "Marketplace Product Binding"
    _order = "shop_id, name, variation_name, id"
    _rec_names_search = ["name", "sku", "external_item_id", "product_id"]
    _check_company_auto = True

    shop_id = fields.Many2one(
        "marketplace.shop", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True)
    channel = fields.Selection(related="shop_id.channel", store=True)
    product_id = fields.Many2one(
        "product.product",
        string="Product (Odoo)",
        index=True,
        ondelete="restrict",
        check_company=True,
        domain="[('is_storable', '=', True)]",
        help="The Odoo product this listing sells. One product may be bound to "
        "several listings and shops.",
    )
    external_item_id = fields.Char(
        string="External Item ID",
        required=True,
        index=True,
        help="The listing's item id on the marketplace.",
    )
    external_variation_id = fields.Char(
        string="Variation ID",
        required=True,
        default=NO_VARIATION,
        help="The variation's id; 0 for an item without variations.",
    )
    sku = fields.Char(
        string="SKU",
        index=True,
        help="The listing's SKU on the marketplace, trimmed (real SKUs may end "
        "with a newline). Matched against the products' Internal Reference and "
        "barcode.",
    )
    name = fields.Char(string="Listing", help="The listing's name on the marketplace.")
    variation_name = fields.Char(string="Variation")
    currency_id = fields.Many2one(related="shop_id.company_id.currency_id")
    price = fields.Monetary(
        help="The listing's current price on the marketplace.",
        aggregator=False,  # a sum of prices means nothing
    )
    marketplace_stock = fields.Integer(
        string="Marketplace stock",
        readonly=True,
        aggregator=False,
        help="The seller stock the marketplace has: as the last catalogue pull "
        "read it, or as the last push set it, whichever came last.",
    )
    marketplace_stock_at = fields.Datetime(
        string="Marketplace stock on",
        readonly=True,
        help="When the marketplace's stock was last read or set.",
    )
    bound_at = fields.Datetime(
        string="Bound on", readonly=True, help="When its Odoo product was set."
    )
    push_held = fields.Boolean(
        string="Push held",
        readonly=True,
        help="Its stock is not pushed until the seller confirms Odoo's quantity "
        "(Confirm and push): Odoo would have lowered the marketplace's stock of "
        "a listing just bound, or the seller chose so in Bulk Binding.",
    )
    push_hold_reason = fields.Text(string="Why held", readonly=True)
    push_held_by_seller = fields.Boolean(
        string="Held by the seller",
        readonly=True,
        help="Held because the seller chose so (Bulk Binding): only Confirm and "
        "push lifts it. A hold of Odoo's own lifts by itself once Odoo has "
        "stock to offer.",
    )
    stock_confirmed_at = fields.Datetime(
        string="Stock confirmed on",
        readonly=True,
        help="When the seller last pressed Confirm and push: from then on a 0 "
        "of Odoo's is pushed as it is.",
    )
    listing_status = fields.Selection(
        LISTING_STATUSES, default="normal", required=True, index=True
    )
    date_listing_updated = fields.Datetime(
        string="Last update", help="When the marketplace last changed the listing."
    )
    active = fields.Boolean(
        default=True,
        help="Inactive once the listing is gone from the marketplace (deleted or "
        "banned), or archived by hand.",
    )
    origin = fields.Selection(
        [("pulled", "Catalogue pull"), ("manual", "Made by hand")],
        default="manual",
        required=True,
        readonly=True,
    )
    match_state = fields.Selection(
        [
            ("bound", "Bound"),
            ("to_bind", "To bind"),
            ("ambiguous", "Ambiguous SKU"),
        ],
        compute="_compute_match_state",
        store=True,
        index=True,
        string="Binding",
    )
    candidate_product_ids = fields.Many2many(
        "product.product",
        "marketplace_product_binding_candidate_rel",
        "binding_id",
        "product_id",
        string="Candidates",
        readonly=True,
        help="The products whose Internal Reference or barcode equals the SKU, "
        "when there is more than one: choose the right one.",
    )
    payload_hash = fields.Char(
        readonly=True,
        copy=False,
        help="Fingerprint of the listing as last pulled: an identical answer is "
        "skipped.",
    )
    # -- stock push ---------------------------------------------------------------
    push_request = fields.Boolean(
        string="To push",
        compute="_compute_push_request",
        search="_search_push_request",
        help="Its product's free quantity or open demand changed: the next "
        "automatic push sends it.",
    )
    last_pushed_qty = fields.Integer(
        string="Last pushed quantity",
        aggregator=False,
        readonly=True,
        copy=False,
        help="The last stock the marketplace accepted for this listing.",
    )
    last_pushed_at = fields.Datetime(string="Last pushed on", readonly=True, copy=False)
    last_push_error = fields.Text(readonly=True, copy=False)
    last_seen_job_id = fields.Many2one(
        "marketplace.job",
        readonly=True,
        ondelete="set null",
        help="The last catalogue pull that listed it.",
    )

    _sql_constraints = [
        (
            "listing_uniq",
            "unique(shop_id, external_item_id, external_variation_id)",
            "This listing (item and model) is already bound on this shop.",
        ),
    ]

    @api.depends("product_id", "candidate_product_ids")
    def _compute_match_state(self):
        for binding in self:
            if binding.product_id:
                binding.match_state = "bound"
            elif len(binding.candidate_product_ids) > 1:
                binding.match_state = "ambiguous"
            else:
                binding.match_state = "to_bind"

    @api.depends("name", "variation_name", "sku", "external_item_id")
    def _compute_display_name(self):
        for binding in self:
            label = binding.name or binding.sku or binding.external_item_id
            if binding.variation_name:
                label = f"{label} ({binding.variation_name})"
            binding.display_name = label

    @api.constrains("shop_id", "external_item_id", "external_variation_id", "origin")
    def _check_known_variation(self):
        """A listing made by hand names a variation the pulled catalogue has:
        an item with variations is bound variation by variation (the
        marketplace refuses a stock for the item alone)."""
        for binding in self.filtered(lambda b: b.origin == "manual"):
            pulled = self.with_context(active_test=True).search(
                [
                    ("id", "!=", binding.id),
                    ("shop_id", "=", binding.shop_id.id),
                    ("external_item_id", "=", binding.external_item_id),
                    ("origin", "=", "pulled"),
                ]
            )
            if not pulled or binding.external_variation_id in pulled.mapped(
                "external_variation_id"
            ):
                continue
            variations = ", ".join(
                f"{listing.external_variation_id} ({listing.variation_name})"
                if listing.variation_name
                else listing.external_variation_id
                for listing in pulled
            )
            raise ValidationError(
                self.env._(
                    "Item %(item)s has no variation %(model)s on the marketplace. "
                    "Its variations are: %(variations)s. Bind each variation you "
                    "sell (its Model ID), or use Bulk Binding.",
                    item=binding.external_item_id,
                    model=binding.external_variation_id,
                    variations=variations,
                )
            )

    @api.constrains("external_item_id", "external_variation_id")
    def _check_external_ids(self):
        for binding in self:
            for value in (binding.external_item_id, binding.external_variation_id):
                if not (value or "").strip().isdigit():
                    raise ValidationError(
                        self.env._(
                            "Item and model ids are numbers (model 0 for an item "
                            "without variations), not %(value)s.",
                            value=value,
                        )
                    )

    def _check_system_fields(self, vals, creating=False):
        if self.env.su:
            return
        protected = SYSTEM_FIELDS & set(vals)
        if creating:
            # A binding of a channel (``_inherits``) gives its parent the
            # fields' defaults: a default is not a user's choice.
            defaults = self.default_get(list(protected))
            protected = {name for name in protected if vals[name] != defaults.get(name)}
        if protected:
            raise AccessError(
                self.env._(
                    "These fields of a product binding are set by the system "
                    "only: %(fields)s.",
                    fields=", ".join(sorted(protected)),
                )
            )

    def _check_shop_kept(self, vals):
        """A listing's ids only mean something on its own shop."""
        if "shop_id" in vals and any(b.shop_id.id != vals["shop_id"] for b in self):
            raise UserError(
                self.env._(
                    "A listing belongs to its shop: bind the product on the other "
                    "shop's own listing instead."
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_system_fields(vals, creating=True)
            self._normalize(vals)
            self._stamp(vals)
        bindings = super().create(vals_list)
        bindings.filtered("product_id")._bound_changed()
        bindings.filtered(lambda b: b.product_id and b.active)._request_push()
        return bindings

    def write(self, vals):
        self._check_system_fields(vals)
        self._check_shop_kept(vals)
        self._normalize(vals)
        self._stamp(vals)
        if "product_id" in vals and vals["product_id"]:
            vals.setdefault("candidate_product_ids", [fields.Command.clear()])
        watched = [
            name
            for name in (
                "product_id",
                "active",
                "external_item_id",
                "external_variation_id",
            )
            if name in vals
        ]
        before = {b.id: [b[name] for name in watched] for b in self} if watched else {}
        result = super().write(vals)
        # A catalogue pull writes every listing it reads: only a real change
        # moves order lines and marks the listing to push.
        changed = self.filtered(
            lambda b: watched and [b[name] for name in watched] != before[b.id]
        )
        if changed and not self.env.context.get("marketplace_bound_changed_later"):
            changed._after_bound_change()
        return result

    def _after_bound_change(self):
        self._lift_hold()
        self._bound_changed()
        self.filtered(lambda b: b.product_id and b.active)._request_push()

    @api.model
    def _stamp(self, vals):
        """When the marketplace's stock was learnt, when the product was set:
        the system's, after the users' fields were checked."""
        now = fields.Datetime.now()
        if "marketplace_stock" in vals:
            vals.setdefault("marketplace_stock_at", now)
        if vals.get("product_id"):
            vals.setdefault("bound_at", now)

    @api.model
    def _normalize(self, vals):
        if "sku" in vals:
            vals["sku"] = clean_sku(vals["sku"]) or False
        for key in ("external_item_id", "external_variation_id"):
            if vals.get(key) is not None and vals.get(key) is not False:
                vals[key] = str(vals[key]).strip()

    def _compute_push_request(self):
        marked = self._marked_ids()
        for binding in self:
            binding.push_request = binding.id in marked

    def _search_push_request(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise ValidationError(self.env._("Search To push for true or false."))
        self.env.cr.execute("SELECT DISTINCT binding_id FROM marketplace_push_mark")
        marked = [row[0] for row in self.env.cr.fetchall()]
        wanted = (operator == "=") == value
        return [("id", "in" if wanted else "not in", marked)]

    def _marked_ids(self):
        """The ids of these listings that are marked to push."""
        if not self.ids:
            return set()
        self.env.cr.execute(
            "SELECT DISTINCT binding_id FROM marketplace_push_mark "
            "WHERE binding_id IN %s",
            [tuple(self.ids)],
        )
        return {row[0] for row in self.env.cr.fetchall()}

    def _request_push(self):
        """Mark these listings to push (see ``marketplace.push.mark``), in
        one insert."""
        if not self.ids:
            return
        self.flush_recordset(["shop_id"])
        self.env.cr.execute(
            "INSERT INTO marketplace_push_mark (binding_id, shop_id) "
            "SELECT id, shop_id FROM marketplace_product_binding WHERE id IN %s",
            [tuple(self.ids)],
        )
        self.invalidate_recordset(["push_request"])

    @api.model
    def _push_products_later(self, product_ids):
        """Mark the listings of these products on every shop that pushes
        automatically, and queue those shops' push: once, just before the
        transaction commits (a pre-commit hook), however often their free
        quantity or their open demand changed meanwhile."""
        product_ids = {product_id for product_id in product_ids if product_id}
        if not product_ids:
            return
        precommit = self.env.cr.precommit
        if PUSH_LATER not in precommit.data:
            precommit.data[PUSH_LATER] = set()
            precommit.add(self._mark_and_queue_push)
        precommit.data[PUSH_LATER].update(product_ids)

    def _mark_and_queue_push(self):
        product_ids = self.env.cr.precommit.data.pop(PUSH_LATER, set())
        if not product_ids:
            return
        env = self.env(su=True)
        bindings = env["marketplace.product.binding"].search(
            [
                ("product_id", "in", list(product_ids)),
                ("active", "=", True),
                ("shop_id.auto_push_stock", "=", True),
            ]
        )
        if not bindings:
            return
        bindings._request_push()
        bindings.shop_id._queue_auto_push()
        env.flush_all()

    def _bound_changed(self):
        """Order lines not yet in a sale order follow their listing's product;
        orders that waited for it get their sale orders, without a new pull."""
        lines = self.env["marketplace.order.line"]._assign_products_for_bindings(self)
        self.env["marketplace.order"]._bindings_made(lines.order_id if lines else None)

    # -- automatic match ------------------------------------------------------
    @api.model
    def _products_by_code(self, codes, company):
        """{code: products} for the active storable products whose Internal
        Reference or barcode is one of ``codes`` (case-sensitive), of
        ``company`` or of no company. Two queries, whatever the count."""
        codes = [code for code in set(codes) if code]
        found = {}
        if not codes:
            return found
        products = self.env["product.product"].with_context(active_test=True)
        domain = [
            ("is_storable", "=", True),
            ("company_id", "in", [company.id, False]),
        ]
        for field in ("default_code", "barcode"):
            for product in products.search(domain + [(field, "in", codes)]):
                found.setdefault(product[field], products.browse())
                found[product[field]] |= product
        return found

    def _auto_match(self):
        """Bind the unbound listings whose SKU names exactly one product.

        Several candidates: left unbound, marked "ambiguous SKU" with them.
        No SKU (most real listings) or no candidate: left for the seller.
        Set-based: a few queries for any number of listings.
        """
        unbound = self.filtered(lambda b: not b.product_id and b.active and b.sku)
        results = {"bound": 0, "ambiguous": 0, "unmatched": 0}
        for company in unbound.company_id:
            listings = unbound.filtered(lambda b, c=company: b.company_id == c)
            by_code = self._products_by_code(listings.mapped("sku"), company)
            to_bind = {}
            for binding in listings:
                candidates = by_code.get(binding.sku, self.env["product.product"])
                if len(candidates) == 1:
                    to_bind.setdefault(candidates.id, self.browse())
                    to_bind[candidates.id] |= binding
                    results["bound"] += 1
                elif candidates:
                    binding.candidate_product_ids = [fields.Command.set(candidates.ids)]
                    results["ambiguous"] += 1
                else:
                    if binding.candidate_product_ids:
                        binding.candidate_product_ids = [fields.Command.clear()]
                    results["unmatched"] += 1
            # One query for the candidates the writes below clear, and the
            # order lines follow once for all these listings, not once per
            # product (a search of every order line each time).
            listings.mapped("candidate_product_ids")
            # Each write checks the product's company, a related field of the
            # product: read for all of them at once, not one query per write.
            self.env["product.product"].browse(list(to_bind)).mapped("company_id")
            bound = []
            for product_id, bindings in to_bind.items():
                bindings.with_context(marketplace_bound_changed_later=True).write(
                    {"product_id": product_id}
                )
                bound += bindings.ids
            self.browse(bound)._after_bound_change()
        return results

    # -- holding a push -------------------------------------------------------
    def _would_zero_a_fresh_listing(self, quantity, available):
        """True when pushing ``quantity`` would lower to 0 the stock the
        marketplace shows for a listing bound in the last day because Odoo
        has none to offer (``available``: free quantity less open demand):
        its stock may not be counted yet. A 0 of the seller's rule (its
        buffer, its minimum), or one the seller confirmed, is pushed."""
        self.ensure_one()
        return bool(
            quantity == 0
            and available <= 0
            and self.marketplace_stock > 0
            and self.bound_at
            and self.bound_at > fields.Datetime.now() - FRESH_BINDING
            and not (self.last_pushed_at and self.last_pushed_at >= self.bound_at)
            and not (
                self.stock_confirmed_at and self.stock_confirmed_at >= self.bound_at
            )
        )

    def _hold_push(self, reason, by_seller=False):
        self.sudo().write(
            {
                "push_held": True,
                "push_hold_reason": reason,
                "push_held_by_seller": by_seller,
            }
        )

    @api.model
    def _hold_lifted_values(self):
        return {
            "push_held": False,
            "push_hold_reason": False,
            "push_held_by_seller": False,
        }

    def _lift_hold(self):
        """A held listing bound to another product, or to none, or archived:
        the hold was about the stock of its former product."""
        held = self.filtered("push_held")
        if held:
            held.sudo().write(self._hold_lifted_values())

    def action_confirm_push(self):
        """Button "Confirm and push": the seller checked Odoo's quantity, so
        it is pushed as it is, 0 included."""
        self.check_access("write")
        for shop in self.shop_id:
            shop._check_connected()
        self.sudo().write(
            dict(self._hold_lifted_values(), stock_confirmed_at=fields.Datetime.now())
        )
        # Pushed now, whether or not the shop pushes automatically: the
        # seller asked for it, and the job says how it went.
        jobs = self.env["marketplace.job"]
        for shop in self.shop_id:
            listings = self.filtered(lambda b, shop=shop: b.shop_id == shop)
            jobs |= shop._create_push_stock_job(
                {"product_ids": listings.product_id.ids}
            )
        return self.shop_id[:1]._notification(
            self.env._("Confirm and push"),
            self.env._(
                "Job %(jobs)s was queued to push the stock Odoo has for these "
                "listings.",
                jobs=", ".join(jobs.mapped("name")),
            ),
            True,
        )

    # -- actions --------------------------------------------------------------
    def action_bulk_binding(self):
        """Open Bulk Binding for these listings' shop (or the first shop)."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "connector_marketplace.marketplace_product_bind_wizard_action"
        )
        shop = self.shop_id[:1] or self.env["marketplace.shop"].search([], limit=1)
        action["context"] = {
            "default_shop_id": shop.id,
            "default_binding_ids": self.ids,
        }
        return action
