"""``python -m refbank serve|migrate|seed|faults`` — the reference platform's entry point."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from refbank.errors import ConfigError


def _parser() -> argparse.ArgumentParser:
    from refbank.config import add_common, add_serve

    parser = argparse.ArgumentParser(prog="python -m refbank", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    add_serve(sub.add_parser("serve", help="serve the platform contract over HTTP"))
    mig = sub.add_parser("migrate", help="upgrade or downgrade the schema")
    add_common(mig)
    mig.add_argument("--to", required=True, choices=["1", "2"], help="target schema version")
    seed = sub.add_parser("seed", help="book an amount onto an account directly (a test fixture)")
    add_common(seed)
    seed.add_argument("--account", required=True, help="the customer account id")
    seed.add_argument("--amount", required=True, type=int, help="minor units to book onto it")
    seed.add_argument("--currency", required=True, help="the account's currency")
    sub.add_parser("faults", help="list the fault catalog")
    return parser


def _migrate(args: argparse.Namespace) -> int:
    from refbank.config import dsn_of, faults_of
    from refbank.migrations import migrate

    before = migrate(dsn_of(args, os.environ), int(args.to), faults=faults_of(args, os.environ))
    print(f"schema {before} → {args.to}")
    return 0


def _seed(args: argparse.Namespace) -> int:
    from refbank.config import dsn_of
    from refbank.seed import SeedRefused, seed

    try:
        balance = seed(dsn_of(args, os.environ), args.account, args.amount, args.currency)
    except SeedRefused as exc:
        print(f"refbank: seed refused: {exc}", file=sys.stderr)
        return 1
    print(f"booked {args.amount} {args.currency} onto {args.account}: its balance is {balance}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from refbank.config import from_args
    from refbank.server import serve

    serve(from_args(args))
    return 0


def _faults() -> int:
    from refbank.faults import CATALOG

    for name, what in sorted(CATALOG.items()):
        print(f"{name:30} {what}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        if args.command == "migrate":
            return _migrate(args)
        if args.command == "seed":
            return _seed(args)
        if args.command == "serve":
            return _serve(args)
        return _faults()
    except ConfigError as exc:
        print(f"refbank: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
