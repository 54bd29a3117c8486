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
vcrpy filters ``sign``, ``timestamp``, tokens and codes out of the requests
before matching them, so a matcher only sees placeholders. The tests'
request handler sees the real request first and checks:

* its ``sign``: Shopee's HMAC of the request (partner id, path, timestamp,
  token, shop id) keyed by the partner key the test expects;
* the access token: the one the shop should use now, the test's, then
  whatever token the last token call of the test answered;
* the refresh token of a refresh: the test's, then the one the last token
  call answered, and each one sent once only (Shopee's refresh tokens are
  single use; a replay gives each answer tokens of its own, as Shopee does);
* the authorization ``code``: the one the test gave the callback.

A violation fails the test. The handler also keeps the paths called, in
order (``assertShopeeCalls``): a replay matches a request to a recorded one
wherever it is in the cassette, so the cassette's order proves nothing about
the code's. After a block, every recorded request must have been made again
(as often as recorded, also in ``replay=True`` blocks).

No live port
------------
A request to Shopee or to the simulator outside a cassette fails the test
(``ShopeeOutsideCassette``): it never reaches the network, nor a simulator
that happens to run here. The simulator's control API (and its consent
page, the seller's browser) is only used while recording.
"""

# vcrpy is a test requirement (test-requirements.txt), not a runtime one.
import hmac
import json
import os
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import requests

from odoo import fields
from odoo.tests import common

from odoo.addons.connector_marketplace.tests.cassettes import (  # noqa: F401
    recorder,
    registry_without_loading_lock,  # the Shopee tests import it from here
    unplayed_requests,
)
from odoo.addons.connector_marketplace.tests.common import (
    LOOPBACK,
    LivePortBlocked,
    MarketplaceTestCase,
    NoLivePortMixin,
    odoo_test_port,
)

from ..api.client import (
    TOKEN_GET_PATH,
    TOKEN_REFRESH_PATH,
    shopee_sign,
    sign_base_string,
)
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


def shopee_recorder(record_mode=RECORD_MODE):
    return recorder(
        CASSETTE_DIR,
        record_mode,
        query_filters=("access_token", "sign", "timestamp"),
        post_filters=("refresh_token", "code"),
        secret_keys=SECRET_BODY_KEYS,
    )


TOKEN_PATHS = (TOKEN_GET_PATH, TOKEN_REFRESH_PATH)
# What a test itself asks the simulator while recording, outside cassettes:
# the control API, and the consent page a seller's browser would open.
RECORDING_ONLY_PATHS = ("/_simulator/", "/api/v2/shop/auth_partner")


class ShopeeOutsideCassette(LivePortBlocked):
    """A request to Shopee (or the simulator) outside any cassette."""


class ShopeeCassetteMixin(NoLivePortMixin):
    """Cassettes of Shopee traffic, and the simulator state to record them."""

    recording = RECORD_MODE != "none"
    # What the requests must carry, and what was sent; reset for each test
    # (see setUp). A class attribute: Odoo's HTTP server threads send too.
    shopee_expect = {}

    def setUp(self):
        super().setUp()
        type(self).shopee_expect = {
            "partner_key": PARTNER_KEY,
            "tokens": {SHOP_ID: ACCESS_TOKEN},
            "refresh_tokens": {SHOP_ID: REFRESH_TOKEN},
            "used_refresh_tokens": set(),
            "code": None,
            "issued": 0,
            "cassettes": 0,
            "sent": [],
            "violations": [],
        }
        self.addCleanup(self._assert_requests_signed)

    def expect_partner_key(self, partner_key):
        """The key the code should sign with from now on."""
        self.shopee_expect["partner_key"] = partner_key

    def expect_access_token(self, token, shop_id=SHOP_ID):
        """The access token the code should send for ``shop_id`` now."""
        self.shopee_expect["tokens"][str(shop_id)] = token

    def expect_refresh_token(self, token, shop_id=SHOP_ID):
        """The refresh token the code should send for ``shop_id`` next."""
        self.shopee_expect["refresh_tokens"][str(shop_id)] = token

    def expect_authorization_code(self, code):
        """The code the seller's authorization gave (the callback's)."""
        self.shopee_expect["code"] = code

    def shopee_calls(self):
        """The paths of the Shopee calls the code made so far, in order."""
        return list(self.shopee_expect["sent"])

    def assertShopeeCalls(self, paths, msg=None):
        """The code called exactly these Shopee paths, in this order.

        What was sent, not what the cassette holds: a replay matches each
        request to a recorded one wherever it is in the cassette.
        """
        self.assertEqual(self.shopee_calls(), list(paths), msg)

    def _assert_requests_signed(self):
        violations = self.shopee_expect.get("violations")
        self.assertFalse(
            violations,
            "Requests sent to Shopee were wrong:\n" + "\n".join(violations or []),
        )

    @classmethod
    def _is_shopee_request(cls, url):
        hosts = {urlparse(host).hostname for host in SHOPEE_HOSTS.values()}
        hosts.add(urlparse(SIMULATOR_URL).hostname)
        if url.hostname not in hosts:
            return False
        # Odoo's own test server may share the simulator's host name
        return not (url.hostname in LOOPBACK and url.port == odoo_test_port())

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        """Let requests to Shopee hosts reach vcrpy, inside a cassette only.

        vcrpy then replays them, or records them in record mode; nothing else
        leaves the test. Each request is checked first (see the module's
        docstring).
        """
        url = urlparse(r.url)
        if not cls._is_shopee_request(url):
            return super()._request_handler(s, r, **kw)
        expect = cls.shopee_expect
        if url.path.startswith(RECORDING_ONLY_PATHS):
            if not cls.recording:
                cls._refuse(
                    LivePortBlocked,
                    f"{r.method} {url.path}: the simulator's control API and "
                    "consent page are for recording only (VCR_RECORD_MODE=all)",
                )
            return common._super_send(s, r, **kw)
        if not expect.get("cassettes") and url.port not in cls.open_ports:
            cls._refuse(
                ShopeeOutsideCassette,
                f"{r.method} {url.path}: a request to Shopee outside a "
                "cassette. Replay recorded traffic (self.shopee_cassette) or "
                "mock the backend's call; no test reaches a live port.",
            )
        expect["sent"].append(url.path)
        if url.path.startswith("/api/v2/"):
            cls._check_shopee_request(url, r.body)
        response = common._super_send(s, r, **kw)
        if url.path in TOKEN_PATHS:
            cls._learn_issued_token(r, response)
        return response

    @classmethod
    def _refuse(cls, error_class, message):
        """Fail the test, even if the code swallows the exception."""
        if cls.shopee_expect:
            cls.shopee_expect["violations"].append(message)
        raise error_class(message)

    @classmethod
    def _check_shopee_request(cls, url, body=None):
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
        if url.path in TOKEN_PATHS:
            problems += cls._token_call_problems(url.path, body)
        if problems:
            expect["violations"].append(f"{url.path}: " + "; ".join(problems))

    @classmethod
    def _token_call_problems(cls, path, body):
        """A token call sends the code the callback got, or the refresh token
        the shop holds now, once (Shopee's refresh tokens are single use)."""
        expect = cls.shopee_expect
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return ["its body is not JSON"]
        if path == TOKEN_GET_PATH:
            if data.get("code") != expect["code"]:
                return [
                    f"it sends the authorization code {data.get('code')!r}, not "
                    f"{expect['code']!r} (the one the callback got)"
                ]
            return []
        owner = str(data.get("shop_id") or f"merchant:{data.get('merchant_id')}")
        token = data.get("refresh_token")
        problems = []
        if (owner, token) in expect["used_refresh_tokens"]:
            problems.append(
                f"it sends the refresh token {token!r} of shop {owner} a second "
                "time: Shopee's refresh tokens are single use"
            )
        expect["used_refresh_tokens"].add((owner, token))
        wanted = expect["refresh_tokens"].get(owner)
        if not cls.recording and token != wanted:
            problems.append(
                f"it sends the refresh token {token!r} for shop {owner}, not {wanted!r}"
            )
        return problems

    @classmethod
    def _learn_issued_token(cls, request, response):
        """After a token call, the new tokens are the ones to send.

        Cassettes hold placeholders instead of tokens: in a replay each
        answer gets tokens of its own, as Shopee's are, so that a token used
        after it was replaced (or a refresh token used twice) shows.
        """
        try:
            data = response.json()
            body = json.loads(request.body or b"{}")
        except ValueError:
            return
        if not data.get("access_token"):
            return
        if not cls.recording:
            cls.shopee_expect["issued"] += 1
            issue = cls.shopee_expect["issued"]
            for key in ("access_token", "refresh_token"):
                if data.get(key):
                    data[key] = f"{data[key]}-{issue}"
            response._content = json.dumps(data).encode()
        if body.get("shop_id"):
            shop_ids = [body["shop_id"]]
        else:
            shop_ids = data.get("shop_id_list") or []
        for shop_id in shop_ids:
            cls.shopee_expect["tokens"][str(shop_id)] = data["access_token"]
            if data.get("refresh_token"):
                cls.shopee_expect["refresh_tokens"][str(shop_id)] = data[
                    "refresh_token"
                ]

    @contextmanager
    def shopee_cassette(self, name, scenario=None, setup=True, replay=False, **options):
        """Replay (or record) cassette ``name``.

        Shopee requests are refused outside this block.

        :param scenario: simulator set-up for recording: ``reset`` (kwargs of
            /_simulator/reset), ``tokens`` (list of token pairs to install),
            ``faults`` (list), ``orders`` (order changes by order_sn)
        :param setup: False when the test prepared the simulator itself
        :param replay: True to replay, even while recording, a cassette an
            earlier block of the same test recorded (the same calls again,
            as often as the block needs them)
        :param options: more options of vcrpy's ``use_cassette``
        """
        recording = self.recording and not replay
        if recording and setup:
            self.simulator_setup(scenario or {})
        if replay:
            options.setdefault("allow_playback_repeats", True)
        recorder = shopee_recorder("none" if replay else RECORD_MODE)
        with recorder.use_cassette(name, **options) as cassette:
            self.shopee_expect["cassettes"] += 1
            try:
                yield cassette
            finally:
                self.shopee_expect["cassettes"] -= 1
        if not recording:
            unplayed = self._unplayed_requests(cassette)
            self.assertFalse(
                unplayed,
                f"Cassette {name}: recorded requests not made again: {unplayed}",
            )

    @staticmethod
    def _unplayed_requests(cassette):
        return unplayed_requests(cassette)

    def simulator_call(self, method, path, payload=None):
        """Control API of the simulator (recording only, never in a cassette)."""
        if not self.recording:
            raise AssertionError(
                f"simulator_call({method!r}, {path!r}) while replaying: the "
                "simulator is only used to record (guard it with self.recording)"
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
                # what jobs write is read in English (test_first_day_thai:
                # a Thai shop's)
                "lang": "en_US",
            }
        )
        cls.shop = cls.backend.marketplace_shop_id

    def create_pull_job(self, since, until, **values):
        def utc(moment):
            # (a time without offset would be the user's)
            return moment and fields.Datetime.to_string(moment).replace(" ", "T") + "Z"

        payload = json.dumps({"since": utc(since), "until": utc(until)})
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
