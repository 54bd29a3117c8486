"""18.0.2.0.0: one vocabulary for every channel.

* Order statuses were the first channel's own, lowercased; they are the base's neutral
  lifecycle now (the channel's own status stays in ``raw_status``).
* The statuses a shop creates sale orders at follow: two of the old ones that
  are one neutral status (ready to ship, retry ship, invoice pending: to
  ship) become one record, and the shops that chose any of them keep it.
* The open activities about a requested cancellation keep their key.
* The money of an order had the first channel's names; it has neutral ones now
  (columns and field records renamed: the amounts stay where they are).
* Listing states were the first channel's, lowercased; they are neutral too. Import
  jobs queued with the old payload key ("order_sns") still run: the
  payload check accepts it.
"""

STATUSES = {
    "pending": "awaiting_payment",
    "unpaid": "awaiting_payment",
    "ready_to_ship": "to_ship",
    "retry_ship": "to_ship",
    "invoice_pending": "to_ship",
    "processed": "packed",
    "shipped": "shipping",
    "to_confirm_receive": "delivered",
    "in_cancel": "cancel_requested",
    "to_return": "returned",
}
LISTING_STATUSES = {
    "unlist": "unlisted",
    "reviewing": "under_review",
    "seller_delete": "deleted_by_seller",
    "shopee_delete": "deleted_by_marketplace",
}
# (table, model): {old column: new column}
MONEY_COLUMNS = {
    ("marketplace_order", "marketplace.order"): {
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
    },
    ("marketplace_order_line", "marketplace.order.line"): {
        "escrow_subtotal": "seller_subtotal",
        "escrow_matched": "seller_subtotal_known",
    },
}
# the records whose code changed
STATUS_NAMES = {
    "to_ship": "To ship",
    "packed": "Packed",
    "shipping": "In transit",
    "delivered": "Delivered",
}


def migrate(cr, version):
    if not version:
        return
    for old, new in STATUSES.items():
        cr.execute(
            "UPDATE marketplace_order SET status = %s WHERE status = %s", (new, old)
        )
    _merge_status_records(cr)
    _rename_money(cr)
    for old, new in LISTING_STATUSES.items():
        cr.execute(
            "UPDATE marketplace_product_binding SET listing_status = %s"
            " WHERE listing_status = %s",
            (new, old),
        )
    cr.execute(
        """
        UPDATE mail_activity
           SET marketplace_cause = 'cancel_requested:' || split_part(marketplace_cause, ':', 2)
         WHERE marketplace_cause LIKE 'in\\_cancel:%'
        """
    )


def _merge_status_records(cr):
    cr.execute(
        """
        SELECT relation_table, column1, column2 FROM ir_model_fields
         WHERE model = 'marketplace.shop' AND name = 'sale_order_status_ids'
        """
    )
    row = cr.fetchone()
    relation, shop_column, status_column = row or (None, None, None)
    cr.execute("SELECT id, code FROM marketplace_order_status")
    by_code = dict((code, id_) for id_, code in cr.fetchall())
    for old, new in STATUSES.items():
        if old not in by_code:
            continue
        old_id = by_code.pop(old)
        keep_id = by_code.get(new)
        if keep_id is None:
            # the first of the old statuses becomes the neutral one
            cr.execute(
                "UPDATE marketplace_order_status SET code = %s WHERE id = %s",
                (new, old_id),
            )
            cr.execute(
                """
                UPDATE ir_model_data SET name = %s
                 WHERE module = 'connector_marketplace'
                   AND model = 'marketplace.order.status' AND res_id = %s
                """,
                (f"order_status_{new}", old_id),
            )
            by_code[new] = old_id
            continue
        if relation:
            cr.execute(
                f"""
                INSERT INTO "{relation}" ("{shop_column}", "{status_column}")
                SELECT "{shop_column}", %s FROM "{relation}"
                 WHERE "{status_column}" = %s
                ON CONFLICT DO NOTHING
                """,  # noqa: S608 (names read from ir_model_fields)
                (keep_id, old_id),
            )
        cr.execute("DELETE FROM marketplace_order_status WHERE id = %s", (old_id,))
        cr.execute(
            """
            DELETE FROM ir_model_data
             WHERE model = 'marketplace.order.status' AND res_id = %s
            """,
            (old_id,),
        )
    # the records are noupdate: their English names follow here
    for code, name in STATUS_NAMES.items():
        cr.execute(
            """
            UPDATE marketplace_order_status
               SET name = jsonb_build_object('en_US', %s::text)
             WHERE code = %s
            """,
            (name, code),
        )


def _column_exists(cr, table, column):
    cr.execute(
        """
        SELECT 1 FROM information_schema.columns
         WHERE table_name = %s AND column_name = %s
        """,
        (table, column),
    )
    return bool(cr.fetchone())


def _rename_money(cr):
    for (table, model), columns in MONEY_COLUMNS.items():
        for old, new in columns.items():
            if not _column_exists(cr, table, old) or _column_exists(cr, table, new):
                continue
            cr.execute(f'ALTER TABLE "{table}" RENAME COLUMN "{old}" TO "{new}"')
            # (the channels rename the fields their bindings show through
            # _inherits, in their own migration)
            rename_field_record(cr, model, old, new)


def rename_field_record(cr, model, old, new):
    """The field's ir.model.fields row and its XML id follow the column."""
    cr.execute(
        "UPDATE ir_model_fields SET name = %s WHERE model = %s AND name = %s",
        (new, model, old),
    )
    prefix = "field_" + model.replace(".", "_") + "__"
    cr.execute(
        """
        UPDATE ir_model_data SET name = %s
         WHERE model = 'ir.model.fields' AND name = %s
        """,
        (prefix + new, prefix + old),
    )
