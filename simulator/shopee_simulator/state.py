"""Everything the simulator remembers, behind one lock.

Shops, catalogues and stock, orders and their money terms, shipments and
shipping documents, authorization codes, token pairs, queued faults and
fault rates, pushes, traffic, counters and the clock. The HTTP layer
(``api``, ``control``) only parses and answers.
"""

import copy
import heapq
import random
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from . import catalogue, generator, logistics, money
from .cancellation import Cancellations
from .errors import invalid_access_token, refused
from .listings import DEFAULT_OFFSET_LIMIT, Listings
from .push import PushHub
from .seeds import SEED_ORDERS_SHOP_ID
from .shipping import Shipping

DAY = 86400
ACCESS_TOKEN_TTL = 4 * 3600
REFRESH_TOKEN_TTL = 30 * DAY
# After a refresh, the previous access token keeps working this long (§3.4).
OLD_TOKEN_GRACE = 300
CODE_TTL = 600
CONSENT_TTL = 600
AUTHORIZATION_TTL = 365 * DAY
TIMESTAMP_WINDOW = 300
FAULT_KINDS = (
    "rate_limit",
    "server_error",
    "timeout",
    "expire_access_token",
    "error",
)
GATEWAY_FAULTS = ("rate_limit", "server_error", "timeout")
# A business error a call answers instead of doing its work (HTTP 200).
BUSINESS_FAULTS = ("error",)
DEFAULT_SHOP_ID = SEED_ORDERS_SHOP_ID


@dataclass
class AccessToken:
    partner_id: int
    # shop_id → expiry; a main account's first token serves several shops.
    shops: dict


@dataclass
class RefreshToken:
    partner_id: int
    shops: frozenset
    expires_at: int
    used_by: set = field(default_factory=set)


@dataclass
class Code:
    partner_id: int
    shop_id: int | None
    main_account_id: int | None
    issued_at: int
    used: bool = False


@dataclass
class Fault:
    kind: str
    path: str | None = None
    times: int = 1
    seconds: float = 3.0
    # kind "error": the answer's error code and message.
    error: str | None = None
    message: str = ""

    def matches(self, path, shop_api):
        return path == self.path if self.path else shop_api


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
    shop_id: int = DEFAULT_SHOP_ID
    time_from: int | None = None
    time_to: int | None = None
    days: int = 14
    include_seed_orders: bool = True
    # A generated catalogue for shop_id: items × models_per_item (None: seeds).
    items: int | None = None
    models_per_item: int = 5
    # Seconds before an arranged shipment's tracking number, and a created
    # shipping document, are ready (see ``shipping``).
    tracking_delay: float = 0.0
    document_delay: float = 0.0


