"""The shop's Sales settings: how its orders become sale orders."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .marketplace_order import NO_SALE_STATUSES

# Statuses at which a sale order may be created, and those never.
SALE_STATUSES_DEFAULT = ("to_ship", "packed", "shipping", "delivered", "completed")
SALE_STATUSES_NEVER = NO_SALE_STATUSES
# Changing one of these may cure the orders in error.
SALE_SETTINGS = {
    "pricelist_id",
    "warehouse_id",
    "sale_tax_id",
    "shipping_product_id",
    "discount_product_id",
    "customer_policy",
    "shop_partner_id",
    "team_id",
    "salesperson_id",
    "confirm_sale_orders",
    "validate_delivery_when_shipped",
}


class MarketplaceOrderStatus(models.Model):
    """An order status, to choose those that create sale orders."""

    _name = "marketplace.order.status"
    _description = "Marketplace Order Status"
    _order = "sequence, id"

    code = fields.Char(required=True, readonly=True, index=True)
    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    can_create_sale_order = fields.Boolean(readonly=True)

    _sql_constraints = [("code_uniq", "unique(code)", "One record per status.")]


class MarketplaceShop(models.Model):
    _inherit = "marketplace.shop"

    auto_create_sale_orders = fields.Boolean(
        string="Create sale orders automatically",
        default=True,
        help="After each import, orders at the chosen statuses become sale orders.",
    )
    sale_order_status_ids = fields.Many2many(
        "marketplace.order.status",
        string="At statuses",
        domain="[('can_create_sale_order', '=', True)]",
        default=lambda self: self._default_sale_order_statuses(),
        help="Orders get their sale order once they reach one of these statuses "
        "(never unpaid, cancelled or returned ones).",
    )
    sale_orders_from = fields.Datetime(
        string="For orders placed from",
        help="Older orders stay marketplace orders only: a back-fill of older "
        "orders never takes stock out twice. Set when the shop is connected.",
    )
    confirm_sale_orders = fields.Boolean(
        default=True,
        help="Confirm the sale orders: stock is reserved and the delivery made.",
    )
    team_id = fields.Many2one("crm.team", string="Sales team", check_company=True)
    salesperson_id = fields.Many2one("res.users", domain="[('share', '=', False)]")
    pricelist_id = fields.Many2one(
        "product.pricelist",
        check_company=True,
        help="Its currency is the sale orders' currency (the marketplace's: THB "
        "for a Thai shop).",
    )
    sale_tax_id = fields.Many2one(
        "account.tax",
        string="Tax on lines",
        check_company=True,
        domain="[('type_tax_use', '=', 'sale')]",
        help="Marketplace prices include VAT: by default a copy of the VAT 7% "
        "that is included in the price.",
    )
    shipping_product_id = fields.Many2one(
        "product.product",
        string="Shipping product",
        check_company=True,
        help="The line for what the buyer paid for shipping.",
    )
    discount_product_id = fields.Many2one(
        "product.product",
        string="Voucher product",
        check_company=True,
        help="The lines for the seller's own vouchers and for small adjustments.",
    )
    customer_policy = fields.Selection(
        [("buyer", "One customer per buyer"), ("shop", "One customer for the shop")],
        default="buyer",
        required=True,
        help="One customer per marketplace buyer (the buyer id is its reference), "
        "with the recipient as delivery address; or one customer for every "
        "order of the shop.",
    )
    shop_partner_id = fields.Many2one(
        "res.partner",
        check_company=True,
        string="Shop customer",
        help="The customer of every order when there is one for the shop.",
    )
    validate_delivery_when_shipped = fields.Boolean(
        default=True,
        help="Validate the delivery, with the ordered quantities, when the "
        "marketplace says the parcel left.",
    )

    @api.model
    def _default_sale_order_statuses(self):
        return self.env["marketplace.order.status"].search(
            [("code", "in", SALE_STATUSES_DEFAULT)]
        )

    @api.constrains("sale_order_status_ids")
    def _check_sale_order_statuses(self):
        for shop in self:
            wrong = shop.sale_order_status_ids.filtered(
                lambda status: status.code in SALE_STATUSES_NEVER
            )
            if wrong:
                raise ValidationError(
                    self.env._(
                        "Orders never become sale orders at these statuses: "
                        "%(statuses)s.",
                        statuses=", ".join(wrong.mapped("name")),
                    )
                )

    # -- defaults made on demand ----------------------------------------------
    def _make_sale_defaults(self):
        """The shop's tax, service products and customer, made before the
        chunks of a sale_orders job run: chunks making them side by side
        would both write the shop."""
        self.ensure_one()
        self._sale_tax()
        self._shipping_product()
        self._discount_product()
        if self.customer_policy != "buyer":
            self._shop_customer()

    def _sale_tax(self):
        """The shop's tax, else VAT 7% included in the price (made once)."""
        self.ensure_one()
        if self.sale_tax_id:
            return self.sale_tax_id
        company = self.company_id
        taxes = self.env["account.tax"].sudo().with_company(company)
        included = taxes.search(
            [
                ("company_id", "=", company.id),
                ("type_tax_use", "=", "sale"),
                ("amount_type", "=", "percent"),
                ("amount", "=", 7.0),
                ("price_include_override", "=", "tax_included"),
            ],
            limit=1,
        )
        if not included:
            base = self.env["account.chart.template"].with_company(company).ref(
                "tax_output_vat", raise_if_not_found=False
            ) or taxes.search(
                [
                    ("company_id", "=", company.id),
                    ("type_tax_use", "=", "sale"),
                    ("amount_type", "=", "percent"),
                    ("amount", "=", 7.0),
                ],
                limit=1,
            )
            values = {
                "name": self.env._("VAT 7% (included)"),
                "price_include_override": "tax_included",
            }
            if base:
                included = base.copy(values)
            else:
                included = taxes.create(
                    dict(
                        values,
                        amount=7.0,
                        amount_type="percent",
                        type_tax_use="sale",
                        company_id=company.id,
                    )
                )
        self.sudo().with_context(marketplace_default_made=True).sale_tax_id = included
        return included

    def _service_product(self, field, xmlid):
        self.ensure_one()
        product = self[field]
        if not product:
            product = self.env.ref(xmlid)
            self.sudo().with_context(marketplace_default_made=True)[field] = product
        return product

    def _shipping_product(self):
        return self._service_product(
            "shipping_product_id", "connector_marketplace.product_marketplace_shipping"
        )

    def _discount_product(self):
        return self._service_product(
            "discount_product_id", "connector_marketplace.product_marketplace_voucher"
        )

    def _shop_customer(self):
        self.ensure_one()
        if not self.shop_partner_id:
            self.sudo().with_context(marketplace_default_made=True).shop_partner_id = (
                self.env["res.partner"]
                .sudo()
                .create(
                    {
                        "name": self.env._("%(shop)s customers", shop=self.name),
                        "company_id": self.company_id.id,
                        "country_id": self.company_id.country_id.id,
                    }
                )
            )
        return self.shop_partner_id

    def _queue_sale_orders_job(self, orders, force=False, origin="cron"):
        """A sale_orders job for ``orders`` of this shop."""
        self.ensure_one()
        payload = {"order_ids": orders.ids}
        if force:
            payload["force"] = True
        return self.env["marketplace.job"]._queue_for(
            self, "sale_orders", payload, origin=origin
        )

    @api.model
    def _cron_sale_orders(self):
        """Sale orders left behind (a settlement to read again, an order changed
        while its shop's job was running): one job per shop, when none runs.
        Only what may change now is queued: an order that failed for good, or
        whose settlement will never come, waits for a change."""
        orders_model = self.env["marketplace.order"]
        orders = orders_model.search(
            [
                ("shop_id.auth_state", "=", "connected"),
                # made automatically, or made by hand and following its order
                "|",
                ("shop_id.auto_create_sale_orders", "=", True),
                ("sale_order_id", "!=", False),
            ]
            + orders_model._sale_sync_due_domain()
        )
        for shop in orders.shop_id:
            live = self.env["marketplace.job"].search_count(
                [
                    ("shop_id", "=", shop.id),
                    ("job_type", "in", ("sale_orders", "pull_orders", "import_orders")),
                    ("state", "in", ("pending", "processing")),
                ]
            )
            if not live:
                shop._queue_sale_orders_job(
                    orders.filtered(lambda o, s=shop: o.shop_id == s)
                )

    def write(self, vals):
        result = super().write(vals)
        # (a default made on demand while making sale orders cures nothing)
        if SALE_SETTINGS & set(vals) and not self.env.context.get(
            "marketplace_default_made"
        ):
            self._retry_sale_errors()
        return result

    def _retry_sale_errors(self):
        """The shop's Sales settings changed: its orders in error may succeed
        now (a pricelist in the order's currency, another warehouse...)."""
        for shop in self:
            orders = (
                self.env["marketplace.order"]
                .sudo()
                .search([("shop_id", "=", shop.id), ("sale_status", "=", "error")])
            )
            if not shop.auto_create_sale_orders:
                orders = orders.filtered("sale_order_id")
            if orders:
                orders.write({"needs_sale_sync": True})
                shop._queue_sale_orders_job(orders)
