"""Opening a data folder: every way it can be wrong ends in a DataDirError with a problem and a
fix, never a traceback; a damaged file never loads as if whole; what the build writes, loads."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atlas.errors import DataDirError, DataError
from atlas.ingest.build import build_files, open_data_dir, signature
from atlas.ingest.files import (
    MAX_FIELD_CHARS,
    check_organizations_csv,
    load_built,
    organizations_from_csv,
    page_from_json,
    read_page_json,
)
from atlas.model import ORGANIZATION_FIELDS
from tests.conftest import AS_OF, DATA, PAGES, ROOT, SOURCE

CSV_TEXT = (DATA / "organizations.csv").read_text(encoding="utf-8")
PAGE_TEXT = (DATA / "page.json").read_text(encoding="utf-8")


def built_folder(tmp_path: Path, *, page: str = PAGE_TEXT, csv_text: str = CSV_TEXT) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "page.json").write_text(page, encoding="utf-8")
    (folder / "organizations.csv").write_text(csv_text, encoding="utf-8")
    return folder


def refused(folder: Path) -> DataDirError:
    """open_data_dir's error for `folder`; signature() must not raise on it either."""
    signature(folder)
    with pytest.raises(DataDirError) as error:
        open_data_dir(folder)
    assert error.value.problem and error.value.fix
    return error.value


# --- what works -------------------------------------------------------------------------

def test_built_files_are_preferred_and_a_lone_page_is_built(tmp_path):
    assert len(open_data_dir(DATA).organizations) == 8
    shutil.copy(PAGES / "minimal.txt", tmp_path / "minimal.txt")
    assert len(open_data_dir(tmp_path).organizations) == 3


def test_overrides_beside_a_lone_page_are_used(tmp_path):
    shutil.copy(SOURCE, tmp_path / "dystonias.txt")
    (tmp_path / "overrides.csv").write_text("organization,focus,service_area,reason\n"
                                           "American Dystonia Society,speech,regional,test\n")
    ads = next(o for o in open_data_dir(tmp_path).organizations if o.name == "American Dystonia Society")
    assert ads.focus == ("speech",) and ads.service_area == "regional"


def test_a_link_to_a_readable_folder_or_file_elsewhere_is_fine(tmp_path):
    (tmp_path / "linked").symlink_to(DATA, target_is_directory=True)
    assert len(open_data_dir(tmp_path / "linked").organizations) == 8
    folder = tmp_path / "files"
    folder.mkdir()
    for name in ("page.json", "organizations.csv"):
        (folder / name).symlink_to(DATA / name)
    assert len(open_data_dir(folder).organizations) == 8


def test_a_header_only_csv_is_a_folder_with_no_organizations(tmp_path):
    folder = built_folder(tmp_path, csv_text=CSV_TEXT.splitlines(keepends=True)[0])
    assert open_data_dir(folder).organizations == []


def test_the_legacy_eighteen_column_header_still_loads():
    rows = [line.rsplit(",", 2)[0] for line in CSV_TEXT.splitlines()]
    assert rows[0].split(",") == list(ORGANIZATION_FIELDS[:18])
    organizations = organizations_from_csv("\n".join(rows) + "\n")
    assert len(organizations) == 8 and not any(o.website_derived or o.notes for o in organizations)


def test_a_page_without_a_review_date_loads_with_none():
    document = json.loads(PAGE_TEXT) | {"reviewed_on": None, "sections": [{"heading": "Q?", "body": ""}]}
    page = page_from_json(json.dumps(document))
    assert page.reviewed_on is None and page.sections[0].body == ""


# --- what the folder itself can get wrong -----------------------------------------------

@pytest.mark.parametrize("setup, problem", [
    (lambda d: None, "holds no data"),
    (lambda d: (d / "page.json").write_text("{}"), "only half"),
    (lambda d: (d / "x.txt").write_text("nothing useful"), "could not be read"),
    (lambda d: ((d / "a.txt").write_text("x"), (d / "b.txt").write_text("y")), "several source pages"),
    (lambda d: (d / "page.txt").mkdir(), "holds no data"),  # a folder named *.txt is not a page
])
def test_errors_say_what_and_how(tmp_path, setup, problem):
    setup(tmp_path)
    assert problem in refused(tmp_path).problem


