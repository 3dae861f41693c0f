"""The printable handout: one page, every organization of the view, safe links, a QR code that
opens the same view, and data printed as literal text."""

from __future__ import annotations

import io
import logging
import re
import warnings
from datetime import date

import pypdf
import pytest
import zxingcpp
from PIL import Image

from atlas.directory.request import view_url
from atlas.directory.view import ViewRequest
from atlas.ingest.build import build_directory
from atlas.model import Organization, Page, Section
from atlas.errors import ExportError
from atlas.outputs.handout import page_summary, render_handout
from tests.conftest import PAGES, Shown, view_of

BASE_URL = "https://atlas.example.org"
GENERATED_ON = date(2026, 11, 23)




def _render(view, url: str | None = None) -> pypdf.PdfReader:
    pdf = render_handout(view, url=url or view_url(view.request, BASE_URL), generated_on=GENERATED_ON)
    assert pdf.startswith(b"%PDF-")
    return pypdf.PdfReader(io.BytesIO(pdf))


def _text(reader: pypdf.PdfReader) -> str:
    """All text with whitespace collapsed: pypdf puts a newline wherever a line wrapped."""
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _link_uris(reader: pypdf.PdfReader) -> list[str]:
    uris = []
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None and "/URI" in action:
                uris.append(str(action["/URI"]))
    return uris


def _qr_payloads(reader: pypdf.PdfReader) -> list[str]:
    payloads = []
    for image in reader.pages[0].images:
        picture = Image.open(io.BytesIO(image.data)).convert("L")
        payloads += [barcode.text for barcode in zxingcpp.read_barcodes(picture)]
    return payloads


@pytest.fixture(scope="module")
def everything(directory):
    return view_of(directory.page, directory.organizations, ViewRequest())


@pytest.fixture(scope="module")
def hostile():
    built = build_directory((PAGES / "hostile.txt").read_text(encoding="utf-8"))
    return view_of(built.page, built.organizations, ViewRequest())


def test_one_page_with_title_every_organization_source_and_review_date(everything):
    reader = _render(everything)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (box.width, box.height) == (pytest.approx(612), pytest.approx(792))  # US Letter
    text = _text(reader)
    assert everything.title in text
    assert len(everything.organizations) == 8
    for org in everything.organizations:
        assert org.name in text
    assert "National Institutes of Health; National Institute of Neurological Disorders and Stroke" in text
    assert "Last reviewed November 20, 2012" in text
    assert "confirm them" in text
    assert "Generated November 23, 2026" in text
    assert "(312) 755-0198" in text and "1 East Wacker Drive, Suite 2810" in text and "Chicago, IL 60601-1905" in text
    assert reader.metadata.title == everything.title
    assert reader.metadata.creator == "Dystonia Atlas"


def test_summary_is_the_first_sentences_of_the_page(everything):
    summary = page_summary(everything.page)
    assert summary == ("The dystonias are movement disorders in which sustained muscle contractions cause twisting "
                       "and repetitive movements or abnormal postures.")
    assert summary in _text(_render(everything))


def test_summary_is_cut_on_a_word_boundary():
    page = Page("T", (Section("T", "word " * 200),), "S", "", date(2020, 1, 1))
    summary = page_summary(page)
    assert len(summary) <= 300 and summary.endswith("word…")
    two = Page("T", (Section("T", "One sentence. Another one. A third one."),), "S", "", date(2020, 1, 1))
    assert page_summary(two) == "One sentence. Another one."


def test_links_are_only_allow_listed_schemes(everything):
    uris = _link_uris(_render(everything))
    assert "tel:+1-312-755-0198" in uris
    assert "mailto:dystonia@dystonia-foundation.org" in uris
    assert "https://www.dystonia-foundation.org" in uris
    assert f"{BASE_URL}/directory" in uris  # the QR code and the printed link open the view
    assert all(re.match(r"(https?|mailto|tel):", uri) for uri in uris), uris
    assert not any(uri.startswith("tel:") and "803-0138" in uri for uri in uris)  # a fax is not a call link


