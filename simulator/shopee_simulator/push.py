"""Push notifications to a webhook, as Shopee sends them (shopee-api.md §9).

Each push is an HTTP POST of a JSON body, signed in the ``Authorization``
header with ``hex(HMAC-SHA256(push partner key, url + "|" + raw body))``.
A background thread sends them (3 s timeout, Shopee's), so whoever
triggers a push never waits. A push that is withheld, or whose delivery
fails (no 2xx), becomes a *lost* push message, served by
``get_lost_push_message`` until confirmed consumed.

Switches: ``duplicate`` (each push sent twice, same body), ``reorder``
(pushes held, then sent newest first, ``reorder_window`` at a time),
``bad_signature`` (signed with a wrong key) and ``withhold`` (not sent:
lost at once).
"""

import hashlib
import hmac
import json
import logging
import queue
import threading
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

_logger = logging.getLogger("shopee_simulator")

DELIVERY_TIMEOUT = 3
LOST_WINDOW = 3 * 86400
LOST_PAGE = 100
FIRST_LOST_ID = 176600
WRONG_KEY = "not-the-push-partner-key"
# Partner-level pushes carry partner_id instead of shop_id (§9).
PARTNER_CODES = (1, 2)
NO_OWNER_CODES = (12,)
SWITCHES = ("duplicate", "reorder", "bad_signature", "withhold")


def signature(key, url, body):
    """Shopee's push signature: hex HMAC-SHA256 over ``url|body``."""
    return hmac.new(key.encode(), f"{url}|".encode() + body, hashlib.sha256).hexdigest()


def default_config(partner_id):
    return {
        "url": None,
        "enabled": False,
        "partner_id": partner_id,
        "duplicate": False,
        "reorder": False,
        "reorder_window": 2,
        "bad_signature": False,
        "withhold": False,
    }


