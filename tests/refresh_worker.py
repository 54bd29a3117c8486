"""One process of the fault suite's token race: many threads refresh one
shop's token at once.

    python refresh_worker.py DB ADDONS_PATH BACKEND_ID --threads 4 --attempts 25

Loads the database's registry and prints ``ready``; then reads the access
token the callers hold (and found expired) from its standard input, a line
written to every process at the same moment, and makes ``--attempts`` calls
of ``shopee.shop._refresh_tokens(token)``, each in a transaction of its own,
``--threads`` at a time. Prints one JSON line: the access token each attempt
got, or its error.
"""

import argparse
import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("addons_path")
    parser.add_argument("backend_id", type=int)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--attempts", type=int, default=25)
    args = parser.parse_args()

    import odoo
    from odoo.tools import config

    config.parse_config(
        [
            f"--addons-path={args.addons_path}",
            f"--db_host={os.environ.get('PGHOST', 'localhost')}",
            f"--db_user={os.environ.get('PGUSER', 'odoo')}",
            f"--db_password={os.environ.get('PGPASSWORD', 'odoo')}",
            "--log-level=warn",
        ]
    )
    registry = odoo.modules.registry.Registry(args.db)

    def attempt(seen_token):
        try:
            with registry.cursor() as cr:
                env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
                backend = env["shopee.shop"].browse(args.backend_id)
                return {"token": backend._refresh_tokens(seen_token)["access_token"]}
        except Exception as error:  # noqa: BLE001 (reported to the test)
            return {"error": f"{type(error).__name__}: {error}"}

    sys.stdout.write("ready\n")
    sys.stdout.flush()
    seen_token = sys.stdin.readline().strip()
    with ThreadPoolExecutor(args.threads) as pool:
        results = list(pool.map(attempt, [seen_token] * args.attempts))
    sys.stdout.write(json.dumps(results) + "\n")


if __name__ == "__main__":
    main()
