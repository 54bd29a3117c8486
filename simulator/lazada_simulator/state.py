"""Everything the Lazada simulator remembers, behind one lock.

Apps and sellers, catalogues and stock (``stock.Stock``), orders (records,
see ``orders``), consent nonces, authorization codes, token pairs, queued
faults and fault rates, pushes, traffic, counters and the clock, packages
and air waybills (``fulfilment.Fulfilment``), cancellations and reverse
orders (``reverse.Reverse``). The HTTP layer (``api``, ``control``) only
parses and answers.
"""

import copy
import random
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from . import catalogue, generator, orders
from .errors import ApiError, illegal_access_token
from .fulfilment import Fulfilment
from .identities import DEFAULT_SELLER_ID, default_apps, default_sellers
from .push import PushHub
from .reverse import Reverse
from .seeds import SEED_ORDERS_SELLER_ID
from .stock import Stock
from .timefmt import DAY, parse_time

ACCESS_TOKEN_TTL = 7 * DAY  # 604800 s, expires_in
REFRESH_TOKEN_TTL = 30 * DAY  # 2592000 s, refresh_expires_in
CODE_TTL = 1800
CONSENT_TTL = 1800
TIMESTAMP_WINDOW = 7200
# Error answers a fault can give: kind → (type, code, message).
ERROR_FAULTS = {
    "rate_limit": (
        "ISV",
        "ApiCallLimit",
        "The request has exceeded the limit. Please try again later.",
    ),
    "service_timeout": ("ISP", "ServiceTimeout", "The service timed out."),
    "system_error": ("SYSTEM", "SystemError", "System error, please try again."),
    "expire_access_token": None,  # handled by the token check
}
HTTP_FAULTS = {"server_error": 500, "http_500": 500, "http_503": 503}
# A business error (``code``, ``message``) answered after the sign and token
# checks: under ``result`` on the fulfilment paths, at the top elsewhere.
BUSINESS_ERROR = "business_error"
FAULT_KINDS = (*ERROR_FAULTS, *HTTP_FAULTS, "timeout", "drop", BUSINESS_ERROR)
# Kinds taken at their own point of the call, not by the gateway's draw.
LATE_FAULTS = ("expire_access_token", BUSINESS_ERROR)
# The kinds a fault rate can draw (Shopee's names, Lazada's answers).
GATEWAY_FAULTS = ("rate_limit", "server_error", "timeout")
RATE_KINDS = {
    "rate_limit": "rate_limit",
    "server_error": "server_error",
    "timeout": "timeout",
}
PUSH_TRADE_ORDER = 0
PUSH_REVERSE_ORDER = 10


def api_path(path):
    """``/orders/get`` of ``/rest/orders/get`` (faults may name either)."""
    if path and path.startswith("/rest/"):
        return path[len("/rest") :]
    return path


@dataclass
class Fault:
    kind: str
    path: str | None = None
    times: int = 1
    seconds: float = 3.0
    code: str | None = None
    message: str | None = None

    def matches(self, path):
        return api_path(self.path) == path if self.path else True


@dataclass
class FaultRates:
    """Random faults and added latency for load tests (seeded RNG)."""

    rate_limit: float = 0.0
    server_error: float = 0.0
    timeout: float = 0.0
    timeout_seconds: float = 2.0
    latency_ms: int = 0
    paths: list | None = None
    seed: int = 0
    rng: random.Random = field(default=None, repr=False, compare=False)

    def __post_init__(self):
        self.rng = random.Random(self.seed)

    def public(self):
        return {
            "rate_limit": self.rate_limit,
            "server_error": self.server_error,
            "timeout": self.timeout,
            "timeout_seconds": self.timeout_seconds,
            "latency_ms": self.latency_ms,
            "paths": self.paths,
            "seed": self.seed,
        }