class PushHub:
    """Pushes: what was sent, held, withheld or lost, and the sender thread.

    Every method but the sender's HTTP call runs under the state's lock.
    """

    def __init__(self, state, partner_id):
        self.state = state
        self.lock = state.lock
        self.default_partner_id = partner_id
        self._queue = queue.Queue()
        self._thread = None
        self._idle = threading.Condition(threading.Lock())
        self._pending = 0
        self.generation = 0
        self.reset(seed=0)

    # -- configuration --------------------------------------------------------

    def reset(self, seed):
        with self.lock:
            self.generation += 1
            self.config = default_config(self.default_partner_id)
            self.seed = seed
            self.counter = 0
            self.records = []
            self.held = []
            self.lost = []
            self.next_lost_id = FIRST_LOST_ID

    def configure(self, changes):
        with self.lock:
            self.config.update(changes)
            if not self.config["reorder"]:
                self._release_held()
            return dict(self.config)

    # -- sending --------------------------------------------------------------

    def emit(self, code, data, shop_id=None):
        """Send one push (or hold or withhold it); None when pushes are off."""
        with self.lock:
            config = self.config
            if not (config["enabled"] and config["url"]):
                return None
            now = self.state.now()
            self.counter += 1
            msg_id = hashlib.sha256(f"{self.seed}:{self.counter}".encode()).hexdigest()[
                :32
            ]
            if code in PARTNER_CODES:
                body = {"data": data, "partner_id": config["partner_id"]}
            elif code in NO_OWNER_CODES:
                body = {"data": data}
            else:
                body = {"data": data, "shop_id": shop_id}
            body.update(code=code, timestamp=now, msg_id=msg_id)
            raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
            record = {
                "msg_id": msg_id,
                "code": code,
                "shop_id": shop_id
                if code not in (*PARTNER_CODES, *NO_OWNER_CODES)
                else None,
                "timestamp": now,
                "body": raw.decode(),
                "url": config["url"],
                "partner_id": config["partner_id"],
                "bad_signature": bool(config["bad_signature"]),
                "state": "queued",
                "deliveries": [],
                "lost_message_id": None,
            }
            self.records.append(record)
            if config["withhold"]:
                record["state"] = "withheld"
                self._lose(record)
            elif config["reorder"]:
                record["state"] = "held"
                self.held.append(record)
                if len(self.held) >= max(1, int(config["reorder_window"])):
                    self._release_held()
            else:
                self._enqueue(record)
            return record["msg_id"]

    def flush(self):
        """Send the held pushes now (newest first)."""
        with self.lock:
            return self._release_held()

    def _release_held(self):
        held, self.held = self.held, []
        for record in reversed(held):
            self._enqueue(record)
        return len(held)

    def _enqueue(self, record):
        key = self._key(record["partner_id"])
        if record["bad_signature"]:
            key = WRONG_KEY
        sign = signature(key, record["url"], record["body"].encode())
        copies = 2 if self.config["duplicate"] else 1
        record["state"] = "queued"
        for copy_number in range(copies):
            with self._idle:
                self._pending += 1
            self._queue.put((self.generation, record, sign, copy_number > 0))
        self._start()

    def _key(self, partner_id):
        partner = self.state.partners.get(partner_id) or {}
        return partner.get("push_partner_key") or partner.get("partner_key") or ""

    def _start(self):
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(
                target=self._run, name="shopee-simulator-push", daemon=True
            )
            self._thread.start()

    def _run(self):
        while True:
            job = self._queue.get()
            if job is None:
                return
            generation, record, sign, duplicate = job
            try:
                if generation == self.generation:
                    status, error = self._post(record, sign)
                    self._record(generation, record, status, error, duplicate)
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()

    @staticmethod
    def _post(record, sign):
        request = Request(
            record["url"],
            data=record["body"].encode(),
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": sign},
        )
        try:
            with urlopen(request, timeout=DELIVERY_TIMEOUT) as answer:
                answer.read()
                return answer.status, None
        except HTTPError as exc:
            return exc.code, None
        except (URLError, OSError, ValueError) as exc:
            return None, type(exc).__name__

    def _record(self, generation, record, status, error, duplicate):
        ok = status is not None and 200 <= status < 300
        with self.lock:
            if generation != self.generation:
                return
            delivery = {
                "status": status,
                "at": self.state.now(),
                "duplicate": duplicate,
            }
            if error:
                delivery["error"] = error
            record["deliveries"].append(delivery)
            if ok:
                record["state"] = "delivered"
            elif record["state"] != "delivered":
                record["state"] = "failed"
                if record["lost_message_id"] is None:
                    self._lose(record)
        _logger.info("push code %s %s", record["code"], status if status else error)

    def wait_idle(self, timeout):
        """Wait until every queued push was tried; True when none is left."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending <= 0, timeout)

    def stop(self):
        if self._thread is not None and self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(5)
        self._thread = None

    # -- lost messages (get_lost_push_message) ------------------------------------

    def _lose(self, record):
        record["lost_message_id"] = self.next_lost_id
        self.lost.append(
            {
                "message_id": self.next_lost_id,
                "partner_id": record["partner_id"],
                "shop_id": record["shop_id"],
                "code": record["code"],
                "timestamp": self.state.now(),
                "data": record["body"],
                "consumed": False,
            }
        )
        self.next_lost_id += 1

    def lost_page(self, partner_id):
        """(messages, has_next_page, last_message_id): the earliest 100."""
        with self.lock:
            since = self.state.now() - LOST_WINDOW
            waiting = [
                lost
                for lost in self.lost
                if lost["partner_id"] == partner_id
                and not lost["consumed"]
                and lost["timestamp"] >= since
            ]
            page = waiting[:LOST_PAGE]
            messages = []
            for lost in page:
                message = {"code": lost["code"], "timestamp": lost["timestamp"]}
                if lost["shop_id"] is not None:
                    message = {"shop_id": lost["shop_id"], **message}
                message["data"] = lost["data"]
                messages.append(message)
            last = page[-1]["message_id"] if page else 0
            return messages, len(waiting) > LOST_PAGE, last

    def confirm_lost(self, partner_id, last_message_id):
        """Mark the partner's lost messages up to ``last_message_id`` consumed.

        False when no lost message of the partner has that id.
        """
        with self.lock:
            mine = [lost for lost in self.lost if lost["partner_id"] == partner_id]
            if not any(lost["message_id"] == last_message_id for lost in mine):
                return False
            for lost in mine:
                if lost["message_id"] <= last_message_id:
                    lost["consumed"] = True
            return True

    # -- what tests look at -------------------------------------------------------

    def listing(self):
        with self.lock:
            return {
                "config": dict(self.config),
                "pushes": [
                    {**record, "deliveries": [dict(d) for d in record["deliveries"]]}
                    for record in self.records
                ],
                "held": len(self.held),
                "lost": [dict(lost) for lost in self.lost],
            }

    def summary(self):
        with self.lock:
            states = {}
            for record in self.records:
                states[record["state"]] = states.get(record["state"], 0) + 1
            statuses = {}
            for record in self.records:
                for delivery in record["deliveries"]:
                    key = str(delivery["status"] or delivery.get("error"))
                    statuses[key] = statuses.get(key, 0) + 1
            return {
                "enabled": bool(self.config["enabled"] and self.config["url"]),
                "sent": len(self.records),
                "states": states,
                "deliveries": statuses,
                "last_delivery": next(
                    (
                        dict(record["deliveries"][-1], msg_id=record["msg_id"])
                        for record in reversed(self.records)
                        if record["deliveries"]
                    ),
                    None,
                ),
                "lost_waiting": sum(not lost["consumed"] for lost in self.lost),
            }
