"""Faults in the data the fast loader and the writer must not let through.

`load_atlas` (the app, `export`) reads built files with Arrow; `python -m atlas check` and
`open_data_dir` read them with the careful reader of atlas.ingest.files. A file one of them
refuses, the other refuses; a file both read gives the same records. Writing the built files
changes both or neither.
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import atlas.atomic
import atlas.ingest.build
from atlas.atomic import atomic_write_many
from atlas.directory.load import _SPACE, load_atlas, read_built_table
from atlas.errors import DataDirError, DataError, SourceError
from atlas.ingest.build import build_files, open_data_dir
from atlas.ingest.files import MAX_FIELD_CHARS, MAX_PAGE_JSON_BYTES, load_built, read_page_json
from tests.conftest import AS_OF, DATA, PAGES, ROOT, SOURCE

CSV_TEXT = (DATA / "organizations.csv").read_text(encoding="utf-8")
PAGE_TEXT = (DATA / "page.json").read_text(encoding="utf-8")
LINES = CSV_TEXT.splitlines(keepends=True)
POINT = "41.885800,-87.618100"  # the first organization's map point, on line 2


def folder_with(tmp_path: Path, csv_data: str | bytes = CSV_TEXT, page: str | bytes = PAGE_TEXT) -> Path:
    folder = tmp_path / "data"
    folder.mkdir(exist_ok=True)
    for name, content in (("organizations.csv", csv_data), ("page.json", page)):
        (folder / name).write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return folder


def records(atlas) -> list:
    return list(atlas.organizations)


# --- what `check` refuses, the loader refuses -------------------------------------------

DAMAGED = {
    "letters for a map point": (CSV_TEXT.replace(POINT, "abc,xyz"), "line 2 has a coordinate that is not usable"),
    "nan for a map point": (CSV_TEXT.replace(POINT, "nan,nan"), "line 2 has a coordinate that is not usable"),
    "infinite map point": (CSV_TEXT.replace(POINT, "inf,-inf"), "line 2 has a coordinate that is not usable"),
    "a blank for a number": (CSV_TEXT.replace(POINT, " ,-87.618100"), "line 2 has a latitude without a longitude"),
    "website_derived maybe": (CSV_TEXT.replace(",postal_code,,yes,", ",postal_code,,maybe,", 1),
                              "line 2 has website_derived 'maybe'"),
    "text after a closing quote": (CSV_TEXT.replace(",Chicago,", ',"Chicago"x,', 1), "line 2 is not valid CSV"),
    "a blank line": ("".join(LINES[:3]) + "\n" + "".join(LINES[3:]), "line 4 is blank"),
    "a blank line at the end": (CSV_TEXT + "\n", "line 10 is blank"),
    "a blank line in CRLF": (CSV_TEXT.replace("\n", "\r\n") + "\r\n", "line 10 is blank"),
    "a cell over the length limit": (CSV_TEXT.replace(",Chicago,", ',"' + "C" * (MAX_FIELD_CHARS + 1) + '",', 1),
                                     "line 2 is not valid CSV"),
    "a quoted cell left open": (CSV_TEXT + 'x,"y\n', "the file ends inside a quoted cell"),
}


@pytest.mark.parametrize("name", list(DAMAGED))
def test_the_loader_refuses_what_check_refuses_naming_the_file_and_line(tmp_path, name):
    text, message = DAMAGED[name]
    folder = folder_with(tmp_path, text)
    with pytest.raises(DataError, match=re.escape(message)):
        load_built(folder)  # what `python -m atlas check` reads
    with pytest.raises(DataDirError) as error:
        load_atlas(folder)  # what the app and `python -m atlas export` read
    assert "organizations.csv" in error.value.problem and message in error.value.problem
    assert "python -m atlas build" in error.value.fix and len(error.value.problem) < 2_000


def test_export_of_a_damaged_folder_fails_as_check_does(tmp_path):
    folder = folder_with(tmp_path, CSV_TEXT.replace(POINT, "abc,xyz"))
    out = tmp_path / "out.csv"
    for args in (["check", str(folder)], ["export", "--format", "csv", "--data", str(folder), "--out", str(out)]):
        result = subprocess.run([sys.executable, "-m", "atlas", *args], cwd=ROOT, capture_output=True, text=True,
                                env={"PATH": "/usr/bin:/bin", "ATLAS_GEOCODE_CACHE": "off", "HOME": "/nonexistent"},
                                timeout=120)
        assert result.returncode == 1 and "line 2 has a coordinate" in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr
    assert not out.exists()


# --- what both read, both read the same ---------------------------------------------------

def _synthetic(tmp_path: Path) -> Path:
    from atlas.ingest.synth import write_folder

    return write_folder(300, tmp_path / "synth")  # quotes, commas and formula guards in its cells


def _hostile(tmp_path: Path) -> Path:
    build_files(PAGES / "hostile.txt", tmp_path / "hostile", as_of=AS_OF)
    return tmp_path / "hostile"


def _text(text: str):
    return lambda tmp_path: folder_with(tmp_path, text)


# name: (the folder, whether the fast reader takes it: ordinary files must not go the slow way)
WHOLE = {
    "the committed files": (lambda tmp_path: DATA, True),
    "a synthetic directory": (_synthetic, True),
    "a page of hostile values, built": (_hostile, True),
    "a byte-order mark": (_text("\ufeff" + CSV_TEXT), True),
    "a doubled quote": (_text(CSV_TEXT.replace(",Chicago,", ',"Chi""cago""",', 1)), True),
    "a formula guard": (_text(CSV_TEXT.replace(",Chicago,", ",'=Chicago,", 1)), True),
    "line breaks inside a quoted cell, in a CRLF file":
        (_text(CSV_TEXT.replace("\n", "\r\n").replace(",Chicago,", ',"Chi\r\ncago\rIL",', 1)), True),
    "a quote inside a cell that is not quoted": (_text(CSV_TEXT.replace(",Chicago,", ',Chi"cago,', 1)), False),
    "an id and a name with spaces around them": (_text(CSV_TEXT.replace(
        "dystonia-medical-research-foundation,Dystonia Medical Research Foundation,",
        '" dystonia-medical-research-foundation","Dystonia Medical Research Foundation\u3000",', 1)), False),
    "website_derived with spaces and capitals": (_text(CSV_TEXT.replace(",postal_code,,yes,", ",postal_code,, YES ,", 1)),
                                                 False),
}


