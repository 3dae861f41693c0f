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
    bad.write_text("What is X?\n\nBody only.\n")
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
