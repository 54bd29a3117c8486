# shopee_binding first: the concrete bindings inherit it.
from . import shopee_binding
from . import marketplace_account
from . import marketplace_shop
from . import shopee_shop
from . import shopee_order
from . import shopee_product_binding
from . import webhook_event
