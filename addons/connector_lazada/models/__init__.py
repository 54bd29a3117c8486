# lazada_binding first: the concrete bindings inherit it.
from . import lazada_binding
from . import marketplace_account
from . import marketplace_shop
from . import lazada_shop
from . import webhook_event
