"""Faults a review found in reading source pages: each input ends in a page, or in a SourceError
that says what is wrong, never in a traceback, a hang or an organization that silently vanishes.

Speed is not timed here (benchmarks time things): a parse that re-reads its input for every item
is caught by counting the lines of Python it runs, which grow with the square of the input."""

from __future__ import annotations

import os
import sys
import threading
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atlas.errors import OverridesError
from atlas.ingest.build import build_files
from atlas.ingest.files import PAGE_FILE, page_from_json, page_to_json
from atlas.ingest.source import (
    MAX_NAME_CHARS,
    MAX_SOURCE_BYTES,
    MAX_WEB_PAGE_BYTES,
    SourceError,
    _unique_ids,
    parse_page,
    read_source,
)
from atlas.ingest.tags import MAX_OVERRIDES_BYTES, Overrides
from atlas.ingest.webpage import html_to_text
from tests.conftest import SOURCE

HEAD = "What is X?\n\nBody.\n\n"
ORG = "X Society\n1 Main St\nDenver, CO 80202\nPhone: 303-555-0100"
FOOTER = "\n\nSource: NINDS\n\nThis document was last reviewed on: 11/20/2012...#6006"
COMMITTED = SOURCE.read_text(encoding="utf-8")
COMMITTED_NAMES = [org.name for org in parse_page(COMMITTED).organizations]


def _python_lines(function, *args) -> int:
    """How many lines of Python a call runs: the same on every machine, unlike its time."""
    count = 0

    def trace(frame, event, arg):
        nonlocal count
        count += 1
        return trace

    sys.settrace(trace)
    try:
        function(*args)
    finally:
        sys.settrace(None)
    return count


def _grows_linearly(function, make) -> bool:
    """Four times the input costs about four times the work (a quadratic parse costs sixteen)."""
    return _python_lines(function, make(1200)) < 6 * _python_lines(function, make(300))


def _finished(call, timeout: float = 30):
    """What `call` returned or raised, run in a thread: a call that waits on a pipe fails the test instead of
    hanging it (the waiting thread is a daemon)."""
    outcome: list = []

    def run():
        try:
            outcome.append(call())
        except BaseException as exc:  # the test looks at what was raised
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    assert outcome, "the call is still waiting"
    return outcome[0]


# --- the title question opens the first section, whatever it looks like ---------------------

def test_a_title_question_that_names_a_po_box_opens_the_first_section():
    page = parse_page("What is P.O. Box 12?\n\nA post-office box is a box at a post office.\n").page
    assert [(s.heading, s.body) for s in page.sections] == [
        ("What is P.O. Box 12?", "A post-office box is a box at a post office.")]


@pytest.mark.parametrize("text", [
    "What are Dystonias?\nEmail: info@example.org\nThe dystonias are movement disorders.\n",
    "Dystonia\n\nWhat are Dystonias?\nEmail: info@example.org\nThe dystonias are movement disorders.\n",
])
def test_a_contact_line_under_the_title_question_is_a_source_error(text):
    with pytest.raises(SourceError, match='"Email: info@example.org"'):
        parse_page(text)


def test_a_page_with_no_section_is_refused_and_nothing_is_written(tmp_path):
    """The build used to write a page.json with no sections, which its own loader refuses."""
    page = tmp_path / "page.txt"
    page.write_text("Dystonia\n\nWhat are Dystonias?\nEmail: info@example.org\nThe dystonias are movement disorders.\n")
    with pytest.raises(SourceError, match="title question"):
        build_files(page, tmp_path / "out")
    assert not (tmp_path / "out" / PAGE_FILE).exists()


_noise = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_noise, st.sampled_from(["", "Email: a@b.org", "Denver, CO 80202", "P.O. Box 9",
                                                   "Is it?", "Source: S", "Last reviewed on: 1/1/2020"])),
                max_size=12), st.sampled_from(["What is X?", "What is P.O. Box 1?", "Title\n\nWhat is X?"]))
def test_whatever_parses_has_a_section_and_its_page_file_loads(lines, opening):
    try:
        page = parse_page("\n".join([opening, *lines])).page
    except SourceError:
        return
    assert page.sections
    assert page_from_json(page_to_json(page)) == page


# --- saved web pages ----------------------------------------------------------------------

@pytest.mark.parametrize("start", ["²", "٣", "9" * 5000])
def test_a_numbered_list_with_an_unusable_start_counts_from_one(start):
    text = html_to_text(f'<html><body><h2>What is X?</h2><ol start="{start}"><li>a</li><li>b</li></ol></body></html>')
    assert text == "What is X?\n\n1. a\n2. b\n"


