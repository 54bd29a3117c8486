"""An order's money: its escrow detail (shopee-api.md §6), in whole baht.

An order's *terms* say what the order detail does not: vouchers, coins,
payment promotion, the shipping the buyer paid, Shopee's shipping rebate,
and per line the seller's and Shopee's discounts where the line prices do
not tell them (bundle deals, Shopee-funded discounts)::

    {"voucher_from_seller": 0, "voucher_from_shopee": 0, "coins": 0,
     "payment_promotion": 0, "buyer_transaction_fee": 0,
     "buyer_paid_shipping_fee": 38, "shopee_shipping_rebate": 0,
     "lines": {"<item_id>:<model_id>": {"seller_discount": 0,
                                        "shopee_discount": 0}}}

Every key is optional. Every amount is a line subtotal (unit price ×
quantity) and an int. The identities in README.md ("Money") hold exactly,
by construction, for any terms.
"""

COMMISSION_PERCENT = 5
SERVICE_PERCENT = 3
TRANSACTION_PERCENT = 3
ORDER_FIELDS = (
    "voucher_from_seller",
    "voucher_from_shopee",
    "coins",
    "payment_promotion",
    "buyer_transaction_fee",
    "shopee_shipping_rebate",
)


def percent(amount, rate):
    """``rate`` % of ``amount``, rounded half up, in whole baht."""
    return (amount * rate + 50) // 100


def line_key(line):
    return f"{line['item_id']}:{line['model_id']}"


def is_bundle(line):
    return line.get("promotion_type") == "bundle_deal"


def _int(value):
    return int(round(float(value or 0)))


def line_amounts(line, terms):
    """(original, seller_discount, shopee_discount) subtotals of one line.

    ``model_discounted_price`` is what the buyer pays per unit after the
    product discounts; a bundle-deal line shows 0 there, and its seller
    discount comes from the terms (0 without them).
    """
    quantity = int(line["model_quantity_purchased"])
    original = _int(line["model_original_price"]) * quantity
    given = (terms.get("lines") or {}).get(line_key(line)) or {}
    shopee = _int(given.get("shopee_discount"))
    if "seller_discount" in given:
        seller = _int(given["seller_discount"])
    elif is_bundle(line) or not _int(line["model_discounted_price"]):
        seller = 0
    else:
        seller = original - _int(line["model_discounted_price"]) * quantity - shopee
    return original, seller, shopee


def default_terms(order):
    """Terms for an order that came without any (e.g. from a test).

    No vouchers nor coins; the buyer paid ``estimated_shipping_fee``; bundle
    lines share whatever ``total_amount`` leaves for them.
    """
    terms = {"buyer_paid_shipping_fee": _int(order.get("estimated_shipping_fee"))}
    lines = order.get("item_list") or []
    bundles = [line for line in lines if is_bundle(line)]
    if not bundles or "total_amount" not in order:
        return terms
    others = sum(
        _int(line["model_discounted_price"]) * int(line["model_quantity_purchased"])
        for line in lines
        if not is_bundle(line)
    )
    left = _int(order["total_amount"]) - others - terms["buyer_paid_shipping_fee"]
    originals = [line_amounts(line, {})[0] for line in bundles]
    if not 0 <= left <= sum(originals):
        return terms
    shares = allocate(left, originals)
    terms["lines"] = {
        line_key(line): {"seller_discount": original - share}
        for line, original, share in zip(bundles, originals, shares, strict=True)
    }
    return terms


