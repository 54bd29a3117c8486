from odoo import fields, models


class MarketplaceOrderMissing(models.Model):
    """An order the marketplace listed but would not return, set aside.

    A pull retries the chunk of such an order; once its retries are spent the
    order is set aside here, with an activity for the shop's responsible, so
    that one bad order cannot hold the shop's sync point forever: later pulls
    go on without it, and import it as soon as the marketplace returns it.
    """

    _name = "marketplace.order.missing"
    _description = "Order Set Aside"
    _order = "date_set_aside desc, id desc"

    shop_id = fields.Many2one(
        "marketplace.shop", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="shop_id.company_id", store=True)
    name = fields.Char(string="Order Reference", required=True, readonly=True)
    job_id = fields.Many2one(
        "marketplace.job",
        string="Set aside by",
        readonly=True,
        ondelete="set null",
        index=True,
    )
    date_set_aside = fields.Datetime(
        string="Set aside on", readonly=True, default=fields.Datetime.now
    )
    reason = fields.Text(readonly=True)
    state = fields.Selection(
        selection=[("set_aside", "Set aside"), ("recovered", "Imported since")],
        default="set_aside",
        required=True,
        readonly=True,
        index=True,
    )
    date_recovered = fields.Datetime(string="Imported on", readonly=True)

    _sql_constraints = [
        (
            "shop_name_uniq",
            "unique(shop_id, name)",
            "This order is already set aside for this shop.",
        ),
    ]
