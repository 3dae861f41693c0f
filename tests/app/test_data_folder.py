"""ATLAS_DATA_DIR: built files, a lone source page, and every way a folder can be wrong."""

from __future__ import annotations

import shutil

import pytest

from tests.app.conftest import headings, plain, run_page, table, texts
from tests.conftest import DATA, PAGES, SOURCE

PAGES_TO_OPEN = [None, "directory", "nearby", "about"]


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize("page", PAGES_TO_OPEN)
def test_a_folder_with_only_the_source_page_is_built_on_load(folder, page):
    shutil.copy(SOURCE, folder / "dystonias.txt")
    at = run_page(page)
    assert not at.exception and not at.error
    if page in (None, "directory"):
        assert len(table(at)) == 8
    assert not (folder / "page.json").exists(), "the build happens in memory; the folder is left as it was"


@pytest.mark.parametrize("page", PAGES_TO_OPEN)
def test_another_disorders_page_works(folder, page):
    shutil.copy(PAGES / "spasmodic_dysphonia.txt", folder / "page.txt")
    at = run_page(page, {"near": "Philadelphia, PA"} if page == "nearby" else None)
    assert not at.exception and not at.error
    if page is None:
        assert plain(at.title[0].value) == "What is Spasmodic Dysphonia?"
        assert len(table(at)) == 5


def _error_page(at):
    assert not at.exception
    assert [plain(t.value) for t in at.title] == ["The directory could not be loaded"]
    return texts(at)


def test_empty_folder_shows_the_error_page(folder):
    body = _error_page(run_page())
    assert "holds no data" in body and "How to fix it" in body


def test_missing_folder_shows_the_error_page(folder, monkeypatch):
    monkeypatch.setenv("ATLAS_DATA_DIR", str(folder / "nope"))
    assert "does not exist" in _error_page(run_page("directory"))


def test_corrupt_built_files_show_the_error_page(folder):
    shutil.copy(DATA / "organizations.csv", folder)
    (folder / "page.json").write_text("{ this is not json")
    body = _error_page(run_page())
    assert "damaged" in body and "not valid JSON" in body and "python -m atlas build" in body


def test_half_built_folder_shows_the_error_page(folder):
    shutil.copy(DATA / "page.json", folder)
    assert "organizations.csv is missing" in _error_page(run_page())


def test_unparseable_source_page_shows_the_error_page(folder):
    (folder / "page.txt").write_text("Just some notes about dystonia.\n")
    assert "could not be read" in _error_page(run_page("about"))


def test_binary_source_page_shows_the_error_page(folder):
    (folder / "page.txt").write_bytes(bytes(range(256)) * 4)
    assert "binary" in _error_page(run_page())


def test_several_source_pages_show_the_error_page(folder):
    shutil.copy(SOURCE, folder / "a.txt")
    shutil.copy(PAGES / "minimal.txt", folder / "b.txt")
    assert "several source pages" in _error_page(run_page())


EVERY_PAGE = [(None, {}), ("directory", {}), ("nearby", {}), ("nearby", {"near": "60601"}),
              ("nearby", {"near": "60601", "radius": "100", "focus": "speech"}), ("fit", {"area": "voice"}),
              ("about", {}), ("present", {"present": "1"}), ("present", {"present": "1", "scene": "near"})]


@pytest.mark.parametrize("page, params", EVERY_PAGE)
def test_a_page_that_lists_no_organizations_keeps_every_page_working(folder, page, params):
    """A saved copy cut short before its organizations: the sections show, and every page says plainly
    that there is no organization, with empty maps and tables instead of errors."""
    shutil.copy(PAGES / "essential_tremor_cut_short.txt", folder / "page.txt")
    at = run_page(page, params)
    assert not at.exception, [e.value for e in at.exception]
    body = texts(at)
    if page is None:
        assert "Essential Tremor" in plain(at.title[0].value) and len(headings(at)) >= 2
        assert "lists no organizations" in body and len(table(at)) == 0
    if page in ("directory", "nearby") and not params:
        assert "lists no organizations" in body
    if page == "nearby" and params:
        assert "no organizations" in body or "nothing to rank" in body
    if page == "about":
        assert "no listings to check" in body


@pytest.mark.parametrize("name", ["essential_tremor_information_page.html", "essential_tremor_on_this_page.html"])
def test_a_page_saved_from_a_browser_opens_like_its_text(folder, name):
    shutil.copy(PAGES / name, folder / name)
    at = run_page()
    assert not at.exception and not at.error
    assert "Essential Tremor" in plain(at.title[0].value)
    assert len(table(at)) >= 1 and "<" not in texts(at).replace("\\<", "")


def test_a_changed_folder_is_noticed_within_a_second_and_looked_at_once_a_second(folder, monkeypatch):
    import ui.data

    clock = [1000.0]
    looks = []
    real = ui.data.signature
    monkeypatch.setattr(ui.data, "_clock", lambda: clock[0])
    monkeypatch.setattr(ui.data, "signature", lambda f: looks.append(f) or real(f))
    shutil.copy(SOURCE, folder / "dystonias.txt")
    at = run_page("directory")
    assert len(table(at)) == 8
    at.run()
    run_page()
    assert len(looks) == 1, "within the second, reruns and new sessions share one look at the folder"
    renamed = SOURCE.read_text().replace("American Dystonia Society", "Atlas Test Society")
    (folder / "dystonias.txt").write_text(renamed)
    clock[0] += ui.data.SIGNATURE_SECONDS
    at.run()
    assert len(looks) == 2 and "Atlas Test Society" in list(table(at)["Organization"])
