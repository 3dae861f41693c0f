from __future__ import annotations

import re
import string

import pytest

from atlas.ingest import contacts
from atlas.model import Organization
from atlas.text import escape_markdown, markdown_link, nest_markdown


@pytest.mark.parametrize("url, safe", [
    ("https://www.asha.org", True), ("http://x.org/a?b=c", True), ("mailto:a@b.org", True),
    ("tel:+1-312-755-0198", True), ("javascript:alert(1)", False), ("JaVaScRiPt:alert(1)", False),
    ("data:text/html,x", False), ("vbscript:x", False), ("file:///etc/passwd", False), ("//evil.example", False),
    ("https://x.org/\"onmouseover=alert(1)", False), ("https://x.org/<script>", False), ("https://", False),
    ("java\tscript:alert(1)", False), ("mailto:", False), ("", False), (None, False), ("https://x.org/" + "a" * 3000, False),
])
def test_safe_url_allow_list(url, safe):
    assert (contacts.safe_url(url) is not None) == safe


def test_link_builders():
    assert contacts.tel_link("(312) 755-0198") == "tel:+1-312-755-0198"
    assert contacts.tel_link("+44 20 7946 0018") == "tel:+442079460018"
    assert contacts.tel_link("call us") is None
    assert contacts.mailto_link("info@bsdpf.org") == "mailto:info@bsdpf.org"
    assert contacts.mailto_link("x@y.org<img>") is None
    assert contacts.mailto_link("", subject="Listing: A & B") == "mailto:?subject=Listing%3A%20A%20%26%20B"
    assert contacts.website_link("javascript:alert(1)") is None
    assert contacts.website_link("www.asha.org") == "https://www.asha.org"


def _org(**fields):
    return Organization(id="x", name="X", **fields)


def test_directions_use_a_street_not_a_po_box_or_building():
    bebrf = _org(street="637 North 7th Street, Suite 102; P.O. Box 12468", city="Beaumont", state="TX",
                 postal_code="77726-2468", country="US")
    assert contacts.directions_url(bebrf) == ("https://www.google.com/maps/dir/?api=1&destination="
                                           "637%20North%207th%20Street%2C%20Suite%20102%2C%20Beaumont%2C%20TX%2077726-2468")
    box_only = _org(street="P.O. Box 28", city="Mukwonago", state="WI", postal_code="53149", country="US")
    assert contacts.directions_url(box_only).endswith("destination=Mukwonago%2C%20WI%2053149")
    building = _org(street="Fred French Building; 551 5th Avenue, Suite 520", city="New York", state="NY",
                    postal_code="10176", country="US")
    assert "551%205th%20Avenue" in contacts.directions_url(building) and "Fred" not in contacts.directions_url(building)
    assert contacts.directions_url(_org()) is None
    assert contacts.directions_url(_org(latitude=1.5, longitude=2.5)).endswith("destination=1.5%2C2.5")


@pytest.mark.parametrize("text", [
    "<script>alert(1)</script>", "[x](javascript:alert(1))", "**bold** _it_", "$x^2$", ":red[text]", "{{7*7}}",
    "# heading", "1. list", "a\\b", "`code`", "![img](http://x)", "<img src=x onerror=alert(1)>", "| a | b |",
])
def test_escape_markdown_leaves_no_live_syntax(text):
    escaped = escape_markdown(text).replace("\u2060", "")  # word joiners are invisible
    shown, i = [], 0
    while i < len(escaped):  # every punctuation character must arrive as a backslash escape
        if escaped[i] == "\\":
            assert escaped[i + 1] in string.punctuation
            shown.append(escaped[i + 1])
            i += 2
        else:
            assert escaped[i] not in string.punctuation, escaped
            shown.append(escaped[i])
            i += 1
    assert "".join(shown) == text


def test_markdown_link_encodes_parentheses_and_spaces():
    assert markdown_link("A (B)", "https://x.org/a (b)") == "[A \\(B\\)](https://x.org/a%20%28b%29)"


@pytest.mark.parametrize("text, expected", [
    ("=HYPERLINK(\"http://evil.example\")", '` =HYPERLINK("http://evil.example") `'),
    ("a `tick` and ``two``", "``` a `tick` and ``two`` ```"),
    ("line\nbreak", "` line break `"),
])
def test_markdown_code_keeps_text_literal(text, expected):
    from atlas.text import markdown_code

    assert markdown_code(text) == expected


@pytest.mark.parametrize("text", ["http://evil.example", "HTTPS://x.org/a", "www.x.org", "help@x.org", "mailto:a@b.org"])
def test_escape_markdown_defuses_autolinks(text):
    escaped = escape_markdown(text)
    unescaped = re.sub(r"\\(.)", r"\1", escaped)
    assert unescaped != text and unescaped.replace("\u2060", "") == text
    assert not re.search(r"(?i)https?://|www\.|\w@\w", unescaped)  # what GFM autolinking looks for


def test_a_document_nested_under_a_heading_drops_its_title_and_moves_its_headings_down():
    document = "# Data sources\n\nIntro.\n\n## Page text\n\nBody.\n\n### Detail\n\n```\n# not a heading\n```\n"
    nested = nest_markdown(document, under=2)
    assert nested.splitlines() == ["Intro.", "", "### Page text", "", "Body.", "", "#### Detail", "", "```",
                                   "# not a heading", "```"]
    assert nest_markdown("## Only\n\ntext", under=3).splitlines()[0] == "#### Only"
    assert nest_markdown("plain text", under=2) == "plain text"


# --- values in messages, and shortening (atlas.text) --------------------------------------

def test_one_line_and_clip_make_a_value_fit_a_message():
    from atlas.text import clip, one_line

    assert one_line("a\nb\t\tc\x00d  e") == "a b c d e" and one_line(None) == "" and one_line(12) == "12"
    assert clip("abcdef", 6) == "abcdef" and clip("abcdefg", 6) == "abcde…" and len(clip("x" * 500, 30)) == 30


def _word_cut_before(text: str, limit: int) -> str:
    """The handout's own cut before it used atlas.text.shorten, kept here to hold the two equal."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"


def test_the_handout_cuts_text_as_it_did_with_its_own_copy_of_the_rule():
    import random

    from atlas.outputs.handout import _shorten

    rng = random.Random(8)
    words = ["Dystonia", "a", "groups,", "near", "Chicago;", "IL", ":", "x" * 30, "", "and", ","]
    for _ in range(3000):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(0, 40)))
        limit = rng.randint(2, 120)
        assert _shorten(text, limit) == _word_cut_before(text, limit), (text, limit)
        assert len(_shorten(text, limit)) <= limit


def test_a_caption_is_cut_at_a_clause_and_a_handout_line_at_a_word():
    from atlas.text import shorten

    sentence = "Treatment is tailored to each person, and it may include medication, injections or surgery for some"
    assert shorten(sentence, 80) == "Treatment is tailored to each person, and it may include medication…"
    assert shorten(sentence, 80, clauses=False) == "Treatment is tailored to each person, and it may include medication, injections…"
