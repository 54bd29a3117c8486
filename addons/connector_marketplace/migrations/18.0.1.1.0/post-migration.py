"""18.0.1.1.0: what earlier versions knew by other means.

* Customers of marketplace buyers were found by their Reference: the oldest
  customer of each buyer and company becomes the buyer's customer.
* Order lines priced from the escrow were those with a seller price other
  than 0; a free gift (0) is told apart from now on.
* Listings marked to push were a number on the listing's row: they are
  rows of marketplace_push_mark now.
"""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        UPDATE res_partner partner
           SET marketplace_buyer_ref = partner.ref
          FROM (
                SELECT DISTINCT ON (COALESCE(p.company_id, 0), p.ref) p.id
                  FROM res_partner p
                  JOIN sale_order so ON so.partner_id = p.id
                 WHERE so.marketplace_order_id IS NOT NULL
                   AND p.ref ~ '^[a-z_]+:.+$'
              ORDER BY COALESCE(p.company_id, 0), p.ref, p.id
               ) first_customer
         WHERE partner.id = first_customer.id
           AND partner.marketplace_buyer_ref IS NULL
        """
    )
    cr.execute(
        """
        UPDATE marketplace_order_line line
           SET seller_subtotal_known = TRUE
          FROM marketplace_order o
         WHERE o.id = line.order_id
           AND o.payout_read_at IS NOT NULL
           AND COALESCE(line.seller_subtotal, 0) != 0
        """
    )
    cr.execute(
        "SELECT 1 FROM information_schema.columns WHERE table_name = "
        "'marketplace_product_binding' AND column_name = 'push_request'"
    )
    if cr.fetchone():
        cr.execute(
            "INSERT INTO marketplace_push_mark (binding_id, shop_id) "
            "SELECT id, shop_id FROM marketplace_product_binding "
            "WHERE push_request IS NOT NULL"
        )
        cr.execute("ALTER TABLE marketplace_product_binding DROP COLUMN push_request")
    cr.execute("DROP SEQUENCE IF EXISTS marketplace_push_request_seq")