def allocate(total, weights):
    """Split ``total`` in proportion to ``weights``: ints that add up exactly."""
    if not weights:
        return []
    weight_sum = sum(weights)
    if weight_sum <= 0:
        weights, weight_sum = [1] * len(weights), len(weights)
    shares = [total * weight // weight_sum for weight in weights]
    remainders = sorted(
        range(len(weights)),
        key=lambda i: (-(total * weights[i] % weight_sum), i),
    )
    for index in remainders[: total - sum(shares)]:
        shares[index] += 1
    return shares


def buyer_total(order, terms):
    """What the buyer paid: the order's ``total_amount``."""
    return escrow_detail(order, terms)["order_income"]["buyer_total_amount"]


def escrow_detail(order, terms, cancelled=None):
    """The ``get_escrow_detail`` response of ``order`` under ``terms``."""
    terms = terms or {}
    lines = order.get("item_list") or []
    amounts = [line_amounts(line, terms) for line in lines]
    order_amounts = {name: _int(terms.get(name)) for name in ORDER_FIELDS}
    shipping_paid = _int(
        terms.get("buyer_paid_shipping_fee", order.get("estimated_shipping_fee"))
    )
    discounted = [original - seller - shopee for original, seller, shopee in amounts]
    coins = allocate(order_amounts["coins"], discounted)
    from_shopee = allocate(order_amounts["voucher_from_shopee"], discounted)
    from_seller = allocate(order_amounts["voucher_from_seller"], discounted)
    items = [
        _item(line, amount, coin, shopee_voucher, seller_voucher)
        for line, amount, coin, shopee_voucher, seller_voucher in zip(
            lines, amounts, coins, from_shopee, from_seller, strict=True
        )
    ]
    if cancelled is None:
        cancelled = order.get("order_status") == "CANCELLED"
    income = _income(order, items, order_amounts, shipping_paid, cancelled)
    return {
        "order_sn": order["order_sn"],
        "buyer_user_name": order.get("buyer_username", ""),
        "return_order_sn_list": [],
        "order_income": income,
        "buyer_payment_info": _buyer_payment(order, income),
    }


def _item(line, amounts, coin, shopee_voucher, seller_voucher):
    original, seller, shopee = amounts
    bundle = is_bundle(line)
    return {
        "item_id": line["item_id"],
        "item_name": line.get("item_name", ""),
        "item_sku": line.get("item_sku", ""),
        "model_id": line["model_id"],
        "model_name": line.get("model_name", ""),
        "model_sku": line.get("model_sku", ""),
        "original_price": original,
        "selling_price": original - seller,
        "discounted_price": original - seller - shopee,
        "seller_discount": seller,
        "shopee_discount": shopee,
        "discount_from_coin": coin,
        "discount_from_voucher_shopee": shopee_voucher,
        "discount_from_voucher_seller": seller_voucher,
        "activity_type": "bundle_deal" if bundle else "",
        "activity_id": line.get("promotion_id", 0) if bundle else 0,
        "is_main_item": bool(line.get("main_item")),
        "quantity_purchased": int(line["model_quantity_purchased"]),
        "is_b2c_shop_item": False,
        "ams_commission_fee": 0,
        "promotion_list": [],
    }


def _income(order, items, amounts, shipping_paid, cancelled):
    original = sum(item["original_price"] for item in items)
    seller_discount = sum(item["seller_discount"] for item in items)
    shopee_discount = sum(item["shopee_discount"] for item in items)
    selling = original - seller_discount
    discounted = selling - shopee_discount
    buyer_total = (
        discounted
        - amounts["voucher_from_seller"]
        - amounts["voucher_from_shopee"]
        - amounts["coins"]
        + shipping_paid
        + amounts["buyer_transaction_fee"]
        - amounts["payment_promotion"]
    )
    estimated = _int(order.get("estimated_shipping_fee"))
    actual = _int(order.get("actual_shipping_fee")) or estimated
    final_shipping = shipping_paid + amounts["shopee_shipping_rebate"] - actual
    sale = selling - amounts["voucher_from_seller"]
    if cancelled:
        commission = service = transaction = escrow = 0
    else:
        commission = percent(sale, COMMISSION_PERCENT)
        service = (
            percent(sale, SERVICE_PERCENT) if amounts["shopee_shipping_rebate"] else 0
        )
        transaction = percent(buyer_total, TRANSACTION_PERCENT)
        escrow = sale + final_shipping - commission - service - transaction
    return {
        "escrow_amount": escrow,
        "buyer_total_amount": buyer_total,
        "original_price": original,
        "order_original_price": original,
        "order_discounted_price": discounted,
        "order_selling_price": selling,
        "order_seller_discount": seller_discount,
        "seller_discount": seller_discount,
        "shopee_discount": shopee_discount,
        "original_shopee_discount": shopee_discount,
        "voucher_from_seller": amounts["voucher_from_seller"],
        "voucher_from_shopee": amounts["voucher_from_shopee"],
        "coins": amounts["coins"],
        "buyer_paid_shipping_fee": shipping_paid,
        "buyer_transaction_fee": amounts["buyer_transaction_fee"],
        "cross_border_tax": 0,
        "payment_promotion": amounts["payment_promotion"],
        "commission_fee": commission,
        "service_fee": service,
        "seller_transaction_fee": transaction,
        "credit_card_transaction_fee": transaction + amounts["buyer_transaction_fee"],
        "seller_lost_compensation": 0,
        "seller_coin_cash_back": 0,
        "escrow_tax": 0,
        "estimated_shipping_fee": estimated,
        "final_shipping_fee": final_shipping,
        "actual_shipping_fee": actual,
        "shopee_shipping_rebate": amounts["shopee_shipping_rebate"],
        "shipping_fee_discount_from_3pl": 0,
        "seller_shipping_discount": 0,
        "seller_voucher_code": [],
        "drc_adjustable_refund": 0,
        "cost_of_goods_sold": discounted,
        "original_cost_of_goods_sold": discounted,
        "seller_return_refund": 0,
        "reverse_shipping_fee": _int(order.get("reverse_shipping_fee")),
        "campaign_fee": 0,
        "seller_order_processing_fee": 0,
        "order_ams_commission_fee": 0,
        "th_import_duty": 0,
        "vat_on_imported_goods": 0,
        "order_adjustment": [],
        "total_adjustment_amount": 0,
        "escrow_amount_after_adjustment": escrow,
        "buyer_payment_method": order.get("payment_method", ""),
        "instalment_plan": "",
        "items": items,
    }


def _buyer_payment(order, income):
    method = order.get("payment_method", "")
    return {
        "buyer_payment_method": method,
        "buyer_service_fee": 0,
        "buyer_tax_amount": 0,
        "buyer_total_amount": income["buyer_total_amount"],
        "credit_card_promotion": -income["payment_promotion"],
        "icms_tax_amount": 0,
        "import_tax_amount": 0,
        "initial_buyer_txn_fee": income["buyer_transaction_fee"],
        "insurance_premium": 0,
        "iof_tax_amount": 0,
        "is_paid_by_credit_card": method == "Credit Card/Debit Card",
        "merchant_subtotal": income["order_discounted_price"],
        "seller_voucher": -income["voucher_from_seller"],
        "shipping_fee": income["buyer_paid_shipping_fee"],
        "shipping_fee_sst_amount": 0,
        "shopee_voucher": -income["voucher_from_shopee"],
        "shopee_coins_redeemed": -income["coins"],
    }
