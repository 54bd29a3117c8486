"""The database the scripts build (make run, make test) is a Thai seller's.

Checked on the database of ``make test``, built by the same
``create_database`` as the demo: the company is Thai before ``account``
installs, so Odoo gave it Thailand's chart of accounts and VAT 7%.
"""

from odoo_server import db_query, make_test_database


def one(query, params=()):
    db, _addons_path = make_test_database()
    rows = db_query(db, query, params)
    assert len(rows) == 1, rows
    return rows[0]


def test_company_is_a_thai_seller_in_baht():
    name, country, currency = one(
        "SELECT company.name, country.code, currency.name"
        " FROM res_company company"
        " JOIN res_partner partner ON partner.id = company.partner_id"
        " JOIN res_country country ON country.id = partner.country_id"
        " JOIN res_currency currency ON currency.id = company.currency_id"
        " WHERE company.id = 1"
    )
    assert (name, country, currency) == ("Bangkok Gadget House Co., Ltd.", "TH", "THB")


def test_admin_and_company_in_bangkok_time():
    assert one(
        "SELECT partner.tz FROM res_users users"
        " JOIN res_partner partner ON partner.id = users.partner_id"
        " WHERE users.login = 'admin'"
    ) == ("Asia/Bangkok",)
    assert one(
        "SELECT partner.tz FROM res_company company"
        " JOIN res_partner partner ON partner.id = company.partner_id"
        " WHERE company.id = 1"
    ) == ("Asia/Bangkok",)


def test_thai_chart_of_accounts_with_vat_seven_percent():
    assert one("SELECT state FROM ir_module_module WHERE name = 'l10n_th'") == (
        "installed",
    )
    assert one("SELECT chart_template FROM res_company WHERE id = 1") == ("th",)
    (sale_vat_7,) = one(
        "SELECT count(*) FROM account_tax"
        " WHERE company_id = 1 AND type_tax_use = 'sale' AND amount = 7"
        " AND amount_type = 'percent' AND active"
    )
    assert sale_vat_7 >= 1


def test_thai_is_loaded():
    assert one("SELECT active FROM res_lang WHERE code = 'th_TH'") == (True,)
