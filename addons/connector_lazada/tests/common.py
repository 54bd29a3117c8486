"""Lazada test base: a simulator-backed account and shop, and cassettes.

Every test that talks to Lazada replays a cassette of
``<repo>/cassettes/lazada`` with vcrpy in record mode "none": a request that
is not in the cassette fails the test and never reaches a network. Tokens,
codes, signs and timestamps are filtered out of what is stored. To record
again, run the Lazada simulator and the tests with ``VCR_RECORD_MODE=all``
(``make cassettes`` does both); each test then first puts the simulator in
the state it needs through its control API, outside the cassette.

Replay checks what the code sends: before vcrpy replaces them with
placeholders, the tests' request handler checks each request's ``sign``
(Lazada's HMAC of the API path and the sorted parameters by the app secret),
its access token (the shop's, then the one the last token call answered),
the refresh token of a refresh (the shop's newest, each sent once) and the
authorization code (the callback's). A violation fails the test.
"""

import hmac
import json
import os
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlparse

import requests

from odoo import fields
from odoo.tests import common

from odoo.addons.connector_marketplace.tests.cassettes import (
    recorder,
    unplayed_requests,
)
from odoo.addons.connector_marketplace.tests.common import (
    LOOPBACK,
    LivePortBlocked,
    MarketplaceTestCase,
    NoLivePortMixin,
    odoo_test_port,
)

from ..api.client import TOKEN_CREATE_PATH, TOKEN_REFRESH_PATH, lazada_sign
from ..models.marketplace_account import LAZADA_API_URL, LAZADA_AUTH_URL

CASSETTE_DIR = (
    Path(
        os.environ.get("MARKETPLACE_CASSETTE_DIR")
        or Path(__file__).resolve().parents[3] / "cassettes"
    )
    / "lazada"
)
RECORD_MODE = os.environ.get("VCR_RECORD_MODE", "none")
# "localhost", not 127.0.0.1: Odoo's test server is on 127.0.0.1, which the
# recorder ignores.
SIMULATOR_URL = os.environ.get("LAZADA_SIMULATOR_URL", "http://localhost:8089")

APP_KEY = "120001"
APP_SECRET = "lzd-simulator-demo-secret"
SELLER_ID = "1000200300"
ACCESS_TOKEN = "test-lazada-access-0001"
REFRESH_TOKEN = "test-lazada-refresh-0001"
SECRET_KEYS = ("access_token", "refresh_token", "code", "sign", "timestamp")
TOKEN_PATHS = (TOKEN_CREATE_PATH, TOKEN_REFRESH_PATH)
RECORDING_ONLY_PATHS = ("/_simulator/", "/oauth/")
# the simulator's air waybill links (an answer's pdf_url)
FILE_LINK_PATHS = ("/_files/",)


def lazada_recorder(record_mode=RECORD_MODE):
    return recorder(
        CASSETTE_DIR,
        record_mode,
        query_filters=("access_token", "sign", "timestamp"),
        post_filters=SECRET_KEYS,
        secret_keys=("access_token", "refresh_token"),
    )


class LazadaOutsideCassette(LivePortBlocked):
    """A request to Lazada (or its simulator) outside any cassette."""


