from __future__ import annotations

from datetime import date

import pytest

from atlas.ingest.quality import FLAGS, flag_details, organization_flags, page_flags, quality_report
from atlas.model import Organization, Page, Section

EXPECTED_FLAGS = {
    "Dystonia Medical Research Foundation": (),
    "National Spasmodic Torticollis Association": (),
    "WE MOVE (Worldwide Education & Awareness for Movement Disorders)": ("zip-city-mismatch",),
    "American Speech-Language-Hearing Association (ASHA)": (),
    "Benign Essential Blepharospasm Research Foundation": ("po-box",),
    "Bachmann-Strauss Dystonia & Parkinson Foundation": (),
    "Spasmodic Torticollis Dystonia/ST Dystonia": ("po-box",),
    "American Dystonia Society": ("phone-region-mismatch",),
}


def test_flags_on_the_committed_page(orgs_by_name, directory):
    assert {name: org.quality_flags for name, org in orgs_by_name.items()} == EXPECTED_FLAGS
    assert directory.page.quality_flags == ("stale-source",)


def test_flag_details_name_the_problem(orgs_by_name):
    wemove = flag_details(orgs_by_name["WE MOVE (Worldwide Education & Awareness for Movement Disorders)"])
    assert wemove["zip-city-mismatch"] == "ZIP 10024 is in New York, NY, not Bronx, NY."
    ads = flag_details(orgs_by_name["American Dystonia Society"])
    assert "California" in ads["phone-region-mismatch"] and "New Jersey" in ads["phone-region-mismatch"]


def test_every_flag_has_a_title_and_explanation():
    for code, flag in FLAGS.items():
        assert flag.code == code and flag.title and len(flag.explanation) > 30
        assert flag.scope in ("organization", "page")


def _page(reviewed: date) -> Page:
    return Page("What is X?", (Section("What is X?", "Body"),), "S", "D", reviewed)


@pytest.mark.parametrize("reviewed, stale", [
    (date(2023, 11, 23), False), (date(2023, 11, 22), True), (date(2012, 11, 20), True), (date(2026, 1, 1), False)])
def test_stale_source_after_three_years(reviewed, stale):
    assert ("stale-source" in page_flags(_page(reviewed), as_of=date(2026, 11, 23))) == stale


def test_leap_day_review_date():
    assert page_flags(_page(date(2020, 2, 29)), as_of=date(2023, 3, 1)) == ("stale-source",)


def _org(**fields) -> Organization:
    base = dict(id="x", name="X", street="1 Main St", city="Chicago", state="IL", postal_code="60601",
                country="US", phone="(312) 555-0100", latitude=41.88, longitude=-87.62,
                location_precision="postal_code")
    return Organization(**{**base, **fields})


def test_clean_entry_has_no_flags():
    assert organization_flags(_org()) == ()


@pytest.mark.parametrize("fields, code", [
    (dict(postal_code="99999"), "unknown-postal-code"),
    (dict(city="Springfield"), "zip-city-mismatch"),
    (dict(state="WI"), "zip-city-mismatch"),
    (dict(street="PO Box 5"), "po-box"),
    (dict(phone="(212) 555-0100"), "phone-region-mismatch"),
    (dict(latitude=None, longitude=None, location_precision="none"), "not-geocoded"),
    (dict(phone="call us"), "invalid-phone"),
    (dict(email="nope"), "invalid-email"),
    (dict(website="javascript:alert(1)"), "invalid-website"),
    (dict(notes=("Hours: 9-5",)), "unrecognised-lines"),
])
def test_each_flag_is_raised(fields, code):
    assert code in organization_flags(_org(**fields))


def test_toll_free_and_neighbouring_area_codes_do_not_flag():
    assert organization_flags(_org(phone="(800) 555-0100")) == ()
    # 914 (Westchester) is listed for Bronx ZIP 10471: no flag for a number the ZIP itself uses
    assert "phone-region-mismatch" not in organization_flags(
        _org(city="Bronx", state="NY", postal_code="10471", phone="(914) 555-0100"))


def test_non_us_addresses_are_not_checked_against_us_zips():
    canada = _org(city="Toronto", state="ON", postal_code="M4W 3X8", country="CA", phone="(416) 488-6974")
    assert organization_flags(canada) == ()


def test_report_lists_every_organization(directory):
    report = quality_report(directory.page, directory.organizations)
    assert "stale-source" in report and "ZIP 10024 is in New York" in report
    assert report.count("  ok") == 4
    assert report.rstrip().endswith("8 organizations, 4 with flags, 8 on the map.")
