from . import product_bind_wizard
