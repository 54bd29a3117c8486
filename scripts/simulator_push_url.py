"""Tell the Shopee simulator where to push order changes: the demo account's
callback URL, pushes on.

The simulator may still be starting (with Docker it is another container):
it is asked again each second for up to WAIT seconds. Exits 1 when it never
took the URL.

Usage: python simulator_push_url.py SIMULATOR_URL CALLBACK_URL [WAIT]
"""

import json
import sys
import time
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen


def tell_simulator(simulator_url, callback_url, wait):
    request = Request(
        f"{simulator_url}/_simulator/push",
        data=json.dumps({"url": callback_url, "enabled": True}).encode(),
        headers={"Content-Type": "application/json"},
    )
    deadline = time.monotonic() + wait
    while True:
        try:
            with urlopen(request, timeout=10) as response:
                return json.loads(response.read())["config"]
        except HTTPError as err:  # it answered: asking again changes nothing
            raise SystemExit(f"the simulator refused the callback URL: {err}") from None
        except (URLError, OSError) as err:
            if time.monotonic() >= deadline:
                raise SystemExit(
                    f"no simulator at {simulator_url} after {wait:.0f}s: {err}"
                ) from None
            time.sleep(1)


def main(argv):
    simulator_url, callback_url = argv[0].rstrip("/"), argv[1]
    wait = float(argv[2]) if len(argv) > 2 else 0
    tell_simulator(simulator_url, callback_url, wait)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
