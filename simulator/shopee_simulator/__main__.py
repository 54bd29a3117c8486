"""``python3 -m shopee_simulator``: serve until Ctrl-C or SIGTERM."""

import argparse
import logging
import signal
import sys

from .server import Simulator


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python3 -m shopee_simulator",
        description="The project's Shopee Open Platform v2 simulator.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="default: 127.0.0.1")
    parser.add_argument("--port", type=int, default=8079, help="default: 8079")
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
        help="leave out the hand-written orders of seeds/orders",
    )
    parser.add_argument("--seeds-dir", help="another seeds directory")
    parser.add_argument(
        "--items",
        type=int,
        help="a generated catalogue of N items instead of the seed items",
    )
    parser.add_argument(
        "--models-per-item",
        type=int,
        default=5,
        help="models of each generated item, 0 for none (5)",
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
        models_per_item=args.models_per_item,
    )
    try:
        server = simulator.serve(args.host, args.port)
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, _stop)
    orders = simulator.state.snapshot()["shops"]
    logging.getLogger("shopee_simulator").info(
        "Shopee simulator on %s (partner 2000001; %s)",
        simulator.url,
        ", ".join(
            f"shop {shop_id}: {s['orders']} orders" for shop_id, s in orders.items()
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
