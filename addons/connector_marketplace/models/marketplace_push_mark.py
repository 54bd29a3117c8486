"""Listings to push: one row per mark, inserted, then deleted by the push.

What moves a product's free quantity or open demand (imports, stock moves,
sale orders, sync rules) marks its listings; the automatic push of a shop
sends its marked listings. The transactions that mark run side by side (two
import chunks with orders of one product): they only insert rows here. A
column of the shared listing row, updated by each, made the second one
fail to serialize, and its chunk was retried, the marketplace read again.
A push deletes the marks it read; one made while it pushed (a higher id)
stays for the next push.
"""

from odoo import fields, models


class MarketplacePushMark(models.Model):
    _name = "marketplace.push.mark"
    _description = "Listing to push"
    _log_access = False
    _order = "id"

    binding_id = fields.Many2one(
        "marketplace.product.binding",
        string="Listing",
        required=True,
        readonly=True,
        ondelete="cascade",
        index=True,
    )
    shop_id = fields.Many2one(
        "marketplace.shop", required=True, readonly=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="shop_id.company_id")