def test_missing_folder_and_a_file_instead_of_a_folder(tmp_path):
    assert "does not exist" in refused(tmp_path / "nope").problem
    assert "does not exist" in refused(tmp_path / "nope" / "deeper").problem
    (tmp_path / "file").write_text("x")
    assert "is a file, not a folder" in refused(tmp_path / "file").problem
    assert "does not exist" in refused(tmp_path / "file" / "below").problem


@pytest.mark.parametrize("name", ["page.json", "organizations.csv", "dystonias.txt", "overrides.csv"])
def test_dangling_links_and_link_loops_inside_the_folder(tmp_path, name):
    folder = tmp_path / "data"
    folder.mkdir()
    if name in ("page.json", "organizations.csv"):
        for other in ("page.json", "organizations.csv"):
            if other != name:
                shutil.copy(DATA / other, folder / other)
    elif name == "overrides.csv":
        shutil.copy(SOURCE, folder / "dystonias.txt")
    (folder / name).symlink_to(tmp_path / "gone")
    error = refused(folder)
    assert name in error.problem and "does not exist" in error.problem
    (folder / name).unlink()
    (folder / name).symlink_to(folder / name)
    assert "loops back on itself" in refused(folder).problem


def test_the_folder_itself_as_a_dangling_link_or_a_loop(tmp_path):
    (tmp_path / "dangling").symlink_to(tmp_path / "gone")
    assert "does not exist" in refused(tmp_path / "dangling").problem
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    assert "loops back on itself" in refused(tmp_path / "loop").problem


def test_a_fifo_named_like_a_built_file_is_refused_without_blocking(tmp_path):
    folder = built_folder(tmp_path)
    (folder / "page.json").unlink()
    os.mkfifo(folder / "page.json")
    assert "not a regular file" in refused(folder).problem


def test_check_says_once_what_stands_in_place_of_a_built_file(tmp_path):
    folder = built_folder(tmp_path)
    (folder / "page.json").unlink()
    (folder / "page.json").mkdir()
    with pytest.raises(DataError) as error:
        load_built(folder)
    assert str(error.value) == f"{folder / 'page.json'} is a folder, not a file"
    (folder / "page.json").rmdir()
    os.mkfifo(folder / "page.json")
    with pytest.raises(DataError) as error:
        load_built(folder)
    assert str(error.value) == f"{folder / 'page.json'} is not a regular file"


# --- permissions: the app's user is not root --------------------------------------------

UNPRIVILEGED = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
PROBE = textwrap.dedent("""
    import json, sys
    from atlas.errors import DataDirError
    from atlas.ingest.build import open_data_dir, signature
    results = {}
    for folder in sys.argv[1:]:
        signature(folder)  # must not raise
        try:
            results[folder] = "opened %d" % len(open_data_dir(folder).organizations)
        except DataDirError as error:
            results[folder] = error.problem + " | " + error.fix
    print(json.dumps(results))
""")


