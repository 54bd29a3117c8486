"""Push notifications to a webhook, as Lazada sends them (lazada-api.md §8).

Each push is an HTTP POST of a JSON body with the header ``Authorization:
hex(HMAC-SHA256(app secret, app_key + raw body))``. Lazada wants HTTP 200
within 500 ms; anything else (or nothing in time) is a failed delivery,
which Lazada tries again every 30 minutes, up to 12 times: here
``retry(force)`` re-sends the failed pushes that are due on the simulator's
clock. A sender thread posts them, so whoever triggers a push never waits.

Switches: ``duplicate`` (each push sent twice: Lazada delivers "at least
once"), ``reorder`` (held, then sent newest first, ``reorder_window`` at a
time), ``bad_signature`` (signed with a wrong secret) and ``withhold`` (not
sent at all: the connector's polling must find the change).
"""

import json
import logging
import queue
import threading
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

from .identities import APP_KEY, SITE
from .signing import push_signature

_logger = logging.getLogger("lazada_simulator")

ACK_TIMEOUT_MS = 500
RETRY_INTERVAL = 1800
MAX_RETRIES = 12
WRONG_SECRET = "not-the-app-secret"
SWITCHES = ("duplicate", "reorder", "bad_signature", "withhold")
# message_type 10's example counts its timestamp in seconds, 0's in ms.
SECONDS_TIMESTAMP_TYPES = (10,)


def default_config():
    return {
        "url": None,
        "enabled": False,
        "app_key": APP_KEY,
        "ack_timeout_ms": ACK_TIMEOUT_MS,
        "duplicate": False,
        "reorder": False,
        "reorder_window": 2,
        "bad_signature": False,
        "withhold": False,
    }


def body_for(message_type, seller_id, data, now_float):
    """The push body: seller_id (a string), message_type, data, timestamp, site."""
    if message_type in SECONDS_TIMESTAMP_TYPES:
        timestamp = int(now_float)
    else:
        timestamp = int(now_float * 1000)
    return {
        "seller_id": str(seller_id),
        "message_type": message_type,
        "data": data,
        "timestamp": timestamp,
        "site": SITE,
    }


class PushHub:
    """Pushes: what was sent, held or withheld, and the sender thread.

    Every method but the sender's HTTP call runs under the state's lock.
    """

    def __init__(self, state):
        self.state = state
        self.lock = state.lock
        self._queue = queue.Queue()
        self._thread = None
        self._idle = threading.Condition(threading.Lock())
        self._pending = 0
        self.generation = 0
        self.reset()

    def reset(self):
        with self.lock:
            self.generation += 1
            self.config = default_config()
            self.records = []
            self.held = []

    def configure(self, changes):
        with self.lock:
            self.config.update(changes)
            if not self.config["reorder"]:
                self._release_held()
            return dict(self.config)

    # -- sending --------------------------------------------------------------

    def emit(self, message_type, seller_id, data):
        """Send one push (or hold or withhold it); None when pushes are off."""
        with self.lock:
            config = self.config
            if not (config["enabled"] and config["url"]):
                return None
            body = body_for(message_type, seller_id, data, self.state.now_float())
            raw = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
            record = {
                "push_id": len(self.records) + 1,
                "message_type": message_type,
                "seller_id": seller_id,
                "body": raw,
                "url": config["url"],
                "app_key": config["app_key"],
                "bad_signature": bool(config["bad_signature"]),
                "state": "queued",
                "deliveries": [],
                "retries": 0,
                "next_retry_at": None,
            }
            self.records.append(record)
            if config["withhold"]:
                record["state"] = "withheld"
            elif config["reorder"]:
                record["state"] = "held"
                self.held.append(record)
                if len(self.held) >= max(1, int(config["reorder_window"])):
                    self._release_held()
            else:
                self._enqueue(record)
            return record["push_id"]

    def flush(self):
        """Send the held pushes now (newest first)."""
        with self.lock:
            return self._release_held()

    def retry(self, force=False):
        """Send again the failed pushes due for Lazada's next try (every
        30 minutes of the simulator's clock, 12 times at most); ``force``:
        every failed one now."""
        with self.lock:
            now = self.state.now()
            due = [
                record
                for record in self.records
                if record["state"] == "failed"
                and record["retries"] < MAX_RETRIES
                and (force or now >= (record["next_retry_at"] or 0))
            ]
            for record in due:
                record["retries"] += 1
                self._enqueue(record, copies=1)
            return len(due)

    def _release_held(self):
        held, self.held = self.held, []
        for record in reversed(held):
            self._enqueue(record)
        return len(held)

    def _enqueue(self, record, copies=None):
        apps = self.state.apps
        secret = (apps.get(record["app_key"]) or {}).get("app_secret") or ""
        if record["bad_signature"]:
            secret = WRONG_SECRET
        sign = push_signature(record["app_key"], secret, record["body"].encode())
        if copies is None:
            copies = 2 if self.config["duplicate"] else 1
        timeout = max(0.01, self.config["ack_timeout_ms"] / 1000.0)
        record["state"] = "queued"
        for copy_number in range(copies):
            with self._idle:
                self._pending += 1
            job = (self.generation, record, sign, copy_number > 0, timeout)
            self._queue.put(job)
        self._start()

    def _start(self):
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(
                target=self._run, name="lazada-simulator-push", daemon=True
            )
            self._thread.start()

    def _run(self):
        while True:
            job = self._queue.get()
            if job is None:
                return
            generation, record, sign, duplicate, timeout = job
            try:
                if generation == self.generation:
                    status, error = self._post(record, sign, timeout)
                    self._record(generation, record, status, error, duplicate)
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()

    @staticmethod
    def _post(record, sign, timeout):
        request = Request(
            record["url"],
            data=record["body"].encode(),
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": sign},
        )
        try:
            with urlopen(request, timeout=timeout) as answer:
                answer.read()
                return answer.status, None
        except HTTPError as exc:
            return exc.code, None
        except (URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, TimeoutError) or isinstance(exc, TimeoutError):
                return None, "timeout"
            return None, type(exc).__name__

    def _record(self, generation, record, status, error, duplicate):
        # Lazada's acknowledgement is HTTP 200 exactly.
        ok = status == 200
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
                record["next_retry_at"] = None
            elif record["state"] != "delivered":
                record["state"] = "failed"
                record["next_retry_at"] = self.state.now() + RETRY_INTERVAL
        _logger.info(
            "push type %s %s", record["message_type"], status if status else error
        )

    def wait_idle(self, timeout):
        """Wait until every queued push was tried; True when none is left."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending <= 0, timeout)

    def stop(self):
        if self._thread is not None and self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(5)
        self._thread = None

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
            }

    def summary(self):
        with self.lock:
            states, statuses = {}, {}
            for record in self.records:
                states[record["state"]] = states.get(record["state"], 0) + 1
                for delivery in record["deliveries"]:
                    key = str(delivery["status"] or delivery.get("error"))
                    statuses[key] = statuses.get(key, 0) + 1
            return {
                "enabled": bool(self.config["enabled"] and self.config["url"]),
                "sent": len(self.records),
                "states": states,
                "deliveries": statuses,
            }
