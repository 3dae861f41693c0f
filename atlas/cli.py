"""Command line: `python -m atlas build|check|export`.

Errors are one line on stderr, prefixed with the command, and a non-zero exit status;
tracebacks are for bugs, not for bad input. What the command prints can quote what it was
given (an argument, a cell of a data file): characters a terminal would act on (escape
sequences, carriage returns, bidirectional overrides) are printed as visible escapes (`\\x1b`).
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from datetime import date
from pathlib import Path

from atlas.errors import AtlasError, ExportError
from atlas.geocode import build_geocoder
from atlas.ingest.files import load_built
from atlas.ingest.quality import quality_report
from atlas.settings import data_dir, geocoder_settings, public_url


def _shown(text: object, *, lines: bool = False) -> str:
    """Text safe to print to a terminal: every character that is not printable (controls, escapes,
    format characters such as bidirectional overrides, line breaks unless `lines`) is written as
    its escape, so `\\x1b]0;title\\x07` shows as typed instead of acting on the terminal."""
    text = str(text)
    if lines:
        return "\n".join(_shown(line) for line in text.split("\n"))
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or unicodedata.category(ch) == "Zs"
                   else ch.encode("unicode_escape").decode("ascii") for ch in text)


def _say(text: object = "", *, error: bool = False, lines: bool = False) -> None:
    print(_shown(text, lines=lines), file=sys.stderr if error else sys.stdout)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one clear line instead of usage text
        self.exit(2, f"{self.prog}: error: {_shown(message)} (see {self.prog} --help)\n")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in YYYY-MM-DD form") from None


def _build(args: argparse.Namespace) -> int:
    from atlas.ingest.build import build_files

    geocoder = build_geocoder(geocoder_settings())
    directory = build_files(args.source, args.out, geocoder=geocoder, overrides_path=args.overrides,
                            as_of=args.as_of)
    flagged = sum(1 for org in directory.organizations if org.quality_flags)
    _say(f"built {len(directory.organizations)} organizations and {len(directory.page.sections)} sections "
         f"into {args.out} ({flagged} with data-quality flags)")
    return 0


def _check(args: argparse.Namespace) -> int:
    page, organizations = load_built(args.dir)
    _say(quality_report(page, organizations), lines=True)
    return 0


def _radius(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of miles") from None
    if not 0 < value <= 12_500:
        raise argparse.ArgumentTypeError(f"{text} miles is not a usable radius (use more than 0, at most 12,500)")
    return value


def _export(args: argparse.Namespace) -> int:
    from atlas.atomic import atomic_write_bytes
    from atlas.directory.load import load_atlas
    from atlas.directory.request import DEFAULT_PUBLIC_URL, RADIUS_MAX, RADIUS_MIN, ViewRequest, view_url
    from atlas.directory.view import require_place, select_view
    from atlas.outputs.export import render

    if args.radius is not None and not args.near:
        raise ExportError("--radius needs --near (the place to measure from)")
    request = ViewRequest(focus=tuple(dict.fromkeys(args.focus or ())), include_general=args.include_general,
                          state=(args.state or "").upper(), query=args.q or "", near=args.near or "",
                          radius_mi=args.radius)
    view = require_place(select_view(load_atlas(args.data), request, build_geocoder(geocoder_settings())))
    if view.empty or view.fallback:
        nearest = f"; the nearest is {view.organizations[0].name}, {view.miles[0]:,.0f} miles away" \
            if view.fallback else ""
        raise ExportError(f"no organization matches this view ({view.title}){nearest}; nothing was written")
    link = request
    if args.format == "pdf" and request.radius_mi is not None and not RADIUS_MIN <= request.radius_mi <= RADIUS_MAX:
        # The app's links take the slider's range; a link it would refuse opens the ranked list instead.
        link = request.replace(radius_mi=None)
        _say(f"note: the app's links take a radius of {RADIUS_MIN} to {RADIUS_MAX:,} miles, so the handout's "
             f"link opens every match ranked by distance from {args.near}, without the {request.radius_mi:,g}-mile "
             "radius", error=True)
    data = render(view, args.format, url=view_url(link, args.url or public_url() or DEFAULT_PUBLIC_URL))
    try:
        atomic_write_bytes(args.out, data)
    except OSError as exc:
        raise ExportError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    _say(f"wrote {len(view.organizations)} organization{'s' if len(view.organizations) != 1 else ''} "
         f"({view.title}) to {args.out} as {args.format}")
    if view.truncated:  # as the app says it: "the nearest N of M matching"
        shown = len(view) - view.beyond
        _say(f"note: only the nearest {shown:,} of {view.matching:,} matching organizations were written "
             f"(a ranking stops at {shown:,}); add --radius MILES to write every one within a distance",
             error=True)
    return 0


def _synth(args: argparse.Namespace) -> int:
    from atlas.ingest.synth import write_folder

    write_folder(args.count, args.out, seed=args.seed)
    _say(f"wrote {args.count:,} synthetic organizations to {args.out}")
    return 0


def _count(text: str) -> int:
    try:
        value = int(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 <= value <= 10_000_000:
        raise argparse.ArgumentTypeError(f"{value:,} is outside 0 to 10,000,000")
    return value


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

    from atlas.ingest.tags import SPECIFIC_FOCI
    from atlas.outputs.export import FORMATS

    export = commands.add_parser("export", help="write the organizations of a view as csv, geojson, kml, vcf, "
                                                "pdf or png")
    export.add_argument("--format", required=True, choices=list(FORMATS), help="output format")
    export.add_argument("--focus", action="append", choices=SPECIFIC_FOCI,
                        help="keep groups for this focus (repeatable); general groups stay unless --no-general")
    export.add_argument("--no-general", dest="include_general", action="store_false",
                        help="leave out general dystonia and movement-disorder groups")
    export.add_argument("--state", help="two-letter state code, e.g. CA")
    export.add_argument("--q", help="text that names or cities must contain")
    export.add_argument("--near", help='a ZIP code, "City, ST" or an address; ranks by distance')
    export.add_argument("--radius", type=_radius, help="miles from --near")
    export.add_argument("--data", type=Path, default=None, help="data folder (default: data/ or ATLAS_DATA_DIR)")
    export.add_argument("--url", help="public address of the app, for the handout's QR code "
                                      "(default: ATLAS_PUBLIC_URL or http://localhost:8501)")
    export.add_argument("--out", type=Path, required=True, help="file to write")
    export.set_defaults(handler=_export)

    synth = commands.add_parser("synth", help="write a synthetic data folder of N organizations, for scale tests")
    synth.add_argument("count", type=_count, help="number of organizations, e.g. 100000")
    synth.add_argument("--out", type=Path, required=True, help="folder to write page.json and organizations.csv into")
    synth.add_argument("--seed", type=int, default=7, help="the same seed gives the same folder (default 7)")
    synth.set_defaults(handler=_synth)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if getattr(args, "out", "unset") is None:
        args.out = data_dir()
    if getattr(args, "dir", "unset") is None:
        args.dir = data_dir()
    if getattr(args, "data", "unset") is None:
        args.data = data_dir()
    try:
        return args.handler(args)
    except AtlasError as exc:
        message = str(exc) or type(exc).__name__  # one line: a line break in a quoted value shows as \n
        _say(f"{parser.prog} {args.command}: error: {message}", error=True)
        return 1
    except KeyboardInterrupt:
        _say(f"{parser.prog} {args.command}: interrupted; no files were changed", error=True)
        return 130