def test_folders_and_files_the_app_user_cannot_read():
    base = Path(tempfile.mkdtemp(prefix="atlas-perm-", dir="/tmp"))
    try:
        base.chmod(0o755)
        cases = {name: base / name for name in
                 ("readable", "closed", "unlistable", "unsearchable", "page-private", "source-private", "inner")}
        for name, folder in cases.items():
            folder.mkdir()
            folder.chmod(0o755)
            if name == "source-private":
                shutil.copy(PAGES / "minimal.txt", folder / "minimal.txt")
            elif name != "inner":
                for file in ("page.json", "organizations.csv"):
                    shutil.copy(DATA / file, folder / file)
                    (folder / file).chmod(0o644)
        cases["closed"].chmod(0o700)         # owned by root: nobody else may list or enter it
        cases["unlistable"].chmod(0o711)     # may enter but not list
        cases["unsearchable"].chmod(0o744)   # may list but not open what is inside
        (cases["page-private"] / "page.json").chmod(0o600)
        (cases["source-private"] / "minimal.txt").chmod(0o600)
        cases["inner"] = cases["closed"] / "below"  # a folder under one the user cannot enter
        result = subprocess.run([*UNPRIVILEGED, sys.executable, "-c", PROBE, *map(str, cases.values())],
                                capture_output=True, text=True, cwd=ROOT, timeout=120,
                                env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "ATLAS_GEOCODE_CACHE": "off",
                                     "PYTHONDONTWRITEBYTECODE": "1"})
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        outcome = {Path(k).relative_to(base).as_posix(): v for k, v in json.loads(result.stdout).items()}
        assert outcome["readable"] == "opened 8"
        assert "cannot be read by the user the app runs as (nobody (uid 65534))" in outcome["closed"]
        assert "chmod a+rx" in outcome["closed"]
        assert "cannot be read" in outcome["unlistable"] and "permission denied" in outcome["unlistable"]
        assert "page.json cannot be reached" in outcome["unsearchable"]
        assert "page.json cannot be read by the user" in outcome["page-private"] and "chmod a+r" in outcome["page-private"]
        assert "minimal.txt cannot be read by the user" in outcome["source-private"]
        assert "cannot be reached" in outcome["closed/below"] and "permission denied" in outcome["closed/below"]
    finally:
        for folder in (base, *base.iterdir()):
            folder.chmod(0o755)
        shutil.rmtree(base)


# --- what page.json can get wrong -------------------------------------------------------

def _page_with(**changes) -> str:
    return json.dumps(json.loads(PAGE_TEXT) | changes)


@pytest.mark.parametrize("text, message", [
    ("{", "not valid JSON"),
    ("[]", "must hold a JSON object"),
    ("", "not valid JSON"),
    (_page_with(quality_flags=5), "quality_flags"),
    (_page_with(quality_flags=["stale-source", 5]), "quality_flags[1]"),
    (_page_with(quality_flags=["no-such-flag"]), "unknown quality flag 'no-such-flag'"),
    (_page_with(title=7), "title"),
    (_page_with(title=None), "title"),
    (_page_with(sections={"heading": "h", "body": "b"}), "sections"),
    (_page_with(sections=[]), "at least one section"),
    (_page_with(sections=[{"heading": "h"}]), "sections[0].body: missing"),
    (_page_with(sections=[{"heading": "h", "body": ["b"]}]), "sections[0].body"),
    (_page_with(reviewed_on="soon"), "reviewed_on: not a date"),
    (_page_with(reviewed_on=20121120), "reviewed_on"),
    (_page_with(reviewed_on="2012-02-30"), "reviewed_on"),
    (_page_with(source=None), "source"),
    (_page_with(title="x" * (MAX_FIELD_CHARS + 1)), "title"),
    ("[" * 100_000 + "]" * 100_000, "not valid JSON"),
    ('{"title": ' + '{"a": ' * 5_000 + "1" + "}" * 5_001, "not valid JSON"),
])
def test_page_json_of_the_wrong_shape_is_refused_by_name(tmp_path, text, message):
    with pytest.raises(DataError, match=re.escape(message)):
        page_from_json(text)
    error = refused(built_folder(tmp_path, page=text))
    assert "damaged" in error.problem and message in error.problem and "python -m atlas build" in error.fix


def test_page_json_that_is_not_utf8_is_refused(tmp_path):
    folder = built_folder(tmp_path)
    (folder / "page.json").write_bytes(b'{"title": "\xff"}')
    assert "not UTF-8" in refused(folder).problem
    with pytest.raises(DataError, match="not UTF-8"):
        read_page_json(folder / "page.json")


# --- what organizations.csv can get wrong ----------------------------------------------

LINES = CSV_TEXT.splitlines(keepends=True)


