from . import (
    test_access,
    test_adapter,
    test_lazada_data,
    test_oauth,
    test_orders,
    test_products,
    test_tokens,
    test_translations,
    test_webhooks,
)
from . import test_fulfilment
from . import test_cancellation
