"""The money of a marketplace order: its settlement, the sale order's money
lines, and the check that the sale order's total is the seller's sale.

The README shows a worked example. Marketplace prices include VAT; sale
order lines use tax-included prices, so the sale order's total is the sum
of its lines:

* a product line per order line, at what the seller sold it for after the
  seller's own discounts: the line's ``seller_subtotal`` from the
  marketplace's settlement (bundle deals included, whose price is 0 in some
  channels' order detail);
* a seller-voucher line, ``−seller_voucher``;
* a shipping line, ``buyer_shipping_fee``.

The channel's money mapper fills these neutral amounts from its own API
(``_marketplace_read_money``); everything below is written once, in them.
The sale order's total is the seller's sale: what the buyer paid plus what
the marketplace pays on the buyer's behalf, i.e. the target ``buyer_total
+ platform_voucher + platform_coins + platform_discount + payment_promotion −
buyer_transaction_fee − cross_border_tax``. A difference of at most 1 THB
becomes a visible adjustment line; a larger one flags the order "amounts do
not match" (the sale order is still confirmed, so the stock stays reserved).
Fees and commission never become lines: they stay here for the payout.

Without the settlement yet, the sale order is still created and confirmed
from the order detail (stock reserved at once), its prices marked
provisional until a later run reads the settlement; a provisional sale order
is not invoiced.
"""

import json
from datetime import timedelta

from odoo import fields, models
from odoo.tools import float_compare, float_is_zero

from odoo.addons.queue_job.exception import FailedJobError, RetryableJobError

from ..exceptions import MarketplaceCredentialsError
from .marketplace_product_binding import NO_VARIATION

# The money of an order in neutral words, as the channel's money mapper gives
# it (``_marketplace_read_money``).
MONEY_FIELDS = (
    "buyer_total",
    "items_subtotal",
    "seller_discount",
    "platform_discount",
    "seller_voucher",
    "platform_voucher",
    "platform_coins",
    "buyer_shipping_fee",
    "actual_shipping_fee",
    "platform_shipping_subsidy",
    "commission_fee",
    "service_fee",
    "seller_transaction_fee",
    "buyer_transaction_fee",
    "payment_promotion",
    "cross_border_tax",
    "payout_amount",
)
ADJUSTMENT_LIMIT = 1.0
# A settlement that did not come is asked for again after 10 minutes, then
# after twice as long each time, at most once a day.
MONEY_RETRY_FIRST = timedelta(minutes=10)
MONEY_RETRY_MAX = timedelta(days=1)
MONEY_MAX_DOUBLINGS = 8  # 10 min × 2⁸ > 1 day


def money_retry_delay(tries):
    """10 minutes after the first try, twice as long after each next one, at
    most a day (the doubling stops before it overflows)."""
    doublings = min(tries - 1, MONEY_MAX_DOUBLINGS)
    return min(MONEY_RETRY_FIRST * 2**doublings, MONEY_RETRY_MAX)


