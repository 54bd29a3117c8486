from . import product_bind_wizard
from . import stock_preview
