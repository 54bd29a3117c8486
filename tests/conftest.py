"""Fixtures shared by the repository-level tests."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# -- Shopee simulator ---------------------------------------------------------

sys.path.insert(0, str(ROOT / "simulator"))


@pytest.fixture(scope="module")
def shopee_simulator():
    """The project's Shopee simulator on a free 127.0.0.1 port, per test module.

    Yields a ``shopee_simulator.ControlClient``: ``.url``, ``.reset(...)``,
    ``.add_fault(...)``, ``.install_tokens(...)``, ``.order_sns(shop_id)``,
    ``.refresh_count(shop_id)``… State persists between the tests of a module
    (end-to-end tests build on each other): call ``.reset()`` for a clean one.
    """
    from shopee_simulator import ControlClient, Simulator

    simulator = Simulator()
    client = ControlClient(simulator.start_in_thread("127.0.0.1", 0))
    client.simulator = simulator
    try:
        yield client
    finally:
        simulator.stop()


# -- Lazada simulator ---------------------------------------------------------


@pytest.fixture(scope="module")
def lazada_simulator():
    """The project's Lazada simulator on a free 127.0.0.1 port, per test module.

    Yields a ``lazada_simulator.ControlClient``: ``.url``, ``.reset(...)``,
    ``.add_fault(...)``, ``.install_tokens(...)``, ``.order_ids(seller_id)``,
    ``.refresh_count(seller_id)``… State persists between the tests of a
    module: call ``.reset()`` for a clean one.
    """
    from lazada_simulator import ControlClient, Simulator

    simulator = Simulator()
    client = ControlClient(simulator.start_in_thread("127.0.0.1", 0))
    client.simulator = simulator
    try:
        yield client
    finally:
        simulator.stop()


# -- a webhook that records what it is sent -----------------------------------


class WebhookReceiver:
    """A local HTTP endpoint that records each POST: path, headers, raw body.

    ``status`` is what it answers (Shopee wants 2xx and an empty body);
    ``delay`` makes it slow.
    """

    def __init__(self):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        receiver = self
        self.received = []
        self.status = 200
        self.delay = 0.0
        self.lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (the stdlib's name)
                import time

                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if receiver.delay:
                    time.sleep(receiver.delay)
                with receiver.lock:
                    receiver.received.append(
                        {"path": self.path, "headers": dict(self.headers), "body": body}
                    )
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format, *args):  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/shopee/webhook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def bodies(self):
        import json

        with self.lock:
            return [json.loads(entry["body"]) for entry in self.received]

    def clear(self):
        with self.lock:
            self.received.clear()
        self.status, self.delay = 200, 0.0

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook_receiver():
    """A webhook URL on 127.0.0.1 recording the pushes it gets (``.received``)."""
    receiver = WebhookReceiver()
    try:
        yield receiver
    finally:
        receiver.close()
