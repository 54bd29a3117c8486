"""Marketplace orders become sale orders, and follow the marketplace's status.

Which orders get one and when (the shop's Sales settings), and the sale
order and delivery following the order's status. The sale orders
themselves (customers, delivery addresses, lines) are made by the
``marketplace.sale.order.builder`` service
(``marketplace_sale_order_builder.py``); the
money (the settlement, the money lines, the amount check) is in
``marketplace_order_money.py``.
"""

import logging
from contextlib import contextmanager
from datetime import timedelta

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.queue_job.exception import RetryableJobError

from .marketplace_order import SHIPPED_STATUSES
from .marketplace_product_binding import NO_VARIATION

_logger = logging.getLogger(__name__)


class MarketplaceOrder(models.Model):
    _inherit = "marketplace.order"

    sale_order_id = fields.Many2one(
        "sale.order", readonly=True, copy=False, index="btree_not_null"
    )
    sale_state = fields.Selection(related="sale_order_id.state", string="Sale status")
    sale_status = fields.Selection(
        [
            ("none", "Not yet"),
            ("waiting", "Waiting for product bindings"),
            ("skipped", "No sale order"),
            ("created", "Sale order created"),
            ("error", "Error"),
        ],
        string="Sale order creation",
        default="none",
        required=True,
        readonly=True,
        index=True,
        copy=False,
    )
    sale_status_note = fields.Text(
        readonly=True,
        copy=False,
        help="What the order waits for (the SKUs or item and model ids without a "
        "bound product), or why it gets no sale order.",
    )
    needs_sale_sync = fields.Boolean(
        readonly=True,
        copy=False,
        index=True,
        help="Imported or changed since its sale order was last brought in line.",
    )
    tracking_number = fields.Char(readonly=True, copy=False)
    _sql_constraints = [
        (
            "sale_order_uniq",
            "unique(sale_order_id)",
            "A sale order belongs to one marketplace order.",
        ),
    ]

    @api.model
    def _sale_sync_due_domain(self):
        """The orders whose sale order may change now: changed since it was
        last brought in line, or provisional with a settlement that may come."""
        return [
            "|",
            ("needs_sale_sync", "=", True),
            "&",
            "&",
            "&",
            "&",
            ("prices_provisional", "=", True),
            ("sale_order_id", "!=", False),
            ("sale_order_id.state", "!=", "cancel"),
            ("status", "!=", "cancelled"),
            "|",
            ("payout_retry_at", "=", False),
            ("payout_retry_at", "<=", fields.Datetime.now()),
        ]

    # -- eligibility ----------------------------------------------------------
    def _sale_skip_reason(self):
        """Why this order gets no sale order (yet), or None."""
        self.ensure_one()
        shop = self.shop_id
        if self.status not in shop.sale_order_status_ids.mapped("code"):
            return self.env._(
                "Status %(status)s does not create sale orders for this shop.",
                status=dict(self._fields["status"]._description_selection(self.env))[
                    self.status
                ],
            )
        if (
            shop.sale_orders_from
            and self.date_order
            and (self.date_order < shop.sale_orders_from)
        ):
            return self.env._(
                "Placed before %(date)s, when the shop started creating sale orders.",
                date=shop._local_time(shop.sale_orders_from),
            )
        return None

    def _missing_products_note(self):
        lines = self.line_ids.filtered(lambda line: not line.product_id)
        refs = []
        for line in lines:
            label = line.name
            if line.variation_name:
                label = f"{label} ({line.variation_name})"
            if line.sku:
                label = self.env._(
                    "%(listing)s, SKU %(sku)s", listing=label, sku=line.sku
                )
            refs.append(label)
        return self.env._(
            "Waiting for product bindings: %(refs)s. Bind their listings to "
            "Odoo products (Marketplace > Product Bindings).",
            refs="; ".join(refs),
        )

    def _unbound_listings_action(self):
        """Product Bindings, on the listings of this order's lines without
        product; New fills in the first one (not pulled yet: no listing)."""
        self.ensure_one()
        lines = self.line_ids.filtered(lambda line: not line.product_id)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "connector_marketplace.marketplace_product_binding_action"
        )
        action["domain"] = [
            ("shop_id", "=", self.shop_id.id),
            ("external_item_id", "in", lines.mapped("item_id")),
            ("product_id", "=", False),
        ]
        first = lines[:1]
        action["context"] = {
            "default_shop_id": self.shop_id.id,
            "default_external_item_id": first.item_id,
            "default_external_variation_id": first.variation_id or NO_VARIATION,
            "default_name": first.name,
            "default_variation_name": first.variation_name,
            "default_sku": first.sku,
        }
        return action

    # -- sale orders ----------------------------------------------------------
    def _lock_for_sale(self):
        """Lock the orders' rows: one transaction at a time makes their sale
        orders (a concurrent one waits, then finds them made)."""
        if self.ids:
            self.env.cr.execute(
                "SELECT id FROM marketplace_order WHERE id IN %s "
                "ORDER BY id FOR UPDATE",
                [tuple(self.ids)],
            )
            self.invalidate_recordset(["sale_order_id", "sale_status"])

    @contextmanager
    def _sale_orders_unlocked(self):
        """Sale orders locked (completed, or "Lock Confirmed Sales") are
        unlocked while their money lines follow the settlement, then locked."""
        locked = self.sale_order_id.filtered("locked")
        locked.action_unlock()
        try:
            yield
        finally:
            locked.action_lock()

    def _sync_sale_orders(self, force=False):
        """Create the due sale orders and bring the others in line.

        :returns: (counts of _create_sale_orders, orders that had one)
        """
        had_sale_order = self.filtered("sale_order_id")
        counts = self._create_sale_orders(force=force)
        had_sale_order._reprice_from_money()
        had_sale_order._follow_sale_status()
        return counts, had_sale_order

    def _sync_sale_orders_isolated(self, force=False):
        """``_sync_sale_orders``, all at once; when that fails, half by half,
        so that one bad order (a tracked product, a rule of the warehouse…)
        does not hold the others: it is marked *Error* with the reason and
        tried again when it changes (see ``_retry_sale_errors``). Concurrency
        errors retry the whole job.

        :returns: (counts, orders that had a sale order, orders in error)
        """
        try:
            with self.env.cr.savepoint():
                counts, had = self._sync_sale_orders(force=force)
            return counts, had, self.browse()
        except (psycopg2.OperationalError, RetryableJobError):
            raise
        except Exception as error:  # pylint: disable=broad-except
            if len(self) == 1:
                _logger.warning("Order %s: sale order failed: %s", self.name, error)
                self.write(
                    {
                        "sale_status": "error",
                        "sale_status_note": self.env._(
                            "The sale order could not be made or updated: %(error)s",
                            error=error,
                        ),
                    }
                )
                return (
                    dict.fromkeys(("created", "waiting", "skipped"), 0),
                    (self.browse()),
                    self,
                )
        half = len(self) // 2
        counts, had, failed = self[:half]._sync_sale_orders_isolated(force)
        counts2, had2, failed2 = self[half:]._sync_sale_orders_isolated(force)
        return (
            {key: counts[key] + counts2[key] for key in counts},
            had | had2,
            failed | failed2,
        )

    def _create_sale_orders(self, force=False):
        """Create (and confirm) the sale orders these orders should have.

        :param force: the seller asked (Create Sale Order): the shop's
            automatic settings (statuses, date) do not apply
        :returns: dict of counts: created, waiting, skipped
        """
        counts = {"created": 0, "waiting": 0, "skipped": 0}
        self._lock_for_sale()
        todo = self.browse()
        for order in self.filtered(lambda o: not o.sale_order_id):
            reason = None if force else order._sale_skip_reason()
            if force and order.status in ("awaiting_payment", "cancelled"):
                reason = self.env._("An unpaid or cancelled order gets no sale order.")
            if reason:
                order.write({"sale_status": "skipped", "sale_status_note": reason})
                counts["skipped"] += 1
                continue
            if order.unbound_line_count or not order.line_ids:
                order.write(
                    {
                        "sale_status": "waiting",
                        "sale_status_note": order._missing_products_note(),
                    }
                )
                counts["waiting"] += 1
                continue
            todo |= order
        if not todo:
            return counts
        todo, sale_orders = todo._sale_order_builder()._make(todo)
        if not todo:
            return counts
        for order, sale_order in zip(todo, sale_orders, strict=True):
            order.write(
                {
                    "sale_order_id": sale_order.id,
                    "sale_status": "created",
                    "sale_status_note": False,
                    "prices_provisional": not order.payout_read_at,
                }
            )
        to_confirm = todo.filtered(lambda o: o.shop_id.confirm_sale_orders)
        if to_confirm:
            to_confirm.sale_order_id.action_confirm()
            # Confirming dates the sale order today; the seller's reports
            # want the day the buyer ordered.
            for order in to_confirm.filtered("date_order"):
                order.sale_order_id.date_order = order.date_order
        with todo._sale_orders_unlocked():
            todo._check_amounts()
        todo._follow_sale_status()
        counts["created"] = len(todo)
        return counts

    def _sale_currency_problem(self, customer):
        """Why this order cannot be booked in its sale order's currency (the
        shop's pricelist's, else the customer's, else the company's)."""
        self.ensure_one()
        pricelist = (
            self.shop_id.pricelist_id
            or customer.with_company(self.company_id).property_product_pricelist
        )
        currency = pricelist.currency_id or self.company_id.currency_id
        if not self.currency_id or self.currency_id == currency:
            return None
        return self.env._(
            "The order is in %(order_currency)s, its sale order would be in "
            "%(sale_currency)s: its amounts would be booked in the wrong currency. "
            "Give the shop a pricelist in %(order_currency)s (Sales settings of the "
            "shop); the order gets its sale order then.",
            order_currency=self.currency_id.name,
            sale_currency=currency.name,
        )

    def _buyer_ref(self):
        return f"{self.channel}:{self.buyer_user_id}"

    def _sale_order_builder(self):
        """The service that makes these orders' sale orders (see
        ``marketplace_sale_order_builder.py``)."""
        return self.env["marketplace.sale.order.builder"]

    # -- status ---------------------------------------------------------------
    def _follow_sale_status(self):
        """Bring each sale order and delivery in line with the order's status.

        Safe to run again and again: a status that moves backwards, or an
        order already done, changes nothing.
        """
        self.filtered(
            lambda o: o.status != "cancel_requested"
        )._cancel_request_answered()
        for order in self.filtered("sale_order_id"):
            sale_order = order.sale_order_id
            pickings = sale_order.picking_ids.filtered(
                lambda p: p.picking_type_code == "outgoing"
            )
            left = pickings.filtered(lambda p: p.state == "done")
            if order.tracking_number or order.status in SHIPPED_STATUSES:
                order._update_delivery_tracking(pickings)
            if order.status in SHIPPED_STATUSES:
                if order.shop_id.validate_delivery_when_shipped:
                    order._validate_delivery(pickings)
            if order.status == "completed" and not sale_order.locked:
                sale_order.action_lock()
            elif order.status == "cancel_requested":
                order._cancel_request_activity()
            elif order.status == "cancelled" and not left:
                if sale_order.state != "cancel":
                    sale_order.with_context(
                        disable_cancel_warning=True
                    )._action_cancel()
            elif order.status in ("cancelled", "returned") and left:
                order._flag(
                    "return",
                    self.env._(
                        "Order %(order)s: parcel to come back", order=order.name
                    ),
                    self.env._(
                        "The order is %(status)s after its parcel left: receive the "
                        "return of %(sale)s when it arrives.",
                        status=order.raw_status,
                        sale=sale_order.name,
                    ),
                )

    def _cancel_request_activity(self):
        """A to-do for the sale order's salesperson: answer the buyer before
        the marketplace decides for the seller (by the ship-by date, and
        within a day)."""
        self.ensure_one()
        sale_order = self.sale_order_id.sudo()
        if sale_order.activity_ids.filtered(
            lambda a: a.marketplace_cause == "cancel_requested"
        ):
            return
        deadline = fields.Date.context_today(sale_order) + timedelta(days=1)
        if self.ship_by_date:
            deadline = min(deadline, self.ship_by_date.date())
        user = sale_order.user_id or self.shop_id.user_id
        if not user:
            return
        sale_order.activity_schedule(
            "mail.mail_activity_data_todo",
            date_deadline=deadline,
            summary=self.env._("The buyer asks to cancel %(order)s", order=self.name),
            note=self.env._(
                "Accept or reject the request with the buttons of this sale order; "
                "if nobody answers, the marketplace may decide for you."
            ),
            user_id=user.id,
        ).marketplace_cause = "cancel_requested"

    def _cancel_request_answered(self):
        """Mark done the to-dos of requests no longer open (one search for
        all the orders: this runs on every sync of sale orders)."""
        sale_orders = self.sale_order_id
        if not sale_orders:
            return
        todos = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "sale.order"),
                    ("res_id", "in", sale_orders.ids),
                    ("marketplace_cause", "=", "cancel_requested"),
                ]
            )
        )
        statuses = dict(self._fields["status"]._description_selection(self.env))
        for todo in todos:
            order = sale_orders.browse(todo.res_id).marketplace_order_id
            todo.action_feedback(
                feedback=self.env._(
                    "The order is %(status)s now.", status=statuses[order.status]
                )
            )

    def _flag(self, cause, summary, note):
        self.ensure_one()
        self.shop_id._marketplace_activity(f"{cause}:{self.id}", summary, note)

    def _update_delivery_tracking(self, pickings):
        carrier = self.env["delivery.carrier"]._marketplace_carrier(
            self.shipping_carrier, self.shop_id
        )
        values = {}
        if carrier:
            values["carrier_id"] = carrier.id
        if self.tracking_number:
            values["carrier_tracking_ref"] = self.tracking_number
        for picking in pickings.filtered(lambda p: p.state != "cancel"):
            changed = {
                key: value
                for key, value in values.items()
                if (picking[key].id if key == "carrier_id" else picking[key]) != value
            }
            if changed:
                picking.write(changed)

    def _validate_delivery(self, pickings):
        """The parcel left: the delivery is done, with the ordered quantities."""
        for picking in pickings.filtered(lambda p: p.state not in ("done", "cancel")):
            for move in picking.move_ids.filtered(lambda m: m.state != "cancel"):
                move.quantity = move.product_uom_qty
                move.picked = True
            picking.with_context(
                skip_backorder=True, skip_sms=True, cancel_backorder=True
            ).button_validate()