class State(Listings, Shipping, Cancellations):
    def __init__(self, seeds, scenario=None, clock=time.time):
        self.lock = threading.RLock()
        self.seeds = seeds
        self._clock = clock
        self.traffic = None
        self.push = PushHub(self, min(seeds.partners) if seeds.partners else 0)
        self.reset(scenario or Scenario())

    # -- clock and reset ------------------------------------------------------

    def now(self):
        return int(self._clock()) + self.clock_offset

    def now_float(self):
        return self._clock() + self.clock_offset

    def set_clock(self, offset):
        with self.lock:
            self.clock_offset = int(offset)
        self.release_due()

    def reset(self, scenario):
        """Rebuild everything; raises ValueError (state untouched) on a bad range."""
        time_to = scenario.time_to
        if time_to is None:
            time_to = int(self._clock())
        time_from = scenario.time_from
        if time_from is None:
            time_from = time_to - scenario.days * DAY
        items = self.seeds.shop_items(scenario.shop_id)
        if scenario.items is not None:
            generated_items = catalogue.generate(
                scenario.seed,
                scenario.shop_id,
                scenario.items,
                scenario.models_per_item,
                time_to,
            )
            items = generated_items + (items if scenario.include_seed_orders else [])
        generated = generator.generate_orders_with_terms(
            scenario.seed,
            scenario.orders,
            scenario.shop_id,
            time_from,
            time_to,
            items,
            self.seeds.orders,
        )
        # Outside the lock: the traffic thread may be waiting for it.
        self.stop_traffic()
        with self.lock:
            self.traffic = None
            self.clock_offset = 0
            self._reset_shipping(scenario)
            self._reset_cancellations()
            self.partners = copy.deepcopy(self.seeds.partners)
            self.shops = copy.deepcopy(self.seeds.shops)
            self.main_accounts = copy.deepcopy(self.seeds.main_accounts)
            for shop in self.shops.values():
                shop["auth_time"] = None
            self.catalogues = {
                shop_id: catalogue.load(self.seeds.shop_items(shop_id), time_to)
                for shop_id in self.shops
            }
            self.catalogues[scenario.shop_id] = catalogue.load(items, time_to)
            self.orders = {shop_id: {} for shop_id in self.shops}
            self.terms = {shop_id: {} for shop_id in self.shops}
            self.reservations = {shop_id: {} for shop_id in self.shops}
            self.put_orders(scenario.shop_id, [order for order, _t in generated])
            self.terms[scenario.shop_id].update(
                (order["order_sn"], terms) for order, terms in generated
            )
            if scenario.include_seed_orders:
                self.put_orders(
                    SEED_ORDERS_SHOP_ID,
                    generator.redate(self.seeds.orders, time_from, time_to),
                )
                self.terms[SEED_ORDERS_SHOP_ID].update(copy.deepcopy(self.seeds.escrow))
            # The catalogue's stock is what is left after these orders.
            for shop_id, shop_orders in self.orders.items():
                for order in shop_orders.values():
                    self._sync_stock(shop_id, order, record_only=True)
            self.catalogue_version = 0
            self._pools_cache = None
            self.escrow_unavailable = set()
            self.tracking_overrides = {}
            self.offset_limit = DEFAULT_OFFSET_LIMIT
            self.stock_calls = self.stock_models_updated = self.stock_failures = 0
            self.codes, self.nonces = {}, {}
            self.access_tokens, self.refresh_tokens = {}, {}
            self.current_tokens = {}
            self.faults = []
            self.rates = None
            self.calls, self.errors = Counter(), Counter()
            self.refreshes, self.faults_fired = Counter(), Counter()
            self.codes_issued = self.codes_used = 0
            self.push.reset(scenario.seed)

    # -- partners and shops ---------------------------------------------------

    def partner_key(self, partner_id):
        partner = self.partners.get(partner_id)
        return partner and partner["partner_key"]

    def add_partner(self, partner_id, partner_key, **extra):
        with self.lock:
            self.partners[partner_id] = dict(
                extra, partner_id=partner_id, partner_key=partner_key
            )

    def add_shop(self, shop_id, shop_name, region="TH"):
        with self.lock:
            self.shops[shop_id] = {
                "shop_id": shop_id,
                "shop_name": shop_name,
                "region": region,
                "main_account_id": None,
                "auth_time": None,
            }
            self.orders.setdefault(shop_id, {})
            self.terms.setdefault(shop_id, {})
            self.reservations.setdefault(shop_id, {})
            self.catalogues.setdefault(shop_id, {})

    def shop(self, shop_id):
        with self.lock:
            return copy.deepcopy(self.shops.get(shop_id))

    def directory(self):
        """(shops, main accounts) a seller may choose on the consent page."""
        with self.lock:
            return (
                copy.deepcopy(list(self.shops.values())),
                copy.deepcopy(list(self.main_accounts.values())),
            )

    def count(self, path, outcome):
        with self.lock:
            self.calls[path] += 1
            if outcome != "ok":
                self.errors[outcome] += 1

    # -- consent and codes ----------------------------------------------------

    def issue_nonce(self, partner_id, redirect):
        with self.lock:
            nonce = secrets.token_hex(16)
            self.nonces[nonce] = {
                "partner_id": partner_id,
                "redirect": redirect,
                "expires_at": self.now() + CONSENT_TTL,
            }
            return nonce

    def take_nonce(self, nonce):
        """The consent it stands for, once only; None when unknown or stale."""
        with self.lock:
            consent = self.nonces.pop(nonce or "", None)
            if consent and consent["expires_at"] > self.now():
                return consent
            return None

    def issue_code(self, partner_id, shop_id=None, main_account_id=None):
        with self.lock:
            code = secrets.token_hex(16)
            self.codes[code] = Code(partner_id, shop_id, main_account_id, self.now())
            self.codes_issued += 1
            return code

    def exchange_code(self, code, partner_id, shop_id=None, main_account_id=None):
        """Token pair for a code: single-use, bound, 10 minutes (§3.2)."""
        with self.lock:
            grant = self.codes.get(code)
            if (
                grant is None
                or grant.used
                or grant.partner_id != partner_id
                or (grant.shop_id, grant.main_account_id) != (shop_id, main_account_id)
                or self.now() - grant.issued_at > CODE_TTL
            ):
                raise refused("invalid_code", "The code is expired or used or invalid")
            grant.used = True
            self.codes_used += 1
            if main_account_id is not None:
                shop_ids = list(self.main_accounts[main_account_id]["shop_ids"])
            else:
                shop_ids = [shop_id]
            access, refresh = self._grant(partner_id, shop_ids, authorize=True)
            return access, refresh, shop_ids

    # -- tokens ---------------------------------------------------------------

    def _grant(
        self,
        partner_id,
        shop_ids,
        authorize,
        access=None,
        refresh=None,
        expire_in=ACCESS_TOKEN_TTL,
    ):
        now = self.now()
        access = access or secrets.token_hex(16)
        refresh = refresh or secrets.token_hex(16)
        self.access_tokens[access] = AccessToken(
            partner_id, {shop_id: now + expire_in for shop_id in shop_ids}
        )
        self.refresh_tokens[refresh] = RefreshToken(
            partner_id, frozenset(shop_ids), now + REFRESH_TOKEN_TTL
        )
        for shop_id in shop_ids:
            self.current_tokens[shop_id] = {
                "access_token": access,
                "refresh_token": refresh,
                "access_token_expires_at": now + expire_in,
                "refresh_token_expires_at": now + REFRESH_TOKEN_TTL,
            }
            if authorize or self.shops[shop_id]["auth_time"] is None:
                self.shops[shop_id]["auth_time"] = now
        return access, refresh

    def install_tokens(self, shop_id, access, refresh, expire_in, partner_id):
        with self.lock:
            self._grant(partner_id, [shop_id], False, access, refresh, expire_in)

    def refresh(self, refresh_token, partner_id, shop_id):
        """New pair for one shop; the refresh token dies for it (§3.4)."""
        with self.lock:
            now = self.now()
            grant = self.refresh_tokens.get(refresh_token)
            if (
                grant is None
                or grant.partner_id != partner_id
                or shop_id not in grant.shops
                or shop_id in grant.used_by
            ):
                raise refused("error_auth", "Invalid refresh_token.")
            if now >= grant.expires_at:
                raise refused("refresh_token_expired", "The refresh_token is expired.")
            auth_time = self.shops[shop_id]["auth_time"] or 0
            if now >= auth_time + AUTHORIZATION_TTL:
                raise refused(
                    "shop_access_expired", "The shop authorization is expired."
                )
            grant.used_by.add(shop_id)
            for token in self.access_tokens.values():
                if shop_id in token.shops:
                    token.shops[shop_id] = min(
                        token.shops[shop_id], now + OLD_TOKEN_GRACE
                    )
            self.refreshes[shop_id] += 1
            return self._grant(partner_id, [shop_id], authorize=False)

    def check_access(self, access_token, partner_id, shop_id, path):
        """Refuse a shop call whose token is unknown, stale or not this shop's."""
        with self.lock:
            token = self.access_tokens.get(access_token)
            if token is None or token.partner_id != partner_id:
                raise invalid_access_token()
            if shop_id not in token.shops:
                raise refused("error_auth", "Invalid access_token.")
            if self.now() >= token.shops[shop_id]:
                raise invalid_access_token()
            if self.take_fault(path, True, ("expire_access_token",)):
                token.shops[shop_id] = self.now() - 1
                raise invalid_access_token()

    # -- faults ---------------------------------------------------------------

    def add_fault(self, fault):
        with self.lock:
            self.faults.append(fault)

    def clear_faults(self):
        with self.lock:
            self.faults.clear()

    def take_fault(self, path, shop_api, kinds=GATEWAY_FAULTS):
        """The first queued fault of ``kinds`` for this call, used up once."""
        with self.lock:
            for fault in self.faults:
                if fault.kind in kinds and fault.matches(path, shop_api):
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
        """Seconds added to every API call."""
        with self.lock:
            return self.rates.latency_ms / 1000.0 if self.rates else 0.0

    def draw_fault(self, path, shop_api):
        """A random fault for this shop API call, drawn at the set rates."""
        with self.lock:
            rates = self.rates
            if rates is None or not shop_api:
                return None
            if rates.paths and path not in rates.paths:
                return None
            roll = rates.rng.random()
            for kind in GATEWAY_FAULTS:
                roll -= getattr(rates, kind)
                if roll < 0:
                    self.faults_fired[kind] += 1
                    return Fault(kind, path, 1, rates.timeout_seconds)
            return None

    # -- orders ---------------------------------------------------------------

    def put_orders(self, shop_id, orders):
        """Store orders as they are (start-up state: no stock, no pushes)."""
        with self.lock:
            shop_orders = self.orders.setdefault(shop_id, {})
            for order in orders:
                shop_orders[order["order_sn"]] = copy.deepcopy(order)

    def add_orders(self, shop_id, orders, terms=None):
        """Orders placed or replaced now: stock follows, pushes are sent."""
        with self.lock:
            shop_orders = self.orders.setdefault(shop_id, {})
            held = self.reservations.setdefault(shop_id, {})
            for order in orders:
                order = copy.deepcopy(order)
                order_sn = order["order_sn"]
                before = shop_orders.get(order_sn)
                self._give_back(shop_id, held.pop(order_sn, None))
                if terms and order_sn in terms:
                    self.terms[shop_id][order_sn] = copy.deepcopy(terms[order_sn])
                elif before is None:
                    self.terms[shop_id].pop(order_sn, None)
                self._forget_shipping(order_sn)
                self._forget_cancellation(order_sn)
                shop_orders[order_sn] = order
                self._sync_stock(shop_id, order)
                self._order_pushes(shop_id, order, before)

    def place_order(self, shop_id, rng, taken, status, moment):
        """A new order of in-stock listings (traffic); None when all sold out."""
        with self.lock:
            pools = self._in_stock_pools(shop_id)
            if not (pools["no_sku"] or pools["with_sku"]):
                return None
            order, terms = generator.new_order(rng, pools, taken, status, moment)
            self.terms.setdefault(shop_id, {})[order["order_sn"]] = terms
            self.orders[shop_id][order["order_sn"]] = order
            self._sync_stock(shop_id, order)
            self._order_pushes(shop_id, order, None)
            return order["order_sn"]

    def _in_stock_pools(self, shop_id):
        """The generator's pools of the listings in stock, rebuilt only when
        what is in stock changed (see ``Listings._set_stock``)."""
        key = (shop_id, self.catalogue_version)
        if self._pools_cache is None or self._pools_cache[0] != key:
            in_stock = [
                dict(item, models=[m for m in item["models"] if m["stock"] > 0])
                for item in catalogue.orderable(self.shop_items(shop_id))
                if any(m["stock"] > 0 for m in item["models"])
            ]
            self._pools_cache = key, generator.pools_for(in_stock)
        return self._pools_cache[1]

    def list_orders(
        self,
        shop_id,
        time_field,
        time_from,
        time_to,
        status=None,
        after=None,
        limit=None,
    ):
        """(time, order_sn, status) of the matching orders, in a stable order:
        the first ``limit`` of those after the (time, order_sn) ``after``.

        Only a page is sorted, not every order at each page: listing 50,000
        orders page by page otherwise spends a minute here, which a benchmark
        would take for the connector's.
        """
        with self.lock:
            found = [
                (order[time_field], sn, order["order_status"])
                for sn, order in self.orders.get(shop_id, {}).items()
                if time_from <= order[time_field] <= time_to
                and (status is None or order["order_status"] == status)
                and (after is None or (order[time_field], sn) > after)
            ]
        if limit is None:
            return sorted(found)
        return heapq.nsmallest(limit, found)

    def get_orders(self, shop_id, order_sns):
        """Copies of the shop's orders among ``order_sns`` (missing: skipped)."""
        with self.lock:
            shop_orders = self.orders.get(shop_id, {})
            return [
                copy.deepcopy(shop_orders[sn]) for sn in order_sns if sn in shop_orders
            ]

    def all_orders(self, shop_id):
        with self.lock:
            return copy.deepcopy(list(self.orders.get(shop_id, {}).values()))

    def order_sns(self, shop_id):
        with self.lock:
            return list(self.orders.get(shop_id, {}))

    def order_status(self, shop_id, order_sn):
        with self.lock:
            order = self.orders.get(shop_id, {}).get(order_sn)
            return order and order["order_status"]

    def live_order_sns(self, shop_id):
        """The shop's orders that can still change status, oldest first."""
        with self.lock:
            return [
                order["order_sn"]
                for order in sorted(
                    self.orders.get(shop_id, {}).values(),
                    key=lambda o: (o["create_time"], o["order_sn"]),
                )
                if order["order_status"] not in ("COMPLETED", "CANCELLED")
            ]

    def _find_order(self, order_sn):
        for shop_id, shop_orders in self.orders.items():
            if order_sn in shop_orders:
                return shop_id, shop_orders[order_sn]
        return None, None

    def update_order(self, order_sn, changes):
        """Change an order as time goes by; None when no shop has it."""
        with self.lock:
            shop_id, order = self._find_order(order_sn)
            if order is None:
                return None
            before = copy.deepcopy(order)
            changes = copy.deepcopy(changes)
            status = changes.pop("order_status", None)
            tracking = changes.pop("tracking_number", None)
            channel_id = changes.pop("logistics_channel_id", None)
            if channel_id is not None:
                _move_to_channel(order, channel_id)
            if tracking is not None:
                for parcel in order.get("package_list") or []:
                    self.tracking_overrides[order_sn, parcel["package_number"]] = str(
                        tracking
                    )
            if status:
                generator.apply_status(
                    order, status, self.now(), self.order_terms(shop_id, order)
                )
            order.update(changes)
            order["update_time"] = int(changes.get("update_time") or self.now())
            self._sync_stock(shop_id, order)
            self._note_cancel_request(shop_id, before, order)
            self._order_pushes(shop_id, order, before)
            return copy.deepcopy(order)

    # -- money, tracking numbers ------------------------------------------------

    def order_terms(self, shop_id, order):
        terms = self.terms.get(shop_id, {}).get(order["order_sn"])
        return terms if terms is not None else money.default_terms(order)

    def escrow(self, shop_id, order_sn, control=False):
        """(outcome, escrow detail): ok, unknown (no such order) or unavailable.

        Shopee has no escrow before payment (no ``total_amount``); tests can
        make more orders unavailable (``set_escrow_unavailable``).
        """
        with self.lock:
            order = self.orders.get(shop_id, {}).get(order_sn)
            if order is None:
                return "unknown", None
            detail = money.escrow_detail(order, self.order_terms(shop_id, order))
            if not control and (
                "total_amount" not in order or order_sn in self.escrow_unavailable
            ):
                return "unavailable", detail
            return "ok", detail

    def set_escrow_unavailable(self, unavailable=(), available=(), clear=False):
        with self.lock:
            if clear:
                self.escrow_unavailable.clear()
            self.escrow_unavailable.update(unavailable)
            self.escrow_unavailable.difference_update(available)
            return sorted(self.escrow_unavailable)

    def tracking_number(self, order, parcel):
        """The package's number: none before shipment is arranged, the one set
        by the control API, the seller's (non-integrated), none until an
        arranged shipment's ``tracking_delay`` passed, else the derived one."""
        number = generator.tracking_number(order, parcel)
        if not number:
            return ""
        override = self.tracking_overrides.get(
            (order["order_sn"], parcel["package_number"])
        )
        return override or self._shipped_number(order, parcel, number)

    def order_tracking(self, shop_id, order_sn, package_number=None):
        """(outcome, tracking number): ok, no_order or no_package."""
        with self.lock:
            order = self.orders.get(shop_id, {}).get(order_sn)
            if order is None:
                return "no_order", ""
            parcels = order.get("package_list") or []
            if package_number:
                parcels = [p for p in parcels if p["package_number"] == package_number]
                if not parcels:
                    return "no_package", ""
            if not parcels:
                return "ok", ""
            return "ok", self.tracking_number(order, parcels[0])

    # -- pushes -------------------------------------------------------------------

    def _order_pushes(self, shop_id, order, before):
        """Code 3 when the status changed (or the order is new), code 4 when
        a package got its tracking number."""
        status = order.get("order_status")
        if before is None or before.get("order_status") != status:
            self.push.emit(
                3,
                {
                    "items": [],
                    "ordersn": order["order_sn"],
                    "status": status,
                    "completed_scenario": "NORMAL" if status == "COMPLETED" else "",
                    "update_time": order["update_time"],
                },
                shop_id,
            )
        tracked_before = {
            parcel["package_number"]
            for parcel in (before or {}).get("package_list") or []
            if self.tracking_number(before, parcel)
        }
        for parcel in order.get("package_list") or []:
            number = self.tracking_number(order, parcel)
            if number and parcel["package_number"] not in tracked_before:
                self._emit_tracking(shop_id, order, parcel, number)

    def _emit_tracking(self, shop_id, order, parcel, number):
        self.push.emit(4, tracking_push_data(order, parcel, number), shop_id)
        self._announced(order, parcel)

    # -- traffic ---------------------------------------------------------------------

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
                    "models_updated": self.stock_models_updated,
                    "failures": self.stock_failures,
                },
                "escrow_unavailable": sorted(self.escrow_unavailable),
                "push": self.push.summary(),
                "traffic": self.traffic.status() if self.traffic else None,
                "shops": {
                    str(shop_id): {
                        "shop_name": shop["shop_name"],
                        "auth_time": shop["auth_time"],
                        "orders": len(self.orders.get(shop_id, {})),
                        "items": len(self.catalogues.get(shop_id, {})),
                        "models": sum(
                            len(item["models"]) if item["has_model"] else 0
                            for item in self.catalogues.get(shop_id, {}).values()
                        ),
                    }
                    for shop_id, shop in self.shops.items()
                },
            }


def _move_to_channel(order, channel_id):
    """Put every package of the order on another logistics channel."""
    for parcel in order.get("package_list") or []:
        parcel["logistics_channel_id"] = int(channel_id)
        channel = logistics.CHANNELS.get(int(channel_id))
        if channel is not None:
            parcel["shipping_carrier"] = channel.name
            order["checkout_shipping_carrier"] = channel.name


def tracking_push_data(order, parcel, number):
    """The ``data`` of push code 4 (§9)."""
    return {
        "ordersn": order["order_sn"],
        "forder_id": generator.forder_id(parcel),
        "package_number": parcel["package_number"],
        "tracking_no": number,
    }
