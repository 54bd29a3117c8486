"""Who the simulator knows from the start: the demo app and the two Thai sellers.

The seller ids, names and SKUs echo the Shopee simulator's shops, so that one
Odoo company and its products meet both channels in the demo.
"""

APP_KEY = "120001"
APP_SECRET = "lzd-simulator-demo-secret"
APP_NAME = "Odoo Marketplace Connector (demo)"
COUNTRY = "th"
SITE = "lazada_th"
COMPANY = "Siam Gadgets & Crafts Co., Ltd."

DEFAULT_SELLER_ID = 1000200300
OTHER_SELLER_ID = 1000200301
SELLERS = (
    {
        "seller_id": DEFAULT_SELLER_ID,
        "name": "Bangkok Gadget House",
        "name_company": COMPANY,
        "short_code": "THBGH01",
        "user_id": 2000300400,
        "account": "seller@bangkokgadget.co.th",
        "location": "Bangkok",
    },
    {
        "seller_id": OTHER_SELLER_ID,
        "name": "Chiang Mai Crafts",
        "name_company": COMPANY,
        "short_code": "THCMC01",
        "user_id": 2000300401,
        "account": "crafts@chiangmaicrafts.co.th",
        "location": "Chiang Mai",
    },
)


def default_apps():
    return {APP_KEY: {"app_key": APP_KEY, "app_secret": APP_SECRET, "name": APP_NAME}}


def default_sellers():
    return {seller["seller_id"]: dict(seller) for seller in SELLERS}