class LazadaCassetteMixin(NoLivePortMixin):
    recording = RECORD_MODE != "none"
    # A class attribute: Odoo's HTTP server threads send too.
    lazada_expect = {}

    def setUp(self):
        super().setUp()
        type(self).lazada_expect = {
            "access_token": ACCESS_TOKEN,
            "refresh_token": REFRESH_TOKEN,
            "used_refresh_tokens": set(),
            "code": None,
            "app_secret": APP_SECRET,
            "issued": 0,
            "cassettes": 0,
            "sent": [],
            "violations": [],
        }
        self.addCleanup(self._assert_requests_right)

    def expect_authorization_code(self, code):
        self.lazada_expect["code"] = code

    def expect_refresh_token(self, token):
        self.lazada_expect["refresh_token"] = token

    def expect_app_secret(self, secret):
        """Requests are to be signed by ``secret`` (an account's wrong one)."""
        self.lazada_expect["app_secret"] = secret

    def lazada_calls(self):
        """The API paths called so far, in order."""
        return list(self.lazada_expect["sent"])

    def _assert_requests_right(self):
        violations = self.lazada_expect.get("violations")
        self.assertFalse(
            violations,
            "Requests sent to Lazada were wrong:\n" + "\n".join(violations or []),
        )

    @classmethod
    def _is_lazada_request(cls, url):
        hosts = {urlparse(h).hostname for h in (LAZADA_API_URL, LAZADA_AUTH_URL)}
        hosts.add(urlparse(SIMULATOR_URL).hostname)
        if url.hostname not in hosts:
            return False
        return not (url.hostname in LOOPBACK and url.port == odoo_test_port())

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        url = urlparse(r.url)
        if not cls._is_lazada_request(url):
            return super()._request_handler(s, r, **kw)
        expect = cls.lazada_expect
        if url.path.startswith(RECORDING_ONLY_PATHS):
            if not cls.recording:
                message = (
                    f"{r.method} {url.path}: the simulator's control API and "
                    "consent page are for recording only (VCR_RECORD_MODE=all)"
                )
                expect["violations"].append(message)
                raise LivePortBlocked(message)
            return common._super_send(s, r, **kw)
        if not expect.get("cassettes") and url.port not in cls.open_ports:
            message = (
                f"{r.method} {url.path}: a request to Lazada outside a cassette. "
                "Replay recorded traffic (self.lazada_cassette)."
            )
            expect["violations"].append(message)
            raise LazadaOutsideCassette(message)
        api_path = url.path.removeprefix("/rest")
        expect["sent"].append(api_path)
        if api_path.startswith(FILE_LINK_PATHS):
            # a file Lazada links to: the link is the permission, unsigned
            return common._super_send(s, r, **kw)
        body = r.body.decode() if isinstance(r.body, bytes) else (r.body or "")
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        params.update(parse_qsl(body, keep_blank_values=True))
        cls._check_request(api_path, params)
        response = common._super_send(s, r, **kw)
        if api_path in TOKEN_PATHS:
            cls._learn_issued_tokens(response)
        return response

    @classmethod
    def _check_request(cls, api_path, params):
        expect = cls.lazada_expect
        problems = []
        sign = lazada_sign(expect["app_secret"], api_path, params)
        if params.get("app_key") != APP_KEY:
            problems.append(f"its app_key is {params.get('app_key')!r}")
        if not hmac.compare_digest(sign, params.get("sign", "")):
            problems.append("its sign is not Lazada's HMAC by the app secret")
        if api_path == TOKEN_CREATE_PATH:
            if params.get("code") != expect["code"]:
                problems.append("it sends another code than the callback's")
        elif api_path == TOKEN_REFRESH_PATH:
            token = params.get("refresh_token")
            if token in expect["used_refresh_tokens"]:
                problems.append("it sends a refresh token a second time")
            expect["used_refresh_tokens"].add(token)
            if not cls.recording and token != expect["refresh_token"]:
                problems.append(f"it sends the refresh token {token!r}")
        elif not cls.recording and params.get("access_token") != expect["access_token"]:
            problems.append(
                f"it sends the access token {params.get('access_token')!r}, not "
                f"{expect['access_token']!r}"
            )
        if problems:
            expect["violations"].append(f"{api_path}: " + "; ".join(problems))

    @classmethod
    def _learn_issued_tokens(cls, response):
        """After a token call, its tokens are the ones to send; in a replay
        each answer gets tokens of its own, so that a replaced token shows."""
        try:
            data = response.json()
        except ValueError:
            return
        if not data.get("access_token"):
            return
        if not cls.recording:
            cls.lazada_expect["issued"] += 1
            issue = cls.lazada_expect["issued"]
            for key in ("access_token", "refresh_token"):
                data[key] = f"{data[key]}-{issue}"
            response._content = json.dumps(data).encode()
        cls.lazada_expect["access_token"] = data["access_token"]
        cls.lazada_expect["refresh_token"] = data["refresh_token"]

    @contextmanager
    def lazada_cassette(self, name, scenario=None, setup=True):
        """Replay (or record) cassette ``name``; ``scenario`` sets the
        simulator up while recording: ``reset`` (kwargs), ``tokens``,
        ``put_orders`` (orders in the API's shape, their ``items`` inside),
        ``orders`` (changes by order id), ``faults``."""
        if self.recording and setup:
            self.simulator_setup(scenario or {})
        with lazada_recorder().use_cassette(name) as cassette:
            self.lazada_expect["cassettes"] += 1
            try:
                yield cassette
            finally:
                self.lazada_expect["cassettes"] -= 1
        if not self.recording:
            unplayed = unplayed_requests(cassette)
            self.assertFalse(
                unplayed,
                f"Cassette {name}: recorded requests not made again: {unplayed}",
            )

    def simulator_call(self, method, path, payload=None):
        """Control API of the simulator (recording only)."""
        if not self.recording:
            raise AssertionError(
                f"simulator_call({method!r}, {path!r}) while replaying"
            )
        response = requests.request(
            method, f"{SIMULATOR_URL}/_simulator/{path}", json=payload, timeout=10
        )
        response.raise_for_status()
        return response.json() if response.content else None

    def simulator_setup(self, scenario):
        self.simulator_call(
            "POST", "reset", scenario.get("reset", {"orders": 0, "seed": 1})
        )
        for tokens in scenario.get("tokens", [self.default_simulator_tokens()]):
            self.simulator_call("POST", "tokens", tokens)
        if scenario.get("put_orders"):
            self.simulator_call(
                "POST",
                "orders",
                {"seller_id": int(SELLER_ID), "orders": scenario["put_orders"]},
            )
        for order_id, changes in scenario.get("orders", {}).items():
            self.simulator_call("POST", f"orders/{order_id}", changes)
        for fault in scenario.get("faults", []):
            self.simulator_call("POST", "faults", fault)

    @staticmethod
    def default_simulator_tokens():
        return {
            "seller_id": int(SELLER_ID),
            "access_token": ACCESS_TOKEN,
            "refresh_token": REFRESH_TOKEN,
            "expires_in": 604800,
        }


