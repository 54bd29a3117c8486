"""Shopee test base: a simulator-backed account and shop, and cassettes.

Cassettes
---------
Every test that talks to Shopee replays a cassette of ``<repo>/cassettes``
with vcrpy in record mode "none": a request that is not in the cassette fails
the test and never reaches a network. Partner key, tokens, codes, signatures
and timestamps are filtered out of what is stored.

To record them again, run the project's Shopee simulator and the tests with
``VCR_RECORD_MODE=all`` (``make cassettes`` does both). In record mode each
test first puts the simulator in the state it needs (seeded orders, tokens,
faults) through the simulator's control API, outside the cassette.

Matching ignores the host, so cassettes recorded against the simulator replay
against any configured host.

Replay checks what the code sends
---------------------------------
vcrpy filters ``sign``, ``timestamp`` and ``access_token`` out of the
requests before matching them, so a matcher only sees placeholders. The
tests' request handler sees the real request first and checks that its
``sign`` is Shopee's HMAC of the request (partner id, path, timestamp, token,
shop id) keyed by the partner key the test expects, and that the access token
is the one the shop should use now: the test's token, then whatever token the
last token call of the test answered. A violation fails the test.
"""

# vcrpy is a test requirement (test-requirements.txt), not a runtime one.
import hmac
import json
import logging
import os
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from unittest import mock
from urllib.parse import parse_qs

import requests
import vcr

from odoo import fields
from odoo.modules.registry import Registry
from odoo.tests import common

from odoo.addons.connector_marketplace.tests.common import MarketplaceTestCase

from ..api.client import shopee_sign, sign_base_string
from ..models.marketplace_account import SHOPEE_HOSTS

CASSETTE_DIR = Path(
    os.environ.get("MARKETPLACE_CASSETTE_DIR")
    or Path(__file__).resolve().parents[3] / "cassettes"
)
RECORD_MODE = os.environ.get("VCR_RECORD_MODE", "none")
# "localhost", not 127.0.0.1: HttpCase talks to Odoo on 127.0.0.1, which the
# recorder ignores, while Shopee calls (to the simulator) go through it.
SIMULATOR_URL = os.environ.get("SHOPEE_SIMULATOR_URL", "http://localhost:8079")

PARTNER_ID = "2000001"
PARTNER_KEY = "shpk-simulator-demo-key"
SHOP_ID = "600100200"
ACCESS_TOKEN = "test-access-token-0001"
REFRESH_TOKEN = "test-refresh-token-0001"
SECRET_BODY_KEYS = ("access_token", "refresh_token", "code")
VOLATILE_HEADERS = ("date", "server", "set-cookie", "content-length")


def _scrub_response(response):
    """No token of Shopee's answers may reach a cassette."""
    for header in list(response["headers"]):
        if header.lower() in VOLATILE_HEADERS:
            del response["headers"][header]
    body = response["body"].get("string")
    if not body:
        return response
    try:
        data = json.loads(body)
    except ValueError:
        return response
    if isinstance(data, dict) and any(key in data for key in SECRET_BODY_KEYS):
        for key in SECRET_BODY_KEYS:
            if data.get(key):
                data[key] = key.upper()
        response["body"]["string"] = json.dumps(data).encode()
    return response


def shopee_recorder(record_mode=RECORD_MODE):
    return vcr.VCR(
        cassette_library_dir=str(CASSETTE_DIR),
        path_transformer=vcr.VCR.ensure_suffix(".yaml"),
        record_mode=record_mode,
        match_on=["method", "path", "query", "body"],
        filter_query_parameters=[
            ("access_token", "ACCESS_TOKEN"),
            ("sign", "SIGN"),
            ("timestamp", "TIMESTAMP"),
        ],
        filter_post_data_parameters=[
            ("refresh_token", "REFRESH_TOKEN"),
            ("code", "CODE"),
        ],
        before_record_response=_scrub_response,
        decode_compressed_response=True,
        # Odoo's own test server (HttpCase) is on 127.0.0.1.
        ignore_hosts=["127.0.0.1"],
    )


def registry_without_loading_lock():
    """Let threads of a test reach the loaded registry.

    While tests run, the test runner holds the lock that ``Registry()``
    takes, so a thread creating an environment would wait for the end of the
    test run. The registry is loaded: hand it out directly.
    """
    return mock.patch.object(
        Registry, "__new__", lambda cls, db_name: cls.registries[db_name]
    )


# vcrpy logs every recorded body at INFO: far too much for the test log.
logging.getLogger("vcr").setLevel(logging.WARNING)

TOKEN_PATHS = ("/api/v2/auth/token/get", "/api/v2/auth/access_token/get")


