"""Open marketplace demand moves the listings, as a stock move does.

The stock push subtracts the open demand: the units of marketplace orders
that will take stock but have no confirmed sale order yet (README, "Stock to
the marketplace"). Whatever changes it (an order imported, its status, its
sale order confirmed or cancelled, a line's product or quantity, its shop
disconnected) marks the product's listings on every shop and queues their
automatic push, at the end of the transaction (see
``marketplace.product.binding._push_products_later``). A change that leaves
the demand as it was (an order imported again unchanged) marks nothing.

The orders of a disconnected or archived shop hold their stock until their
ship-by date (3 days after the order without one): Odoo no longer hears of
their cancellations and shipments, and they would hold it for ever; before
then, the seller still ships them (the daily reconciliation pushes what the
deadline gives back).
"""

from datetime import timedelta

from odoo import api, fields, models

from .marketplace_sync_rule import OPEN_DEMAND_STATUSES, UNHEARD_ORDER_DAYS

ORDER_FIELDS = {"status", "sale_order_id", "shop_id", "ship_by_date", "date_order"}
LINE_FIELDS = {"product_id", "quantity", "order_id"}
SHOP_FIELDS = {"auth_state", "active"}
CONFIRMED_SALE_STATES = ("sale", "done")


def _products_of(*demands):
    return {product_id for demand in demands for product_id, _qty in demand.values()}


class MarketplaceOrder(models.Model):
    _inherit = "marketplace.order"

    def _holds_demand(self):
        """True when this order's units count in the open demand."""
        self.ensure_one()
        if (
            self.status not in OPEN_DEMAND_STATUSES
            or self.sale_order_id.state in CONFIRMED_SALE_STATES
        ):
            return False
        shop = self.shop_id
        if shop.active and shop.auth_state != "disconnected":
            return True
        deadline = self.ship_by_date or (
            self.date_order and self.date_order + timedelta(days=UNHEARD_ORDER_DAYS)
        )
        return bool(deadline and deadline > fields.Datetime.now())

    def _demand_snapshot(self):
        return {order.id: order._holds_demand() for order in self}

    def _demand_moved(self, before):
        """Push the products of the orders whose demand came or went."""
        moved = self.filtered(lambda order: order._holds_demand() != before[order.id])
        self.env["marketplace.product.binding"]._push_products_later(
            moved.line_ids.product_id.ids
        )

    def write(self, vals):
        if not ORDER_FIELDS & set(vals):
            return super().write(vals)
        orders = self.sudo()
        before = orders._demand_snapshot()
        result = super().write(vals)
        orders._demand_moved(before)
        return result

    def unlink(self):
        # (its lines go with it in the database, without their own unlink)
        products = _products_of(self.line_ids._demand())
        result = super().unlink()
        self.env["marketplace.product.binding"]._push_products_later(products)
        return result


class MarketplaceOrderLine(models.Model):
    _inherit = "marketplace.order.line"

    def _demand(self):
        """{line id: (product id, quantity)} of the lines that count."""
        return {
            line.id: (line.product_id.id, line.quantity)
            for line in self.sudo()
            if line.product_id and line.order_id._holds_demand()
        }

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        self.env["marketplace.product.binding"]._push_products_later(
            _products_of(lines._demand())
        )
        return lines

    def write(self, vals):
        if not LINE_FIELDS & set(vals):
            return super().write(vals)
        before = self._demand()
        result = super().write(vals)
        after = self._demand()
        moved = {
            line_id
            for line_id in before.keys() | after.keys()
            if before.get(line_id) != after.get(line_id)
        }
        # a line moved from one product to another frees the first one
        self.env["marketplace.product.binding"]._push_products_later(
            _products_of(
                {line_id: before[line_id] for line_id in moved & before.keys()},
                {line_id: after[line_id] for line_id in moved & after.keys()},
            )
        )
        return result

    def unlink(self):
        products = _products_of(self._demand())
        result = super().unlink()
        self.env["marketplace.product.binding"]._push_products_later(products)
        return result


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def write(self, vals):
        orders = self.sudo().marketplace_order_id if "state" in vals else None
        if not orders:
            return super().write(vals)
        before = orders._demand_snapshot()
        result = super().write(vals)
        orders._demand_moved(before)
        return result


class MarketplaceShop(models.Model):
    _inherit = "marketplace.shop"

    def write(self, vals):
        if not SHOP_FIELDS & set(vals):
            return super().write(vals)
        orders = (
            self.env["marketplace.order"]
            .sudo()
            .search(
                [
                    ("shop_id", "in", self.ids),
                    ("status", "in", OPEN_DEMAND_STATUSES),
                ]
            )
        )
        before = orders._demand_snapshot()
        result = super().write(vals)
        orders._demand_moved(before)
        return result
