from odoo import fields, models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    marketplace_cause = fields.Char(
        readonly=True,
        index="btree_not_null",
        help="Why the marketplace connector scheduled this activity; a shop has "
        "at most one open activity per cause.",
    )
