from . import tools
from . import services
from . import components
from . import controllers
from . import models
from . import wizards
