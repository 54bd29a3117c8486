from odoo import fields, models


class MarketplaceJobStep(models.Model):
    """What one step (queue job) of a marketplace job did.

    Steps of one job run at the same time: each inserts its own row rather
    than updating the job's, which concurrent transactions would fail to
    serialize. The job's finish adds them up.
    """

    _name = "marketplace.job.step"
    _description = "Marketplace Job Step"
    _order = "id"

    job_id = fields.Many2one(
        "marketplace.job", required=True, ondelete="cascade", index=True
    )
    created_count = fields.Integer(string="New", readonly=True)
    updated_count = fields.Integer(string="Updated", readonly=True)
    unchanged_count = fields.Integer(string="Unchanged", readonly=True)
    gone_count = fields.Integer(string="Gone", readonly=True)
    waiting_count = fields.Integer(string="Waiting for bindings", readonly=True)
    failed_count = fields.Integer(string="Failed", readonly=True)
    skipped_count = fields.Integer(string="Skipped", readonly=True)
    held_count = fields.Integer(
        string="Held", readonly=True, help="Listings whose push waits for the seller."
    )
    notes = fields.Text(readonly=True, help="What could not be done, and why.")
    matched_count = fields.Integer(string="Bound by SKU", readonly=True)
    ambiguous_count = fields.Integer(string="Ambiguous SKU", readonly=True)
    listing_progress = fields.Text(
        readonly=True,
        help="What the listing of an interrupted pull read (JSON): its next "
        "try goes on from there.",
    )
    missing_refs = fields.Char(
        string="Not returned",
        readonly=True,
        help="Records the marketplace listed but did not return in this step.",
    )
