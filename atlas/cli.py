"""Command line: `python -m atlas build|check`.

Errors are one line on stderr, prefixed with the command, and a non-zero exit status;
tracebacks are for bugs, not for bad input.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from atlas.datafiles import DataError, load_built
from atlas.focus import FocusError
from atlas.geocode import GeocoderConfigError, build_geocoder
from atlas.overrides import OverridesError
from atlas.quality import quality_report
from atlas.settings import data_dir, geocoder_settings
from atlas.source import SourceError

EXPECTED_ERRORS = (SourceError, DataError, OverridesError, FocusError, GeocoderConfigError, OSError, ValueError)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one clear line instead of usage text
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in YYYY-MM-DD form") from None


def _build(args: argparse.Namespace) -> int:
    from atlas.build import build_files

    geocoder = build_geocoder(geocoder_settings())
    directory = build_files(args.source, args.out, geocoder=geocoder, overrides_path=args.overrides,
                            as_of=args.as_of)
    flagged = sum(1 for org in directory.organizations if org.quality_flags)
    print(f"built {len(directory.organizations)} organizations and {len(directory.page.sections)} sections "
          f"into {args.out} ({flagged} with data-quality flags)")
    return 0


def _check(args: argparse.Namespace) -> int:
    page, organizations = load_built(args.dir)
    print(quality_report(page, organizations))
    return 0


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m atlas", description="Build and check the Dystonia Atlas data.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    build = commands.add_parser("build", help="parse a source page into page.json and organizations.csv")
    build.add_argument("source", help="the source page, e.g. data/dystonias.txt")
    build.add_argument("--out", type=Path, default=None, help="output folder (default: data/)")
    build.add_argument("--overrides", type=Path, default=None,
                       help="curated override file (default: overrides.csv beside the source)")
    build.add_argument("--as-of", type=_date, default=None,
                       help="date the source's age is judged against (default: today)")
    build.set_defaults(handler=_build)

    check = commands.add_parser("check", help="print the data-quality report for a built data folder")
    check.add_argument("dir", nargs="?", type=Path, default=None, help="data folder (default: data/)")
    check.set_defaults(handler=_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if getattr(args, "out", "unset") is None:
        args.out = data_dir()
    if getattr(args, "dir", "unset") is None:
        args.dir = data_dir()
    try:
        return args.handler(args)
    except EXPECTED_ERRORS as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"{parser.prog} {args.command}: error: {message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{parser.prog} {args.command}: interrupted; no files were changed", file=sys.stderr)
        return 130
