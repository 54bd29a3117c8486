from odoo.tests import TransactionCase, tagged

from odoo.addons.connector_marketplace.tests.test_translations import (
    ThaiTranslationMixin,
)


@tagged("post_install", "-at_install")
class TestConnectorShopeeThai(ThaiTranslationMixin, TransactionCase):
    module = "connector_shopee"
