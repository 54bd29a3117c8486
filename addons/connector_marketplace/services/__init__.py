from . import sale_order_builder
