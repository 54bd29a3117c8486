"""Make the main company of a fresh database a Thai seller.

Run by the scripts between installing ``base`` and the addons, because Odoo
picks the chart of accounts from the company's country when ``account`` is
installed, and refuses to change the company's currency once entries exist.
Bangkok address, Thailand, THB, the admin user in Asia/Bangkok; with the
country set first, installing ``account`` brings ``l10n_th`` (its chart and
VAT 7%).

Usage: python thai_company.py <odoo options: -c, --addons-path, --db_*> -d DB
"""

import sys

import odoo
from odoo import SUPERUSER_ID, api

COMPANY = {
    "name": "Bangkok Gadget House Co., Ltd.",
    "street": "88 Sukhumvit Road",
    "street2": "Khlong Toei",
    "city": "Bangkok",
    "zip": "10110",
    "phone": "+66 2 123 4567",
    "email": "hello@bangkokgadgethouse.example",
    "website": "https://bangkokgadgethouse.example",
    "vat": "0105561234567",
}


def thai_company(env):
    country = env.ref("base.th")
    currency = env.ref("base.THB")
    currency.active = True
    company = env.ref("base.main_company")
    state = env["res.country.state"].search(
        [("country_id", "=", country.id), ("name", "ilike", "Bangkok")], limit=1
    )
    company.write(
        dict(
            COMPANY,
            country_id=country.id,
            state_id=state.id or False,
            currency_id=currency.id,
        )
    )
    company.partner_id.tz = "Asia/Bangkok"  # the company's day (dashboard)
    env.ref("base.user_admin").tz = "Asia/Bangkok"
    return company


def main(argv):
    odoo.tools.config.parse_config(argv)
    dbname = odoo.tools.config["db_name"]
    if isinstance(dbname, list):  # Odoo 18 may parse it as a list
        dbname = dbname[0]
    registry = odoo.modules.registry.Registry(dbname)
    with registry.cursor() as cr:
        company = thai_company(api.Environment(cr, SUPERUSER_ID, {}))
        print(
            f"    {company.name}: {company.city}, Thailand, {company.currency_id.name}"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
