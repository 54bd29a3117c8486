from . import tools
from . import components
from . import models
from . import wizards
