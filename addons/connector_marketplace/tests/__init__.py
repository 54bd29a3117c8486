from . import test_payload
from . import test_translations
from . import test_redaction
from . import test_contract
