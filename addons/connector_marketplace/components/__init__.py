from . import core
from . import binder
from . import backend_adapter
from . import mapper
from . import importer
from . import listener
from . import stock_exporter
