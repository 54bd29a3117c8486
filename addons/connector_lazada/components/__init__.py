from . import core
from . import adapter
from . import mapper
from . import importer
from . import logistics_adapter
