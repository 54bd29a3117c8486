from . import test_channel_shop
from . import test_channel_bindings
from . import marketplace_account
from . import webhook_event
