"""The project's Shopee Open Platform v2 simulator (werkzeug, no Odoo).

In a test or a script::

    from shopee_simulator import ControlClient, Simulator

    sim = Simulator(seed=42, orders=60, days=14)
    url = sim.start_in_thread(port=0)  # e.g. "http://127.0.0.1:40123"
    ControlClient(url).reset(seed=1, orders=230)
    sim.stop()
"""

from .client import ControlClient, ControlError
from .generator import generate_orders, generate_orders_with_terms
from .money import escrow_detail
from .seeds import load_seeds
from .server import Simulator
from .signing import base_string, sign

__all__ = [
    "ControlClient",
    "ControlError",
    "Simulator",
    "base_string",
    "escrow_detail",
    "generate_orders",
    "generate_orders_with_terms",
    "load_seeds",
    "sign",
]