class ShopeeCassetteMixin:
    """Cassettes of Shopee traffic, and the simulator state to record them."""

    recording = RECORD_MODE != "none"
    # What the requests must carry; reset for each test (see setUp).
    shopee_expect = {}

    def setUp(self):
        super().setUp()
        type(self).shopee_expect = {
            "partner_key": PARTNER_KEY,
            "tokens": {SHOP_ID: ACCESS_TOKEN},
            "violations": [],
        }
        self.addCleanup(self._assert_requests_signed)

    def expect_partner_key(self, partner_key):
        """The key the code should sign with from now on."""
        self.shopee_expect["partner_key"] = partner_key

    def expect_access_token(self, token, shop_id=SHOP_ID):
        """The access token the code should send for ``shop_id`` now."""
        self.shopee_expect["tokens"][str(shop_id)] = token

    def _assert_requests_signed(self):
        violations = self.shopee_expect.get("violations")
        self.assertFalse(
            violations,
            "Requests sent to Shopee were wrong:\n" + "\n".join(violations or []),
        )

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        """Let requests to Shopee hosts reach vcrpy (Odoo blocks them).

        vcrpy then replays them, or records them in record mode; nothing else
        leaves the test. Each request is checked first (see the module's
        docstring).
        """
        url = requests.utils.urlparse(r.url)
        allowed = {
            requests.utils.urlparse(host).hostname for host in SHOPEE_HOSTS.values()
        }
        allowed.add(requests.utils.urlparse(SIMULATOR_URL).hostname)
        if url.hostname not in allowed:
            return super()._request_handler(s, r, **kw)
        if url.path.startswith("/api/v2/") and cls.shopee_expect:
            cls._check_shopee_request(url)
        response = common._super_send(s, r, **kw)
        if url.path in TOKEN_PATHS and cls.shopee_expect:
            cls._learn_issued_token(r, response)
        return response

    @classmethod
    def _check_shopee_request(cls, url):
        expect = cls.shopee_expect
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        if url.path == "/api/v2/shop/auth_partner":
            return
        token = query.get("access_token", "")
        shop_id = query.get("shop_id", "")
        base = sign_base_string(
            query.get("partner_id"), url.path, query.get("timestamp"), token, shop_id
        )
        sign = shopee_sign(expect["partner_key"], base)
        problems = []
        if not hmac.compare_digest(sign, query.get("sign", "")):
            problems.append("its sign is not the request's HMAC by the partner key")
        if token and not cls.recording:
            wanted = expect["tokens"].get(shop_id)
            if token != wanted:
                problems.append(
                    f"it sends the access token {token!r} for shop {shop_id}, "
                    f"not {wanted!r}"
                )
        if problems:
            expect["violations"].append(f"{url.path}: " + "; ".join(problems))

    @classmethod
    def _learn_issued_token(cls, request, response):
        """After a token call, the new access token is the one to send."""
        try:
            data = response.json()
            body = json.loads(request.body or b"{}")
        except ValueError:
            return
        if not data.get("access_token"):
            return
        if body.get("shop_id"):
            shop_ids = [body["shop_id"]]
        else:
            shop_ids = data.get("shop_id_list") or []
        for shop_id in shop_ids:
            cls.shopee_expect["tokens"][str(shop_id)] = data["access_token"]

    @contextmanager
    def shopee_cassette(self, name, scenario=None, setup=True, replay=False, **options):
        """Replay (or record) cassette ``name``.

        :param scenario: simulator set-up for recording: ``reset`` (kwargs of
            /_simulator/reset), ``tokens`` (list of token pairs to install),
            ``faults`` (list), ``orders`` (order changes by order_sn)
        :param setup: False when the test prepared the simulator itself
        :param replay: True to replay, even while recording, a cassette an
            earlier block of the same test recorded (the same calls again)
        :param options: more options of vcrpy's ``use_cassette``
        """
        recording = self.recording and not replay
        if recording and setup:
            self.simulator_setup(scenario or {})
        if replay:
            options.setdefault("allow_playback_repeats", True)
        recorder = shopee_recorder("none" if replay else RECORD_MODE)
        with recorder.use_cassette(name, **options) as cassette:
            yield cassette
        # A replayed block repeats the recorded calls: vcrpy then plays the
        # first of identical interactions again and never the others.
        if not self.recording and not replay:
            self.assertTrue(
                cassette.all_played,
                f"Cassette {name}: some recorded requests were not made again.",
            )

    def simulator_call(self, method, path, payload=None):
        """Control API of the simulator (recording only, never in a cassette)."""
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
        for order_sn, changes in scenario.get("orders", {}).items():
            self.simulator_call("POST", f"orders/{order_sn}", changes)
        for fault in scenario.get("faults", []):
            self.simulator_call("POST", "faults", fault)

    @staticmethod
    def default_simulator_tokens():
        return {
            "shop_id": int(SHOP_ID),
            "access_token": ACCESS_TOKEN,
            "refresh_token": REFRESH_TOKEN,
            "expire_in": 14400,
        }


class ShopeeTestCase(ShopeeCassetteMixin, MarketplaceTestCase):
    """A Shopee account on the simulator with one authorized shop."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account = cls.env["marketplace.account"].create(
            {
                "name": "Shopee TH (test)",
                "channel": "shopee",
                "environment": "simulator",
                "shopee_simulator_url": SIMULATOR_URL,
                "shopee_partner_id": PARTNER_ID,
                "shopee_partner_key": PARTNER_KEY,
            }
        )
        cls.backend = cls.env["shopee.shop"].create(
            {
                "account_id": cls.account.id,
                "name": "Bangkok Gadget House",
                "external_id": SHOP_ID,
                "region": "TH",
                "access_token": ACCESS_TOKEN,
                "refresh_token": REFRESH_TOKEN,
                "access_token_expires_at": fields.Datetime.now() + timedelta(hours=4),
                # the pulls' tests make no sale orders; test_sale_orders does
                "auto_create_sale_orders": False,
            }
        )
        cls.shop = cls.backend.marketplace_shop_id

    def create_pull_job(self, since, until, **values):
        payload = json.dumps(
            {
                "since": since and fields.Datetime.to_string(since).replace(" ", "T"),
                "until": until and fields.Datetime.to_string(until).replace(" ", "T"),
            }
        )
        return self.env["marketplace.job"].create(
            dict(
                {
                    "job_type": "pull_orders",
                    "account_id": self.account.id,
                    "shop_id": self.shop.id,
                    "payload": payload,
                },
                **values,
            )
        )
