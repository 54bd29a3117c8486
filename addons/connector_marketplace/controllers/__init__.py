from . import health
from . import webhook
from . import oauth
from . import labels
