"""Shopee's escrow (``payment/get_escrow_detail``) in the base's neutral money.

The escrow's ``order_income`` (shopee-api.md §6) names Shopee's own parts of
an order's money; ``marketplace.order`` stores them under neutral names, the
same for every channel.
"""

# neutral field of marketplace.order: Shopee's order_income key
ESCROW_MONEY = {
    "buyer_total": "buyer_total_amount",
    "items_subtotal": "original_price",
    "seller_discount": "seller_discount",
    "platform_discount": "shopee_discount",
    "seller_voucher": "voucher_from_seller",
    "platform_voucher": "voucher_from_shopee",
    "platform_coins": "coins",
    "buyer_shipping_fee": "buyer_paid_shipping_fee",
    "actual_shipping_fee": "actual_shipping_fee",
    "platform_shipping_subsidy": "shopee_shipping_rebate",
    "commission_fee": "commission_fee",
    "service_fee": "service_fee",
    "seller_transaction_fee": "seller_transaction_fee",
    "buyer_transaction_fee": "buyer_transaction_fee",
    "payment_promotion": "payment_promotion",
    "cross_border_tax": "cross_border_tax",
    "payout_amount": "escrow_amount",
}


def _amount(value):
    return float(value or 0.0)


def money_from_escrow(escrow):
    """The settlement of ``marketplace.order._apply_money`` from an escrow."""
    income = escrow.get("order_income") or {}
    return {
        "amounts": {
            field: _amount(income.get(key)) for field, key in ESCROW_MONEY.items()
        },
        "items": [
            {
                "item_id": str(item.get("item_id") or ""),
                "variation_id": str(item.get("model_id") or "0"),
                # the line's original price less the seller's own discount
                # (bundle deals: the order detail's price is 0, not here)
                "subtotal": _amount(item.get("original_price"))
                - _amount(item.get("seller_discount")),
                "deal": item.get("activity_type") or False,
            }
            for item in income.get("items") or []
        ],
        "payload": escrow,
    }
