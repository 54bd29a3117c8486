from . import models
from . import components
from . import controllers
