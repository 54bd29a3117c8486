"""Stock changes → the listings to push, and one automatic push per shop.

Whatever changes a product's free quantity goes through its quants: moves
done or cancelled, reservations made or released, inventory adjustments,
sale orders confirmed or cancelled. The listener collects the products of
the quants written in a transaction and, once, just before it commits,
marks their listings on the shops that push automatically and queues one
push per shop (a job with no product list: it pushes what is marked).
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
        cr = self.env.cr
        products = cr.precommit.data.setdefault("marketplace.push.products", set())
        if not products:
            cr.precommit.add(self._mark_and_queue)
        products.update(quants.product_id.ids)

    def _mark_and_queue(self):
        product_ids = self.env.cr.precommit.data.pop("marketplace.push.products", set())
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
