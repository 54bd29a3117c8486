from . import product_bind_wizard
from . import stock_preview
from . import ship_wizard
from . import cancel_wizard
