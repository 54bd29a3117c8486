from odoo import api, fields, models

from .marketplace_product_binding import NO_VARIATION

# One order lifecycle for every channel. The channel's mapper says which of
# these its own statuses are, and keeps its own in ``raw_status``.
ORDER_STATUSES = [
    ("awaiting_payment", "Awaiting payment"),
    ("to_ship", "To ship"),
    ("packed", "Packed"),
    ("shipping", "In transit"),
    ("delivered", "Delivered"),
    ("completed", "Completed"),
    ("cancel_requested", "Cancellation requested"),
    ("cancelled", "Cancelled"),
    ("returned", "Returned"),
    ("unknown", "Unknown"),
]
# How far an order has gone, for an order whose items have their own status.
PROGRESS = (
    "awaiting_payment",
    "to_ship",
    "packed",
    "shipping",
    "delivered",
    "completed",
)
# Orders whose units are still to leave the stock.
OPEN_STATUSES = ("awaiting_payment", "to_ship", "packed", "cancel_requested")
# Orders that never become sale orders.
NO_SALE_STATUSES = ("awaiting_payment", "cancel_requested", "cancelled", "returned")
# The parcel has left.
SHIPPED_STATUSES = ("shipping", "delivered", "completed")


def order_status_of_items(statuses):
    """The status of an order from the statuses of its items (channels whose
    statuses are per order item).

    The items that are neither cancelled nor returned decide: the order is as
    far as its least advanced one (an order is "shipping" only when all its
    live items have left), and "cancellation requested" as soon as one of
    them is. With no live item, the order is "returned" if any item was
    returned, else "cancelled". An unknown status, or one outside the
    lifecycle, makes it "unknown".
    """
    statuses = list(statuses)
    known = dict(ORDER_STATUSES)
    if not statuses or "unknown" in statuses or not all(s in known for s in statuses):
        return "unknown"
    live = [s for s in statuses if s not in ("cancelled", "returned")]
    if not live:
        return "returned" if "returned" in statuses else "cancelled"
    if "cancel_requested" in live:
        return "cancel_requested"
    return min(live, key=PROGRESS.index)


