"""The project's Lazada Open Platform (Thailand) simulator (werkzeug, no Odoo).

In a test or a script::

    from lazada_simulator import ControlClient, Simulator

    sim = Simulator(seed=42, orders=60, days=14)
    url = sim.start_in_thread(port=0)  # e.g. "http://127.0.0.1:40123"
    ControlClient(url).reset(seed=1, orders=230)
    sim.stop()

The API is under ``<url>/rest`` (tokens too), the consent page at
``<url>/oauth/authorize``, the control API under ``<url>/_simulator/``.
"""

from .client import ControlClient, ControlError
from .generator import generate_orders
from .identities import APP_KEY, APP_SECRET, DEFAULT_SELLER_ID, OTHER_SELLER_ID
from .seeds import load_seeds
from .server import Simulator
from .signing import base_string, push_signature, sign

__all__ = [
    "APP_KEY",
    "APP_SECRET",
    "DEFAULT_SELLER_ID",
    "OTHER_SELLER_ID",
    "ControlClient",
    "ControlError",
    "Simulator",
    "base_string",
    "generate_orders",
    "load_seeds",
    "push_signature",
    "sign",
]
