from odoo.tests import TransactionCase, tagged

from odoo.addons.connector_marketplace.tests.common import NoLivePortMixin
from odoo.addons.connector_marketplace.tests.test_translations import (
    ThaiTranslationMixin,
)


@tagged("post_install", "-at_install")
class TestConnectorLazadaThai(ThaiTranslationMixin, NoLivePortMixin, TransactionCase):
    module = "connector_lazada"
