"""Sale orders made from marketplace orders: a service model.

The job (and the seller's *Create Sale Order*) decides which orders get a
sale order; this service makes them, for orders of any channel, in bulk:
customers and delivery addresses found or created with one search and one
create each, then one ``sale.order.create`` for the whole batch. It needs no
marketplace call and no backend: it runs with the rights of whoever asked.
An abstract model without a table, so that addons extend it the Odoo way
(``_inherit``; a channel adds its buyers' tax data, for example), and
with private methods only: nothing of it is callable from outside.

The money lines (seller voucher, shipping paid by the buyer) come from the
order's money (``marketplace_order_money.py``), written once for every
channel in neutral words.
"""

from odoo import api, fields, models


class _Places:
    """Countries and states of recipients, each searched once per batch."""

    def __init__(self, env):
        self.env = env
        self._countries, self._states = {}, {}

    def country(self, order):
        code = (order.recipient_region or "").upper()
        if code not in self._countries:
            self._countries[code] = self.env["res.country"].search(
                [("code", "=", code)], limit=1
            )
        return self._countries[code] or order.company_id.country_id

    def state(self, country, name):
        if not (country and name):
            return self.env["res.country.state"]
        key = (country.id, name)
        if key not in self._states:
            self._states[key] = self.env["res.country.state"].search(
                [("country_id", "=", country.id), ("name", "=", name)], limit=1
            )
        return self._states[key]


