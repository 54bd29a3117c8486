"""18.0.2.0.0: one vocabulary for every channel.

* Order statuses were the first channel's own, lowercased; they are the base's neutral
  lifecycle now (the channel's own status stays in ``raw_status``).
* The statuses a shop creates sale orders at follow: two of the old ones that
  are one neutral status (ready to ship, retry ship, invoice pending: to
  ship) become one record, and the shops that chose any of them keep it.
* The open activities about a requested cancellation keep their key.
* The money of an order had the first channel's names; it has neutral ones now
  (columns and field records renamed: the amounts stay where they are). So
  have the variation of a line and of a listing ("model" was the first
  channel's word).
* Saved filters and favourites of orders and listings are rewritten with
  the new statuses, states and field names, so that they find what they
  found (a domain that is not a plain literal is left as it was).
* Listing states were the first channel's, lowercased; they are neutral too. Import
  jobs queued with the old payload key ("order_sns") still run: the
  payload check accepts it.
"""

import ast
import json
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
    # (the state named after the first channel: its own migration maps it)
}
# (table, model): {old column: new column}
RENAMED_COLUMNS = {
    ("marketplace_order", "marketplace.order"): {
        "buyer_total_amount": "buyer_total",
        "original_price": "items_subtotal",
        # (the three columns named after the first channel are carried over by
        # that channel's own migration, after the base made the new ones)
        "voucher_from_seller": "seller_voucher",
        "coins": "platform_coins",
        "buyer_paid_shipping_fee": "buyer_shipping_fee",
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
        # a variation was the first channel's "model"
        "model_id": "variation_id",
    },
    ("marketplace_product_binding", "marketplace.product.binding"): {
        "external_model_id": "external_variation_id",
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
    _rename_columns(cr)
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


def _rename_columns(cr):
    for (table, model), columns in RENAMED_COLUMNS.items():
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


# Favourites' field paths go through these relations to the renamed models.
RELATIONS = {
    ("marketplace.order", "line_ids"): "marketplace.order.line",
    ("marketplace.order.line", "order_id"): "marketplace.order",
    ("marketplace.order.line", "product_binding_id"): "marketplace.product.binding",
    ("marketplace.product.binding", "order_line_ids"): "marketplace.order.line",
}
# the values of a renamed field's selection, per model and field
RENAMED_VALUES = {
    ("marketplace.order", "status"): STATUSES,
    ("marketplace.product.binding", "listing_status"): LISTING_STATUSES,
}
# the keys of a favourite's context that name fields (list view, pivot, graph)
CONTEXT_FIELD_KEYS = (
    "group_by",
    "pivot_measures",
    "pivot_row_groupby",
    "pivot_column_groupby",
    "graph_measure",
    "graph_groupbys",
)


def _renamed_fields(model):
    return next(
        (columns for (_t, name), columns in RENAMED_COLUMNS.items() if name == model),
        {},
    )


def _rewrite_saved_filters(cr):
    """Saved filters and favourites of orders, lines and listings, in the new
    field names and values (a sort is JSON text, the rest Python literals)."""
    for model in (
        "marketplace.order",
        "marketplace.order.line",
        "marketplace.product.binding",
    ):
        cr.execute(
            "SELECT id, domain, context, sort FROM ir_filters WHERE model_id = %s",
            [model],
        )
        for filter_id, *texts in cr.fetchall():
            try:
                parsed = tuple(
                    ast.literal_eval(text) if text else None for text in texts
                )
            except (ValueError, SyntaxError):
                _logger.warning(
                    "Saved filter %s of %s is not a plain literal: left as it was",
                    filter_id,
                    model,
                )
                continue
            domain, context, sort = parsed
            rewritten = (
                _rewrite_domain(model, domain),
                _rewrite_context(model, context),
                _rewrite_terms(model, sort),
            )
            if rewritten == parsed:
                continue
            # only what changed is written again; the rest keeps its text
            dumps = (repr, repr, json.dumps)
            texts = [
                dump(after) if after != before else text
                for dump, before, after, text in zip(
                    dumps, parsed, rewritten, texts, strict=True
                )
            ]
            cr.execute(
                "UPDATE ir_filters SET domain = %s, context = %s, sort = %s"
                " WHERE id = %s",
                (*texts, filter_id),
            )


def _rewrite_path(model, path):
    """``path`` (``name``, ``a.b.name``, ``name:month``, ``name desc``) with
    its renamed fields renamed, and the model of its last field."""
    head, sep, tail = path.partition(":") if ":" in path else path.partition(" ")
    names = []
    for name in head.split("."):
        names.append(_renamed_fields(model).get(name, name) if model else name)
        model = RELATIONS.get((model, names[-1])) if model else None
    return ".".join(names) + sep + tail, model, names[-1]


def _rewrite_domain(model, domain):
    if not isinstance(domain, list):
        return domain
    rewritten = []
    for leaf in domain:
        if (
            isinstance(leaf, list | tuple)
            and len(leaf) == 3
            and isinstance(leaf[0], str)
        ):
            path, operator, value = leaf
            path, _target, last = _rewrite_path(model, path)
            mapping = RENAMED_VALUES.get((_model_of_last(model, leaf[0]), last), {})
            if isinstance(value, list | tuple):
                # two old values may be one new one: listed once
                value = type(value)(dict.fromkeys(mapping.get(v, v) for v in value))
            elif isinstance(value, str):
                value = mapping.get(value, value)
            leaf = type(leaf)((path, operator, value))
        rewritten.append(leaf)
    return rewritten


def _model_of_last(model, path):
    """The model that holds the last field of ``path``."""
    for name in path.split(".")[:-1]:
        name = _renamed_fields(model).get(name, name)
        model = RELATIONS.get((model, name))
        if not model:
            return None
    return model


def _rewrite_terms(model, terms):
    if isinstance(terms, str):
        return _rewrite_path(model, terms)[0]
    if isinstance(terms, list | tuple):
        return type(terms)(_rewrite_terms(model, term) for term in terms)
    return terms


def _rewrite_context(model, context):
    if not isinstance(context, dict):
        return context
    return {
        key: _rewrite_terms(model, value) if key in CONTEXT_FIELD_KEYS else value
        for key, value in context.items()
    }
