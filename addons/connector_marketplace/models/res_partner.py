import psycopg2

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.queue_job.exception import RetryableJobError

from ..tools.unique_violation import unique_violation_expected

# One customer per buyer and company; also the index they are looked up by.
BUYER_INDEX = "res_partner_marketplace_buyer_unique"


class ResPartner(models.Model):
    _inherit = "res.partner"

    marketplace_buyer_ref = fields.Char(
        string="Marketplace buyer",
        readonly=True,
        copy=False,
        help="The buyer this customer is on a marketplace (channel:buyer id): one "
        "customer per buyer and company, whoever imports their orders.",
    )

    def init(self):
        # Two imports of one buyer's orders at once make one customer: the
        # second one's insert waits for the first, then is refused.
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS %s ON res_partner "
                "(marketplace_buyer_ref, COALESCE(company_id, 0)) "
                "WHERE marketplace_buyer_ref IS NOT NULL",
                SQL.identifier(BUYER_INDEX),
            )
        )

    @api.model
    def _create_marketplace_buyers(self, vals_list):
        """Create the customers of new buyers; a concurrent import that made
        one of them first means trying again (it then finds the customer)."""
        if not vals_list:
            return self.browse()
        self.env.flush_all()
        try:
            with unique_violation_expected(self.env.cr, (BUYER_INDEX,)):
                return self.create(vals_list)
        except psycopg2.errors.UniqueViolation as error:
            if error.diag.constraint_name != BUYER_INDEX:
                raise
            raise RetryableJobError(
                self.env._(
                    "Another job made the customer of a buyer of these orders at "
                    "the same time; trying again."
                ),
                seconds=2,
            ) from error
