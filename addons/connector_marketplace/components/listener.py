"""Stock changes → the listings to push, and one automatic push per shop.

Whatever changes a product's free quantity goes through its quants: moves
done or cancelled, reservations made or released, inventory adjustments,
sale orders confirmed or cancelled. The listener hands the products of the
quants written in a transaction to the product bindings, which mark their
listings on the shops that push automatically, once, just before the
transaction commits, and queue one push per shop (a job with no product
list: it pushes what is marked). The open marketplace demand, the push's
other input, is followed by the orders themselves (``marketplace.order``).
"""

from odoo.addons.component.core import Component
from odoo.addons.component_event import skip_if

QUANT_FIELDS = {"quantity", "reserved_quantity", "location_id", "product_id"}


class MarketplaceStockListener(Component):
    _name = "marketplace.stock.listener"
    _inherit = "base.event.listener"
    _apply_on = ["stock.quant"]

    @skip_if(lambda self, record, **kwargs: self.env.context.get("marketplace_no_push"))
    def on_record_create(self, record, fields=None):
        self._collect(record)

    @skip_if(lambda self, record, **kwargs: self.env.context.get("marketplace_no_push"))
    def on_record_write(self, record, fields=None):
        if not fields or QUANT_FIELDS & set(fields):
            self._collect(record)

    def _collect(self, quants):
        self.env["marketplace.product.binding"]._push_products_later(
            quants.product_id.ids
        )
