from . import test_flows
from . import test_webhook
from . import test_fulfilment