@dataclass
class Scenario:
    """What a reset builds (all of it deterministic but the token values)."""

    seed: int = 42
    orders: int = 60
    seller_id: int = DEFAULT_SELLER_ID
    time_from: int | None = None
    time_to: int | None = None
    days: int = 14
    include_seed_orders: bool = True
    # A generated catalogue for seller_id: items × skus_per_item (None: seeds).
    items: int | None = None
    skus_per_item: int = 3
    # Seconds (simulator clock) before a package's air waybill can be had.
    document_delay: float = 0.0


class State(Stock, Fulfilment, Reverse):
    def __init__(self, seeds, scenario=None, clock=time.time):
        self.lock = threading.RLock()
        self.seeds = seeds
        self._clock = clock
        self.clock_offset = 0
        self.traffic = None
        self.apps = default_apps()
        self.push = PushHub(self)
        self.reset(scenario or Scenario())

    # -- clock and reset ------------------------------------------------------

    def now(self):
        return int(self._clock() + self.clock_offset)

    def now_float(self):
        return self._clock() + self.clock_offset

    def set_clock(self, offset=None, now=None):
        with self.lock:
            if now is not None:
                offset = now - self._clock()
            self.clock_offset = int(round(offset or 0))

    def reset(self, scenario):
        """Rebuild everything; raises ValueError (state untouched) on a bad range."""
        time_to = scenario.time_to
        if time_to is None:
            time_to = int(self._clock())
        time_from = scenario.time_from
        if time_from is None:
            time_from = time_to - scenario.days * DAY
        sellers = default_sellers()
        if scenario.seller_id not in sellers:
            raise ValueError(f"unknown seller_id {scenario.seller_id}")
        items = self.seeds.seller_products(scenario.seller_id)
        if scenario.items is not None:
            generated = catalogue.generate(
                scenario.seed,
                scenario.seller_id,
                scenario.items,
                scenario.skus_per_item,
                time_to,
            )
            items = generated + (items if scenario.include_seed_orders else [])
        loaded = catalogue.load(items, time_to)
        records = generator.generate_orders(
            scenario.seed,
            scenario.orders,
            scenario.seller_id,
            time_from,
            time_to,
            list(loaded.values()),
        )
        # Outside the lock: the traffic thread may be waiting for it.
        self.stop_traffic()
        with self.lock:
            self.traffic = None
            self.clock_offset = 0
            self.apps = default_apps()
            self.sellers = sellers
            self.catalogues = {
                seller_id: catalogue.load(
                    self.seeds.seller_products(seller_id), time_to
                )
                for seller_id in sellers
            }
            self.catalogues[scenario.seller_id] = loaded
            self.sku_index = {}
            self.catalogue_version = 0
            for seller_id in sellers:
                self._index_skus(seller_id)
            self.units = {}
            self.ids = orders.Ids(random.Random(scenario.seed * 7 + 1))
            self.orders = {seller_id: {} for seller_id in sellers}
            # The generated orders name the loaded catalogue's objects: find
            # their SKUs again by id in the state's own catalogue.
            for rec in records:
                self._store(rec, take=False)
            if scenario.include_seed_orders:
                specs = generator.redate(self.seeds.orders, time_from, time_to)
                seller = SEED_ORDERS_SELLER_ID
                for spec in specs:
                    rec = orders.build(
                        spec,
                        seller,
                        lambda row, s=seller: self.resolve(s, row),
                        self.ids,
                        time_to,
                    )
                    self._store(rec, take=False)
            self.stock_calls = self.stock_skus_updated = self.stock_failures = 0
            self.codes, self.nonces = {}, {}
            self.access_tokens, self.refresh_tokens = {}, {}
            self.current_tokens = {}
            self.faults = []
            self.rates = None
            self.calls, self.errors = Counter(), Counter()
            self.refreshes, self.faults_fired = Counter(), Counter()
            self.codes_issued = self.codes_used = 0
            self.reset_fulfilment(scenario.document_delay)
            self.reset_reverse(scenario.seed)
            self.push.reset()

    def _store(self, rec, take):
        for row in rec["items"]:
            self.ids.items.add(row["order_item_id"])
        self.ids.orders.add(rec["order"]["order_id"])
        self.orders.setdefault(rec["seller_id"], {})[rec["order"]["order_id"]] = rec
        for row in rec["items"]:
            self.unit_enter(rec["seller_id"], row, take)

    def count(self, path, outcome):
        with self.lock:
            self.calls[path] += 1
            if outcome != "ok":
                self.errors[outcome] += 1

    # -- apps and sellers -------------------------------------------------------

    def app_secret(self, app_key):
        app = self.apps.get(str(app_key or ""))
        return app and app["app_secret"]

    def add_app(self, app_key, app_secret, name=None):
        with self.lock:
            self.apps[str(app_key)] = {
                "app_key": str(app_key),
                "app_secret": app_secret,
                "name": name or f"App {app_key}",
            }

    def seller(self, seller_id):
        with self.lock:
            return copy.deepcopy(self.sellers.get(seller_id))

    def directory(self):
        with self.lock:
            return copy.deepcopy(list(self.sellers.values()))

    # -- consent and codes --------------------------------------------------------

    def issue_nonce(self, app_key, redirect, state):
        with self.lock:
            nonce = secrets.token_hex(16)
            self.nonces[nonce] = {
                "app_key": app_key,
                "redirect": redirect,
                "state": state,
                "expires_at": self.now() + CONSENT_TTL,
            }
            return nonce

    def take_nonce(self, nonce):
        with self.lock:
            grant = self.nonces.pop(nonce or "", None)
            if grant and grant["expires_at"] > self.now():
                return grant
            return None

    def issue_code(self, app_key, seller_id):
        with self.lock:
            code = "0_" + secrets.token_hex(16)
            self.codes[code] = {
                "app_key": app_key,
                "seller_id": seller_id,
                "issued_at": self.now(),
                "used": False,
            }
            self.codes_issued += 1
            return code

    def exchange_code(self, code, app_key):
        """Token answer for a code: single use, bound to the app, 30 minutes."""
        with self.lock:
            grant = self.codes.get(code or "")
            if (
                grant is None
                or grant["used"]
                or grant["app_key"] != app_key
                or self.now() - grant["issued_at"] > CODE_TTL
            ):
                raise ApiError("InvalidCode", "Invalid authorization code")
            grant["used"] = True
            self.codes_used += 1
            return self._grant(app_key, grant["seller_id"])

    # -- tokens ---------------------------------------------------------------

    def _grant(self, app_key, seller_id, access=None, refresh=None,
               expires_in=ACCESS_TOKEN_TTL, refresh_expires_in=REFRESH_TOKEN_TTL):  # fmt: skip
        now = self.now()
        access = access or "50000" + secrets.token_hex(20)
        refresh = refresh or "50001" + secrets.token_hex(20)
        self.access_tokens[access] = {
            "app_key": app_key,
            "seller_id": seller_id,
            "expires_at": now + expires_in,
        }
        self.refresh_tokens[refresh] = {
            "app_key": app_key,
            "seller_id": seller_id,
            "expires_at": now + refresh_expires_in,
            "used": False,
        }
        self.current_tokens[seller_id] = {
            "access_token": access,
            "refresh_token": refresh,
            "access_token_expires_at": now + expires_in,
            "refresh_token_expires_at": now + refresh_expires_in,
        }
        return self.token_answer(
            seller_id, access, refresh, expires_in, refresh_expires_in
        )

    def token_answer(self, seller_id, access, refresh, expires_in, refresh_expires_in):
        seller = self.sellers[seller_id]
        info = {
            "country": "th",
            "seller_id": str(seller_id),
            "user_id": str(seller["user_id"]),
            "short_code": seller["short_code"],
        }
        return {
            "access_token": access,
            "refresh_token": refresh,
            "expires_in": expires_in,
            "refresh_expires_in": refresh_expires_in,
            "account_platform": "seller_center",
            "account": seller["account"],
            "country": "th",
            "country_user_info": [dict(info)],
            "country_user_info_list": [dict(info)],
        }

    def install_tokens(self, seller_id, access, refresh, expires_in=ACCESS_TOKEN_TTL,
                       refresh_expires_in=REFRESH_TOKEN_TTL, app_key=None):  # fmt: skip
        with self.lock:
            app_key = app_key or next(iter(self.apps))
            self._grant(
                app_key, seller_id, access, refresh, expires_in, refresh_expires_in
            )

    def refresh(self, refresh_token, app_key):
        """A new pair; the refresh token dies, the old access token lives on."""
        with self.lock:
            grant = self.refresh_tokens.get(refresh_token or "")
            if grant is None or grant["used"] or grant["app_key"] != app_key:
                raise ApiError(
                    "IllegalRefreshToken", "The specified refresh token is invalid"
                )
            if self.now() >= grant["expires_at"]:
                raise ApiError(
                    "IllegalRefreshToken", "The specified refresh token is expired"
                )
            grant["used"] = True
            self.refreshes[grant["seller_id"]] += 1
            return self._grant(app_key, grant["seller_id"])

    def check_access(self, access_token, app_key, path):
        """The seller id of a valid token of this app; else IllegalAccessToken."""
        with self.lock:
            token = self.access_tokens.get(access_token or "")
            if token is None or token["app_key"] != app_key:
                raise illegal_access_token()
            if self.now() >= token["expires_at"]:
                raise illegal_access_token()
            if self.take_fault(path, ("expire_access_token",)):
                token["expires_at"] = self.now() - 1
                raise illegal_access_token()
            return token["seller_id"]

    # -- faults ---------------------------------------------------------------

    def add_fault(self, fault):
        with self.lock:
            self.faults.append(fault)

    def clear_faults(self):
        with self.lock:
            self.faults.clear()

    def take_fault(self, path, kinds=None):
        """The first queued fault (of ``kinds``) for this call, used up once."""
        with self.lock:
            for fault in self.faults:
                if fault.kind in LATE_FAULTS and kinds is None:
                    continue
                if (kinds is None or fault.kind in kinds) and fault.matches(path):
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                    self.faults_fired[fault.kind] += 1
                    return copy.copy(fault)
            return None

    def set_rates(self, rates):
        with self.lock:
            self.rates = rates

    def latency(self):
        with self.lock:
            return self.rates.latency_ms / 1000.0 if self.rates else 0.0

    def draw_fault(self, path):
        with self.lock:
            rates = self.rates
            if rates is None:
                return None
            if rates.paths and path not in {api_path(p) for p in rates.paths}:
                return None
            roll = rates.rng.random()
            for kind in GATEWAY_FAULTS:
                roll -= getattr(rates, kind)
                if roll < 0:
                    self.faults_fired[kind] += 1
                    return Fault(RATE_KINDS[kind], path, 1, rates.timeout_seconds)
            return None

    # -- orders ---------------------------------------------------------------

    def _resolver(self, seller_id):
        return lambda row: self.resolve(seller_id, row)

    def put_orders(self, seller_id, specs):
        """Orders placed or replaced now (control API): stock follows, pushes
        are sent; answers the order ids. Raises ValueError on a bad spec."""
        with self.lock:
            now = self.now()
            built = [
                orders.build(spec, seller_id, self._resolver(seller_id), self.ids, now)
                for spec in specs
            ]
            ids = []
            for rec in built:
                order_id = rec["order"]["order_id"]
                before = self._find_order(order_id)[1]
                old_statuses = {}
                if before is not None:
                    for row in before["items"]:
                        old_statuses[row["order_item_id"]] = row["status"]
                        self.unit_release(row["order_item_id"])
                    self.orders[before["seller_id"]].pop(order_id, None)
                self._store(rec, take=True)
                for row in rec["items"]:
                    if old_statuses.get(row["order_item_id"]) != row["status"]:
                        self._row_pushes(rec, row, rec["updated"])
                ids.append(order_id)
            return ids

    def place_order(self, seller_id, rng, status, moment):
        """A new order of in-stock SKUs (traffic); None when all sold out."""
        with self.lock:
            pool = [
                (item, sku)
                for item, sku in catalogue.orderable(self.seller_items(seller_id))
                if sku["sellable"] > 0
            ]
            if not pool:
                return None
            order_id = self.ids.order_id()
            spec = generator.new_order_spec(rng, pool, status, moment, order_id)
            rec = orders.build(
                spec, seller_id, self._resolver(seller_id), self.ids, moment
            )
            self._store(rec, take=True)
            for row in rec["items"]:
                self._row_pushes(rec, row, moment)
            return order_id

    def _find_order(self, order_id):
        try:
            order_id = int(order_id)
        except (TypeError, ValueError):
            return None, None
        for seller_id, seller_orders in self.orders.items():
            if order_id in seller_orders:
                return seller_id, seller_orders[order_id]
        return None, None

    def update_order(self, order_id, changes):
        """Change an order (control API, traffic); None when nobody has it.

        ``changes``: ``status`` (every unit not cancelled), ``items`` ({order_item_id:
        status} or [{order_item_id, status}]), ``updated_at`` (epoch or
        text, default now), other order fields as they are.
        """
        with self.lock:
            _seller_id, rec = self._find_order(order_id)
            if rec is None:
                return None
            changes = copy.deepcopy(changes)
            moment = parse_time(changes.pop("updated_at", None)) or self.now()
            targets = {}
            status = changes.pop("status", None)
            if status is not None:
                # A cancelled unit stays so (name it under ``items`` to move it).
                targets = {
                    row["order_item_id"]: status
                    for row in rec["items"]
                    if row["status"] != "canceled"
                }
            items = changes.pop("items", None) or {}
            if isinstance(items, list):
                items = {entry.get("order_item_id"): entry.get("status") for entry in items
                         if isinstance(entry, dict)}  # fmt: skip
            if not isinstance(items, dict):
                raise ValueError("items must map order_item_id to a status")
            known = {
                str(row["order_item_id"]): row["order_item_id"] for row in rec["items"]
            }
            for key, value in items.items():
                if str(key) not in known:
                    raise ValueError(f"the order has no item {key}")
                targets[known[str(key)]] = value
            for value in targets.values():
                if value not in orders.ITEM_STATUSES:
                    raise ValueError(f"unknown item status {value!r}")
            for name, value in changes.items():
                if name in ("order_id", "statuses", "items_count", "price"):
                    raise ValueError(f"{name} cannot be set")
                rec["order"][name] = value
            rec["updated"] = max(moment, rec["created"])
            for row in rec["items"]:
                target = targets.get(row["order_item_id"])
                package_before = row["package_id"]
                if target and orders.set_item_status(rec, row, target, moment):
                    self.unit_move(row)
                    self._row_pushes(rec, row, moment)
                    if row["package_id"] and row["package_id"] != package_before:
                        self.package_times.setdefault(row["package_id"], moment)
            orders.summarise(rec)
            return orders.public(rec)

    def _row_pushes(self, rec, row, moment):
        order_id = rec["order"]["order_id"]
        self.push.emit(
            PUSH_TRADE_ORDER,
            rec["seller_id"],
            {
                "order_status": row["status"],
                "trade_order_id": str(order_id),
                "trade_order_line_id": str(row["order_item_id"]),
                "status_update_time": int(moment),
            },
        )
        if row["status"] in orders.RETURN_STATUSES:
            reverse_status = {
                "returned": "REQUEST_INITIATE",
                "shipped_back": "BUYER_RETURN_ITEM",
                "shipped_back_success": "REFUND_SUCCESS",
                "shipped_back_failed": "REQUEST_REJECT",
            }[row["status"]]
            self.push.emit(
                PUSH_REVERSE_ORDER,
                rec["seller_id"],
                {
                    "reverse_order_id": str(order_id + 10**14),
                    "reverse_order_line_id": str(row["order_item_id"] + 10**14),
                    "trade_order_id": str(order_id),
                    "trade_order_line_id": str(row["order_item_id"]),
                    "reverse_status": reverse_status,
                    "status_update_time": int(moment),
                },
            )
        self.follow_cancel_request(rec, row, moment)

    def list_orders(self, seller_id, field, low, high, statuses=None):
        """Records of the seller whose ``field`` (created|updated) is in [low, high]."""
        with self.lock:
            found = []
            for rec in self.orders.get(seller_id, {}).values():
                moment = rec[field]
                if low is not None and moment < low:
                    continue
                if high is not None and moment > high:
                    continue
                if statuses and not any(
                    row["status"] in statuses for row in rec["items"]
                ):
                    continue
                found.append(rec)
            return found

    def order_record(self, seller_id, order_id):
        """A copy of the seller's order record; None when unknown."""
        with self.lock:
            rec = self.orders.get(seller_id, {}).get(order_id)
            return copy.deepcopy(rec)

    def all_orders(self, seller_id):
        with self.lock:
            return [
                orders.public(rec) for rec in self.orders.get(seller_id, {}).values()
            ]

    def order_ids(self, seller_id):
        with self.lock:
            return list(self.orders.get(seller_id, {}))

    def live_order_ids(self, seller_id):
        with self.lock:
            return [
                rec["order"]["order_id"]
                for rec in sorted(self.orders.get(seller_id, {}).values(),
                                  key=lambda r: (r["created"], r["order"]["order_id"]))
                if not all(row["status"] in orders.FINAL_STATUSES for row in rec["items"])
            ]  # fmt: skip

    def order_statuses(self, seller_id, order_id):
        with self.lock:
            rec = self.orders.get(seller_id, {}).get(order_id)
            return rec and [row["status"] for row in rec["items"]]

    # -- traffic -------------------------------------------------------------

    def start_traffic(self, traffic_factory):
        self.stop_traffic()
        traffic = traffic_factory(self)
        with self.lock:
            self.traffic = traffic
        return traffic

    def stop_traffic(self):
        traffic = self.traffic
        if traffic is not None:
            traffic.stop()

    def shutdown(self):
        self.stop_traffic()
        self.push.stop()

    # -- what tests look at ---------------------------------------------------

    def snapshot(self):
        with self.lock:
            return {
                "now": self.now(),
                "clock_offset": self.clock_offset,
                "calls": dict(self.calls),
                "errors": dict(self.errors),
                "refreshes": {str(k): v for k, v in self.refreshes.items()},
                "codes": {"issued": self.codes_issued, "used": self.codes_used},
                "tokens": {str(k): dict(v) for k, v in self.current_tokens.items()},
                "faults": [vars(fault).copy() for fault in self.faults],
                "faults_fired": dict(self.faults_fired),
                "fault_rates": self.rates.public() if self.rates else None,
                "stock_updates": {
                    "calls": self.stock_calls,
                    "skus_updated": self.stock_skus_updated,
                    "failures": self.stock_failures,
                },
                "push": self.push.summary(),
                "logistics": dict(self.logistics),
                "packages_packed": len(self.package_times),
                "reverse_orders": self.reverse_count(),
                "traffic": self.traffic.status() if self.traffic else None,
                "apps": sorted(self.apps),
                "sellers": {
                    str(seller_id): {
                        "name": seller["name"],
                        "short_code": seller["short_code"],
                        "orders": len(self.orders.get(seller_id, {})),
                        "items": len(self.catalogues.get(seller_id, {})),
                        "skus": sum(
                            len(item["skus"])
                            for item in self.catalogues.get(seller_id, {}).values()
                        ),
                    }
                    for seller_id, seller in self.sellers.items()
                },
            }