class SaleOrderBuilder(models.AbstractModel):
    _name = "marketplace.sale.order.builder"
    _description = "Marketplace Sale Order Builder (service)"

    @api.model
    def _make(self, orders):
        """Create the sale orders of ``orders`` (not confirmed).

        An order whose sale order would be in another currency is marked in
        error with the reason, and gets none.

        :returns: (the orders that got one, their sale orders, in the same
            order)
        """
        partners = self._partners(orders)
        for order in orders:
            problem = order._sale_currency_problem(partners[order.id][0])
            if problem:
                order.write({"sale_status": "error", "sale_status_note": problem})
                orders -= order
        sale_orders = self.env["sale.order"].create(
            [self._sale_order_values(order, partners[order.id]) for order in orders]
        )
        return orders, sale_orders

    # -- customers and addresses ------------------------------------------------
    @api.model
    def _partners(self, orders):
        """{order id: (customer, delivery address)}, found or made in bulk:
        one search and one create for the customers, the same for the
        delivery addresses (a create per order cost a quarter of the time)."""
        partners = self.env["res.partner"].sudo()
        places = _Places(self.env)
        buyer_orders = orders.filtered(
            lambda o: o.shop_id.customer_policy == "buyer" and o.buyer_user_id
        )
        customers = {}
        refs = {order._buyer_ref() for order in buyer_orders}
        if refs:
            # a buyer of shops of two companies is a customer of each
            for partner in partners.search(
                [
                    ("marketplace_buyer_ref", "in", list(refs)),
                    ("company_id", "in", buyer_orders.company_id.ids + [False]),
                ]
            ):
                customers.setdefault(
                    (partner.company_id.id, partner.marketplace_buyer_ref), partner
                )
        new_customers = {}
        for order in buyer_orders:
            ref = order._buyer_ref()
            key = (order.company_id.id, ref)
            if key not in customers and (False, ref) not in customers:
                new_customers.setdefault(key, self._customer_values(order, places))
        created = partners._create_marketplace_buyers(list(new_customers.values()))
        customers.update(zip(new_customers, created, strict=True))
        customer_of = {}
        for order in orders:
            if order in buyer_orders:
                ref = order._buyer_ref()
                customer_of[order.id] = customers.get(
                    (order.company_id.id, ref)
                ) or customers.get((False, ref))
            else:
                customer_of[order.id] = order.shop_id._shop_customer()
        return self._with_delivery_addresses(orders, customer_of, places)

    @api.model
    def _with_delivery_addresses(self, orders, customer_of, places):
        """{order id: (customer, delivery address)}: the recipient as a
        delivery address of the customer (masked values stay masked), shared
        by the orders that ship to the same place."""
        address_of, new_addresses, waiting = {}, {}, {}
        for order in orders:
            customer = customer_of[order.id]
            if not (order.recipient_name or order.recipient_address):
                address_of[order.id] = customer
                continue
            values = self._delivery_values(order, customer, places)
            key = (customer.id, values["street"], values["name"], values["zip"])
            existing = customer.child_ids.filtered(
                lambda child, key=key: (
                    child.type == "delivery"
                    and (
                        child.parent_id.id,
                        child.street,
                        child.name,
                        child.zip or False,
                    )
                    == key
                )
            )
            if existing:
                address_of[order.id] = existing[:1]
            else:
                new_addresses.setdefault(key, values)
                waiting[order.id] = key
        created = self.env["res.partner"].sudo().create(list(new_addresses.values()))
        created_by_key = dict(zip(new_addresses, created, strict=True))
        for order_id, key in waiting.items():
            address_of[order_id] = created_by_key[key]
        return {
            order.id: (customer_of[order.id], address_of[order.id]) for order in orders
        }

    @api.model
    def _customer_values(self, order, places):
        return {
            "name": order.buyer_username or order.recipient_name or order.name,
            "ref": order._buyer_ref(),
            "marketplace_buyer_ref": order._buyer_ref(),
            "company_id": order.company_id.id,
            "country_id": places.country(order).id,
            "comment": self.env._(
                "Buyer %(buyer)s on %(channel)s; contact details stay masked as the "
                "marketplace sends them.",
                buyer=order.buyer_username or order.buyer_user_id,
                channel=order.channel,
            ),
        }

    @api.model
    def _delivery_values(self, order, customer, places):
        country = places.country(order)
        state = places.state(country, order.recipient_state)
        return {
            "type": "delivery",
            "parent_id": customer.id,
            "name": order.recipient_name or customer.name,
            "phone": order.recipient_phone or False,
            "street": order.recipient_address or False,
            "street2": order.recipient_district or False,
            "city": order.recipient_city or order.recipient_state or False,
            "zip": order.recipient_zip or False,
            "country_id": country.id or False,
            "state_id": state.id or False,
        }

    # -- the sale order -----------------------------------------------------------
    @api.model
    def _sale_order_values(self, order, partners):
        customer, delivery = partners
        shop = order.shop_id
        values = {
            "partner_id": customer.id,
            "partner_invoice_id": customer.id,
            "partner_shipping_id": delivery.id,
            "company_id": order.company_id.id,
            "client_order_ref": order.name,
            "origin": self.env._(
                "%(channel)s %(order)s", channel=order.channel.title(), order=order.name
            ),
            "date_order": order.date_order or fields.Datetime.now(),
            "marketplace_order_id": order.id,
            "note": order.message_to_seller or False,
            "order_line": [
                fields.Command.create(values) for values in self._product_lines(order)
            ]
            + [
                fields.Command.create(dict(values, marketplace_money_kind=kind))
                for kind, values in order._money_line_values()
            ],
        }
        if shop.warehouse_id:
            values["warehouse_id"] = shop.warehouse_id.id
        if shop.team_id:
            values["team_id"] = shop.team_id.id
        if shop.salesperson_id:
            values["user_id"] = shop.salesperson_id.id
        if shop.pricelist_id:
            values["pricelist_id"] = shop.pricelist_id.id
        return values

    @api.model
    def _product_lines(self, order):
        tax = order.shop_id._sale_tax()
        return [
            {
                "product_id": line.product_id.id,
                "name": line._sale_line_name(),
                "product_uom_qty": line.quantity,
                "price_unit": line._sale_unit_price(),
                "tax_id": [fields.Command.set(tax.ids)],
                "marketplace_order_line_id": line.id,
            }
            for line in order.line_ids
        ]