@pytest.mark.parametrize("name", list(WHOLE))
def test_a_file_both_readers_take_loads_with_the_same_values(tmp_path, name):
    make, fast = WHOLE[name]
    folder = make(tmp_path)
    page, organizations = load_built(folder)
    atlas = load_atlas(folder)
    assert records(atlas) == organizations and atlas.page == page
    assert atlas.ids == [o.id for o in organizations]
    assert (read_built_table(folder) is not None) == fast


def test_the_white_space_class_is_what_python_strips():
    import pyarrow as pa
    import pyarrow.compute as pc

    characters = [chr(code) for code in range(0x110000) if not 0xD800 <= code < 0xE000]
    matched = pc.match_substring_regex(pa.array(characters), f"^{_SPACE}$").to_pylist()
    assert [ch for ch, hit in zip(characters, matched) if hit] == [ch for ch in characters if ch.isspace()]


_TOKENS = ["", " ", "x", '"', '""', ",", "\n", "\r\n", "\r", "'", ";", "\x00", "\u3000", "\u200b", "\x1c", "é",
           "nan", "inf", "-91", "1e1", "1_0", " 5", "yes", "YES", "no", "maybe", "general", "speech", "necks",
           "po-box", "bogus", "city", "none", "street", "dystonia-medical-research-foundation"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(1, len(LINES) - 1), st.integers(0, 19),
                                st.lists(st.sampled_from(_TOKENS), max_size=3)), min_size=1, max_size=3),
       crlf=st.booleans(), quote_all=st.booleans())
def test_the_fast_loader_agrees_with_the_careful_reader(tmp_path, edits, crlf, quote_all):
    rows = list(csv.reader(io.StringIO(CSV_TEXT, newline="")))
    for row, column, parts in edits:
        rows[row][column] = "".join(parts)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n" if crlf else "\n",
               quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL).writerows(rows)
    folder = folder_with(tmp_path, buffer.getvalue())
    try:
        expected = load_built(folder)[1]
    except DataError:
        with pytest.raises(DataDirError):
            load_atlas(folder)
        return
    assert records(load_atlas(folder)) == expected


# --- page.json: the size is checked before it is read; a byte-order mark is not a fault ------

def test_a_page_json_larger_than_any_build_is_refused_before_it_is_read(tmp_path):
    folder = folder_with(tmp_path)
    with open(folder / "page.json", "r+b") as handle:
        handle.truncate(MAX_PAGE_JSON_BYTES + 1)  # sparse: no disk used
    with pytest.raises(DataError, match="too large"):
        read_page_json(folder / "page.json")
    with pytest.raises(DataDirError, match="too large"):
        load_atlas(folder)


def test_check_of_a_page_json_of_gigabytes_fails_clearly_within_little_memory(tmp_path):
    folder = folder_with(tmp_path)
    with open(folder / "page.json", "r+b") as handle:
        handle.truncate(2_500_000_000)
    probe = ("import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30)); "
             "from atlas.cli import main; sys.exit(main(['check', sys.argv[1]]))")
    result = subprocess.run([sys.executable, "-c", probe, str(folder)], cwd=ROOT, capture_output=True, text=True,
                            env={"PATH": "/usr/bin:/bin", "ATLAS_GEOCODE_CACHE": "off", "HOME": "/nonexistent",
                                 "PYTHONPATH": str(ROOT)}, timeout=120)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "page.json is too large (2,500,000,000 bytes" in result.stderr


