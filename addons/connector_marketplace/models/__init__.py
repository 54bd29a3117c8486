from . import marketplace_account
from . import marketplace_shop
from . import marketplace_order
from . import marketplace_job
from . import queue_job
