from odoo import fields, models
from odoo.exceptions import UserError


class MarketplaceShop(models.Model):
    _inherit = "marketplace.shop"

    lazada_backend_ids = fields.One2many(
        "lazada.shop", "marketplace_shop_id", string="Lazada backend", readonly=True
    )

    def _get_channel_backend(self):
        self.ensure_one()
        if self.channel != "lazada":
            return super()._get_channel_backend()
        backend = self.lazada_backend_ids[:1]
        if not backend:
            raise UserError(
                self.env._(
                    "Shop %(shop)s was never authorized on Lazada: open its "
                    "account and press Connect shop.",
                    shop=self.display_name,
                )
            )
        return backend

    def _wipe_channel_tokens(self):
        for backend in self.sudo().lazada_backend_ids:
            backend.write(
                {"access_token": False, "refresh_token": False, "token_api_host": False}
            )
        return super()._wipe_channel_tokens()
