"""Every export read back by a real parser; hostile values come back intact and stay inert."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import vobject
from geojson_pydantic import FeatureCollection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atlas.directory.view import ViewRequest
from atlas.ingest.build import build_directory
from atlas.model import Organization
from atlas.outputs.export import CSV_COLUMNS, FORMATS, filename, fold, to_csv, to_geojson, to_kml, to_vcard
from atlas.text import neutralize, restore
from tests.conftest import PAGES, Shown, view_of

SCHEMA = json.loads((Path(__file__).parent / "fixtures" / "geojson-featurecollection.schema.json").read_text())
KML = "{http://www.opengis.net/kml/2.2}"

HOSTILE = Organization(
    id="hostile", name='=HYPERLINK("http://evil.example","x"), <script>alert(1)</script>; semi\nsecond line',
    street='@SUM(1+1); -2+3, Suite "A"', city="+Town, with comma", state="IL", postal_code="60601", country="US",
    phone="=1+1", toll_free="(800) 555-0199", fax="-fax", email="x@y.org<img src=x onerror=alert(1)>",
    website="javascript:alert(1)", focus=("speech", "general"), service_area="national",
    latitude=41.8858, longitude=-87.6181, location_precision="postal_code",
    quality_flags=("invalid-phone", "invalid-email", "invalid-website"),
)
TEXT_FIELDS = ("name", "street", "city", "phone", "toll_free", "fax", "email", "website")




@pytest.fixture(scope="module")
def full(directory):
    return view_of(directory.page, directory.organizations, ViewRequest())


@pytest.fixture(scope="module")
def hostile_view(directory):
    return Shown(ViewRequest(), directory.page, [HOSTILE, directory.organizations[0]])


@pytest.fixture(scope="module")
def hostile_page_view():
    built = build_directory((PAGES / "hostile.txt").read_text())
    return view_of(built.page, built.organizations, ViewRequest())


@pytest.fixture(scope="module")
def dysphonia_view():
    built = build_directory((PAGES / "spasmodic_dysphonia.txt").read_text())
    return view_of(built.page, built.organizations, ViewRequest())


# --- CSV --------------------------------------------------------------------------------

def read_csv(data: bytes) -> list[dict]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 byte-order mark so spreadsheets read the encoding"
    text = data.decode("utf-8-sig")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")[: text.find("\r\n")]
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_csv_reads_back_with_the_csv_module(full):
    rows = read_csv(to_csv(full))
    assert list(rows[0]) == CSV_COLUMNS
    assert [r["name"] for r in rows] == [o.name for o in full.organizations]
    dmrf = rows[0]
    assert (dmrf["phone"], dmrf["city"], dmrf["latitude"], dmrf["longitude"]) == (
        "(312) 755-0198", "Chicago", "41.8858", "-87.6181")
    assert dmrf["focus"] == "General dystonia and movement disorders"


def test_csv_lines_end_with_crlf_as_rfc_4180_asks(full):
    text = to_csv(full).decode("utf-8-sig")
    assert text.count("\r\n") == len(full.organizations) + 1 and "\n" not in text.replace("\r\n", "")


# The OWASP CSV Injection page: "ensure that no cells begin with any of the following characters:
# Equals to (=), Plus (+), Minus (-), At (@), Tab (0x09), Carriage return (0x0D)", and, as an
# alternative sanitisation, "prepend each cell field with a single quote". OWASP ASVS 5.0 (V1.2.10)
# adds the null character (0x00) to the characters to escape with a single quote.
OWASP_FORMULA_STARTS = ("=", "+", "-", "@", "\x09", "\x0d", "\x00")
NUMBER_COLUMNS = ("latitude", "longitude", "distance_miles")


def test_csv_hostile_values_are_intact_and_never_formulas(hostile_view):
    rows = read_csv(to_csv(hostile_view))
    row = rows[0]
    for field in TEXT_FIELDS:
        assert restore(row[field]) == getattr(HOSTILE, field), field
    for row in rows:
        for column in CSV_COLUMNS:
            if column not in NUMBER_COLUMNS:
                assert not row[column].startswith(OWASP_FORMULA_STARTS), (column, row[column])
    assert rows[0]["longitude"] == "-87.6181"  # a number stays a number, minus sign and all


@pytest.mark.parametrize("start", OWASP_FORMULA_STARTS)
def test_every_owasp_trigger_gets_the_apostrophe_and_comes_back(start, directory):
    value = start + 'SUM(1+1)*cmd|" /C calc"!A0'
    org = directory.organizations[0].replace(name=value, city=value, street=start)
    row = read_csv(to_csv(Shown(ViewRequest(), directory.page, [org])))[0]
    for column in ("name", "city", "street"):
        assert row[column].startswith("'") and not row[column].startswith(OWASP_FORMULA_STARTS)
        assert restore(row[column]) == getattr(org, column)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text())
def test_no_text_cell_ever_starts_a_formula_and_every_cell_comes_back(value):
    cell = neutralize(value)
    assert not cell.startswith(OWASP_FORMULA_STARTS)
    assert restore(cell) == value
    assert cell in (value, "'" + value)  # the only change is the apostrophe OWASP advises


def test_csv_distance_column_when_a_place_is_given(directory):
    view = view_of(directory.page, directory.organizations, ViewRequest(near="60601", radius_mi=3000))
    rows = read_csv(to_csv(view))
    assert rows[0]["name"] == "Dystonia Medical Research Foundation" and rows[0]["distance_miles"] == "0"
    assert float(rows[1]["distance_miles"]) > 0


# --- GeoJSON ----------------------------------------------------------------------------

def test_geojson_is_rfc_7946_with_longitude_first(full):
    document = json.loads(to_geojson(full))
    jsonschema.validate(document, SCHEMA)
    FeatureCollection.model_validate(document)
    dmrf = document["features"][0]
    assert dmrf["geometry"]["coordinates"] == [-87.6181, 41.8858]
    assert dmrf["properties"]["phone"] == "(312) 755-0198"
    west, south, east, north = document["bbox"]
    assert west < -117 and east > -74 and south < 31 and north > 42


def test_geojson_keeps_unplaced_organizations_with_null_geometry(dysphonia_view):
    document = json.loads(to_geojson(dysphonia_view))
    jsonschema.validate(document, SCHEMA)
    FeatureCollection.model_validate(document)
    canada = next(f for f in document["features"] if f["properties"]["country"] == "CA")
    assert canada["geometry"] is None


def test_geojson_hostile_values_survive(hostile_view):
    document = json.loads(to_geojson(hostile_view))
    jsonschema.validate(document, SCHEMA)
    properties = document["features"][0]["properties"]
    for field in TEXT_FIELDS:
        assert properties[field] == getattr(HOSTILE, field), field


# --- KML --------------------------------------------------------------------------------

def _placemarks(data: bytes):
    root = ET.fromstring(data)
    assert root.tag == f"{KML}kml"
    return root.findall(f"{KML}Document/{KML}Placemark")


def test_kml_parses_and_places_points_longitude_first(full):
    placemarks = _placemarks(to_kml(full))
    assert [p.findtext(f"{KML}name") for p in placemarks] == [o.name for o in full.organizations]
    assert placemarks[0].findtext(f"{KML}Point/{KML}coordinates") == "-87.618100,41.885800,0"
    assert placemarks[0].findtext(f"{KML}address") == "1 East Wacker Drive, Suite 2810, Chicago, IL 60601-1905"
    assert placemarks[0].findtext(f"{KML}styleUrl") == "#focus-general"


def test_kml_description_is_html_escaped_and_links_are_allow_listed(hostile_view):
    placemark = _placemarks(to_kml(hostile_view))[0]
    description = placemark.findtext(f"{KML}description")
    assert "<script" not in description and "<img" not in description  # Google Earth renders this as HTML
    assert "&lt;img src=x onerror=alert(1)&gt;" in description
    hrefs = re.findall(r'href="([^"]*)"', description)
    assert all(h.startswith(("tel:", "mailto:", "http:", "https:")) for h in hrefs)
    assert "javascript:alert(1)" in html.unescape(description)  # shown, as text
    data = {d.get("name"): d.findtext(f"{KML}value") for d in placemark.iter(f"{KML}Data")}
    for field in TEXT_FIELDS:
        assert data[field] == getattr(HOSTILE, field), field


def test_kml_from_the_hostile_page_has_no_live_markup(hostile_page_view):
    for placemark in _placemarks(to_kml(hostile_page_view)):
        assert "<" not in re.sub(r'<a href="(tel|mailto|https?):[^"]*">|</a>|<br>', "",
                                 placemark.findtext(f"{KML}description"))


# --- vCard ------------------------------------------------------------------------------

_CONTENT_LINE = re.compile(r"^(?P<name>[A-Za-z0-9-]+)(?P<params>(?:;[A-Za-z0-9-]+=[^;:]*)*):(?P<value>.*)$")


def strict_vcards(data: bytes) -> list[list[tuple[str, str, str]]]:
    """An RFC 6350 reader that refuses what the RFC refuses: bare LF, long lines, bad folding,
    a missing VERSION:4.0 or FN, and unknown escapes in TEXT values."""
    text = data.decode("utf-8")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", ""), "every line ends with CRLF"
    for physical in text.split("\r\n"):
        assert len(physical.encode("utf-8")) <= 75, physical
    unfolded = re.sub(r"\r\n[ \t]", "", text).split("\r\n")[:-1]
    cards, current = [], None
    for line in unfolded:
        match = _CONTENT_LINE.match(line)
        assert match, f"not a content line: {line!r}"
        name, value = match.group("name").upper(), match.group("value")
        if name == "BEGIN":
            assert value == "VCARD" and current is None
            current = []
        elif name == "END":
            assert value == "VCARD" and current is not None
            names = [p[0] for p in current]
            assert names[0] == "VERSION" and current[0][2] == "4.0" and "FN" in names
            cards.append(current)
            current = None
        else:
            current.append((name, match.group("params"), value))
    assert current is None
    return cards


def unescape_text(value: str) -> str:
    assert not re.search(r"\\[^\\,;nN]", value), f"unknown escape in {value!r}"
    return re.sub(r"\\([\\,;nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def _split_components(value: str) -> list[str]:
    return [unescape_text(p) for p in re.split(r"(?<!\\);", value)]


def test_vcards_pass_the_strict_reader_and_vobject(full):
    data = to_vcard(full)
    cards = strict_vcards(data)
    assert len(cards) == len(full.organizations)
    parsed = list(vobject.readComponents(data.decode("utf-8")))
    assert [c.fn.value for c in parsed] == [o.name for o in full.organizations]
    dmrf = dict((name, value) for name, _, value in cards[0])
    assert ("TEL", ";VALUE=uri;TYPE=voice,work", "tel:+1-312-755-0198") in cards[0]
    assert ("TEL", ";VALUE=uri;TYPE=fax,work", "tel:+1-312-803-0138") in cards[0]
    assert dmrf["EMAIL"] == "dystonia@dystonia-foundation.org"
    assert dmrf["URL"] == "https://www.dystonia-foundation.org"
    assert dmrf["GEO"] == "geo:41.885800,-87.618100"
    assert _split_components(dmrf["ADR"]) == ["", "", "1 East Wacker Drive, Suite 2810", "Chicago", "Illinois",
                                              "60601-1905", "USA"]


def test_vcard_hostile_values_are_escaped_intact_and_kept_out_of_uri_properties(hostile_view):
    cards = strict_vcards(to_vcard(hostile_view))
    card = cards[0]
    values = {name: value for name, _, value in card}
    assert unescape_text(values["FN"]) == HOSTILE.name  # newline, comma, semicolon and quotes survive
    assert _split_components(values["ADR"])[2:4] == ['@SUM(1+1)\n-2+3, Suite "A"', "+Town, with comma"]
    assert "URL" not in values and "EMAIL" not in values  # not valid, so not offered as links
    assert [v for n, _, v in card if n == "TEL"] == ["tel:+1-800-555-0199"]
    note = unescape_text(values["NOTE"])
    for line in ("Phone as published: =1+1", "Fax as published: -fax",
                 "Email as published: x@y.org<img src=x onerror=alert(1)>", "Website as published: javascript:alert(1)"):
        assert line in note
    assert vobject.readOne(to_vcard(hostile_view).decode("utf-8")).fn.value == HOSTILE.name


def test_folding_never_splits_a_character():
    line = "NOTE:" + "é" * 100
    folded = fold(line)
    assert all(len(part.encode("utf-8")) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line


# --- names and the hostile page ---------------------------------------------------------

def test_file_names_say_what_is_inside(directory):
    view = view_of(directory.page, directory.organizations, ViewRequest(focus=("torticollis",), state="CA"))
    assert filename(view, "csv") == "dystonia-atlas-torticollis-and-general-dystonia-groups-in-california.csv"
    assert filename(view, "vcf").endswith(".vcf") and set(FORMATS) == {"csv", "geojson", "kml", "vcf", "pdf", "png"}


@pytest.mark.parametrize("render", [to_csv, to_geojson, to_kml, to_vcard])
def test_every_text_format_renders_the_hostile_page(hostile_page_view, render):
    data = render(hostile_page_view)
    assert b"pwned" in data


# --- any text at all --------------------------------------------------------------------

# Everything a str can hold: controls, non-characters (U+FFFE, U+FFFF), CJK, emoji and
# mathematical letters (U+1D400…) all come up; Python strings from files hold no surrogates.
ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=60) | st.sampled_from(
    ["\ufffe\uffff", "\x00\x01\x0b\x0c\x1f\x7f", "字𝐀😀", "a\r\nb\rc\nd", "\x85\u2028\u2029"])
XML_CHAR = re.compile("[\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def expected_in_xml(value: str) -> str:
    """XML 1.0 §2.2 allows only these characters; a parser reads every line break back as LF."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c if XML_CHAR.fullmatch(c) else "\ufffd" for c in value)


