from . import test_access
from . import test_idempotency
from . import test_jobs
from . import test_oauth
from . import test_pull_orders
from . import test_tokens
from . import test_hardening