def test_identical_items_of_a_numbered_list_keep_their_own_numbers():
    text = html_to_text('<html><body><ol start="7"><li>Rest.</li><li>Rest.</li><li>Ice.</li></ol></body></html>')
    assert text == "7. Rest.\n8. Rest.\n9. Ice.\n"


@pytest.mark.parametrize("tag", ["div", "ul", "pre", "aside", "span"])
def test_markup_nested_thousands_deep_is_read(tag):
    depth = 5000
    html = ("<html><body><main><h2>What is X?</h2>" + f"<{tag}>" * depth + "Body text."
            + f"</{tag}>" * depth + "</main></body></html>")
    assert "Body text." in html_to_text(html)


def test_a_deeply_nested_saved_page_builds_like_its_text(tmp_path):
    paragraphs = COMMITTED.split("\n\n")
    body = "".join("<p>" + paragraph.replace("\n", "<br>") + "</p>" for paragraph in paragraphs)
    page = tmp_path / "page.html"
    page.write_text("<html><body>" + "<div>" * 600 + body + "</div>" * 600 + "</body></html>")
    assert [org.name for org in parse_page(read_source(page)).organizations] == COMMITTED_NAMES


def test_a_long_numbered_list_is_numbered_in_linear_time():
    assert _grows_linearly(html_to_text, lambda n: "<html><body><ol>" + "<li>a</li>" * n + "</ol></body></html>")


# --- long inputs far below the size limits ------------------------------------------------

def test_a_long_loose_list_is_one_list_read_in_linear_time():
    def page(n):
        return HEAD.replace("Body.", "Steps:") + "\n\n".join([f"- step {i}" for i in range(n)])
    assert parse_page(page(500)).page.sections[0].blocks()[1] == ("list", [f"step {i}" for i in range(500)])
    assert _grows_linearly(parse_page, page)


def test_many_organizations_with_one_name_get_their_ids_in_linear_time():
    assert _unique_ids(["X", "X 2", "X", "X", ""]) == ["x", "x-2", "x-3", "x-4", "organization-5"]
    assert _grows_linearly(_unique_ids, lambda n: ["Support Group"] * n)


def test_a_parenthesis_left_open_wraps_the_name_no_further_than_a_names_length():
    lines = [f"Room {n}" for n in range(300)]
    block = "\n".join(["Dystonia Friends (DF", *lines, "Denver, CO 80202", "Phone: 303-555-0100"])
    org = parse_page(HEAD + block).organizations[0]
    wrapped = org.name.count("Room ")
    assert 0 < wrapped < 20 and len(org.name) <= MAX_NAME_CHARS
    assert org.name == " ".join(["Dystonia Friends (DF", *lines[:wrapped]])
    assert org.street == "; ".join(lines[wrapped:])  # every line is kept, as the address
    assert org.city == "Denver" and org.phone == "(303) 555-0100"


# --- what the build reads must be a file of a sane size -------------------------------------

def test_a_pipe_as_the_source_is_refused_without_waiting(tmp_path):
    fifo = tmp_path / "page.txt"
    os.mkfifo(fifo)
    error = _finished(lambda: read_source(fifo))
    assert isinstance(error, SourceError) and "not a regular file" in str(error)


def test_a_device_as_the_source_is_refused():
    with pytest.raises(SourceError, match="not a regular file"):
        read_source("/dev/null")


@pytest.mark.parametrize("name, limit", [("page.txt", MAX_SOURCE_BYTES), ("page.html", MAX_WEB_PAGE_BYTES)])
def test_a_huge_source_is_refused_before_it_is_read(tmp_path, name, limit):
    huge = tmp_path / name
    with open(huge, "wb") as handle:
        handle.write(b"What is X?\n\n")
        handle.truncate(2 * MAX_WEB_PAGE_BYTES)  # sparse: takes no disk
    tracemalloc.start()
    try:
        with pytest.raises(SourceError, match=f"too large .*the limit is {limit:,}"):
            read_source(huge)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000


def test_a_pipe_or_a_huge_file_as_the_override_file_is_refused_without_reading_it(tmp_path):
    fifo = tmp_path / "overrides.csv"
    os.mkfifo(fifo)
    error = _finished(lambda: build_files(SOURCE, tmp_path / "out", overrides_path=fifo))
    assert isinstance(error, OverridesError) and "not a regular file" in str(error)
    huge = tmp_path / "huge.csv"
    with open(huge, "wb") as handle:
        handle.truncate(2 * MAX_OVERRIDES_BYTES)
    tracemalloc.start()
    try:
        with pytest.raises(OverridesError, match="too large"):
            Overrides.load(huge)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000


