"""Clock-driven order traffic for load tests.

While it runs, new orders are placed (``orders_per_minute``) and the units
of existing ones move on through Lazada's item statuses
(``status_changes_per_minute``: one order's units at a time) as the
simulator's time passes, evenly spread, for ``duration_seconds``. All
changes go through the state like control calls do: stock is taken and
given back, pushes are sent when push is enabled. Same seed, same
sequence of orders and changes.

With ``manual`` the engine has no thread: ``tick(seconds)`` moves its time
on, so tests are exact and fast.
"""

import math
import random
import threading
import time

# Where a unit can go next, and how likely.
TRANSITIONS = {
    "unpaid": (("pending", 8), ("canceled", 2)),
    "pending": (("packed", 8), ("canceled", 2)),
    "packed": (("ready_to_ship", 9), ("canceled", 1)),
    "repacked": (("ready_to_ship", 1),),
    "ready_to_ship_pending": (("ready_to_ship", 1),),
    "ready_to_ship": (("shipped", 1),),
    "shipped": (("delivered", 9), ("failed_delivery", 1)),
    "failed_delivery": (("shipped_back", 1),),
    "shipped_back": (("shipped_back_success", 1),),
    "delivered": (("confirmed", 9), ("returned", 1)),
    "returned": (("shipped_back_success", 1),),
}
TICK = 0.05


class Traffic:
    def __init__(self, state, seller_id, orders_per_minute, changes_per_minute,
                 duration, seed, manual=False):  # fmt: skip
        self.state = state
        self.seller_id = seller_id
        self.orders_per_minute = orders_per_minute
        self.changes_per_minute = changes_per_minute
        self.duration = duration
        self.manual = manual
        self.rng = random.Random(seed * 31 + seller_id)
        self.lock = threading.Lock()
        self.started = state.now_float()
        self.position = self.started
        self.created = self.changed = self.skipped = self.idle_changes = 0
        self.live = state.live_order_ids(seller_id)
        self._stop = threading.Event()
        self._thread = None
        if not manual:
            self._thread = threading.Thread(
                target=self._run, name="lazada-simulator-traffic", daemon=True
            )
            self._thread.start()

    @property
    def ends(self):
        return self.started + self.duration

    @property
    def running(self):
        if self.manual:
            return self.position < self.ends and not self._stop.is_set()
        return self._thread is not None and self._thread.is_alive()

    def _run(self):
        while not self._stop.is_set():
            self.advance(self.state.now_float())
            if self.position >= self.ends:
                return
            self._stop.wait(TICK)

    def tick(self, seconds):
        return self.advance(self.position + seconds)

    def stop(self):
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(5)

    def advance(self, until):
        """Do every event due up to ``until`` (simulator time), in time order."""
        with self.lock:
            until = min(until, self.ends)
            while True:
                create_at = self._due(
                    self.created + self.skipped, self.orders_per_minute
                )
                change_at = self._due(
                    self.changed + self.idle_changes, self.changes_per_minute
                )
                moment = min(create_at, change_at)
                if moment > until:
                    break
                if create_at <= change_at:
                    self._create(int(moment))
                else:
                    self._change(int(moment))
            self.position = max(self.position, until)
            return self.status()

    def _due(self, done, per_minute):
        if per_minute <= 0:
            return math.inf
        return self.started + (done + 1) * 60.0 / per_minute

    def _create(self, moment):
        status = "unpaid" if self.rng.random() < 0.3 else "pending"
        order_id = self.state.place_order(self.seller_id, self.rng, status, moment)
        if order_id is None:
            self.skipped += 1
        else:
            self.created += 1
            self.live.append(order_id)

    def _change(self, moment):
        while self.live:
            index = self.rng.randrange(len(self.live))
            order_id = self.live[index]
            statuses = self.state.order_statuses(self.seller_id, order_id) or []
            movable = [s for s in dict.fromkeys(statuses) if s in TRANSITIONS]
            if not movable:
                self.live.pop(index)
                continue
            current = movable[0]
            choices = TRANSITIONS[current]
            names = [name for name, _weight in choices]
            weights = [weight for _name, weight in choices]
            target = self.rng.choices(names, weights)[0]
            with self.state.lock:
                rec = self.state.orders[self.seller_id][order_id]
                items = {
                    row["order_item_id"]: target
                    for row in rec["items"]
                    if row["status"] == current
                }
            self.state.update_order(order_id, {"items": items, "updated_at": moment})
            self.changed += 1
            return
        self.idle_changes += 1

    def status(self):
        return {
            "running": self.running,
            "manual": self.manual,
            "seller_id": self.seller_id,
            "orders_per_minute": self.orders_per_minute,
            "status_changes_per_minute": self.changes_per_minute,
            "duration_seconds": self.duration,
            "started": self.started,
            "ends": self.ends,
            "position": self.position,
            "created": self.created,
            "changed": self.changed,
            "skipped_out_of_stock": self.skipped,
            "skipped_no_order": self.idle_changes,
        }


def wait_stopped(traffic, timeout):
    deadline = time.monotonic() + timeout
    while traffic.running and time.monotonic() < deadline:
        time.sleep(TICK)
    return not traffic.running
