"""18.0.2.0.0: the money fields ``shopee.order`` shows through ``_inherits``,
and the variation ``shopee.product.binding`` shows, follow the base's
renamed columns (connector_marketplace's pre-migration): their field records
and XML ids are renamed, not dropped and recreated.

The base's 18.0.1.x columns and listing state named after Shopee are carried
over here, so that the base names no channel: this script runs after the base
is loaded, which made the neutral columns; their values come from the old
ones (which Odoo drops with their field records at the end of the upgrade),
and saved filters follow.
"""

import re

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


# the base's columns and listing state that had Shopee's name
BASE_COLUMNS = {
    "shopee_discount": "platform_discount",
    "voucher_from_shopee": "platform_voucher",
    "shopee_shipping_rebate": "platform_shipping_subsidy",
}
BASE_LISTING_STATE = ("shopee_delete", "deleted_by_marketplace")


def _column_exists(cr, table, column):
    cr.execute(
        "SELECT 1 FROM information_schema.columns"
        " WHERE table_name = %s AND column_name = %s",
        (table, column),
    )
    return bool(cr.fetchone())


def _carry_base_columns(cr):
    for old, new in BASE_COLUMNS.items():
        if _column_exists(cr, "marketplace_order", old) and _column_exists(
            cr, "marketplace_order", new
        ):
            cr.execute(
                f'UPDATE marketplace_order SET "{new}" = "{old}"'  # noqa: S608
                f' WHERE "{old}" IS NOT NULL'
            )
    old_state, new_state = BASE_LISTING_STATE
    cr.execute(
        "UPDATE marketplace_product_binding SET listing_status = %s"
        " WHERE listing_status = %s",
        (new_state, old_state),
    )
    # saved filters: these names are Shopee's alone, whole words are safe
    words = dict(BASE_COLUMNS, **{old_state: new_state})
    cr.execute(
        "SELECT id, domain, context, sort FROM ir_filters WHERE model_id IN"
        " ('marketplace.order', 'marketplace.order.line',"
        " 'marketplace.product.binding')"
    )
    for filter_id, *texts in cr.fetchall():
        new_texts = [_renamed_words(text, words) for text in texts]
        if new_texts != texts:
            cr.execute(
                "UPDATE ir_filters SET domain = %s, context = %s, sort = %s"
                " WHERE id = %s",
                (*new_texts, filter_id),
            )


def _renamed_words(text, words):
    if not text:
        return text
    return re.sub(
        r"\b(" + "|".join(map(re.escape, words)) + r")\b",
        lambda match: words[match.group(1)],
        text,
    )


def migrate(cr, version):
    if not version:
        return
    _carry_base_columns(cr)
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