NOW = datetime(2026, 12, 1, 5, 0, 0)  # UTC: 12:00 in Bangkok


def at(minutes):
    """Lazada's time text ("2026-12-01 12:00:00 +0700"), ``minutes`` after NOW."""
    moment = NOW + timedelta(minutes=minutes) + timedelta(hours=7)
    return moment.strftime("%Y-%m-%d %H:%M:%S +0700")


def unit(item_id, sku_id, sku, price, status="pending", **extra):
    """One item row (one unit) as Lazada sends it."""
    return dict(
        {
            "product_id": item_id,
            "sku_id": str(sku_id),
            "sku": sku,
            "status": status,
            "item_price": price,
            "paid_price": price,
            "voucher_seller": 0,
            "voucher_platform": 0,
            "shipping_amount": 0,
            "shipping_fee_original": 0,
            "shipping_fee_discount_seller": 0,
            "shipping_fee_discount_platform": 0,
        },
        **extra,
    )


def lazada_order(order_id, rows, minutes=0, **extra):
    """An order in /orders/get's shape with its item rows under ``items``:
    the order's price is the rows' with a thousands separator, as Lazada
    writes it, the vouchers and shipping their sums."""

    def total(name):
        return round(sum(float(row.get(name) or 0) for row in rows), 2)

    for index, row in enumerate(rows):
        row.setdefault("order_item_id", order_id * 10 + index)
    return dict(
        {
            "order_id": order_id,
            "order_number": order_id,
            "created_at": at(minutes - 30),
            "updated_at": at(minutes),
            "price": f"{total('item_price'):,.2f}",
            "voucher_seller": total("voucher_seller"),
            "voucher_platform": total("voucher_platform"),
            "voucher": total("voucher_seller") + total("voucher_platform"),
            "shipping_fee": total("shipping_amount"),
            "payment_method": "COD",
            "customer_first_name": "ส***",
            "customer_last_name": "",
            "address_shipping": {
                "first_name": "ส***ย",
                "last_name": "",
                "phone": "66********41",
                "address1": "99/1 ถ.สุขุมวิท",
                "address2": "",
                "address3": "กรุงเทพมหานคร",
                "address4": "",
                "address5": "คลองเตย",
                "city": "คลองเตย/ Khlong Toei",
                "post_code": "10110",
                "country": "Thailand",
            },
            "items": rows,
        },
        **extra,
    )


class LazadaTestCase(LazadaCassetteMixin, MarketplaceTestCase):
    """A Lazada account on the simulator with one authorized seller."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account = cls.env["marketplace.account"].create(
            {
                "name": "Lazada TH (test)",
                "channel": "lazada",
                "environment": "simulator",
                "lazada_simulator_url": SIMULATOR_URL,
                "lazada_app_key": APP_KEY,
                "lazada_app_secret": APP_SECRET,
            }
        )
        cls.backend = cls.env["lazada.shop"].create(
            {
                "account_id": cls.account.id,
                "name": "Bangkok Gadget House (Lazada)",
                "external_id": SELLER_ID,
                "region": "TH",
                "access_token": ACCESS_TOKEN,
                "refresh_token": REFRESH_TOKEN,
                "access_token_expires_at": fields.Datetime.now() + timedelta(days=7),
                "auto_create_sale_orders": False,
                "lang": "en_US",
            }
        )
        cls.shop = cls.backend.marketplace_shop_id

        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.env.company.id)], limit=1
        )
        cls.shop.warehouse_id = cls.warehouse

    @classmethod
    def storable(cls, *names_and_codes):
        """Products with these Internal References, the only ones with them
        (a database that kept other tests' data may have some already)."""
        products = cls.env["product.product"]
        codes = [code for _name, code in names_and_codes]
        products.search([("default_code", "in", codes)]).active = False
        return [
            products.create({"name": name, "default_code": code, "is_storable": True})
            for name, code in names_and_codes
        ]

    def set_stock(self, product, quantity):
        self.env["stock.quant"]._update_available_quantity(
            product, self.warehouse.lot_stock_id, quantity
        )

    def job(self, job_type, payload):
        return self.env["marketplace.job"].create(
            {
                "job_type": job_type,
                "account_id": self.account.id,
                "shop_id": self.shop.id,
                "payload": json.dumps(payload),
            }
        )

    def pull_orders(self, since=-60, until=60, failed=()):
        """A pull_orders job with the guide's payload (minutes from NOW),
        run through queue_job."""

        def utc(minutes):
            moment = NOW + timedelta(minutes=minutes)
            return fields.Datetime.to_string(moment).replace(" ", "T") + "Z"

        job = self.job("pull_orders", {"since": utc(since), "until": utc(until)})
        self.run_queue_jobs(failed=failed)
        self.env.invalidate_all()
        return job

    def orders(self):
        return self.env["marketplace.order"].search([("shop_id", "=", self.shop.id)])
