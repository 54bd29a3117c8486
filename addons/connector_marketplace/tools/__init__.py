from . import redaction
from . import unique_violation
from . import dates
from . import actions
