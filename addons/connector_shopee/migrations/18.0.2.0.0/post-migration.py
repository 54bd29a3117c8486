"""18.0.2.0.0, Shopee's part of the neutral vocabulary.

* The base reads an order's carrier from ``shipping_carrier`` only; the
  Shopee mapper has filled it from the packages since sale orders exist.
  Orders pulled before then get it from their payload here.
* Webhook events have a neutral kind; those stored before get theirs from
  their Shopee push code.
"""

import json


def carrier(payload):
    if payload.get("shipping_carrier"):
        return payload["shipping_carrier"]
    for package in payload.get("package_list") or []:
        if package.get("shipping_carrier"):
            return package["shipping_carrier"]
    return payload.get("checkout_shipping_carrier") or None


def migrate(cr, version):
    if not version:
        return
    event_kinds(cr)
    cr.execute(
        """
        SELECT id, raw_payload FROM marketplace_order
         WHERE channel = 'shopee' AND COALESCE(shipping_carrier, '') = ''
           AND raw_payload IS NOT NULL
        """
    )
    for order_id, raw in cr.fetchall():
        try:
            payload = json.loads(raw)
        except ValueError:
            continue  # not an order Shopee sent: nothing to read
        name = carrier(payload) if isinstance(payload, dict) else None
        if name:
            cr.execute(
                "UPDATE marketplace_order SET shipping_carrier = %s WHERE id = %s",
                (name, order_id),
            )


# Shopee's push codes as the base's event kinds (models/webhook_event.py)
EVENT_KINDS = {
    1: "authorization_granted",
    2: "authorization_cancelled",
    3: "order_changed",
    4: "tracking_number",
    12: "authorization_expiring",
}


def event_kinds(cr):
    """The events stored before 18.0.2.0.0 get their kind from their code."""
    for code, kind in EVENT_KINDS.items():
        cr.execute(
            """
            UPDATE marketplace_webhook_event SET kind = %s
             WHERE channel = 'shopee' AND code = %s
            """,
            (kind, code),
        )
