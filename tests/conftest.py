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