@pytest.mark.parametrize("text, message", [
    ("", "is empty"),
    ("\n", "line 1: its first line is blank"),
    (CSV_TEXT.replace("id,name", "ident,name", 1), "missing column(s): id"),
    (CSV_TEXT.replace(",notes\n", ",notes,extra\n", 1), "unexpected column(s): 'extra'"),
    (CSV_TEXT.replace("id,name", "name,id", 1), "out of order"),
    ("x" * 200_000 + "," + LINES[0], "unexpected column(s)"),  # a header cell over the csv default limit
    (LINES[0] + ",".join(["x" * (MAX_FIELD_CHARS + 1)] * 20) + "\n", "line 2 is not valid CSV"),
    (CSV_TEXT[:-1], "line 9: the file does not end with a line break"),
    ("".join(LINES[:5]) + LINES[5][:-40] + "\n", "line 6 has"),
    ("".join(LINES[:3]) + "\n" + "".join(LINES[3:]), "line 4 is blank"),
    ("".join(LINES[:3]) + LINES[3].rstrip("\n") + ",extra\n" + "".join(LINES[4:]), "line 4 has 21 cells"),
    (LINES[0] + 'a,"b\n', "line 2: the file ends inside a quoted cell"),
    (LINES[0] + 'a,"b"c' + "," * 18 + "\n", "line 2 is not valid CSV"),
    (CSV_TEXT.replace("41.885800", "north"), "not a number"),
    (CSV_TEXT.replace("41.885800", "141.0"), "outside"),
    (CSV_TEXT.replace(",general,", ",necks,", 1), "line 2 has an unknown focus 'necks'"),
    (CSV_TEXT.replace("zip-city-mismatch", "bogus-flag"), "unknown quality flag 'bogus-flag'"),
    (CSV_TEXT.replace(",postal_code,,yes,", ",street,,yes,", 1), "unknown location precision 'street'"),
    (CSV_TEXT.replace(",postal_code,,yes,", ",postal_code,,maybe,", 1), "website_derived"),
    (CSV_TEXT.replace("american-dystonia-society", "dystonia-medical-research-foundation"), "repeats"),
])
def test_damaged_csv_is_refused_naming_the_line(tmp_path, text, message):
    with pytest.raises(DataError, match=re.escape(message)):
        organizations_from_csv(text)
    error = refused(built_folder(tmp_path, csv_text=text))
    assert message in error.problem and len(error.problem) < 2_000  # a huge cell is never echoed whole


def test_structural_check_is_reusable_on_text_and_paths(tmp_path):
    check_organizations_csv(CSV_TEXT)
    check_organizations_csv(DATA / "organizations.csv")
    (tmp_path / "cut.csv").write_text(CSV_TEXT[:1000])
    with pytest.raises(DataError, match="cut.csv, line"):
        check_organizations_csv(tmp_path / "cut.csv")


def test_a_csv_cut_anywhere_never_loads_as_if_whole():
    """Cut at every character: either refused, or (cut exactly between rows) the rows before the
    cut, each intact. A row never loads with its last cells lost."""
    whole = organizations_from_csv(CSV_TEXT)
    loaded_at = []
    for end in range(len(CSV_TEXT)):
        try:
            organizations = organizations_from_csv(CSV_TEXT[:end])
        except DataError:
            continue
        assert organizations == whole[: len(organizations)], end
        loaded_at.append(end)
    row_ends = [len("".join(LINES[: n + 1])) for n in range(len(LINES) - 1)]
    assert loaded_at == row_ends


# --- what the build writes, the loader reads -------------------------------------------

def test_a_page_with_one_very_long_line_builds_and_loads(tmp_path):
    long_line = "Meetings " + "x" * 140_000
    text = (PAGES / "minimal.txt").read_text().replace("Phone: 217-555-0182", f"Phone: 217-555-0182\n{long_line}")
    (tmp_path / "page.txt").write_text(text)
    out = tmp_path / "out"
    built = build_files(tmp_path / "page.txt", out, as_of=AS_OF)
    assert long_line in built.organizations[0].notes
    page, organizations = load_built(out)
    assert organizations == built.organizations and page == built.page
    assert open_data_dir(out).organizations == built.organizations


