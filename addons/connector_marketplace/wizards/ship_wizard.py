"""Arrange shipment: the seller's choice of how parcels reach the carrier."""

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.queue_job.exception import FailedJobError, RetryableJobError

from ..models.marketplace_channel_backend import SHIP_MODES
from ..tools.actions import notification

OPTION_KINDS = [
    ("mode", "Way to ship"),
    ("address", "Pick-up address"),
    ("slot", "Pick-up time"),
    ("branch", "Drop-off branch"),
]


class ShipWizard(models.TransientModel):
    _name = "marketplace.ship.wizard"
    _description = "Arrange Marketplace Shipment"

    shop_id = fields.Many2one("marketplace.shop", required=True, readonly=True)
    order_ids = fields.Many2many(
        "marketplace.order", string="Orders to ship", readonly=True
    )
    order_count = fields.Integer(compute="_compute_order_count")
    recent_order_ids = fields.Many2many(
        "marketplace.order",
        "marketplace_ship_wizard_recent_rel",
        string="Placed less than an hour ago",
        readonly=True,
    )
    include_recent = fields.Boolean(
        string="Ship these too",
        help="The marketplace asks sellers to wait a while after an order is "
        "placed: until then the buyer may cancel it without asking you.",
    )
    recent_note = fields.Char(readonly=True)
    skipped_note = fields.Text(string="Left out", readonly=True)
    note = fields.Text(readonly=True)
    option_ids = fields.One2many("marketplace.ship.wizard.option", "wizard_id")
    mode_id = fields.Many2one(
        "marketplace.ship.wizard.option",
        string="Way to ship",
        domain="[('wizard_id', '=', id), ('kind', '=', 'mode')]",
    )
    mode = fields.Char(related="mode_id.key")
    address_id = fields.Many2one(
        "marketplace.ship.wizard.option",
        string="Pick-up address",
        domain="[('wizard_id', '=', id), ('kind', '=', 'address')]",
    )
    slot_id = fields.Many2one(
        "marketplace.ship.wizard.option",
        string="Pick-up time",
        domain="[('wizard_id', '=', id), ('kind', '=', 'slot'), "
        "('parent_id', '=', address_id)]",
        help="Left empty: the marketplace's recommended (else earliest) time "
        "of each parcel.",
    )
    branch_id = fields.Many2one(
        "marketplace.ship.wizard.option",
        string="Drop-off branch",
        domain="[('wizard_id', '=', id), ('kind', '=', 'branch')]",
    )
    tracking_number = fields.Char(
        help="The tracking number your own carrier gave the parcel."
    )
    set_as_default = fields.Boolean(
        string="Use as the shop's default",
        help="The next time, this way to ship and this address are chosen already.",
    )

    @api.depends("order_ids", "recent_order_ids", "include_recent")
    def _compute_order_count(self):
        for wizard in self:
            wizard.order_count = len(wizard._orders_to_ship())

    def _orders_to_ship(self):
        self.ensure_one()
        if self.include_recent:
            return self.order_ids
        return self.order_ids - self.recent_order_ids

    # -- opening ------------------------------------------------------------
    @api.model
    def _start(self, pickings):
        orders = pickings.marketplace_order_id
        shops = orders.shop_id
        if len(shops) > 1:
            raise UserError(
                self.env._(
                    "These deliveries are orders of %(shops)s: arrange the shipments "
                    "of one shop at a time (group the list by shop).",
                    shops=", ".join(shops.mapped("name")),
                )
            )
        problems = {order: order._ship_problem() for order in orders}
        shippable = orders.filtered(lambda o: not problems[o])
        if not shippable:
            raise UserError(
                self.env._(
                    "Nothing to ship:\n%(orders)s",
                    orders="\n".join(
                        f"{order.name}: {problems[order]}" for order in orders
                    ),
                )
            )
        options = self._channel_options(shops, shippable)
        recent = shippable._placed_recently()
        minutes = shops.sudo()._get_channel_backend()._marketplace_capabilities()
        wizard = self.create(
            {
                "shop_id": shops.id,
                "order_ids": [fields.Command.set(shippable.ids)],
                "recent_order_ids": [fields.Command.set(recent.ids)],
                "recent_note": recent
                and self.env._(
                    "%(count)s order(s) were placed less than %(minutes)s minutes ago: "
                    "the marketplace asks you to wait, as the buyer may still cancel. "
                    "They are left out unless you tick the box.",
                    count=len(recent),
                    minutes=minutes.ship_wait_minutes,
                ),
                "skipped_note": "\n".join(
                    f"{order.name}: {problems[order]}"
                    for order in orders
                    if problems[order]
                )
                or False,
                "note": options.get("note") or False,
            }
        )
        wizard._load_options(options)
        return wizard

    @api.model
    def _channel_options(self, shop, orders):
        try:
            return (
                shop.sudo()
                ._get_channel_backend()
                ._marketplace_shipping_options(orders.mapped("name"))
            )
        except RetryableJobError as error:
            raise UserError(
                self.env._(
                    "The marketplace could not answer now (%(error)s). Try again in "
                    "a moment.",
                    error=error,
                )
            ) from None
        except FailedJobError as error:
            raise UserError(str(error)) from None

    def _load_options(self, options):
        self.ensure_one()
        labels = dict(
            self.env["marketplace.shop"]
            ._fields["ship_mode"]
            ._description_selection(self.env)
        )
        Option = self.env["marketplace.ship.wizard.option"]
        modes = [mode for mode, _label in SHIP_MODES if mode in options["modes"]]
        if not modes:
            raise UserError(
                self.env._(
                    "The marketplace offers no way to ship these orders from Odoo: "
                    "arrange them in its seller centre."
                )
            )
        for sequence, mode in enumerate(modes):
            Option.create(
                {
                    "wizard_id": self.id,
                    "kind": "mode",
                    "key": mode,
                    "name": labels[mode],
                    "sequence": sequence,
                }
            )
        for address in options.get("addresses") or []:
            parent = Option.create(
                {
                    "wizard_id": self.id,
                    "kind": "address",
                    "key": address["id"],
                    "name": address["label"],
                    "recommended": bool(address.get("default")),
                }
            )
            for slot in address.get("slots") or []:
                Option.create(
                    {
                        "wizard_id": self.id,
                        "kind": "slot",
                        "key": slot["id"],
                        "name": slot["label"],
                        "parent_id": parent.id,
                        "recommended": bool(slot.get("recommended")),
                    }
                )
        for branch in options.get("branches") or []:
            Option.create(
                {
                    "wizard_id": self.id,
                    "kind": "branch",
                    "key": branch["id"],
                    "name": branch["label"],
                }
            )
        self._preselect()

    def _preselect(self):
        """The shop's usual way and address, else the first way and the
        marketplace's default address."""
        shop = self.shop_id
        options = self.option_ids
        modes = options.filtered(lambda o: o.kind == "mode")
        addresses = options.filtered(lambda o: o.kind == "address")
        self.mode_id = (
            modes.filtered(lambda o: o.key == shop.ship_mode)[:1] or modes[:1]
        )
        self.address_id = (
            addresses.filtered(lambda o: o.key == shop.ship_address_ref)[:1]
            or addresses.filtered("recommended")[:1]
            or addresses[:1]
        )
        if len(self.order_ids) == 1:
            slots = options.filtered(
                lambda o: o.kind == "slot" and o.parent_id == self.address_id
            )
            self.slot_id = slots.filtered("recommended")[:1] or slots[:1]

    @api.onchange("address_id")
    def _onchange_address_id(self):
        if self.slot_id and self.slot_id.parent_id != self.address_id:
            self.slot_id = False

    # -- confirming ---------------------------------------------------------
    def _shipment(self, orders):
        self.ensure_one()
        mode = self.mode_id.key
        if not mode:
            raise UserError(self.env._("Choose how the parcels reach the carrier."))
        if (
            mode == "pickup"
            and self.option_ids.filtered(lambda o: o.kind == "address")
            and not self.address_id
        ):
            raise UserError(self.env._("Choose the pick-up address."))
        if (
            mode == "dropoff"
            and self.option_ids.filtered(lambda o: o.kind == "branch")
            and not self.branch_id
        ):
            raise UserError(self.env._("Choose the drop-off branch."))
        numbers = {}
        if mode == "manual":
            if len(orders) != 1 or not (self.tracking_number or "").strip():
                raise UserError(
                    self.env._(
                        "With your own carrier, ship one order at a time and give "
                        "its tracking number."
                    )
                )
            numbers = {str(orders.id): self.tracking_number.strip()}
        return {
            "mode": mode,
            "address_id": self.address_id.key if mode == "pickup" else None,
            "slot_id": self.slot_id.key if mode == "pickup" else None,
            "branch_id": self.branch_id.key if mode == "dropoff" else None,
            "tracking_numbers": numbers,
        }

    def action_confirm(self):
        self.ensure_one()
        orders = self._orders_to_ship()
        if not orders:
            raise UserError(
                self.env._(
                    "Every order here was placed less than an hour ago: tick 'Ship "
                    "these too' to ship them now."
                )
            )
        shipment = self._shipment(orders)
        if self.set_as_default:
            # (the shop's settings: managers only, as in its form)
            self.shop_id.write(
                {
                    "ship_mode": shipment["mode"],
                    "ship_address_ref": self.address_id.key or False,
                    "ship_address_label": self.address_id.name or False,
                }
            )
        job = self.env["marketplace.job"]._queue_for(
            self.shop_id, "ship_orders", dict(shipment, order_ids=orders.ids)
        )
        orders.sudo().write({"shipment_state": "requested", "shipment_error": False})
        return notification(
            self.env._("Arranging shipment"),
            self.env._(
                "%(count)s shipment(s) are being arranged (%(job)s); their "
                "labels follow on the deliveries.",
                count=len(orders),
                job=job.name,
            ),
            kind="success",
            close=True,
        )


class ShipWizardOption(models.TransientModel):
    _name = "marketplace.ship.wizard.option"
    _description = "Arrange Marketplace Shipment: a Choice"
    _order = "sequence, id"
    _rec_name = "name"

    wizard_id = fields.Many2one(
        "marketplace.ship.wizard", required=True, ondelete="cascade"
    )
    kind = fields.Selection(OPTION_KINDS, required=True)
    key = fields.Char(required=True)
    name = fields.Char(required=True)
    sequence = fields.Integer()
    parent_id = fields.Many2one("marketplace.ship.wizard.option", ondelete="cascade")
    recommended = fields.Boolean()