class MarketplaceOrder(models.Model):
    _inherit = "marketplace.order"

    # -- money, from the marketplace's settlement -------------------------------
    payout_read_at = fields.Datetime(
        string="Settlement read on", readonly=True, copy=False
    )
    payout_error = fields.Text(
        string="Settlement error",
        readonly=True,
        copy=False,
        help="Why the marketplace refused the settlement (the seller's prices and "
        "fees), for instance a permission the app lacks: the sale order keeps "
        "provisional prices meanwhile.",
    )
    payout_tries = fields.Integer(string="Settlement tries", readonly=True, copy=False)
    payout_retry_at = fields.Datetime(
        string="Settlement asked again on",
        readonly=True,
        copy=False,
        help="When the settlement that did not come is asked for again: less and "
        "less often, at most once a day.",
    )
    payout_payload = fields.Text(string="Settlement payload", readonly=True, copy=False)
    prices_provisional = fields.Boolean(
        readonly=True,
        copy=False,
        help="The sale order's prices come from the order detail: the settlement "
        "(the seller's prices after discounts) could not be read yet. Not "
        "invoiced until it is.",
    )
    amount_mismatch = fields.Boolean(
        string="Amounts do not match",
        readonly=True,
        copy=False,
        index=True,
        help="The sale order's total differs from the seller's sale by more "
        "than 1: correct the prices before invoicing.",
    )
    sale_target_amount = fields.Monetary(
        string="Seller's sale",
        readonly=True,
        help="What the buyer paid plus what the marketplace paid on the buyer's "
        "behalf: the sale order's total should be this.",
    )
    amount_difference = fields.Monetary(readonly=True)
    buyer_total = fields.Monetary(string="Buyer paid", readonly=True)
    items_subtotal = fields.Monetary(string="Items before discounts", readonly=True)
    seller_discount = fields.Monetary(readonly=True)
    platform_discount = fields.Monetary(string="Marketplace discount", readonly=True)
    seller_voucher = fields.Monetary(string="Seller voucher", readonly=True)
    platform_voucher = fields.Monetary(string="Marketplace voucher", readonly=True)
    platform_coins = fields.Monetary(
        string="Coins and points",
        readonly=True,
        help="What the buyer paid with the marketplace's coins or points.",
    )
    buyer_shipping_fee = fields.Monetary(
        string="Shipping paid by the buyer", readonly=True
    )
    actual_shipping_fee = fields.Monetary(readonly=True)
    platform_shipping_subsidy = fields.Monetary(
        string="Shipping rebate",
        readonly=True,
        help="What the marketplace pays towards the shipping.",
    )
    commission_fee = fields.Monetary(readonly=True)
    service_fee = fields.Monetary(readonly=True)
    seller_transaction_fee = fields.Monetary(readonly=True)
    buyer_transaction_fee = fields.Monetary(readonly=True)
    payment_promotion = fields.Monetary(readonly=True)
    cross_border_tax = fields.Monetary(readonly=True)
    payout_amount = fields.Monetary(
        string="Payout", readonly=True, help="What the marketplace pays the seller."
    )

    # -- settlement -------------------------------------------------------------
    def _apply_money(self, money):
        """Store a settlement, as the channel's money mapper gives it:
        ``{"amounts": {MONEY_FIELDS: float}, "items": [{"item_id",
        "variation_id", "subtotal", "deal"}], "payload": the channel's answer}``."""
        self.ensure_one()
        amounts = money.get("amounts") or {}
        values = {name: float(amounts.get(name) or 0.0) for name in MONEY_FIELDS}
        values.update(
            payout_read_at=fields.Datetime.now(),
            payout_payload=json.dumps(
                money.get("payload"), ensure_ascii=False, sort_keys=True
            ),
            payout_error=False,
            payout_tries=0,
            payout_retry_at=False,
        )
        self.write(values)
        self.line_ids._apply_money_items(money.get("items") or [])

    def _read_money(self, backend):
        """Read and store the settlement of these orders.

        A settlement the marketplace does not give (yet) leaves the sale order's
        prices provisional, and is asked for again later, less and less often.
        A refusal for good (a permission the app lacks) is not the failure of
        the work that asked: it is noted on the order, the shop's pulls go on.

        :returns: the references of the orders left without settlement
        """
        if not self:
            return []
        error = False
        try:
            settlements = backend._marketplace_read_money(self.mapped("name"))
        except RetryableJobError:
            settlements = {}
        except MarketplaceCredentialsError:
            raise  # the app's key: every call fails, the shop must pause
        except FailedJobError as failure:
            settlements, error = {}, str(failure)
        now = fields.Datetime.now()
        for order in self:
            if order.name in settlements:
                order._apply_money(settlements[order.name])
                continue
            tries = order.payout_tries + 1
            order.write(
                {
                    "payout_error": error,
                    "payout_tries": tries,
                    "payout_retry_at": now + money_retry_delay(tries),
                }
            )
        return [ref for ref in self.mapped("name") if ref not in settlements]

    def _sale_target(self):
        """The seller's sale: what the sale order's total should be."""
        self.ensure_one()
        return (
            self.buyer_total
            + self.platform_voucher
            + self.platform_coins
            + self.platform_discount
            + self.payment_promotion
            - self.buyer_transaction_fee
            - self.cross_border_tax
        )

    def _money_line_values(self):
        """The voucher and shipping lines this order's sale order should have."""
        self.ensure_one()
        shop = self.shop_id
        tax = shop._sale_tax()
        wanted = []
        if self.payout_read_at:
            shipping = self.buyer_shipping_fee
            voucher = self.seller_voucher
        else:
            shipping, voucher = self.shipping_fee, 0.0
        if not float_is_zero(
            voucher, precision_rounding=self.currency_id.rounding or 0.01
        ):
            wanted.append(
                (
                    "voucher",
                    {
                        "product_id": shop._discount_product().id,
                        "name": self.env._("Seller voucher"),
                        "product_uom_qty": 1,
                        "price_unit": -voucher,
                        "tax_id": [fields.Command.set(tax.ids)],
                    },
                )
            )
        if not float_is_zero(
            shipping, precision_rounding=self.currency_id.rounding or 0.01
        ):
            wanted.append(
                (
                    "shipping",
                    {
                        "product_id": shop._shipping_product().id,
                        "name": self.env._("Shipping paid by the buyer"),
                        "product_uom_qty": 1,
                        "price_unit": shipping,
                        "tax_id": [fields.Command.set(tax.ids)],
                    },
                )
            )
        return wanted

    def _add_money_lines(self):
        """Voucher and shipping lines, added or brought in line."""
        for order in self:
            sale_order = order.sale_order_id
            existing = {
                line.marketplace_money_kind: line
                for line in sale_order.order_line
                if line.marketplace_money_kind
            }
            commands = []
            for kind, values in order._money_line_values():
                line = existing.pop(kind, None)
                if line:
                    if float_compare(
                        line.price_unit, values["price_unit"], precision_digits=2
                    ):
                        commands.append(
                            fields.Command.update(
                                line.id, {"price_unit": values["price_unit"]}
                            )
                        )
                else:
                    commands.append(
                        fields.Command.create(dict(values, marketplace_money_kind=kind))
                    )
            for kind, line in existing.items():
                if kind != "adjustment":
                    commands.append(fields.Command.update(line.id, {"price_unit": 0.0}))
            if commands:
                sale_order.write({"order_line": commands})

    def _check_amounts(self):
        """Compare the sale order's total with the seller's sale (settlement)."""
        for order in self.filtered(lambda o: o.sale_order_id and o.payout_read_at):
            sale_order = order.sale_order_id
            adjustment = sale_order.order_line.filtered(
                lambda line: line.marketplace_money_kind == "adjustment"
            )
            target = order._sale_target()
            total_without = sale_order.amount_total - sum(
                adjustment.mapped("price_total")
            )
            difference = round(target - total_without, 2)
            # Unit prices have two decimals: 9,985 ฿ for 999 units is 9.99 a
            # unit, 4.99 ฿ short. That is rounding, not a difference to
            # correct: it goes to the adjustment line, whatever its size.
            rounding = order._unit_price_rounding()
            mismatch = abs(difference - rounding) > ADJUSTMENT_LIMIT
            if not mismatch and abs(difference) >= 0.01:
                values = {"price_unit": difference}
                if adjustment:
                    sale_order.write(
                        {
                            "order_line": [
                                fields.Command.update(adjustment[0].id, values)
                            ]
                        }
                    )
                else:
                    shop = order.shop_id
                    sale_order.write(
                        {
                            "order_line": [
                                fields.Command.create(
                                    dict(
                                        values,
                                        product_id=shop._discount_product().id,
                                        name=self.env._("Rounding adjustment"),
                                        product_uom_qty=1,
                                        tax_id=[
                                            fields.Command.set(shop._sale_tax().ids)
                                        ],
                                        marketplace_money_kind="adjustment",
                                    )
                                )
                            ]
                        }
                    )
            elif adjustment and (mismatch or abs(difference) < 0.01):
                sale_order.write(
                    {
                        "order_line": [
                            fields.Command.update(adjustment[0].id, {"price_unit": 0.0})
                        ]
                    }
                )
            order.write(
                {
                    "sale_target_amount": target,
                    "amount_difference": difference,
                    "amount_mismatch": mismatch,
                    "prices_provisional": False,
                }
            )
            if mismatch:
                order.shop_id._marketplace_activity(
                    f"amounts:{order.id}",
                    self.env._(
                        "Amounts of order %(order)s do not match", order=order.name
                    ),
                    self.env._(
                        "Sale order %(sale)s totals %(total)s while the seller's sale "
                        "is %(target)s (difference %(difference)s): correct its "
                        "prices before invoicing.",
                        sale=sale_order.name,
                        total=total_without,
                        target=target,
                        difference=difference,
                    ),
                )

    def _unit_price_rounding(self):
        """What the two decimals of the product lines' unit prices add to (or
        take from) the seller prices of the settlement."""
        self.ensure_one()
        rounding = 0.0
        for so_line in self.sale_order_id.order_line.filtered(
            "marketplace_order_line_id"
        ):
            line = so_line.marketplace_order_line_id
            if line.seller_subtotal_known:
                rounding += (
                    line.seller_subtotal - so_line.price_unit * so_line.product_uom_qty
                )
        return round(rounding, 2)

    def _reprice_from_money(self):
        """Provisional sale orders get the settlement's prices once it is read."""
        with self._sale_orders_unlocked():
            self._reprice_lines()
            self.filtered("sale_order_id")._add_money_lines()
            self._check_amounts()

    def _reprice_lines(self):
        for order in self.filtered(
            lambda o: o.sale_order_id and o.payout_read_at and o.prices_provisional
        ):
            commands = []
            for so_line in order.sale_order_id.order_line.filtered(
                "marketplace_order_line_id"
            ):
                price = so_line.marketplace_order_line_id._sale_unit_price()
                if float_compare(so_line.price_unit, price, precision_digits=2):
                    commands.append(
                        fields.Command.update(so_line.id, {"price_unit": price})
                    )
            if commands:
                order.sale_order_id.write({"order_line": commands})