def test_a_page_json_with_a_byte_order_mark_loads_like_one_without(tmp_path):
    folder = folder_with(tmp_path, page=b"\xef\xbb\xbf" + PAGE_TEXT.encode("utf-8"))
    page = read_page_json(DATA / "page.json")
    assert load_built(folder)[0] == page
    assert open_data_dir(folder).page == page
    assert load_atlas(folder).page == page


# --- a page the reader cannot descend into ------------------------------------------------

def test_a_page_nested_too_deeply_is_a_data_folder_error(tmp_path, monkeypatch):
    (tmp_path / "deep.html").write_text("<html><body>" + "<div>" * 50 + "</body></html>")

    def too_deep(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(atlas.ingest.build, "read_source", too_deep)  # where a saved page is parsed
    with pytest.raises(DataDirError) as error:
        load_atlas(tmp_path)
    assert "deep.html is nested too deeply" in error.value.problem and "Save the page again" in error.value.fix
    with pytest.raises(SourceError, match="nested too deeply"):
        build_files(tmp_path / "deep.html", tmp_path / "out")
    assert not (tmp_path / "out").exists()


# --- writing: both files or neither ---------------------------------------------------------

def _old_files(folder: Path) -> dict[str, bytes]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "page.json").write_bytes(b'{"old": "page"}\n')
    (folder / "organizations.csv").write_bytes(b"old,organizations\n")
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def _second_move_fails(monkeypatch, error: OSError):
    """The second file moved into place fails with `error` (naming its temporary file); returns os.replace."""
    real, calls = os.replace, []

    def failing_second(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise type(error)(error.errno, error.strerror, str(src))
        return real(src, dst)

    monkeypatch.setattr(atlas.atomic.os, "replace", failing_second)
    return real


def test_a_move_that_fails_midway_puts_the_old_files_back(tmp_path, monkeypatch):
    folder = tmp_path / "out"
    before = _old_files(folder)
    real = _second_move_fails(monkeypatch, OSError(28, "No space left on device"))
    with pytest.raises(OSError) as error:
        atomic_write_many({folder / "page.json": b"new page", folder / "organizations.csv": b"new rows"})
    assert error.value.filename == str(folder / "organizations.csv")  # the destination, not a temporary name
    monkeypatch.setattr(atlas.atomic.os, "replace", real)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # no stray temporary or kept file


def test_a_move_that_fails_midway_removes_a_file_that_was_not_there(tmp_path, monkeypatch):
    folder = tmp_path / "out"
    folder.mkdir()
    _second_move_fails(monkeypatch, PermissionError(13, "Permission denied"))
    with pytest.raises(PermissionError):
        atomic_write_many({folder / "a": b"1", folder / "b": b"2"})
    assert list(folder.iterdir()) == []


def test_a_folder_that_refuses_new_files_leaves_the_build_unwritten(tmp_path, monkeypatch):
    folder = tmp_path / "out"
    before = _old_files(folder)
    real = atlas.atomic.tempfile.mkstemp

    def read_only(*args, prefix="", **kwargs):
        if prefix.startswith(".organizations.csv"):
            raise PermissionError(13, "Permission denied", str(folder / f"{prefix}xyz.tmp"))
        return real(*args, prefix=prefix, **kwargs)

    monkeypatch.setattr(atlas.atomic.tempfile, "mkstemp", read_only)
    with pytest.raises(DataError, match=re.escape(f"cannot write {folder / 'organizations.csv'}: Permission denied")):
        build_files(SOURCE, folder, as_of=AS_OF)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


@pytest.mark.parametrize("make, at_fault", [
    (lambda out: out.write_text("a file"), lambda out: out),
    (lambda out: (out.mkdir(), (out / "page.json").mkdir()), lambda out: out / "page.json"),
    (lambda out: (_old_files(out), (out / "organizations.csv").unlink(), (out / "organizations.csv").mkdir()),
     lambda out: out / "organizations.csv"),
])
def test_a_destination_that_cannot_take_a_file_is_found_before_anything_is_replaced(tmp_path, make, at_fault):
    work = tmp_path / "work"
    work.mkdir()
    out = work / "out"
    make(out)

    def snapshot():
        return sorted((str(p), p.read_bytes() if p.is_file() else None) for p in work.rglob("*"))

    before = snapshot()
    with pytest.raises(DataError, match=re.escape(f"cannot write {at_fault(out)}:")):
        build_files(SOURCE, out, as_of=AS_OF)
    assert snapshot() == before
