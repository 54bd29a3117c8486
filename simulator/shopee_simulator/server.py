"""Run the simulator: a threaded werkzeug server, in the foreground or a thread."""

import threading
import time

from werkzeug.serving import WSGIRequestHandler, make_server

from .app import SimulatorApp
from .seeds import load_seeds
from .state import DEFAULT_SHOP_ID, Scenario, State


class QuietRequestHandler(WSGIRequestHandler):
    """werkzeug's access log prints query strings, and so signs and tokens.

    The application logs its own sanitized line per request instead.
    """

    def log_request(self, code="-", size="-"):
        pass

    def log_error(self, format, *args):  # noqa: A002 (the stdlib signature)
        # The message may quote the raw request line, query string included.
        self.log("error", "bad request from the client (details withheld)")


class Simulator:
    """The Shopee simulator with its state.

    ``seed``, ``orders``, ``days`` and ``include_seed_orders`` build the
    start-up state: ``orders`` generated orders of ``shop_id`` created over
    the last ``days`` days, plus the hand-written seed orders in that range.
    ``items`` (with ``models_per_item``) replaces the shop's seed catalogue
    by a generated one. ``tracking_delay`` and ``document_delay`` (seconds)
    make arranged shipments' tracking numbers and shipping documents come
    late. They are also the defaults of
    ``POST /_simulator/reset``.
    """

    def __init__(
        self,
        seed=42,
        orders=60,
        days=14,
        shop_id=DEFAULT_SHOP_ID,
        include_seed_orders=True,
        seeds_dir=None,
        clock=time.time,
        items=None,
        models_per_item=5,
        tracking_delay=0.0,
        document_delay=0.0,
    ):
        self.defaults = Scenario(
            seed=seed,
            orders=orders,
            shop_id=shop_id,
            days=days,
            include_seed_orders=include_seed_orders,
            items=items,
            models_per_item=models_per_item,
            tracking_delay=tracking_delay,
            document_delay=document_delay,
        )
        self.state = State(load_seeds(seeds_dir), self.defaults, clock)
        self.app = SimulatorApp(self.state, self.defaults)
        self._server = None
        self._thread = None

    def serve(self, host="127.0.0.1", port=8079):
        """Bind ``host:port`` (0: any free port); run ``serve_forever()`` on it."""
        self._server = make_server(
            host, port, self.app, threaded=True, request_handler=QuietRequestHandler
        )
        return self._server

    @property
    def url(self):
        if self._server is None:
            return None
        host, port = self._server.server_address[:2]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}"

    def start_in_thread(self, host="127.0.0.1", port=0):
        """Serve in a daemon thread; answers the base URL, e.g. for tests."""
        server = self.serve(host, port)
        self._thread = threading.Thread(
            target=server.serve_forever, name="shopee-simulator", daemon=True
        )
        self._thread.start()
        return self.url

    def stop(self):
        """Stop serving, the traffic and the push sender."""
        self.state.shutdown()
        if self._server is None:
            return
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(10)
            self._thread = None
        self._server.server_close()
        self._server = None