class MarketplaceOrderLine(models.Model):
    _inherit = "marketplace.order.line"

    def _sale_line_name(self):
        self.ensure_one()
        name = self.name
        if self.variation_name:
            name = f"{name} ({self.variation_name})"
        if self.sku:
            name = f"[{self.sku}] {name}"
        return name

    def _open_for_binding(self):
        return self.filtered(lambda line: not line.order_id.sale_order_id)


class DeliveryCarrier(models.Model):
    _inherit = "delivery.carrier"

    @api.model
    def _marketplace_carrier(self, name, shop):
        """The carrier named ``name``, made once (fixed price 0) if unknown."""
        if not name:
            return self.browse()
        carrier = self.sudo().search(
            [("name", "=", name), ("company_id", "in", [shop.company_id.id, False])],
            limit=1,
        )
        if not carrier:
            carrier = self.sudo().create(
                {
                    "name": name,
                    "delivery_type": "fixed",
                    "fixed_price": 0.0,
                    "product_id": shop._shipping_product().id,
                    "company_id": shop.company_id.id,
                }
            )
        return carrier


class MarketplaceOrderActions(models.Model):
    _inherit = "marketplace.order"

    @api.model
    def _bindings_made(self, orders):
        """Orders that waited for product bindings and have them all now get
        their sale orders: one job per shop."""
        if not orders:
            return
        ready = orders.filtered(
            lambda o: o.sale_status == "waiting" and not o.unbound_line_count
        )
        if not ready:
            return
        ready.write({"needs_sale_sync": True})
        for shop in ready.shop_id.filtered("auto_create_sale_orders"):
            shop._queue_sale_orders_job(
                ready.filtered(lambda o, s=shop: o.shop_id == s)
            )

    def action_create_sale_order(self):
        """Button "Create Sale Order": this order's sale order, now."""
        self.ensure_one()
        # the work runs as the connector; who presses must see the order
        self.check_access("read")
        order = self.sudo()
        if order.sale_order_id:
            return order.action_view_sale_order()
        order._read_money(order.shop_id._get_channel_backend())
        counts = order._create_sale_orders(force=True)
        if counts["created"]:
            return order.action_view_sale_order()
        if order.sale_status == "waiting" and order.unbound_line_count:
            # (a UserError, not a RedirectWarning, which Odoo logs as an
            # error with its traceback: this is the seller's business)
            raise UserError(
                self.env._(
                    "%(note)s Press Bind these listings on the order.",
                    note=order.sale_status_note,
                )
            )
        raise UserError(
            order.sale_status_note or self.env._("No sale order was created.")
        )

    def action_bind_listings(self):
        """Button "Bind these listings": Product Bindings, on this order's
        listings without product."""
        self.ensure_one()
        self.check_access("read")
        return self.sudo()._unbound_listings_action()

    def action_create_sale_orders(self):
        """Action on selected orders: a job per shop creates their sale orders."""
        jobs = self.env["marketplace.job"]
        for shop in self.shop_id:
            orders = self.filtered(
                lambda o, s=shop: o.shop_id == s and not o.sale_order_id
            )
            if orders:
                jobs |= shop._queue_sale_orders_job(orders, force=True, origin="user")
        if not jobs:
            raise UserError(self.env._("These orders have their sale orders already."))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Create Sale Order"),
                "message": self.env._(
                    "Job(s) %(jobs)s queued to create the sale orders.",
                    jobs=", ".join(jobs.mapped("name")),
                ),
                "type": "success",
                "sticky": False,
            },
        }

    def action_resync(self):
        """Button "Re-sync": pull this order again now."""
        jobs = self.env["marketplace.job"].sudo()
        created = jobs.browse()
        for shop in self.shop_id:
            shop._check_connected()
            refs = self.filtered(lambda o, s=shop: o.shop_id == s).mapped("name")
            created |= jobs._queue_for(shop, "import_orders", {"order_refs": refs})
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Re-sync"),
                "message": self.env._(
                    "Job %(jobs)s queued: the order is pulled again now.",
                    jobs=", ".join(created.mapped("name")),
                ),
                "type": "success",
                "sticky": False,
            },
        }

    def action_view_sale_order(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": self.sale_order_id.id,
            "view_mode": "form",
        }