# --- the footer is what follows the last organization, and only that ------------------------

def _committed_with(before: str, insert: str) -> str:
    assert before in COMMITTED
    return COMMITTED.replace(before, insert + before, 1)


def test_a_heading_between_organizations_is_a_source_error_naming_it():
    text = _committed_with("American Dystonia Society\n", "Other organizations\n\n")
    with pytest.raises(SourceError, match='"Other organizations" stands between organizations'):
        parse_page(text)


def test_an_organization_named_with_a_full_stop_and_no_contact_line_is_kept():
    text = _committed_with("American Dystonia Society\n", "Dystonia Society UK Ltd.\n12 High Street\nLondon W1 2AB\n\n")
    names = [org.name for org in parse_page(text).organizations]
    assert names == [*COMMITTED_NAMES[:-1], "Dystonia Society UK Ltd.", COMMITTED_NAMES[-1]]
    last = parse_page(HEAD + ORG + "\n\nDystonia Society UK Ltd.\n12 High Street\nLondon W1 2AB" + FOOTER)
    assert [org.name for org in last.organizations] == ["X Society", "Dystonia Society UK Ltd."]
    assert last.page.source == "NINDS" and last.page.reviewed_on.year == 2012


@pytest.mark.parametrize("paragraph", ["Treatment guidelines were last updated on March 3, 2010.",
                                       "Source: of much confusion is the name of the disorder."])
def test_a_section_paragraph_that_reads_like_a_footer_stays_in_its_section(paragraph):
    text = _committed_with("Is there any treatment?", paragraph + "\n\n")
    parsed = parse_page(text)
    assert parsed.page.sections[0].body.endswith(paragraph)
    assert [org.name for org in parsed.organizations] == COMMITTED_NAMES
    assert parsed.page.reviewed_on.year == 2012 and parsed.page.source.startswith("National Institutes")
    only = parse_page(f"What is X?\n\n{paragraph}\n\nIs there any treatment?\n\nRest.\n\n{ORG}{FOOTER}")
    assert only.page.sections[0].body == paragraph


def test_a_date_mentioned_in_the_last_section_does_not_start_the_footer():
    parsed = parse_page("What is X?\n\nTreatment guidelines were last updated on March 3, 2010.\n\nMore text." + FOOTER)
    assert parsed.page.sections[0].body.endswith("More text.") and parsed.page.reviewed_on.year == 2012


def test_an_organization_that_says_when_its_listing_was_updated_is_kept():
    text = COMMITTED.replace("Fax: 718.601.5112\n", "Fax: 718.601.5112\nListing last updated May 1, 2011\n", 1)
    parsed = parse_page(text)
    assert [org.name for org in parsed.organizations] == COMMITTED_NAMES
    assert "Listing last updated May 1, 2011" in parsed.organizations[2].notes
    assert parsed.page.reviewed_on.year == 2012


def test_a_question_after_the_organizations_is_a_section():
    parsed = parse_page(HEAD + ORG + "\n\nIs there any treatment?\n\nRest helps." + FOOTER)
    assert [(s.heading, s.body) for s in parsed.page.sections] == [("What is X?", "Body."),
                                                                    ("Is there any treatment?", "Rest helps.")]
    assert len(parsed.organizations) == 1 and parsed.page.source == "NINDS"


_between = st.sampled_from([
    "Other organizations", "Source: NINDS", "Last reviewed on: 1/1/2020", "Is there any treatment?",
    "Guidelines were last updated on March 3, 2010.", "A note.\nIt has two lines.", "x " * 100,
    "Dystonia Society UK Ltd.\n12 High Street\nLondon W1 2AB", "This page is not medical advice; ask your doctor.",
])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.booleans(), _between), max_size=6), st.booleans())
def test_no_organization_vanishes_whatever_stands_between_them(extras, footer):
    """Every organization with a contact line is parsed, or the page is refused with a SourceError."""
    blocks, names = [], []
    for number, (listing_first, extra) in enumerate(extras):
        names.append(f"Group {number}")
        organization = ORG.replace("X Society", names[-1])
        blocks += [organization, extra] if listing_first else [extra, organization]
    names.append("Last Group")
    blocks.append(ORG.replace("X Society", "Last Group"))
    try:
        parsed = parse_page(HEAD + "\n\n".join(blocks) + (FOOTER if footer else ""))
    except SourceError:
        return
    parsed_names = [org.name for org in parsed.organizations]
    assert [name for name in parsed_names if name in names] == names