def test_qr_code_decodes_to_the_view_url(everything):
    url = view_url(ViewRequest(focus=("torticollis",), include_general=False, state="CA"), BASE_URL)
    reader = _render(everything, url)
    assert _qr_payloads(reader) == [url]
    assert url in _text(reader).replace(" ", "")  # printed under the code; a long URL may wrap


def test_hostile_page_prints_literal_text_and_makes_no_unsafe_link(hostile):
    reader = _render(hostile)
    assert len(reader.pages) == 1
    text = _text(reader)
    assert "<script>window.__pwned=1</script>" in text
    assert '=HYPERLINK("http://evil.example","call")' in text  # an invalid phone is printed as written
    assert "=HYPERLINK(" in text
    assert "**bold**" in text and "{{7*7}}" in text and "${7*7}" in text  # the summary, not Markdown
    assert "javascript:window.__pwned=1" in text  # the invalid website and email, as text
    for org in hostile.organizations:
        assert " ".join(org.name.split()) in text
    uris = _link_uris(reader)
    assert uris, "the valid phone numbers and emails are still links"
    assert "tel:+1-714-378-9837" in uris and "mailto:help@voice-society.org" in uris
    for uri in uris:
        assert re.match(r"(https?|mailto|tel):", uri), uri
        assert "javascript:" not in uri.lower() and "data:" not in uri.lower() and "<" not in uri


def _long_organization(number: int) -> Organization:
    return Organization(
        id=f"org-{number}",
        name=f"The Very Long Named Regional Dystonia and Movement Disorders Support Network Number {number} "
             "of the Greater Metropolitan Area and Surrounding Counties",
        street=f"Suite {number}00, The Extraordinarily Long Named Medical Arts Professional Building; "
               f"{number}234 North Extremely Long Boulevard of the Americas, Floor {number}; P.O. Box {number}9999",
        city="Rancho Santa Margarita", state="CA", postal_code="92688", country="US",
        phone="(949) 555-0100", toll_free="(800) 555-0199 ext. 1234", fax="(949) 555-0101",
        email=f"information.and.referrals.department.{number}@very-long-dystonia-network-domain.example.org",
        website=f"https://www.very-long-dystonia-network-domain.example.org/chapters/{number}/contact-us/index.html",
        focus=("torticollis", "blepharospasm", "speech", "general"),
        notes=(f"Meetings every second Tuesday at the community centre, room {number}",),
    )


def test_twelve_long_organizations_still_fit_on_one_page(everything):
    organizations = [_long_organization(n) for n in range(1, 13)]
    view = Shown(ViewRequest(near="Chicago, IL", radius_mi=250), everything.page, organizations,
                distances_mi={org.id: 10.0 * n + 0.5 for n, org in enumerate(organizations, start=1)})
    reader = _render(view)
    assert len(reader.pages) == 1
    text = _text(reader)
    for org in organizations:
        assert org.name in text
        assert org.email in text.replace(" ", "") or org.email in text
    assert "120.5 miles away" in text
    assert "Last reviewed November 20, 2012" in text


def test_many_more_organizations_than_fit_are_counted_not_spilled(everything):
    organizations = [_long_organization(n) for n in range(1, 61)]
    reader = _render(Shown(ViewRequest(), everything.page, organizations))
    assert len(reader.pages) == 1
    text = _text(reader)
    assert organizations[0].name in text
    match = re.search(r"and (\d+) more organizations", text)
    assert match is not None
    shown = sum(1 for org in organizations if org.name in text)
    assert shown + int(match.group(1)) == 60


def test_filtered_view_lists_only_its_organizations(directory):
    view = view_of(directory.page, directory.organizations,
                       ViewRequest(focus=("torticollis",), include_general=False))
    names = {org.name for org in view.organizations}
    assert names == {"National Spasmodic Torticollis Association", "Spasmodic Torticollis Dystonia/ST Dystonia"}
    reader = _render(view)
    text = _text(reader)
    assert view.title in text
    for org in directory.organizations:
        assert (org.name in text) == (org.name in names), org.name