def _any_org(name: str, street: str, city: str, phone: str, website: str) -> Organization:
    return Organization(id="any", name=name or "x", street=street, city=city, state="IL", postal_code="60601",
                        country="US", phone=phone, website=website, focus=("general",), latitude=41.5,
                        longitude=-87.5, location_precision="postal_code")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ANY_TEXT, ANY_TEXT, ANY_TEXT, ANY_TEXT, ANY_TEXT)
def test_kml_is_well_formed_for_any_text(directory, name, street, city, phone, website):
    org = _any_org(name, street, city, phone, website)
    data = to_kml(Shown(ViewRequest(query=name), directory.page, [org]))
    root = ET.fromstring(data)  # raises on anything that is not well-formed XML 1.0
    placemark = root.find(f"{KML}Document/{KML}Placemark")
    assert placemark.findtext(f"{KML}name") == expected_in_xml(org.name)
    values = {d.get("name"): d.findtext(f"{KML}value") for d in placemark.iter(f"{KML}Data")}
    for field in ("street", "city", "phone", "website"):
        assert values[field] == expected_in_xml(getattr(org, field)), field
    replaced = any(expected_in_xml(v) != v.replace("\r\n", "\n").replace("\r", "\n")
                   for v in (org.name, street, city, phone, website))
    assert ("export_note" in values) == replaced
    if replaced:
        assert "\ufffd" in placemark.findtext(f"{KML}description")


