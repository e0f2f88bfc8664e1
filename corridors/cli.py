"""Command line: ``python -m corridors validate|run|bench|export``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from corridors.io import resolve_data_dir
from corridors.validate import read_tables


def cmd_validate(args: argparse.Namespace) -> int:
    folder = resolve_data_dir(args.data)
    tables, problems = read_tables(folder)
    if not problems:
        counts = ", ".join(f"{len(frame)} {name}" for name, frame in tables.items())
        print(f"ledger OK: {folder} ({counts})")
        return 0
    print(f"{len(problems)} problem(s) in {folder}:", file=sys.stderr)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m corridors", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser("validate", help="check every table of the ledger and list all problems")
    validate.add_argument("--data", metavar="DIR", help="ledger folder (default: the shipped data/)")
    validate.set_defaults(handler=cmd_validate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130