class MarketplaceOrder(models.Model):
    """An order as the marketplace sent it, kept current by every pull.

    Buyer and recipient data are stored exactly as the marketplace sends
    them, i.e. masked; the raw payload is kept for support and audits.
    """

    _name = "marketplace.order"
    _description = "Marketplace Order"
    _order = "date_order desc, id desc"

    shop_id = fields.Many2one(
        "marketplace.shop", required=True, ondelete="restrict", index=True
    )
    account_id = fields.Many2one(related="shop_id.account_id", store=True)
    channel = fields.Selection(related="shop_id.channel", store=True)
    company_id = fields.Many2one(related="shop_id.company_id", store=True)
    # Not "external_id": channel bindings _inherits this model and have their
    # own external_id, which would shadow it.
    name = fields.Char(
        string="Order Reference",
        required=True,
        index=True,
        readonly=True,
        help="The order's reference on the marketplace.",
    )
    status = fields.Selection(
        ORDER_STATUSES, required=True, default="unknown", index=True, readonly=True
    )
    raw_status = fields.Char(
        string="Marketplace status",
        readonly=True,
        help="The status exactly as the marketplace sent it; Status is where "
        "it stands in Odoo's order lifecycle.",
    )
    date_order = fields.Datetime(string="Ordered on", readonly=True, index=True)
    date_updated = fields.Datetime(
        string="Updated on",
        readonly=True,
        help="Last change on the marketplace; older data never overwrites newer.",
    )
    date_paid = fields.Datetime(string="Paid on", readonly=True)
    ship_by_date = fields.Datetime(readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    amount_total = fields.Monetary(
        string="Total", readonly=True, help="What the buyer paid, shipping included."
    )
    shipping_fee = fields.Monetary(string="Estimated shipping fee", readonly=True)
    payment_method = fields.Char(readonly=True)
    cod = fields.Boolean(string="Cash on delivery", readonly=True)
    shipping_carrier = fields.Char(readonly=True)
    buyer_username = fields.Char(readonly=True)
    buyer_user_id = fields.Char(string="Buyer ID", readonly=True)
    message_to_seller = fields.Text(readonly=True)
    note = fields.Text(string="Seller note", readonly=True)
    recipient_name = fields.Char(readonly=True)
    recipient_phone = fields.Char(readonly=True)
    recipient_address = fields.Text(readonly=True)
    recipient_district = fields.Char(readonly=True)
    recipient_city = fields.Char(readonly=True)
    recipient_state = fields.Char(readonly=True)
    recipient_zip = fields.Char(readonly=True)
    recipient_region = fields.Char(readonly=True)
    cancel_by = fields.Char(readonly=True)
    cancel_reason = fields.Char(readonly=True)
    raw_payload = fields.Text(
        readonly=True, help="The order as last received from the marketplace."
    )
    payload_hash = fields.Char(
        readonly=True,
        copy=False,
        help="Fingerprint of the last payload: an answer identical to it is "
        "skipped, a different one with the same update time is not.",
    )
    line_ids = fields.One2many(
        "marketplace.order.line", "order_id", string="Lines", readonly=True
    )
    job_ids = fields.Many2many(
        "marketplace.job",
        "marketplace_job_order_rel",
        "order_id",
        "job_id",
        string="Jobs",
        readonly=True,
        help="The jobs that imported or updated this order.",
    )
    quantity_total = fields.Float(
        compute="_compute_quantity_total", digits="Product Unit of Measure"
    )
    unbound_line_count = fields.Integer(
        string="Lines without product",
        compute="_compute_unbound_line_count",
        store=True,
        help="Lines whose listing has no Odoo product yet: bind them in "
        "Marketplace > Product Bindings.",
    )

    _sql_constraints = [
        (
            "external_uniq",
            "unique(shop_id, name)",
            "An order with this reference already exists for this shop.",
        ),
    ]

    @api.depends("line_ids.product_id")
    def _compute_unbound_line_count(self):
        for order in self:
            order.unbound_line_count = len(
                order.line_ids.filtered(lambda line: not line.product_id)
            )

    @api.depends("line_ids.quantity")
    def _compute_quantity_total(self):
        for order in self:
            order.quantity_total = sum(order.line_ids.mapped("quantity"))


class MarketplaceOrderLine(models.Model):
    _name = "marketplace.order.line"
    _description = "Marketplace Order Line"
    _order = "order_id, sequence, id"

    order_id = fields.Many2one(
        "marketplace.order", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(default=10)
    external_key = fields.Char(
        required=True,
        help="Identifies the line within its order across imports.",
    )
    item_id = fields.Char(string="Item ID")
    variation_id = fields.Char(string="Variation ID")
    sku = fields.Char(string="SKU", index=True)
    name = fields.Char(string="Product", required=True)
    variation_name = fields.Char()
    quantity = fields.Float(digits="Product Unit of Measure")
    currency_id = fields.Many2one(related="order_id.currency_id")
    price_original = fields.Monetary(string="Original price")
    price_unit = fields.Monetary(
        string="Unit price", help="Price after the seller's discount."
    )
    price_subtotal = fields.Monetary(
        string="Subtotal", compute="_compute_price_subtotal", store=True
    )
    promotion_type = fields.Char()
    shop_id = fields.Many2one(related="order_id.shop_id", store=True, index=True)
    product_binding_id = fields.Many2one(
        "marketplace.product.binding",
        string="Listing",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The shop's listing of this line, found by item and model id, "
        "else by SKU.",
    )
    product_id = fields.Many2one(
        "product.product",
        string="Product (Odoo)",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
    )

    _sql_constraints = [
        (
            "external_key_uniq",
            "unique(order_id, external_key)",
            "A line with this key already exists in this order.",
        ),
    ]

    @api.depends("quantity", "price_unit")
    def _compute_price_subtotal(self):
        for line in self:
            line.price_subtotal = line.quantity * line.price_unit

    # -- products -------------------------------------------------------------
    def _open_for_binding(self):
        """The lines whose product may still change: their order has not
        become a sale order yet."""
        return self

    def _assign_products(self):
        """Find each line's listing and product, in a few queries.

        By the listing's (item, model) first; a line without ids, or whose
        listing is unknown, by its SKU: a listing of the shop with that SKU,
        else the one product whose Internal Reference or barcode it is.
        """
        lines = self._open_for_binding()
        if not lines:
            return
        resolve = self._product_resolver(
            lines.shop_id,
            list(set(lines.mapped("item_id")) - {False}),
            list(set(lines.mapped("sku")) - {False}),
        )
        for line in lines:
            order = line.order_id
            binding, product = resolve(
                order.shop_id,
                order.company_id,
                line.item_id,
                line.variation_id,
                line.sku,
            )
            values = {}
            if line.product_binding_id != binding:
                values["product_binding_id"] = binding.id if binding else False
            if line.product_id != product:
                values["product_id"] = product.id
            if values:
                line.write(values)

    @api.model
    def _product_resolver(self, shops, item_ids, skus):
        """The rules of :meth:`_assign_products` for lines of ``shops`` with
        these item ids and SKUs, looked up in a few queries.

        :returns: a function (shop, company, item id, model id, SKU) →
            (listing, product), either empty
        """
        bindings = self.env["marketplace.product.binding"].with_context(
            active_test=False
        )
        # Only the columns used here: a chunk's items have hundreds of listings.
        columns = ["shop_id", "external_item_id", "external_variation_id", "product_id"]
        known = bindings.search_fetch(
            [("shop_id", "in", shops.ids), ("external_item_id", "in", item_ids)],
            columns,
        )
        by_ids = {
            (b.shop_id.id, b.external_item_id, b.external_variation_id): b
            for b in known
        }
        by_sku = {}
        if skus:
            for binding in bindings.search_fetch(
                [("shop_id", "in", shops.ids), ("sku", "in", skus)],
                ["sku", *columns],
                order="active desc, id",
            ):
                by_sku.setdefault((binding.shop_id.id, binding.sku), binding)
        products_by_code = {
            company.id: bindings._products_by_code(skus, company)
            for company in shops.company_id
        }
        no_product = self.env["product.product"]

        def resolve(shop, company, item_id, variation_id, sku):
            binding = by_ids.get(
                (shop.id, item_id or "", variation_id or NO_VARIATION)
            ) or by_sku.get((shop.id, sku))
            product = binding.product_id if binding else no_product
            if not product and sku:
                candidates = products_by_code.get(company.id, {}).get(sku)
                if candidates and len(candidates) == 1:
                    product = candidates
            return binding or bindings.browse(), product

        return resolve

    @api.model
    def _assign_products_for_bindings(self, bindings):
        """The open lines of these listings (by ids or SKU) follow them."""
        if not bindings:
            return
        domain = [("shop_id", "in", bindings.shop_id.ids)]
        items = list(set(bindings.mapped("external_item_id")))
        skus = list(set(bindings.mapped("sku")) - {False})
        search = [("item_id", "in", items)]
        if skus:
            search = ["|", ("item_id", "in", items), ("sku", "in", skus)]
        lines = self.search(domain + search)
        lines._assign_products()
        return lines
