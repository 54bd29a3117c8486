"""The seller's consent page behind ``/oauth/authorize`` (lazada-api.md §3).

The page carries a server-side nonce: the form cannot be forged (only the
nonce and the seller come from the browser; the app, the redirect URI and
the state stay on the server) nor replayed (a nonce works once).
Form fields: ``nonce`` (hidden) and ``seller_id`` (radio).
"""

from html import escape
from urllib.parse import urlencode, urlsplit, urlunsplit

AUTHORIZE_PATH = "/oauth/authorize"
CONSENT_PATH = "/oauth/authorize/consent"

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans Thai",sans-serif;
background:#f4f4f8;color:#222;margin:0}
header{background:linear-gradient(90deg,#0f146d,#f36f21);color:#fff;padding:14px 24px;
font-size:18px}header b{font-weight:700}.badge{background:#fff;color:#0f146d;
border-radius:4px;padding:2px 8px;margin-left:8px;font-size:12px;font-weight:700}
main{max-width:540px;margin:32px auto;background:#fff;border-radius:6px;
box-shadow:0 1px 4px rgba(0,0,0,.12);padding:24px 28px}
h1{font-size:20px;margin-top:0}label.seller{display:block;padding:10px 12px;
border:1px solid #ddd;border-radius:4px;margin:8px 0;cursor:pointer}
.muted{color:#777;font-size:13px}button{font-size:15px;padding:10px 18px;
border-radius:4px;border:1px solid #f36f21;cursor:pointer;margin:12px 8px 0 0;
background:#f36f21;color:#fff}.error{border-left:4px solid #f36f21;padding-left:12px}
"""


def page(title, body):
    return (
        '<!doctype html>\n<html lang="th"><head><meta charset="utf-8">'
        f"<title>{escape(title)} · Lazada Open Platform — Simulator</title>"
        f"<style>{STYLE}</style></head><body>"
        '<header><b>Lazada Open Platform</b><span class="badge">Simulator</span>'
        f"</header><main>{body}</main></body></html>\n"
    )


def consent_page(app, sellers, nonce, redirect):
    radios = "".join(
        f'<label class="seller"><input type="radio" name="seller_id" '
        f'value="{seller["seller_id"]}"{" checked" if index == 0 else ""}> '
        f"<b>{escape(seller['name'])}</b> "
        f'<span class="muted">seller_id {seller["seller_id"]} · '
        f"{escape(seller['short_code'])} · {escape(seller['account'])}</span></label>"
        for index, seller in enumerate(sellers)
    )
    body = (
        "<h1>อนุญาตการเข้าถึง · Authorize app</h1>"
        f"<p><b>{escape(app['name'])}</b> "
        f'<span class="muted">(app_key {escape(app["app_key"])})</span> '
        "ขอเข้าถึงร้านค้าของคุณ: คำสั่งซื้อ สินค้า และสต็อก / asks to access your "
        "shop: orders, products and stock.</p>"
        f'<form method="post" action="{CONSENT_PATH}">'
        f'<input type="hidden" name="nonce" value="{escape(nonce)}">'
        f"<p>เลือกร้านค้า · Choose the seller account (Thailand):</p>{radios}"
        '<button type="submit" name="authorize" value="1">'
        "อนุญาต · Authorize</button></form>"
        f'<p class="muted">You will be sent back to {escape(redirect)}</p>'
    )
    return page("Authorize app", body)


def index_page(snapshot):
    sellers = "".join(
        f"<li><b>{escape(seller['name'])}</b> "
        f'<span class="muted">seller_id {seller_id} · {seller["orders"]} orders · '
        f"{seller['items']} products</span></li>"
        for seller_id, seller in snapshot["sellers"].items()
    )
    body = (
        "<h1>Lazada Open Platform simulator (Thailand)</h1>"
        "<p>Speaks the subset of Lazada's API the connector uses under "
        "<code>/rest</code>, signed like Lazada; the consent page is "
        "<code>/oauth/authorize</code>.</p>"
        f"<ul>{sellers}</ul>"
        '<p class="muted">Control API: <a href="/_simulator/state">'
        "/_simulator/state</a> (see simulator/README.md)</p>"
    )
    return page("Simulator", body)


def error_page(title, reason):
    body = f'<h1>{escape(title)}</h1><p class="error">{escape(reason)}</p>'
    return page(title, body)


def is_http_url(url):
    parts = urlsplit(url or "")
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def callback_url(redirect, **params):
    """``redirect`` with ``params`` appended after ``?`` or ``&``."""
    parts = urlsplit(redirect)
    query = "&".join(filter(None, [parts.query, urlencode(params)]))
    return urlunsplit(parts._replace(query=query))
