"""The seller's consent page behind ``/api/v2/shop/auth_partner``.

The page carries a server-side nonce: the form cannot be forged (nothing but
the nonce, the shop and the button comes from the browser; the partner and
the redirect stay on the server) nor replayed (a nonce works once).
Form fields: ``nonce`` (hidden), ``shop_id`` (radio), and the submit buttons
``authorize`` (the chosen shop) or ``main_account_id`` (the main account).
"""

from html import escape
from urllib.parse import urlencode, urlsplit, urlunsplit

CONSENT_PATH = "/api/v2/shop/auth_partner/consent"

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
background:#f5f5f5;color:#222;margin:0}
header{background:#ee4d2d;color:#fff;padding:14px 24px;font-size:18px}
header b{font-weight:700}.badge{background:#fff;color:#ee4d2d;border-radius:4px;
padding:2px 8px;margin-left:8px;font-size:12px;font-weight:700}
main{max-width:520px;margin:32px auto;background:#fff;border-radius:6px;
box-shadow:0 1px 4px rgba(0,0,0,.12);padding:24px 28px}
h1{font-size:20px;margin-top:0}label.shop{display:block;padding:10px 12px;
border:1px solid #ddd;border-radius:4px;margin:8px 0;cursor:pointer}
.muted{color:#777;font-size:13px}button{font-size:15px;padding:10px 18px;
border-radius:4px;border:1px solid #ee4d2d;cursor:pointer;margin:12px 8px 0 0}
.primary{background:#ee4d2d;color:#fff}.secondary{background:#fff;color:#ee4d2d}
.error{border-left:4px solid #ee4d2d;padding-left:12px}
"""


def page(title, body):
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)} · Shopee Open Platform — Simulator</title>"
        f"<style>{STYLE}</style></head><body>"
        '<header><b>Shopee Open Platform</b><span class="badge">Simulator</span>'
        f"</header><main>{body}</main></body></html>\n"
    )


def consent_page(partner, shops, main_accounts, nonce, redirect):
    radios = "".join(
        f'<label class="shop"><input type="radio" name="shop_id" '
        f'value="{shop["shop_id"]}"{" checked" if index == 0 else ""}> '
        f"<b>{escape(shop['shop_name'])}</b> "
        f'<span class="muted">shop_id {shop["shop_id"]} · {escape(shop["region"])}'
        "</span></label>"
        for index, shop in enumerate(shops)
    )
    main_buttons = "".join(
        f'<button type="submit" class="secondary" name="main_account_id" '
        f'value="{account["main_account_id"]}">Authorize with main account '
        f"{account['main_account_id']}</button>"
        for account in main_accounts
    )
    name = partner.get("partner_name") or "Partner"
    body = (
        "<h1>Authorize partner</h1>"
        f"<p><b>{escape(name)}</b> "
        f'<span class="muted">(partner_id {partner["partner_id"]})</span> '
        "asks to access your shop: orders, products and stock.</p>"
        f'<form method="post" action="{CONSENT_PATH}">'
        f'<input type="hidden" name="nonce" value="{escape(nonce)}">'
        f"<p>Choose the shop to authorize:</p>{radios}"
        '<button type="submit" class="primary" name="authorize" value="1">'
        f"Authorize</button>{main_buttons}</form>"
        f'<p class="muted">You will be sent back to {escape(redirect)}</p>'
    )
    return page("Authorize partner", body)


def index_page(snapshot):
    """What a browser sees at the simulator's root: where to go from here."""
    shops = "".join(
        f"<li><b>{escape(shop['shop_name'])}</b> "
        f'<span class="muted">shop_id {shop_id} · {shop["orders"]} orders</span></li>'
        for shop_id, shop in snapshot["shops"].items()
    )
    body = (
        "<h1>Shopee API v2 simulator</h1>"
        "<p>Speaks the subset of Shopee Open Platform v2 the connector uses, "
        "signed and limited like Shopee. Connect a shop from Odoo: its "
        "<i>Connect shop</i> button opens the signed consent link here.</p>"
        f"<ul>{shops}</ul>"
        '<p class="muted">Control API: <a href="/_simulator/state">'
        "/_simulator/state</a> (see simulator/README.md)</p>"
    )
    return page("Simulator", body)


def error_page(title, reason):
    body = f'<h1>{escape(title)}</h1><p class="error">{escape(reason)}</p>'
    return page(title, body)


def callback_url(redirect, **params):
    """``redirect`` with ``params`` appended after ``?`` or ``&``."""
    parts = urlsplit(redirect)
    query = "&".join(filter(None, [parts.query, urlencode(params)]))
    return urlunsplit(parts._replace(query=query))
