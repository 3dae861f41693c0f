"""The parser: the committed page, a page for another disorder, and what it must refuse."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atlas.ingest import contacts
from atlas.ingest.quality import organization_flags
from atlas.ingest.source import SOURCE_SUFFIXES, SourceError, parse_page, read_source, slugify
from atlas.model import Section
from tests.conftest import PAGES, SOURCE, page_text

DYSTONIA_ORGS = [
    "Dystonia Medical Research Foundation",
    "National Spasmodic Torticollis Association",
    "WE MOVE (Worldwide Education & Awareness for Movement Disorders)",
    "American Speech-Language-Hearing Association (ASHA)",
    "Benign Essential Blepharospasm Research Foundation",
    "Bachmann-Strauss Dystonia & Parkinson Foundation",
    "Spasmodic Torticollis Dystonia/ST Dystonia",
    "American Dystonia Society",
]


@pytest.fixture(scope="module")
def parsed():
    return parse_page(read_source(SOURCE))


def test_page_title_sections_and_footer(parsed):
    page = parsed.page
    assert page.title == "What are Dystonias?"
    assert [s.heading for s in page.sections] == [
        "What are Dystonias?", "Is there any treatment?", "What is the prognosis?", "What research is being done?"]
    assert page.sections[0].body.startswith("The dystonias are movement disorders")
    assert page.sections[3].body.endswith("dominantly inherited dystonias continues.")
    assert page.reviewed_on == date(2012, 11, 20)
    assert page.source == "National Institutes of Health; National Institute of Neurological Disorders and Stroke"
    assert page.disclaimer.startswith("This information is provided by Cleveland Clinic")
    assert page.disclaimer.endswith("a specific medical condition.")
    assert "#6006" not in page.disclaimer and "reviewed" not in page.disclaimer


def test_organizations_in_page_order(parsed):
    assert [o.name for o in parsed.organizations] == DYSTONIA_ORGS
    assert len({o.id for o in parsed.organizations}) == 8


def test_contact_fields_are_split_and_normalised(parsed):
    dmrf, nsta, wemove, asha, bebrf, bsdpf, st_dystonia, ads = parsed.organizations
    assert (dmrf.street, dmrf.city, dmrf.state, dmrf.postal_code, dmrf.country) == (
        "1 East Wacker Drive, Suite 2810", "Chicago", "IL", "60601-1905", "US")
    assert (dmrf.phone, dmrf.fax, dmrf.toll_free) == ("(312) 755-0198", "(312) 803-0138", "")
    assert dmrf.email == "dystonia@dystonia-foundation.org"
    assert nsta.toll_free == "(800) 487-8385" and nsta.phone == "(714) 378-9837"
    assert asha.phone == "" and asha.toll_free == "(800) 638-8255"
    assert bebrf.street == "637 North 7th Street, Suite 102; P.O. Box 12468"
    assert bsdpf.street == "Fred French Building; 551 5th Avenue, Suite 520"
    assert st_dystonia.street == "P.O. Box 28" and st_dystonia.city == "Mukwonago"
    assert ads.postal_code == "08550"
    assert all(not o.notes for o in parsed.organizations)


def test_website_derived_only_from_an_organizations_own_domain(parsed):
    by_name = {o.name: o for o in parsed.organizations}
    dmrf = by_name["Dystonia Medical Research Foundation"]
    assert dmrf.website == "https://www.dystonia-foundation.org" and dmrf.website_derived
    nsta = by_name["National Spasmodic Torticollis Association"]  # NSTAmail@aol.com
    assert nsta.website == "" and not nsta.website_derived


def test_ids_are_stable_slugs(parsed):
    assert parsed.organizations[0].id == "dystonia-medical-research-foundation"
    assert parse_page(read_source(SOURCE)).organizations[2].id == parsed.organizations[2].id
    assert slugify("Ça & <b>Ünïcode</b>!") == "ca-b-unicode-b"


# --- another disorder's page, with the format's variations ----------------------------------

@pytest.fixture(scope="module")
def dysphonia():
    return parse_page(page_text("spasmodic_dysphonia.txt"))


def test_other_page_has_its_own_headings_and_date(dysphonia):
    assert dysphonia.page.title == "What is Spasmodic Dysphonia?"
    assert [s.heading for s in dysphonia.page.sections] == [
        "What is Spasmodic Dysphonia?", "How is spasmodic dysphonia diagnosed?", "How is it treated?",
        "Who supports research?", "What is the outlook?"]
    # a paragraph wrapped onto two lines is one paragraph
    assert "larynx. Voice therapy may reduce" in dysphonia.page.sections[2].body
    assert dysphonia.page.reviewed_on == date(2024, 3, 7)
    assert len(dysphonia.organizations) == 5


def test_tel_label_building_name_and_bare_website(dysphonia):
    nsda = dysphonia.organizations[0]
    assert nsda.street == "Lincoln Centre Building; 300 Park Boulevard, Suite 335"
    assert nsda.toll_free == "(800) 795-6732"  # a Tel: line holding a toll-free number
    assert nsda.website == "http://www.dysphonia.org" and not nsda.website_derived


def test_care_of_line_and_no_email(dysphonia):
    clinic = dysphonia.organizations[1]
    assert clinic.street.startswith("c/o Department of Otolaryngology")
    assert clinic.phone == "(215) 735-7999"
    assert clinic.email == "" and clinic.website == ""


def test_po_box_only_and_toll_free_only(dysphonia):
    network = dysphonia.organizations[2]
    assert network.street == "P.O. Box 4120" and network.city == "Madison"
    assert network.phone == "" and network.toll_free == "(888) 555-0142"


def test_canadian_address_with_country_line(dysphonia):
    canada = dysphonia.organizations[3]
    assert (canada.city, canada.state, canada.postal_code, canada.country) == ("Toronto", "ON", "M4W 3X8", "CA")
    assert canada.phone == "(416) 488-6974"


def test_website_label_without_scheme(dysphonia):
    assert dysphonia.organizations[4].website == "https://www.nidcd.nih.gov"


def test_three_organization_page():
    parsed = parse_page(page_text("minimal.txt"))
    assert len(parsed.organizations) == 3
    assert parsed.page.source == "Example Health Library"
    assert parsed.page.disclaimer == "Reviewed for accuracy."


def test_twelve_organizations_parse():
    blocks = [f"Support Group {n}\n{n} Main Street\nDenver, CO 80202\nPhone: 303-555-01{n:02d}" for n in range(12)]
    text = "What is Dystonia?\n\nIt is a movement disorder.\n\n" + "\n\n".join(blocks) + \
        "\n\nSource: NINDS\n\nLast reviewed on: 1/2/2020"
    assert [o.name for o in parse_page(text).organizations] == [f"Support Group {n}" for n in range(12)]


def test_unrecognised_lines_are_kept_as_notes():
    text = ("What is X?\n\nBody.\n\nX Society\n1 Main St\nDenver, CO 80202\nHours: weekdays 9 to 5\n"
            "Phone: 303-555-0100 or 800-555-0199\n\nSource: S\n\nlast reviewed on: 1/1/2020")
    org = parse_page(text).organizations[0]
    assert org.notes == ("Hours: weekdays 9 to 5",)
    assert (org.phone, org.toll_free) == ("(303) 555-0100", "(800) 555-0199")


def test_wrapped_name_in_parentheses_joins():
    text = ("What is X?\n\nBody.\n\nWE CARE (Worldwide Education\nand Care Network)\n1 Main St\n"
            "Denver, CO 80202\nPhone: 303-555-0100\n\nSource: S\n\nlast reviewed on: 1/1/2020")
    assert parse_page(text).organizations[0].name == "WE CARE (Worldwide Education and Care Network)"


def test_invalid_contact_values_are_kept_as_written():
    text = ("What is X?\n\nBody.\n\n<b>Bad</b> Group\n1 Main St\nDenver, CO 80202\nPhone: call us\n"
            "Email: not-an-email\nWebsite: javascript:alert(1)\n\nSource: S\n\nlast reviewed on: 1/1/2020")
    org = parse_page(text).organizations[0]
    assert org.name == "<b>Bad</b> Group"
    assert (org.phone, org.email, org.website) == ("call us", "not-an-email", "javascript:alert(1)")


# --- refusals ------------------------------------------------------------------------------

@pytest.mark.parametrize("text, reason", [
    ("", "empty"),
    (" \n\t\n", "empty"),
    ("Dystonia is a disorder.\n\nSome text.", "title question"),
    ("Dystonia\n\nSome text.", "title question"),
    ("What is X?\n\nSource: S\n\nlast reviewed on: 1/1/2020", "no section text and no organizations"),
    ("What is X?\n\nX Society\n1 Main St\nDenver, CO 80202\n\nSource: S\n\nlast reviewed on: 1/1/2020", "no text"),
    ("What is X?\n\nBody.\n\nX Society\n1 Main St\nDenver, CO 80202\n\nlast reviewed on: 13/45/2020", "calendar"),
    ("W" * 250 + "?\n\nBody.", "title question"),
])
def test_malformed_pages_raise_source_error(text, reason):
    with pytest.raises(SourceError, match=reason):
        parse_page(text)


def test_a_page_with_sections_and_no_organizations_parses():
    parsed = parse_page("What is X?\n\nBody.\n\nSource: S\n\nlast reviewed on: 1/1/2020")
    assert parsed.organizations == [] and parsed.page.sections[0].body == "Body."
    assert parsed.page.source == "S" and parsed.page.reviewed_on == date(2020, 1, 1)


def test_a_page_without_a_review_date_parses():
    parsed = parse_page("What is X?\n\nBody.\n\nX Society\n1 Main St\nDenver, CO 80202\n\nSource: S")
    assert parsed.page.reviewed_on is None and len(parsed.organizations) == 1


def test_a_title_line_in_the_same_block_as_the_question():
    parsed = parse_page("Essential Tremor\nWhat is it?\nIt shakes.\n\nX Society\n1 Main St\nDenver, CO 80202")
    assert parsed.page.title == "Essential Tremor"
    assert parsed.page.sections == (Section("What is it?", "It shakes."),)


def test_an_organization_whose_name_asks_a_question_is_not_a_heading():
    parsed = parse_page("What is X?\n\nBody.\n\nWhy Me?\n1 Main St\nDenver, CO 80202\nPhone: 303-555-0100")
    assert [s.heading for s in parsed.page.sections] == ["What is X?"]
    assert parsed.organizations[0].name == "Why Me?"


# --- source fidelity: nothing in a contact block is lost or half-extracted ------------------

def _one_org(*lines: str):
    text = "What is X?\n\nBody.\n\nX Society\n1 Main St\nDenver, CO 80202\n" + "\n".join(lines)
    return parse_page(text).organizations[0]


def test_an_email_value_with_junk_is_kept_whole_flagged_and_never_a_link():
    org = _one_org("Email: -cmd|/C calc!A0@example.org")
    assert org.email == "-cmd|/C calc!A0@example.org"
    assert "invalid-email" in organization_flags(org)
    assert contacts.mailto_link(org.email) is None
    assert org.website == ""  # nothing is guessed from a value the page did not state


def test_several_valid_emails_are_split_and_none_lost():
    org = _one_org("Email: a@xsociety.org or b@xsociety.org")
    assert org.email == "a@xsociety.org"
    assert org.notes == ("Email: a@xsociety.org or b@xsociety.org",)


def test_a_phone_line_with_words_keeps_the_number_and_the_whole_line():
    org = _one_org("Phone: 303-555-0100 (voice/TTY)")
    assert org.phone == "(303) 555-0100"
    assert org.notes == ("Phone: 303-555-0100 (voice/TTY)",)
    assert "unrecognised-lines" in organization_flags(org)


def test_a_phone_line_with_two_numbers_and_an_extension_loses_nothing():
    org = _one_org("Phone: 303-555-0100 ext. 12 or 800-555-0199")
    assert (org.phone, org.toll_free) == ("(303) 555-0100 ext. 12", "(800) 555-0199") and org.notes == ()


def test_a_phone_line_with_a_second_unparsed_number_is_kept_in_notes():
    org = _one_org("Phone: 303-555-0100 or 800-377-DYST")
    assert org.phone == "(303) 555-0100"
    assert org.notes == ("Phone: 303-555-0100 or 800-377-DYST",)


def test_a_website_with_junk_is_kept_whole_and_never_a_link():
    org = _one_org("Website: www.xsociety.org (in English and Spanish)")
    assert org.website == "www.xsociety.org (in English and Spanish)"
    assert contacts.website_link(org.website) is None and "invalid-website" in organization_flags(org)
    second = _one_org("Website: www.xsociety.org", "Web: www.other.org")
    assert second.website == "https://www.xsociety.org" and second.notes == ("Web: www.other.org",)


# --- structurally valid pages with random contact values -----------------------------------

_CITIES = [("Denver", "CO", "80202"), ("Chicago", "IL", "60601"), ("Bronx", "NY", "10024"), ("Boise", "ID", "83702")]
_AREA_CODES = ["303", "312", "212", "415", "617", "202"]


def _hostile(exclude: str = "", no_digits: bool = False):
    """One line of any printable text (hostile samples among it), with whitespace as the parser
    normalises it, NFC, without the characters in `exclude` (and without digits if asked)."""
    alphabet = st.one_of(st.characters(min_codepoint=0x20, max_codepoint=0x24F,
                                       exclude_categories=["Cs", "Cc", "Cf", "Z", "Co", "Cn"]),
                         st.sampled_from(list(" ’“”—…✓中文٣０\u0301")))
    sample = st.sampled_from(["<script>alert(1)</script>", "=HYPERLINK(\"http://evil.example\",\"x\")",
                              "javascript:alert(1)", "-cmd|/C calc!A0", "@SUM(1+1)", "'; DROP TABLE x;--",
                              "{{7*7}}", "[x](javascript:alert(1))", "ünïcødé ✓ 中文", "x\u0301"])

    def tidy(text: str) -> str:
        text = unicodedata.normalize("NFC", text)
        text = "".join(ch for ch in text if ch not in exclude
                       and not (no_digits and unicodedata.category(ch).startswith("N")))
        # NFC again: a character taken out may have stood between a letter and its accent ("A٣\u0301")
        return unicodedata.normalize("NFC", " ".join(text.split()))

    return st.one_of(sample, st.text(alphabet, min_size=1, max_size=40)).map(tidy).filter(bool)


def _says_something(text: str) -> bool:
    """More than the words and marks that separate values ("a or b", "a, b")."""
    return bool(re.sub(r"\b(?:or|and)\b|[\s,;/&]", "", text, flags=re.IGNORECASE))


_phone = st.tuples(st.sampled_from(_AREA_CODES), st.integers(100, 199), st.sampled_from(["{a}-555-0{n}",
                   "{a}.555.0{n}", "({a}) 555-0{n}", "+1 {a} 555 0{n}"]))
_email = st.tuples(st.from_regex(r"[a-z]{1,8}(\.[a-z]{1,5})?", fullmatch=True),
                   st.from_regex(r"[a-z]{3,10}", fullmatch=True)).map(lambda p: f"{p[0]}@{p[1]}.org")


@st.composite
def _contact_block(draw):
    """A contact block with random values, and what each value must become."""
    name = draw(_hostile(exclude="()?:")) + " Society"
    city, state, postal = draw(st.sampled_from(_CITIES))
    lines = [f"{draw(st.integers(1, 9999))} Main Street", f"{city}, {state} {postal}"]
    expect: dict[str, tuple[str, str]] = {}  # field -> (value, "exact" | "normalised" | "with note")
    contact_lines = []
    phone_kind = draw(st.sampled_from(["none", "valid", "hostile", "valid+junk"]))
    if phone_kind != "none":
        area, n, fmt = draw(_phone)
        number, display = fmt.format(a=area, n=n), f"({area}) 555-0{n}"
        if phone_kind == "valid":
            contact_lines.append(f"Phone: {number}")
            expect["phone"] = (display, "normalised")
        elif phone_kind == "hostile":
            value = draw(_hostile(no_digits=True))
            contact_lines.append(f"Phone: {value}")
            expect["phone"] = (value, "exact")
        else:
            junk = draw(_hostile(no_digits=True).filter(_says_something))
            contact_lines.append(f"Phone: {number} {junk}")
            expect["phone"] = (display, "with note")
    email_kind = draw(st.sampled_from(["none", "valid", "hostile", "junk+valid"]))
    if email_kind != "none":
        email = draw(_email)
        value = {"valid": email, "hostile": draw(_hostile(exclude="@＠﹫")),
                 "junk+valid": f"{draw(_hostile(exclude='@＠﹫').filter(_says_something))} {email}"}[email_kind]
        contact_lines.append(f"Email: {value}")
        expect["email"] = (value, "normalised" if email_kind == "valid" else "exact")
    website_kind = draw(st.sampled_from(["none", "valid", "hostile"]))
    if website_kind != "none":
        value = draw(st.from_regex(r"www\.[a-z]{3,10}\.org", fullmatch=True)) if website_kind == "valid" \
            else draw(_hostile(exclude=".．。"))
        contact_lines.append(f"Website: {value}")
        expect["website"] = ("https://" + value, "normalised") if website_kind == "valid" else (value, "exact")
    note = f"Hours: {draw(_hostile())}" if draw(st.booleans()) else None
    lines += draw(st.permutations(contact_lines))
    if note:
        lines.append(note)
    return name, lines, expect, note


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(blocks=st.lists(_contact_block(), min_size=1, max_size=4), source=st.booleans(), reviewed=st.booleans())
def test_valid_pages_with_random_contact_values_keep_every_value(blocks, source, reviewed):
    """Every value of every contact block is in its field (as published, or normalised when valid) or in
    the notes; invalid values are never links."""
    text = "What is X?\n\nBody.\n\nIs there any treatment?\n- Rest.\n- Care.\n\n"
    text += "\n\n".join("\n".join([name, *lines]) for name, lines, _, _ in blocks)
    text += ("\n\nSource: NINDS" if source else "") + ("\n\nlast reviewed on: 1/2/2020" if reviewed else "")
    parsed = parse_page(text)
    assert [s.heading for s in parsed.page.sections] == ["What is X?", "Is there any treatment?"]
    assert len(parsed.organizations) == len(blocks)
    assert parsed.page.source == ("NINDS" if source else "")
    assert parsed.page.reviewed_on == (date(2020, 1, 2) if reviewed else None)
    for org, (name, lines, expect, note) in zip(parsed.organizations, blocks):
        assert org.name == name
        assert org.street == lines[0] and org.locality == lines[1]
        for field, (value, how) in expect.items():
            stored = getattr(org, field)
            assert stored == value, (field, how)
            line = next(line for line in lines[2:] if line.split(":", 1)[0].lower() == field)
            assert (line in org.notes) == (how == "with note"), (field, org.notes)
            if how == "exact" and field == "email":
                assert contacts.mailto_link(stored) is None and "invalid-email" in organization_flags(org)
            if how == "exact" and field == "website":
                assert contacts.website_link(stored) is None and "invalid-website" in organization_flags(org)
        if note:
            assert note in org.notes
        assert set(org.notes) <= set(lines)  # notes are lines of the block, exactly as published


def test_read_source_refuses_missing_empty_binary_and_folders(tmp_path):
    with pytest.raises(SourceError, match="not found"):
        read_source(tmp_path / "nope.txt")
    (tmp_path / "empty.txt").write_text("  \n")
    with pytest.raises(SourceError, match="empty"):
        read_source(tmp_path / "empty.txt")
    (tmp_path / "bin.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    with pytest.raises(SourceError, match="binary"):
        read_source(tmp_path / "bin.txt")
    with pytest.raises(SourceError, match="folder"):
        read_source(tmp_path)


def test_read_source_accepts_windows_line_endings_and_bom(tmp_path):
    path = tmp_path / "crlf.txt"
    path.write_bytes(b"\xef\xbb\xbf" + SOURCE.read_bytes().replace(b"\n", b"\r\n"))
    assert len(parse_page(read_source(path)).organizations) == 8


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=3000))
def test_arbitrary_text_parses_or_raises_source_error(text):
    try:
        parse_page(text)
    except SourceError:
        pass


_line = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=60)


@settings(max_examples=200, deadline=None)
@given(st.lists(_line, min_size=1, max_size=40))
def test_page_shaped_noise_parses_or_raises_source_error(lines):
    """Text built from page-like pieces reaches deeper into the parser than random text."""
    pieces = ["What is X?", "", "Body.", "", *lines, "Denver, CO 80202", "Phone: 303-555-0100", "",
              "Source: S", "", "last reviewed on: 1/1/2020"]
    try:
        parsed = parse_page("\n".join(pieces))
    except SourceError:
        return
    assert parsed.organizations and parsed.page.sections


def test_every_sample_page_parses():
    for path in sorted(p for p in PAGES.iterdir() if p.suffix in SOURCE_SUFFIXES):
        parsed = parse_page(read_source(path))
        assert parsed.page.sections and all(s.body for s in parsed.page.sections), path.name
        assert len(parsed.organizations) <= 12, path.name
        assert parsed.organizations or "cut_short" in path.name, path.name
