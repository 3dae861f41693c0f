"""A page with markup, script and formulas in every field reaches the screen as inert text."""

from __future__ import annotations

import re
import shutil

import pytest

from tests.app.conftest import outside_code, plain, run_page, table
from tests.conftest import PAGES


@pytest.fixture
def hostile(tmp_path, monkeypatch):
    shutil.copy(PAGES / "hostile.txt", tmp_path / "hostile.txt")
    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path))


@pytest.mark.parametrize("page, params", [
    (None, {}), ("directory", {}), ("directory", {"org": "script-window-pwned-1-script-dystonia-group"}),
    ("nearby", {"near": "60601", "radius": "3000"}), ("about", {}),
])
def test_every_page_runs_on_the_hostile_page(hostile, page, params):
    at = run_page(page, params)
    assert not at.exception and not at.error


def _markdown(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [t.value for t in at.title]
    parts += [s.value for s in at.header] + [w.value for w in at.warning]
    return "\n".join(parts)


@pytest.mark.parametrize("page, params", [
    (None, {}), ("directory", {"org": "click-me-javascript-window-pwned-1-blepharospasm-circle"}), ("about", {}),
])
def test_markup_is_escaped_wherever_data_becomes_markdown(hostile, page, params):
    text = outside_code(_markdown(run_page(page, params)))  # code spans are shown literally
    assert "pwned" in text, "the hostile values are on screen"
    assert not re.search(r"(?<!\\)<", text), "every < is escaped, so no tag can open"
    assert not re.search(r"(?<!\\)javascript(?<!\\):", text.replace("javascript\\:", "")), "no live javascript: URL"
    assert not re.search(r"(?<!\\)[${}]", text), "no live LaTeX or template braces"
    assert ":red[" not in text


def test_no_unsafe_link_reaches_the_table_or_the_card(hostile):
    at = run_page("directory", {"org": "script-window-pwned-1-script-dystonia-group"})
    frame = table(at)
    for column in ("Phone", "Email", "Website"):
        for value in frame[column]:
            assert not isinstance(value, str) or value.startswith(("tel:", "mailto:", "http://", "https://")), value
    assert frame.loc[0, ["Phone", "Email", "Website"]].isna().all()  # all three of the first listing are invalid
    buttons = {b.proto.label: b.proto.url for b in at.get("link_button")}
    assert buttons["Directions"].startswith("https://www.google.com/maps/dir/")
    assert buttons["Report a problem with this listing"].startswith("mailto:")
    assert all("javascript" not in url.lower() and "<" not in url for url in buttons.values())


def test_hostile_values_are_shown_as_text(hostile):
    at = run_page("directory", {"org": "script-window-pwned-1-script-dystonia-group"})
    text = _markdown(at)
    assert "\\<script\\>" in text  # escaped, so the browser shows the characters instead of running them
    shown = plain(text)
    assert "<script>window.__pwned=1</script> Dystonia Group" in shown
    assert "Website: javascript:window.__pwned=1" in shown  # shown as text, not linked
    assert '=HYPERLINK("http://evil.example","call")' in shown
