from . import health
from . import webhook
