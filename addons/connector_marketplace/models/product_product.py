from odoo import fields, models


class ProductProduct(models.Model):
    _inherit = "product.product"

    marketplace_binding_ids = fields.One2many(
        "marketplace.product.binding", "product_id", string="Marketplace listings"
    )
    marketplace_binding_count = fields.Integer(
        string="Listings", compute="_compute_marketplace_binding_count"
    )

    def _compute_marketplace_binding_count(self):
        counts = dict(
            self.env["marketplace.product.binding"]._read_group(
                [("product_id", "in", self.ids)], ["product_id"], ["__count"]
            )
        )
        for product in self:
            product.marketplace_binding_count = counts.get(product, 0)

    def action_view_marketplace_bindings(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "connector_marketplace.marketplace_product_binding_action"
        )
        action["domain"] = [("product_id", "in", self.ids)]
        action["context"] = {"search_default_group_shop": 0}
        return action


class ProductTemplate(models.Model):
    _inherit = "product.template"

    marketplace_binding_count = fields.Integer(
        string="Listings", compute="_compute_marketplace_binding_count"
    )

    def _compute_marketplace_binding_count(self):
        counts = dict(
            self.env["marketplace.product.binding"]._read_group(
                [("product_id.product_tmpl_id", "in", self.ids)],
                ["product_id"],
                ["__count"],
            )
        )
        for template in self:
            template.marketplace_binding_count = sum(
                count
                for product, count in counts.items()
                if product.product_tmpl_id == template
            )

    def action_view_marketplace_bindings(self):
        return self.product_variant_ids.action_view_marketplace_bindings()
