from . import test_payload
