"""Shipping an order from Odoo: where its shipment stands, what may be shipped."""

from datetime import timedelta

from odoo import fields, models

SHIPMENT_STATES = [
    ("requested", "Being arranged"),
    ("arranged", "Arranged"),
    ("refused", "Refused"),
]


class MarketplaceOrder(models.Model):
    _inherit = "marketplace.order"

    shipment_state = fields.Selection(
        SHIPMENT_STATES,
        readonly=True,
        copy=False,
        help="Where the shipment arranged from Odoo stands. Empty: not "
        "arranged from Odoo (the seller centre may have done it).",
    )
    shipment_error = fields.Char(
        string="Shipment refused because", readonly=True, copy=False
    )
    shipment_mode = fields.Char(readonly=True, copy=False)

    def write(self, vals):
        if vals.get("status") == "to_ship":
            # Back to ship after an arranged shipment (a failed pick-up): the
            # seller arranges it again.
            self.filtered(
                lambda o: o.status != "to_ship" and o.shipment_state
            ).shipment_state = False
        return super().write(vals)

    def _ship_problem(self, requested=False):
        """Why this order cannot be shipped from Odoo now, or None.

        :param requested: the order's own ship job asks (its shipment is
            being arranged: by this job; a retry after a lost answer is the
            channel's to recognise)
        """
        self.ensure_one()
        backend = self.shop_id.sudo()._get_channel_backend()
        if not backend._marketplace_capabilities().can_ship:
            return self.env._(
                "%(channel)s orders are shipped in the marketplace's seller centre.",
                channel=dict(
                    self.shop_id._fields["channel"]._description_selection(self.env)
                ).get(self.shop_id.channel, self.shop_id.channel),
            )
        if self.status != "to_ship":
            return self.env._(
                "It is %(status)s; only orders to ship can be arranged.",
                status=dict(self._fields["status"]._description_selection(self.env))[
                    self.status
                ],
            )
        if self.shipment_state == "arranged" or (
            self.shipment_state == "requested" and not requested
        ):
            return self.env._("Its shipment is already arranged or being arranged.")
        if not self.sale_order_id or self.sale_order_id.state == "cancel":
            return self.env._("It has no confirmed sale order.")
        return None

    def _placed_recently(self):
        """The orders placed less than the marketplace's waiting time ago:
        their buyers may still cancel without asking the seller."""
        recent = self.browse()
        now = fields.Datetime.now()
        for order in self:
            minutes = (
                order.shop_id.sudo()
                ._get_channel_backend()
                ._marketplace_capabilities()
                .ship_wait_minutes
            )
            if (
                minutes
                and order.date_order
                and now - order.date_order < timedelta(minutes=minutes)
            ):
                recent |= order
        return recent

    def _queue_per_shop(self, job_type, **payload):
        """A job of ``job_type`` for each shop of these orders, on its
        orders (``order_ids``) and ``payload``.

        :returns: the jobs
        """
        jobs = self.env["marketplace.job"]
        for shop in self.shop_id:
            orders = self.filtered(lambda o, s=shop: o.shop_id == s)
            jobs |= jobs._queue_for(shop, job_type, dict(payload, order_ids=orders.ids))
        return jobs

    def _outgoing_pickings(self):
        return self.sale_order_id.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state != "cancel"
        )
