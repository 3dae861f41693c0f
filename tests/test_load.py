"""Links prepared for a whole column at load equal the validators' links value for value."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atlas.directory.load import mailto_links, tel_links, website_links
from atlas.ingest import contacts

digits = st.text("0123456789", min_size=3, max_size=4)
phones = st.one_of(
    st.builds(lambda a, b, c: f"({a[:3]}) {b[:3]}-{c.ljust(4, '0')[:4]}", digits, digits, digits),
    st.sampled_from(["(312) 755-0198", "(800) 377-3978", "(555) 555-0100", "(123) 456-7890", "(212) 911-0000",
                     "(310) 237-5478 ext. 12", "+44 20 7946 0958", "555-CALL-NOW", "", "(312) 755-019"]),
    st.text(max_size=20),
)
emails = st.one_of(
    st.emails(),
    st.sampled_from(["info@dystonia-foundation.org", "A.B+c@Example.ORG", "x@test", "a..b@x.org", ".a@x.org",
                     "a.@x.org", "a%b@x.org", "-cmd|/C calc!A0@example.org", "user@localhost", "", "ü@x.org"]),
    st.text(max_size=30),
)
websites = st.one_of(
    st.sampled_from(["https://www.dystonia-foundation.org", "http://x.org/a/b?c=1#d", "https://x.org.",
                     "https://x.org/a b", "javascript:alert(1)", "https://user:pw@x.org", "https://x.org:8080/a",
                     "www.x.org", "https://-x.org", "https://x.o", "https://x.org/(a)", "https://x.org/'a'", ""]),
    st.text(max_size=40),
)


def _same(series_fn, single_fn, values, flag):
    flags = [(flag,) if i % 3 == 0 else () for i in range(len(values))]
    got = series_fn(pd.Series(values, dtype="str"), flags).tolist()
    want = [single_fn(v) if v else None for v in values]
    assert got == want


@settings(max_examples=200, deadline=None)
@given(st.lists(phones, min_size=1, max_size=12))
def test_tel_links_match_the_validator(values):
    _same(tel_links, contacts.tel_link, values, "invalid-phone")


@settings(max_examples=200, deadline=None)
@given(st.lists(emails, min_size=1, max_size=12))
def test_mailto_links_match_the_validator(values):
    _same(mailto_links, contacts.mailto_link, values, "invalid-email")


@settings(max_examples=200, deadline=None)
@given(st.lists(websites, min_size=1, max_size=12))
def test_website_links_match_the_validator(values):
    _same(website_links, contacts.website_link, values, "invalid-website")


def _records_of(page_name: str | None):
    from atlas.ingest.build import build_directory
    from tests.conftest import ROOT, page_text

    text = (ROOT / "data" / "dystonias.txt").read_text() if page_name is None else page_text(page_name)
    return build_directory(text)


@pytest.mark.parametrize("page_name", [None, "hostile.txt", "essential_tremor.txt"])
def test_a_loaded_directory_holds_each_organizations_links_as_the_validators_give_them(page_name):
    from atlas.directory.load import prepare

    built = _records_of(page_name)
    atlas = prepare(built.page, built.organizations)
    assert len(atlas) and atlas.links("no-such-organization") is None
    refused = 0
    for org in built.organizations:
        links = atlas.links(org.id)
        assert links == contacts.links_of(org), org.id
        values = (org.phone, org.toll_free, org.email, org.website)
        assert all(link is None or link.split(":")[0] in ("tel", "mailto", "http", "https") for link in links)
        refused += sum(1 for value, link in zip(values, links) if value and link is None)
    assert (refused > 0) == (page_name == "hostile.txt")  # a value that is not a safe link stays text
