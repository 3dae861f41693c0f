"""The page in every form it was published or saved in: title line, "Information Page" with a
table of contents, "On this page:" with "Return to top" links and lists, older wording, a copy
cut short, and saved web pages. Each builds to the same structure as the Cleveland Clinic form."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atlas.geocode import OfflineZipGeocoder
from atlas.ingest.build import build_files
from atlas.ingest.files import ORGANIZATIONS_FILE, PAGE_FILE, load_built
from atlas.ingest.quality import FLAGS, page_flags, quality_report
from atlas.ingest.source import SOURCE_SUFFIXES, SourceError, parse_page, read_source
from atlas.model import ORGANIZATION_FIELDS, Page, Section
from tests.conftest import PAGES

AS_OF = date(2020, 1, 1)
HEADINGS = ["What is Essential Tremor?", "Is there any treatment?", "What is the prognosis?",
            "What research is being done?"]
ORGANIZATIONS = ["International Tremor Alliance", "Essential Tremor Support Network",
                 "Movement Disorders Family Foundation (MDFF)", "Tremor Research Council of Canada"]
SOURCE = "National Institutes of Health; National Institute of Neurological Disorders and Stroke"
DISCLAIMER = ("This information is provided by Cleveland Clinic and is not intended to replace the medical advice "
              "of your doctor or health care provider. Please consult your health care provider for advice about a "
              "specific medical condition.")
NAVIGATION = ("Return to top", "Table of Contents", "On this page", "Skip to main content", "Related NINDS",
              "click to jump")


def parsed(name: str):
    return parse_page(read_source(PAGES / name))


# file, title, organizations, source, disclaimer, review date, page flags as of 2020-01-01
FORMS = [
    ("essential_tremor.txt", "What is Essential Tremor?", 4, SOURCE, DISCLAIMER, date(2019, 6, 12), ()),
    ("essential_tremor_title_line.txt", "Essential Tremor", 4, SOURCE, DISCLAIMER, date(2019, 6, 12), ()),
    ("essential_tremor_information_page.txt", "Essential Tremor Information Page", 4, "", "", date(2019, 6, 12),
     ("no-source", "no-disclaimer")),
    ("essential_tremor_information_page.html", "Essential Tremor Information Page", 4, "", "", date(2019, 6, 12),
     ("no-source", "no-disclaimer")),
    ("essential_tremor_on_this_page.txt", "Essential Tremor", 4, SOURCE, DISCLAIMER, date(2019, 6, 12), ()),
    ("essential_tremor_on_this_page.html", "Essential Tremor", 4, SOURCE, DISCLAIMER, date(2019, 6, 12), ()),
    ("essential_tremor_2011.txt", "What is Essential Tremor?", 3, SOURCE, DISCLAIMER, date(2011, 3, 1),
     ("stale-source",)),
    ("essential_tremor_cut_short.txt", "Essential Tremor", 0, "", "", None,
     ("no-source", "no-disclaimer", "no-review-date")),
    ("essential_tremor_cut_short.html", "Essential Tremor", 0, "", "", None,
     ("no-source", "no-disclaimer", "no-review-date")),
]


@pytest.mark.parametrize("name, title, organizations, source, disclaimer, reviewed_on, flags", FORMS)
def test_every_form_parses_to_the_page_structure(name, title, organizations, source, disclaimer, reviewed_on,
                                                 flags):
    result = parsed(name)
    page = result.page
    assert page.title == title
    expected_headings = HEADINGS[:2] if "cut_short" in name else HEADINGS
    assert [s.heading for s in page.sections] == expected_headings
    assert all(s.body for s in page.sections)
    assert [o.name for o in result.organizations] == ORGANIZATIONS[:organizations]
    assert (page.source, page.disclaimer, page.reviewed_on) == (source, disclaimer, reviewed_on)
    assert page_flags(page, as_of=AS_OF) == flags


@pytest.mark.parametrize("name", [form[0] for form in FORMS])
def test_navigation_is_never_kept_as_text(name):
    page = parsed(name).page
    text = "\n".join([page.title, page.source, page.disclaimer, *(f"{s.heading}\n{s.body}" for s in page.sections)])
    for debris in NAVIGATION:
        assert debris.lower() not in text.lower(), debris
    assert "Organizations" not in text  # the heading over the contact blocks is not answer text


@pytest.mark.parametrize("name", ["essential_tremor_title_line.txt", "essential_tremor_information_page.txt",
                                  "essential_tremor_information_page.html"])
def test_forms_of_the_same_text_give_the_cleveland_structure(name):
    cleveland = parsed("essential_tremor.txt")
    other = parsed(name)
    assert other.page.sections == cleveland.page.sections  # headings and answers, wrapped lines joined
    assert other.organizations == cleveland.organizations


@pytest.mark.parametrize("stem", ["essential_tremor_information_page", "essential_tremor_on_this_page",
                                  "essential_tremor_cut_short"])
def test_a_saved_web_page_parses_like_its_text(stem):
    assert parsed(f"{stem}.html") == parsed(f"{stem}.txt")


def test_older_wording_keeps_the_questions_with_its_own_answers():
    old, new = parsed("essential_tremor_2011.txt"), parsed("essential_tremor.txt")
    assert [s.heading for s in old.page.sections] == [s.heading for s in new.page.sections]
    assert all(a.body != b.body for a, b in zip(old.page.sections, new.page.sections))
    assert old.page.sections[1].body.startswith("Treatment is not always necessary.")
    assert old.organizations[0].street == "35 East Wacker Drive, Suite 900"


def test_lists_inside_an_answer_stay_lists():
    sections = parsed("essential_tremor_on_this_page.txt").page.sections
    assert sections[0].blocks() == (
        ("paragraph", "Essential tremor is a neurological disorder that causes rhythmic shaking, most often of the "
                      "hands and forearms. It can also affect the head, the voice, the legs or the trunk."),
        ("paragraph", "The tremor is usually most noticeable when a person:"),
        ("list", ["holds a cup or a spoon,", "writes or signs a form,", "uses a tool such as a screwdriver."]),
        ("paragraph", "It often becomes worse with stress, fatigue or caffeine, and it frequently runs in families."),
    )
    treatment = sections[1].blocks()
    assert [kind for kind, _ in treatment] == ["paragraph", "list", "paragraph"]
    # a bullet wrapped onto an indented second line is one item
    assert treatment[1][1][2] == ("deep brain stimulation or focused ultrasound surgery, for people whose tremor "
                                  "medicines do not control;")
    # "- " bullets directly under a paragraph line, with no blank line between
    research = sections[3].blocks()
    assert [kind for kind, _ in research] == ["paragraph", "list"] and len(research[1][1]) == 3
    # plain-text readers get the same words: items are "- " lines of the body
    assert "\n- holds a cup or a spoon,\n- writes or signs a form," in sections[0].body


def test_section_blocks_split_paragraphs_and_lists():
    section = Section("Q?", "One.\n\n- a\n- b\n\nTwo - not a list.\n\n")
    assert section.blocks() == (("paragraph", "One."), ("list", ["a", "b"]), ("paragraph", "Two - not a list."))
    assert Section("Q?", "Plain").blocks() == (("paragraph", "Plain"),)


def test_numbered_items_keep_their_numbers():
    text = "What is X?\n\nSteps:\n1. Rest.\n2) Ice.\n\nX Group\n1 Main St\nDenver, CO 80202\nPhone: 303-555-0100"
    assert parse_page(text).page.sections[0].blocks() == (("paragraph", "Steps:"), ("list", ["1. Rest.", "2) Ice."]))


# --- saved web pages ---------------------------------------------------------------------

@pytest.mark.parametrize("name", ["essential_tremor_information_page.html", "essential_tremor_on_this_page.html"])
def test_markup_never_reaches_the_data(name):
    result = parsed(name)
    values = [result.page.title, result.page.source, result.page.disclaimer]
    values += [f"{s.heading} {s.body}" for s in result.page.sections]
    values += [str(value) for org in result.organizations for value in vars(org).values()]
    text = " ".join(values)
    for markup in ("<", ">", "&amp;", "&nbsp;", "&#", "gtag", "dataLayer", "cookies", "Privacy", "Related",
                   "Health Library", "All rights reserved", "Sign up", "You are here"):
        assert markup not in text, markup


def test_entities_are_decoded_to_characters():
    result = parsed("essential_tremor_on_this_page.html")
    assert result.organizations[2].email == "mdff.help@gmail.com"  # &#64;
    assert result.organizations[3].postal_code == "M5G 1S5"  # &nbsp;
    assert "anti-seizure" in result.page.sections[1].body  # &#45;
    assert result.page.reviewed_on == date(2019, 6, 12)  # "6/12/2019&hellip;#8542"


def test_html_markup_written_as_text_is_kept_as_text(tmp_path):
    """Escaped markup in a web page is page text ("&lt;b&gt;" reads "<b>"), and stays inert text."""
    page = tmp_path / "page.html"
    page.write_text("<html><body><h2>What is X?</h2><p>Use &lt;b&gt; tags &amp; more.<script>alert(1)</script></p>"
                    "<p>X Group<br>1 Main St<br>Denver, CO 80202<br>Phone: 303-555-0100</p></body></html>")
    result = parse_page(read_source(page))
    assert result.page.sections[0].body == "Use <b> tags & more."
    assert result.organizations[0].name == "X Group"


def test_a_text_file_that_holds_a_saved_web_page_is_read_as_html(tmp_path):
    copy = tmp_path / "tremor.txt"
    copy.write_bytes((PAGES / "essential_tremor_on_this_page.html").read_bytes())
    assert parse_page(read_source(copy)) == parsed("essential_tremor_on_this_page.txt")


def test_a_web_page_with_no_text_is_refused(tmp_path):
    empty = tmp_path / "empty.html"
    empty.write_text("<html><head><script>x()</script></head><body><nav>Home</nav></body></html>")
    with pytest.raises(SourceError, match="holds no text"):
        read_source(empty)


def test_source_suffixes_name_text_and_web_pages():
    assert SOURCE_SUFFIXES == (".txt", ".html", ".htm")


# --- building incomplete pages ------------------------------------------------------------

def test_a_page_cut_short_builds_with_no_organizations_and_flags(tmp_path):
    directory = build_files(PAGES / "essential_tremor_cut_short.txt", tmp_path, geocoder=OfflineZipGeocoder(),
                            as_of=AS_OF)
    assert directory.organizations == []
    assert (tmp_path / ORGANIZATIONS_FILE).read_text() == ",".join(ORGANIZATION_FIELDS) + "\n"
    document = json.loads((tmp_path / PAGE_FILE).read_text())
    assert document["reviewed_on"] is None
    assert document["quality_flags"] == ["no-source", "no-disclaimer", "no-review-date"]
    page, organizations = load_built(tmp_path)
    assert page == directory.page and page.reviewed_on is None and organizations == []


def test_a_saved_web_page_builds_the_same_files_as_its_text(tmp_path):
    from_text, from_html = tmp_path / "text", tmp_path / "html"
    for source, out in ((PAGES / "essential_tremor_on_this_page.txt", from_text),
                        (PAGES / "essential_tremor_on_this_page.html", from_html)):
        build_files(source, out, geocoder=OfflineZipGeocoder(), as_of=AS_OF)
    for name in (PAGE_FILE, ORGANIZATIONS_FILE):
        assert (from_html / name).read_bytes() == (from_text / name).read_bytes(), name


def test_missing_footer_parts_are_page_flags_with_explanations():
    for code in ("no-source", "no-disclaimer", "no-review-date"):
        assert FLAGS[code].scope == "page" and len(FLAGS[code].explanation) > 30
    page = Page("What is X?", (Section("What is X?", "Body."),), "", "", None)
    assert page_flags(page, as_of=date(2040, 1, 1)) == ("no-source", "no-disclaimer", "no-review-date")
    report = quality_report(page.replace(quality_flags=page_flags(page, as_of=AS_OF)), [])
    assert "review date not stated" in report and "page: no-review-date" in report


@pytest.mark.parametrize("text, missing", [
    ("What is X?\n\nBody.\n\nX Group\n1 Main St\nDenver, CO 80202\nPhone: 303-555-0100\n\nlast reviewed on: 1/2/2019",
     ("no-source", "no-disclaimer")),
    ("What is X?\n\nBody.\n\nX Group\n1 Main St\nDenver, CO 80202\nPhone: 303-555-0100\n\nSource: NINDS\n\n"
     "Not medical advice.", ("no-review-date",)),
    ("What is X?\n\nBody.\n\nX Group\n1 Main St\nDenver, CO 80202\nPhone: 303-555-0100\n\n"
     "This page is not medical advice; ask your doctor.", ("no-source", "no-review-date")),
])
def test_each_missing_footer_part_is_flagged(text, missing):
    page = parse_page(text).page
    assert page_flags(page, as_of=AS_OF) == missing
    assert "Not medical advice" not in page.sections[0].body and "ask your doctor" not in page.sections[0].body


def test_review_date_may_be_written_out():
    text = "What is X?\n\nBody.\n\nSource: NINDS\n\nLast updated: Sept. 3, 2015"
    assert parse_page(text).page.reviewed_on == date(2015, 9, 3)
    with pytest.raises(SourceError, match="calendar"):
        parse_page("What is X?\n\nBody.\n\nLast modified February 30, 2015")


@pytest.mark.parametrize("text, reason", [
    ("Essential Tremor\n\nIt shakes.\n\nMore text.", "title question"),
    ("Essential Tremor\n\nTable of Contents\n- What is it?\n", "title question"),
    ("What is X?", "no section text and no organizations"),
    ("Essential Tremor Information Page\n\nWhat is Essential Tremor?\n\nSource: NINDS", "no section text"),
    ("What is X?\n\nBody.\n\nIs there any treatment?", "no text under its heading"),
])
def test_pages_without_content_are_refused_clearly(text, reason):
    with pytest.raises(SourceError, match=reason):
        parse_page(text)


# --- every variation of the form gives the same page --------------------------------------

_ANSWERS = [
    ["Essential tremor causes rhythmic shaking of the hands.", "It can also affect the voice."],
    ["There is no cure, but treatments help:", "- medicines such as beta blockers;\n- botulinum toxin injections;"
                                               "\n- deep brain stimulation."],
    ["It usually worsens slowly over many years."],
    ["NINDS supports research on the genes involved."],
]
_ORGANIZATION_BLOCKS = (
    "International Tremor Alliance\n200 North Michigan Avenue, Suite 1400\nChicago, IL 60601\nPhone: 312.555.0147\n"
    "Email: info@tremoralliance.org\n\n"
    "Essential Tremor Support Network\nP.O. Box 5521\nLenexa, KS 66285\nFax: 913.555.0120\nwww.etsupportnet.org")
_FOOTER = f"Source: {SOURCE}\n\n{DISCLAIMER} This document was last reviewed on: 6/12/2019...#8542"


def _render(*, title_line: bool, toc: str | None, on_this_page: str | None, blank_after_heading: list[bool],
            return_to_top: list[int], blank_around_return: bool, bullet: str, organizations_label: bool) -> str:
    lines: list[str] = []
    if title_line:
        lines += ["Essential Tremor", ""]
    for header, style in (("Table of Contents", toc), ("On this page:", on_this_page)):
        if style is None:
            continue
        lines.append(header)
        if style != "alone":
            lines += [(bullet if style == "bulleted" else "") + heading for heading in HEADINGS]
        lines.append("")
    for index, (heading, paragraphs) in enumerate(zip(HEADINGS, _ANSWERS)):
        lines.append(heading)
        if blank_after_heading[index]:
            lines.append("")
        for paragraph in paragraphs:
            lines += [bullet + line[2:] if line.startswith("- ") else line for line in paragraph.split("\n")]
            lines.append("")
        if return_to_top[index] and not blank_around_return:
            lines.pop()  # "Return to top" right under the answer, and the next heading right under it
        for _ in range(return_to_top[index]):
            lines += ["Return to top", ""] if blank_around_return else ["Return to top"]
    lines.append("")
    if organizations_label:
        lines += ["Organizations", ""]
    lines += [_ORGANIZATION_BLOCKS, "", _FOOTER]
    return "\n".join(lines) + "\n"


_PLAIN = dict(title_line=False, toc=None, on_this_page=None, blank_after_heading=[True] * 4,
              return_to_top=[0] * 4, blank_around_return=True, bullet="- ", organizations_label=False)


def test_the_plain_variation_is_the_cleveland_form():
    result = parse_page(_render(**_PLAIN))
    assert result.page.title == HEADINGS[0]
    assert [s.heading for s in result.page.sections] == HEADINGS
    assert result.page.sections[1].blocks()[1] == (
        "list", ["medicines such as beta blockers;", "botulinum toxin injections;", "deep brain stimulation."])
    assert len(result.organizations) == 2 and result.page.reviewed_on == date(2019, 6, 12)


@settings(max_examples=150, deadline=None)
@given(title_line=st.booleans(), toc=st.sampled_from([None, "plain", "bulleted", "alone"]),
       on_this_page=st.sampled_from([None, "plain", "bulleted", "alone"]),
       blank_after_heading=st.lists(st.booleans(), min_size=4, max_size=4),
       return_to_top=st.lists(st.integers(0, 2), min_size=4, max_size=4), blank_around_return=st.booleans(),
       bullet=st.sampled_from(["- ", "• ", "* "]), organizations_label=st.booleans())
def test_every_variation_gives_the_same_page(**variation):
    """Title line or not, a table of contents (plain, bulleted or a bare header) or not, "On this page:"
    or not, a blank line between each heading and its answer or not, "Return to top" lines (none, one or
    two, with or without blank lines around them), any bullet character, an "Organizations" label:
    the sections (headings and bodies), the organizations, the source, the disclaimer and the review
    date are always those of the plain form. The title is the title line when there is one
    ("Essential Tremor"), and otherwise the title question, which is also the first heading."""
    expected = parse_page(_render(**_PLAIN))
    result = parse_page(_render(**variation))
    assert result.page.sections == expected.page.sections
    assert result.organizations == expected.organizations
    assert (result.page.source, result.page.disclaimer, result.page.reviewed_on) == (
        expected.page.source, expected.page.disclaimer, expected.page.reviewed_on)
    assert result.page.title == ("Essential Tremor" if variation["title_line"] else HEADINGS[0])