class MarketplaceOrderLine(models.Model):
    _inherit = "marketplace.order.line"

    seller_subtotal = fields.Monetary(
        string="Seller price",
        readonly=True,
        help="What the seller sold this line for after the seller's own "
        "discounts, for the whole line, as the marketplace's settlement says.",
    )
    activity_type = fields.Char(
        readonly=True,
        help="Bundle deal or add-on deal, as the marketplace's settlement says.",
    )
    seller_subtotal_known = fields.Boolean(
        string="In the settlement",
        readonly=True,
        help="The settlement lists this line: its seller price is known, be it 0 (a "
        "free gift).",
    )

    def _apply_money_items(self, items):
        """Match the settlement's items to the lines by (item, model), in
        order."""
        remaining = list(self)
        self.write({"seller_subtotal_known": False})
        for item in items:
            key = (
                str(item.get("item_id") or ""),
                str(item.get("variation_id") or NO_VARIATION),
            )
            for line in remaining:
                if (line.item_id or "", line.variation_id or NO_VARIATION) == key:
                    remaining.remove(line)
                    line.write(
                        {
                            "seller_subtotal": float(item.get("subtotal") or 0.0),
                            "activity_type": item.get("deal") or False,
                            "seller_subtotal_known": True,
                        }
                    )
                    break

    def _sale_unit_price(self):
        """The tax-included unit price of the line's sale order line."""
        self.ensure_one()
        quantity = self.quantity or 1.0
        if self.order_id.payout_read_at and self.seller_subtotal_known:
            return self.seller_subtotal / quantity
        # Provisional: the order detail's price; a bundle-deal line (whose
        # discounted price is 0 there) at its original price.
        return self.price_unit or self.price_original
