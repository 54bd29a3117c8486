from . import core
from . import binder
from . import backend_adapter
from . import order_adapter
from . import shop_adapter
from . import mapper
from . import importer