_TEXT = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=40).filter(
    lambda s: not re.search(r"reviewed", s, re.IGNORECASE))
_LONG = st.builds(lambda unit, count: unit * count, st.sampled_from(["x", "é", "字", "𝐀", "a b,\"; "]),
                  st.integers(1_000, 150_000))
_ONE_LINE = lambda s: " ".join(s.split())  # noqa: E731  the page format is line-based


@st.composite
def source_pages(draw) -> str:
    """A structurally valid page: title question, sections, contact blocks, source, review date,
    with arbitrary Unicode in every free-text place and, in one of them, a very long value."""
    values = []

    def value(may_be_long: bool = True) -> str:
        text = _ONE_LINE(draw(_TEXT))
        if may_be_long:  # headings are at most 200 characters, by the page format; a marker shows where
            values.append(f"\x01LONG{len(values)}\x01")
            return text + values[-1]
        return text

    title = "What is dystonia " + value(False).replace("?", "") + "?"
    parts = [title, "Dystonia is " + value() + ". It is a movement disorder."]
    for _ in range(draw(st.integers(0, 2))):
        parts += ["Which question " + value(False).replace("?", "") + "?",
                  "An answer " + value() + ". It ends here."]
    for number in range(draw(st.integers(1, 4))):
        lines = [f"Group {number} " + value(False), "Street " + value(), draw(st.sampled_from(
            ["Springfield, IL 62701", "Toronto, ON M5V 2T6", "Nowhere, ZZ 00000", "Austin, Texas 78767"]))]
        for label in draw(st.lists(st.sampled_from(["Phone", "Toll-free", "Fax", "Email", "Website"]),
                                   min_size=1, max_size=5)):
            lines.append(f"{label}: " + value())
        lines += ["Note " + value() for _ in range(draw(st.integers(0, 2)))]
        parts.append("\n".join(lines))
    parts += ["Source: " + value(), "Last reviewed on: 11/20/2012"]
    text = "\n\n".join(parts) + "\n"
    chosen = draw(st.sampled_from(values)) if values and draw(st.booleans()) else None
    for marker in values:  # one very long value, in a place chosen at random; the other markers go
        text = text.replace(marker, draw(_LONG) if marker == chosen else "", 1)
    return text


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                 HealthCheck.function_scoped_fixture])
@given(source_pages())
def test_whatever_the_build_writes_the_loader_reads(text):
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "page.txt"
        source.write_text(text, encoding="utf-8")
        built = build_files(source, Path(scratch) / "out", as_of=date(2026, 1, 1))
        page, organizations = load_built(Path(scratch) / "out")
        assert page == built.page
        assert organizations == built.organizations
        assert len(open_data_dir(Path(scratch) / "out").organizations) == len(built.organizations)


# --- signature --------------------------------------------------------------------------

def test_signature_changes_when_a_file_changes_or_is_replaced(tmp_path):
    (tmp_path / "page.txt").write_text("a")
    before = signature(tmp_path)
    (tmp_path / "page.txt").write_text("ab")
    assert signature(tmp_path) != before
    again = signature(tmp_path)
    (tmp_path / "page.txt").chmod(0o600)
    assert signature(tmp_path) != again


@pytest.mark.parametrize("make", [
    lambda d: d / "missing",
    lambda d: (d / "file").write_text("x") and d / "file",
    lambda d: str(d) + "\0nul",
    lambda d: (d / "loop").symlink_to(d / "loop") or d / "loop",
    lambda d: ((d / "page.json").symlink_to(d / "gone"), (d / "organizations.csv").symlink_to(d / "organizations.csv"),
               d)[-1],
])
def test_signature_never_raises(tmp_path, make):
    key = signature(make(tmp_path))
    assert isinstance(key, tuple) and key and hash(key) is not None  # usable as a cache key
