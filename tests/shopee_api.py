"""``import shopee_api``: the addon's Shopee client package, without Odoo.

The client (``addons/connector_shopee/api``) is plain Python; loading it from
its files proves it and keeps these tests free of an Odoo registry.
"""

import importlib.util
import sys
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1] / "addons" / "connector_shopee" / "api"
_spec = importlib.util.spec_from_file_location(
    __name__, _PACKAGE / "__init__.py", submodule_search_locations=[str(_PACKAGE)]
)
_module = importlib.util.module_from_spec(_spec)
sys.modules[__name__] = _module
_spec.loader.exec_module(_module)
