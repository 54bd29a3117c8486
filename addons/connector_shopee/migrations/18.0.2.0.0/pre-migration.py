"""18.0.2.0.0: the money fields ``shopee.order`` shows through ``_inherits``,
and the variation ``shopee.product.binding`` shows, follow the base's
renamed columns (connector_marketplace's pre-migration): their field records
and XML ids are renamed, not dropped and recreated."""

# Shopee's escrow names, as the base's order had them, and the neutral ones
RENAMED = {
    "buyer_total_amount": "buyer_total",
    "original_price": "items_subtotal",
    "shopee_discount": "platform_discount",
    "voucher_from_seller": "seller_voucher",
    "voucher_from_shopee": "platform_voucher",
    "coins": "platform_coins",
    "buyer_paid_shipping_fee": "buyer_shipping_fee",
    "shopee_shipping_rebate": "platform_shipping_subsidy",
    "escrow_amount": "payout_amount",
    "escrow_read_at": "payout_read_at",
    "escrow_error": "payout_error",
    "escrow_tries": "payout_tries",
    "escrow_retry_at": "payout_retry_at",
    "escrow_payload": "payout_payload",
}


RENAMED_BY_MODEL = {
    "shopee.order": RENAMED,
    "shopee.product.binding": {"external_model_id": "external_variation_id"},
}


def migrate(cr, version):
    if not version:
        return
    for model, renamed in RENAMED_BY_MODEL.items():
        prefix = "field_" + model.replace(".", "_") + "__"
        for old, new in renamed.items():
            cr.execute(
                "UPDATE ir_model_fields SET name = %s WHERE model = %s AND name = %s",
                (new, model, old),
            )
            cr.execute(
                """
                UPDATE ir_model_data SET name = %s
                 WHERE model = 'ir.model.fields' AND name = %s
                """,
                (prefix + new, prefix + old),
            )
