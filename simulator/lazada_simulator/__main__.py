"""``python3 -m lazada_simulator``: serve until Ctrl-C or SIGTERM."""

import argparse
import logging
import signal
import sys

from .identities import APP_KEY
from .server import DEFAULT_PORT, Simulator


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python3 -m lazada_simulator",
        description="The project's Lazada Open Platform (Thailand) simulator.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="default: 127.0.0.1")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"default: {DEFAULT_PORT}"
    )
    parser.add_argument(
        "--orders", type=int, default=60, help="generated orders (default: 60)"
    )
    parser.add_argument(
        "--days", type=int, default=14, help="spread over the last N days (14)"
    )
    parser.add_argument("--seed", type=int, default=42, help="generator seed (42)")
    parser.add_argument(
        "--no-seed-orders",
        action="store_true",
        help="leave out the hand-written orders of seeds/lazada/orders.json",
    )
    parser.add_argument("--seeds-dir", help="another seeds directory")
    parser.add_argument(
        "--items",
        type=int,
        help="a generated catalogue of N items instead of the seed products",
    )
    parser.add_argument(
        "--skus-per-item",
        type=int,
        default=3,
        help="SKUs of each generated item, 0 for one without variation (3)",
    )
    parser.add_argument(
        "--document-delay",
        type=float,
        default=0.0,
        help="seconds before a package's air waybill is ready (0)",
    )
    return parser.parse_args(argv)


def _stop(signum, frame):
    raise KeyboardInterrupt


def main(argv=None):
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(message)s"
    )
    simulator = Simulator(
        seed=args.seed,
        orders=args.orders,
        days=args.days,
        include_seed_orders=not args.no_seed_orders,
        seeds_dir=args.seeds_dir,
        items=args.items,
        skus_per_item=args.skus_per_item,
        document_delay=args.document_delay,
    )
    try:
        server = simulator.serve(args.host, args.port)
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, _stop)
    sellers = simulator.state.snapshot()["sellers"]
    logging.getLogger("lazada_simulator").info(
        "Lazada simulator on %s (app_key %s; %s)",
        simulator.url,
        APP_KEY,
        ", ".join(
            f"seller {seller_id}: {s['orders']} orders, {s['items']} products"
            for seller_id, s in sellers.items()
        ),
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        simulator.state.shutdown()
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
