from __future__ import annotations

import csv
import io

import pytest

from atlas.ingest.files import (
    DataError,
    load_built,
    organizations_from_csv,
    organizations_to_csv,
    page_from_json,
    page_to_json,
)
from atlas.model import ORGANIZATION_FIELDS, Organization
from atlas.text import neutralize, restore
from tests.conftest import DATA

HOSTILE = Organization(
    id="evil", name='=HYPERLINK("http://evil.example","click"), <script>x</script>', street="@SUM(1+1); line two",
    city="-2+3", state="IL", postal_code="60601", country="US", phone="+1 312 555 0100",
    email="a@b.org", website="javascript:alert(1)", focus=("general",), service_area="national",
    latitude=41.5, longitude=-87.25, location_precision="postal_code", quality_flags=("invalid-website",),
    notes=("'quoted", "=second line", 'comma, "quote"; semicolon'),  # notes are page lines: never multi-line
)


def test_organizations_round_trip_exactly(directory):
    text = organizations_to_csv(directory.organizations)
    assert organizations_from_csv(text) == directory.organizations


def test_hostile_values_round_trip_and_stay_inert_in_a_spreadsheet():
    text = organizations_to_csv([HOSTILE])
    assert organizations_from_csv(text) == [HOSTILE]
    row = next(csv.DictReader(io.StringIO(text)))
    for name in ("name", "street", "city", "phone", "notes"):
        assert row[name].startswith("'"), name
    assert row["latitude"] == "41.500000" and row["longitude"] == "-87.250000"  # numbers stay numbers


# OWASP's list of cell starts a spreadsheet runs as a formula, plus ASVS's NUL (see tests/test_export.py).
@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@x", "\tx", "\rx", "\x00x", "'x", "''x", "plain", ""])
def test_neutralize_is_reversible(value):
    assert restore(neutralize(value)) == value
    assert not neutralize(value).startswith(("=", "+", "-", "@", "\t", "\r", "\x00"))


def test_page_round_trip(directory):
    assert page_from_json(page_to_json(directory.page)) == directory.page


def test_committed_files_hold_the_contract():
    header = (DATA / "organizations.csv").read_text().splitlines()[0].split(",")
    assert header == list(ORGANIZATION_FIELDS)
    page, organizations = load_built(DATA)
    assert len(organizations) == 8 and len(page.sections) == 4
    assert page.reviewed_on.isoformat() == "2012-11-20" and page.quality_flags == ("stale-source",)


@pytest.mark.parametrize("mutate, message", [
    (lambda t: t.replace("id,name", "ident,name"), r"missing column\(s\): id"),
    (lambda t: t.replace("41.885800", "north"), "not a number"),
    (lambda t: t.replace("41.885800", "141.0"), "outside"),
    (lambda t: t.replace(",general,", ",necks,", 1), "unknown focus"),
    (lambda t: t.replace("zip-city-mismatch", "bogus-flag"), "unknown quality flag"),
    (lambda t: t.replace("american-dystonia-society", "dystonia-medical-research-foundation"), "repeats"),
])
def test_corrupt_csv_raises_data_error(mutate, message):
    text = (DATA / "organizations.csv").read_text()
    with pytest.raises(DataError, match=message):
        organizations_from_csv(mutate(text))


_PAGE = '"title": "x", "source": "s", "disclaimer": "d"'


@pytest.mark.parametrize("text, message", [
    ("{", "not valid JSON"), ("[]", "JSON object"), ('{"title": "x"}', "sections: missing"),
    ("{" + _PAGE + ', "sections": [], "reviewed_on": "2012-01-01"}', "at least one section"),
    ("{" + _PAGE + ', "sections": [{"heading": "h", "body": "b"}], "reviewed_on": "soon"}',
     "reviewed_on: not a date"),
    ("{" + _PAGE + ', "sections": [{"heading": "h", "body": 5}], "reviewed_on": null}', r"sections\[0\]\.body"),
])
def test_corrupt_page_json_raises_data_error(text, message):
    with pytest.raises(DataError, match=message):
        page_from_json(text)


def test_page_without_a_review_date_round_trips(directory):
    page = directory.page.replace(reviewed_on=None)
    text = page_to_json(page)
    assert '"reviewed_on": null' in text
    assert page_from_json(text) == page


def test_missing_folder_raises_data_error(tmp_path):
    with pytest.raises(DataError, match="missing"):
        load_built(tmp_path)
