"""`python -m atlas build|check`, run as a user would: in a subprocess."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import DATA, PAGES, ROOT, SOURCE


def atlas(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "atlas", *args], cwd=cwd, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "ATLAS_GEOCODE_CACHE": "off", "HOME": "/nonexistent"},
                          timeout=60)


def test_build_reproduces_the_committed_files_byte_for_byte(tmp_path):
    result = atlas("build", str(SOURCE), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "built 8 organizations and 4 sections" in result.stdout
    for name in ("page.json", "organizations.csv"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_build_of_another_page(tmp_path):
    result = atlas("build", str(PAGES / "spasmodic_dysphonia.txt"), "--out", str(tmp_path), "--as-of", "2025-01-01")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "organizations.csv").read_text().count("\n") == 6
    assert '"quality_flags": []' in (tmp_path / "page.json").read_text()


def _junk(tmp_path):
    binary = tmp_path / "binary.txt"
    binary.write_bytes(bytes(range(256)))
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    prose = tmp_path / "prose.txt"
    prose.write_text("Dystonia is a movement disorder.\n\nIt has many forms.\n")
    return {"missing": tmp_path / "missing.txt", "empty": empty, "binary": binary, "unparseable": prose}


@pytest.mark.parametrize("kind", ["missing", "empty", "binary", "unparseable"])
def test_bad_source_exits_non_zero_with_one_line_and_writes_nothing(tmp_path, kind):
    source = _junk(tmp_path)[kind]
    out = tmp_path / "out"
    result = atlas("build", str(source), "--out", str(out))
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("python -m atlas build: error:"), result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_failed_build_leaves_previous_files_untouched(tmp_path):
    assert atlas("build", str(SOURCE), "--out", str(tmp_path)).returncode == 0
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    bad = tmp_path / "bad.txt"
    bad.write_text("Dystonia is a movement disorder.\n\nIt has many forms.\n")  # no question, no groups
    assert atlas("build", str(bad), "--out", str(tmp_path)).returncode == 1
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.name != "bad.txt"} == before


def test_check_prints_the_report():
    result = atlas("check", str(DATA))
    assert result.returncode == 0, result.stderr
    assert "stale-source" in result.stdout and "phone-region-mismatch" in result.stdout


def test_check_on_a_folder_without_data_fails_clearly(tmp_path):
    result = atlas("check", str(tmp_path))
    assert result.returncode == 1
    assert "page.json is missing" in result.stderr and "Traceback" not in result.stderr


def test_bad_options_give_one_line():
    result = atlas("build")
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    result = atlas("build", str(SOURCE), "--as-of", "yesterday")
    assert result.returncode == 2 and "YYYY-MM-DD" in result.stderr


# --- export -----------------------------------------------------------------------------

@pytest.mark.parametrize("fmt, check", [
    ("csv", lambda data: data.decode("utf-8-sig").splitlines()[0].startswith("name,focus")),
    ("geojson", lambda data: __import__("json").loads(data)["type"] == "FeatureCollection"),
    ("kml", lambda data: __import__("xml.etree.ElementTree", fromlist=["x"]).fromstring(data).tag.endswith("kml")),
    ("vcf", lambda data: data.startswith(b"BEGIN:VCARD\r\nVERSION:4.0\r\n")),
    ("pdf", lambda data: data.startswith(b"%PDF-")),
    ("png", lambda data: data.startswith(b"\x89PNG\r\n\x1a\n")),
])
def test_export_every_format(tmp_path, fmt, check):
    out = tmp_path / f"view.{fmt}"
    result = atlas("export", "--format", fmt, "--focus", "torticollis", "--data", str(DATA), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "wrote 6 organizations (Torticollis and general dystonia groups)" in result.stdout
    assert check(out.read_bytes())


def test_export_near_a_place_with_a_radius(tmp_path):
    out = tmp_path / "near.csv"
    result = atlas("export", "--format", "csv", "--near", "60601", "--radius", "100", "--data", str(DATA),
                   "--out", str(out))
    assert result.returncode == 0, result.stderr
    rows = out.read_text(encoding="utf-8-sig").splitlines()
    assert len(rows) == 3 and rows[1].startswith("Dystonia Medical Research Foundation,")


@pytest.mark.parametrize("radius, in_link", [("100", True), ("5000", False), ("10", False)])
def test_a_handouts_link_carries_only_a_radius_the_app_takes(tmp_path, radius, in_link):
    import pypdf

    out = tmp_path / "near.pdf"
    result = atlas("export", "--format", "pdf", "--near", "60601", "--radius", radius, "--data", str(DATA),
                   "--url", "https://atlas.example.org", "--out", str(out))
    assert result.returncode == 0, result.stderr
    uris = [str(annotation.get_object()["/A"]["/URI"]) for pdf_page in pypdf.PdfReader(out).pages
            for annotation in pdf_page.get("/Annots") or () if "/URI" in annotation.get_object().get("/A", {})]
    links = [uri for uri in uris if uri.startswith("https://atlas.example.org/nearby")]
    assert links and all(("radius=" in uri) == in_link and "near=60601" in uri for uri in links), uris
    assert ("without the" in result.stderr) != in_link and ("25 to 3,000 miles" in result.stderr) != in_link


def test_export_from_a_folder_with_only_a_source_page(tmp_path):
    folder = tmp_path / "page"
    folder.mkdir()
    (folder / "page.txt").write_text((PAGES / "minimal.txt").read_text())
    result = atlas("export", "--format", "geojson", "--data", str(folder), "--out", str(tmp_path / "x.geojson"))
    assert result.returncode == 0, result.stderr and "wrote 3 organizations" in result.stdout


@pytest.mark.parametrize("args, code, message", [
    (["--format", "doc"], 2, "invalid choice: 'doc'"),
    (["--format", "csv", "--focus", "necks"], 2, "invalid choice: 'necks'"),
    (["--format", "csv", "--radius", "ten"], 2, "not a number of miles"),
    (["--format", "csv", "--radius", "50"], 1, "--radius needs --near"),
    (["--format", "csv", "--near", "abcde"], 1, 'No US place matches "abcde"'),
    (["--format", "csv", "--state", "ZZ"], 1, "no organization matches this view"),
    (["--format", "csv", "--focus", "speech", "--no-general", "--state", "CA"], 1, "nothing was written"),
])
def test_export_refuses_with_one_clear_line(tmp_path, args, code, message):
    out = tmp_path / "out.file"
    result = atlas("export", *args, "--data", str(DATA), "--out", str(out))
    assert result.returncode == code
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in result.stderr
    assert not out.exists()


def test_export_without_out_is_a_usage_error():
    result = atlas("export", "--format", "csv")
    assert result.returncode == 2 and "--out" in result.stderr


# --- a build that cannot write changes nothing ----------------------------------------------

def _files_under(folder):
    return sorted((str(p.relative_to(folder)), p.read_bytes() if p.is_file() else None) for p in folder.rglob("*"))


@pytest.mark.parametrize("make, at_fault", [
    (lambda out: out.write_text("an ordinary file"), ""),
    (lambda out: (out.mkdir(), (out / "page.json").mkdir()), "/page.json"),
    (lambda out: (out.mkdir(), (out / "page.json").write_text('{"old": true}\n'), (out / "organizations.csv").mkdir()),
     "/organizations.csv"),
])
def test_a_build_that_cannot_write_its_out_folder_says_so_in_one_line_and_changes_nothing(tmp_path, make, at_fault):
    work = tmp_path / "work"
    work.mkdir()
    out = work / "out"
    make(out)
    before = _files_under(work)
    result = atlas("build", str(SOURCE), "--out", str(out))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"python -m atlas build: error: cannot write {out}{at_fault}: "), lines
    assert _files_under(work) == before


# --- what the command line prints ---------------------------------------------------------

def test_an_export_cut_at_the_ranking_limit_says_so(tmp_path):
    assert atlas("synth", "12000", "--out", str(tmp_path / "big")).returncode == 0
    out = tmp_path / "near.csv"
    result = atlas("export", "--format", "csv", "--data", str(tmp_path / "big"), "--near", "60601", "--out", str(out))
    assert result.returncode == 0, result.stderr
    import csv

    with out.open(encoding="utf-8-sig", newline="") as handle:
        assert sum(1 for _ in csv.reader(handle)) == 10_001  # the header and the nearest 10,000
    assert "nearest 10,000 of 12,000 matching" in result.stderr and "--radius" in result.stderr
    whole = atlas("export", "--format", "csv", "--data", str(tmp_path / "big"), "--near", "60601", "--radius", "300",
                  "--out", str(tmp_path / "within.csv"))
    assert whole.returncode == 0 and whole.stderr == ""


ESCAPES = "\x1b]0;pwned\x07\x1b[2J\u202e\x9b"


def _raw_controls(text: str) -> list[str]:
    return [ch for ch in text if not ch.isprintable() and ch != "\n"]


@pytest.mark.parametrize("args", [
    ["export", "--format", "csv", "--data", str(DATA), "--q", ESCAPES],
    ["export", "--format", "csv", "--data", str(DATA), "--state", ESCAPES],
    ["export", "--format", ESCAPES, "--data", str(DATA)],
    ["export", "--format", "csv", ESCAPES],
    ["export", "--format", "csv", "--data", str(DATA) + ESCAPES],
])
def test_control_characters_in_arguments_are_shown_not_sent_to_the_terminal(tmp_path, args):
    result = atlas(*args, "--out", str(tmp_path / "out.csv"))
    assert result.returncode in (1, 2) and "Traceback" not in result.stderr
    assert not _raw_controls(result.stderr), result.stderr
    assert r"\x1b]0;pwned\x07\x1b[2j\u202e\x9b" in result.stderr.lower()  # --state is upper-cased
    assert len(result.stderr.strip().splitlines()) == 1


def test_control_characters_in_the_data_are_shown_not_sent_to_the_terminal(tmp_path):
    import json

    page = json.loads((DATA / "page.json").read_text())
    page["title"] = "What are Dystonias?\x1b]0;pwned\x07"
    (tmp_path / "page.json").write_text(json.dumps(page))
    (tmp_path / "organizations.csv").write_text((DATA / "organizations.csv").read_text().replace(
        "American Dystonia Society", "American \x1b[2JDystonia\u202e Society"))
    result = atlas("check", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert not _raw_controls(result.stdout)
    assert r"What are Dystonias?\x1b]0;pwned\x07" in result.stdout
    assert r"American \x1b[2JDystonia\u202e Society" in result.stdout