def test_kml_with_non_characters_parses_and_says_what_was_replaced(directory):
    org = _any_org("Group \ufffe\uffff end", "", "", "", "")
    data = to_kml(Shown(ViewRequest(), directory.page, [org]))
    placemark = ET.fromstring(data).find(f"{KML}Document/{KML}Placemark")
    assert placemark.findtext(f"{KML}name") == "Group \ufffd\ufffd end"
    assert "cannot be written" in placemark.findtext(f"{KML}description")


def expected_in_vcard(value: str) -> str:
    """RFC 6350 §3.3 allows no control character but tab in a value; line breaks travel as \\n."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "\ufffd", value)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ANY_TEXT, ANY_TEXT, ANY_TEXT, ANY_TEXT, ANY_TEXT)
def test_vcard_reads_back_field_for_field_for_any_text(directory, name, street, city, phone, website):
    org = _any_org(name, street, city, phone, website)
    data = to_vcard(Shown(ViewRequest(), directory.page, [org]))
    strict_vcards(data)
    card = vobject.readOne(data.decode("utf-8"))
    assert card.fn.value == expected_in_vcard(org.name)
    assert card.org.value == [expected_in_vcard(org.name)]
    address = card.adr.value
    assert address.street == expected_in_vcard("\n".join(line.strip() for line in street.split(";") if line.strip()))
    assert address.city == expected_in_vcard(city)
    note = card.note.value
    if phone and "tel" not in card.contents:  # not a valid number: kept in the note as written
        assert f"Phone as published: {expected_in_vcard(phone)}" in note
    if website and "url" not in card.contents:
        assert f"Website as published: {expected_in_vcard(website)}" in note
    assert ("cannot be written" in note) == any(expected_in_vcard(v) != v.replace("\r\n", "\n").replace("\r", "\n")
                                                 for v in (org.name, street, city, phone, website))


@pytest.mark.parametrize("website", ["https://example.org/a,b,c", "https://example.org/?q=1,2;x=3",
                                     "https://example.org/path;params,more"])
def test_vcard_url_with_a_comma_reads_back_whole(directory, website):
    org = _any_org("Group", "", "", "", website)
    card = vobject.readOne(to_vcard(Shown(ViewRequest(), directory.page, [org])).decode("utf-8"))
    assert card.url.value == website
