"""Clock-driven order traffic for load tests.

While it runs, new orders are placed (``orders_per_minute``) and existing
ones move on through Shopee's statuses (``status_changes_per_minute``) as
the simulator's time passes, evenly spread, for ``duration_seconds``. All
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

# Where an order can go next, and how likely.
TRANSITIONS = {
    "UNPAID": (("READY_TO_SHIP", 8), ("CANCELLED", 2)),
    "READY_TO_SHIP": (("PROCESSED", 8), ("IN_CANCEL", 1), ("CANCELLED", 1)),
    "PROCESSED": (("SHIPPED", 9), ("RETRY_SHIP", 1)),
    "RETRY_SHIP": (("PROCESSED", 1),),
    "SHIPPED": (("TO_CONFIRM_RECEIVE", 1),),
    "TO_CONFIRM_RECEIVE": (("COMPLETED", 1),),
    "IN_CANCEL": (("CANCELLED", 7), ("READY_TO_SHIP", 3)),
}
TICK = 0.05


class Traffic:
    def __init__(self, state, shop_id, orders_per_minute, changes_per_minute,
                 duration, seed, manual=False):  # fmt: skip
        self.state = state
        self.shop_id = shop_id
        self.orders_per_minute = orders_per_minute
        self.changes_per_minute = changes_per_minute
        self.duration = duration
        self.manual = manual
        self.rng = random.Random(seed * 31 + shop_id)
        self.lock = threading.Lock()
        self.started = state.now_float()
        self.position = self.started
        self.created = self.changed = self.skipped = self.idle_changes = 0
        self.live = state.live_order_sns(shop_id)
        self.taken = set(state.order_sns(shop_id))
        self._stop = threading.Event()
        self._thread = None
        if not manual:
            self._thread = threading.Thread(
                target=self._run, name="shopee-simulator-traffic", daemon=True
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
        status = "UNPAID" if self.rng.random() < 0.6 else "READY_TO_SHIP"
        order_sn = self.state.place_order(
            self.shop_id, self.rng, self.taken, status, moment
        )
        if order_sn is None:
            self.skipped += 1
        else:
            self.created += 1
            self.live.append(order_sn)

    def _change(self, moment):
        while self.live:
            index = self.rng.randrange(len(self.live))
            order_sn = self.live[index]
            current = self.state.order_status(self.shop_id, order_sn)
            choices = TRANSITIONS.get(current)
            if not choices:
                self.live.pop(index)
                continue
            names = [name for name, _weight in choices]
            weights = [weight for _name, weight in choices]
            status = self.rng.choices(names, weights)[0]
            self.state.update_order(
                order_sn, {"order_status": status, "update_time": moment}
            )
            self.changed += 1
            if status not in TRANSITIONS:
                self.live.pop(index)
            return
        self.idle_changes += 1

    def status(self):
        return {
            "running": self.running,
            "manual": self.manual,
            "shop_id": self.shop_id,
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