def test_empty_view_says_so(directory):
    view = view_of(directory.page, directory.organizations, ViewRequest(query="no such group anywhere"))
    assert view.empty
    text = _text(_render(view))
    assert "No organization matches this view" in text


def test_the_link_must_be_a_web_address(everything):
    with pytest.raises(ValueError):
        render_handout(everything, url="javascript:alert(1)")


def test_a_link_too_long_for_the_qr_code_says_so(everything):
    long_search = "https://atlas.example.org/directory?q=" + "x" * 2100
    with pytest.raises(ExportError, match="2,138 characters long.*shorten the name or city search"):
        render_handout(everything, url=long_search)


def test_fpdf_placeholders_in_data_are_printed_as_written(everything):
    org = Organization(id="x", name="Group {nb} of **many** <b>pages</b>", street="{nb} Main Street",
                       city="Chicago", state="IL", postal_code="60601", phone="(312) 755-0198")
    text = _text(_render(Shown(ViewRequest(), everything.page, [org])))
    assert "Group {nb} of **many** <b>pages</b>" in text and "{nb} Main Street" in text


def test_a_very_long_title_and_link_still_fit(everything):
    request = ViewRequest(query="dystonia support " * 40)
    url = view_url(request, BASE_URL) + "&x=" + "y" * 1000  # under the 2,048 characters `safe_url` allows
    view = Shown(request, everything.page, everything.organizations)
    reader = _render(view, url)
    assert len(reader.pages) == 1
    assert _qr_payloads(reader) == [url]
    assert "Last reviewed November 20, 2012" in _text(reader)


def test_characters_no_bundled_font_has_are_shown_and_noted_never_dropped(everything, caplog):
    org = Organization(id="x", name="東京 Dystonia 𝐀𝐁 Group 😀", street="𝐀 Main Street", city="大阪",
                       state="IL", postal_code="60601", phone="(312) 755-0198")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an fpdf warning would fail the test
        with caplog.at_level(logging.WARNING, logger="fpdf"):
            reader = _render(Shown(ViewRequest(), everything.page, [org]))
    assert not [r for r in caplog.records if "missing" in r.getMessage()], "fpdf reported missing glyphs"
    text = _text(reader)
    assert "𝐀𝐁" in text and "𝐀 Main Street" in text  # the fallback font draws mathematical letters
    assert "□□ Dystonia 𝐀𝐁 Group 😀" in text  # CJK shown as □, one for each character; DejaVu has the emoji
    assert "□□, IL 60601" in text
    assert "Some characters could not be printed and are shown as □" in text


def test_no_note_when_every_character_prints(everything):
    org = Organization(id="x", name="Ça va, Ελληνικά, Кириллица: 𝐀", city="Chicago", state="IL", postal_code="60601")
    text = _text(_render(Shown(ViewRequest(), everything.page, [org])))
    assert org.name in text and "could not be printed" not in text and "□" not in text


def test_a_page_without_a_review_date_says_so(everything):
    page = everything.page.replace(reviewed_on=None)
    text = _text(_render(Shown(ViewRequest(), page, list(everything.organizations[:2]))))
    assert "gives no review date" in text and "confirm them" in text


def test_a_handout_for_this_computer_prints_how_to_find_the_list_not_a_dead_link(directory):
    """Without a public address the link would be http://localhost:…, which points nowhere on paper."""
    view = view_of(directory.page, directory.organizations, ViewRequest(focus=("speech",)))
    reader = _render(view, "http://localhost:8501/directory?focus=speech")
    text = _text(reader)
    assert _qr_payloads(reader) == [] and "localhost" not in text
    assert "To find this list again, open Dystonia Atlas and choose:" in text
    assert "Voice & speech and general dystonia groups" in text
