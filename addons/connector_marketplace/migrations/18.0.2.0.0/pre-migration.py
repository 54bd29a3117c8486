"""18.0.2.0.0: one vocabulary for every channel.

* Order statuses were the first channel's own, lowercased; they are the base's neutral
  lifecycle now (the channel's own status stays in ``raw_status``).
* The statuses a shop creates sale orders at follow: two of the old ones that
  are one neutral status (ready to ship, retry ship, invoice pending: to
  ship) become one record, and the shops that chose any of them keep it.
* The open activities about a requested cancellation keep their key.
* The money of an order had the first channel's names; it has neutral ones now
  (columns and field records renamed: the amounts stay where they are).
* Saved filters and favourites of orders and listings are rewritten with
  the new statuses, states and field names, so that they find what they
  found (a domain that is not a plain literal is left as it was).
* Listing states were the first channel's, lowercased; they are neutral too. Import
  jobs queued with the old payload key ("order_sns") still run: the
  payload check accepts it.
"""

import ast
import logging

_logger = logging.getLogger(__name__)

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
    _rewrite_saved_filters(cr)
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


def _rewrite_saved_filters(cr):
    """Saved filters of orders, lines and listings, in the new words."""
    order_fields = MONEY_COLUMNS[("marketplace_order", "marketplace.order")]
    line_fields = MONEY_COLUMNS[("marketplace_order_line", "marketplace.order.line")]
    rewrites = {
        "marketplace.order": (order_fields, {"status": STATUSES}),
        "marketplace.order.line": (line_fields, {}),
        "marketplace.product.binding": ({}, {"listing_status": LISTING_STATUSES}),
    }
    for model, (fields, values) in rewrites.items():
        cr.execute(
            "SELECT id, domain, context, sort FROM ir_filters WHERE model_id = %s",
            [model],
        )
        for filter_id, *texts in cr.fetchall():
            try:
                domain, context, sort = (
                    ast.literal_eval(text) if text else None for text in texts
                )
            except (ValueError, SyntaxError):
                _logger.warning(
                    "Saved filter %s of %s is not a plain literal: left as it was",
                    filter_id,
                    model,
                )
                continue
            parsed = (domain, context, sort)
            rewritten = (
                _rewrite_domain(domain, fields, values),
                _rewrite_context(context, fields),
                sort and [_rewrite_order(term, fields) for term in sort],
            )
            if rewritten == parsed:
                continue
            # only what changed is written again; the rest keeps its text
            texts = [
                repr(after) if after != before else text
                for before, after, text in zip(parsed, rewritten, texts, strict=True)
            ]
            cr.execute(
                "UPDATE ir_filters SET domain = %s, context = %s, sort = %s"
                " WHERE id = %s",
                (*texts, filter_id),
            )


def _rewrite_domain(domain, fields, values):
    if not isinstance(domain, list):
        return domain
    rewritten = []
    for leaf in domain:
        if isinstance(leaf, list | tuple) and len(leaf) == 3:
            name, operator, value = leaf
            mapping = values.get(name, {})
            if isinstance(value, list | tuple):
                # two old values may be one new one: listed once
                value = type(value)(dict.fromkeys(mapping.get(v, v) for v in value))
            elif isinstance(value, str):
                value = mapping.get(value, value)
            leaf = type(leaf)((fields.get(name, name), operator, value))
        rewritten.append(leaf)
    return rewritten


def _rewrite_context(context, fields):
    if not isinstance(context, dict) or "group_by" not in context:
        return context
    group_by = context["group_by"]
    if isinstance(group_by, str):
        group_by = [group_by]
    return dict(context, group_by=[_rewrite_order(g, fields) for g in group_by])


def _rewrite_order(term, fields):
    """A field name, possibly with ":month" or " desc", renamed."""
    if not isinstance(term, str):
        return term
    for old, new in fields.items():
        if term == old or term.startswith((old + ":", old + " ")):
            return new + term[len(old) :]
    return term
