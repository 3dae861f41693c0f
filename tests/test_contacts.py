from __future__ import annotations

import pytest

from atlas.ingest import contacts


@pytest.mark.parametrize("text, display", [
    ("312.755.0198", "(312) 755-0198"),
    ("(312) 755-0198", "(312) 755-0198"),
    ("1-800-377-DYST (3978)", "(800) 377-3978"),
    ("+44 20 7946 0018", "+44 20 7946 0018"),
])
def test_phone_display_forms(text, display):
    assert contacts.display_phone(contacts.parse_phone(text)) == display


def test_several_numbers_on_one_line():
    numbers = contacts.parse_phones("312.755.0198 or 800.377.3978")
    assert [contacts.display_phone(n) for n in numbers] == ["(312) 755-0198", "(800) 377-3978"]
    assert [contacts.is_toll_free(n) for n in numbers] == [False, True]


@pytest.mark.parametrize("text", ["call us", "", "123", "<script>alert(1)</script>", "9" * 500])
def test_invalid_phones_give_nothing(text):
    assert contacts.parse_phone(text) is None
    assert contacts.phone_uri(text) is None


def test_phone_uri_is_e164_with_extension():
    assert contacts.phone_uri("(312) 755-0198") == "tel:+13127550198"
    assert contacts.phone_uri("(613) 236-8888 ext. 12") == "tel:+16132368888;ext=12"


@pytest.mark.parametrize("text, region", [
    ("(310) 237-5478", "CA"), ("(312) 755-0198", "IL"), ("(416) 488-6974", "ON"), ("(800) 487-8385", None)])
def test_phone_region_from_area_code(text, region):
    assert contacts.phone_region(text) == region


def test_emails():
    assert contacts.normalize_email("mailto:NSTAmail@AOL.com") == "NSTAmail@aol.com"
    assert contacts.normalize_email(" info@bsdpf.org ") == "info@bsdpf.org"
    for bad in ["not-an-email", "a@b", "<x>@y.org", "javascript:alert(1)", ""]:
        assert contacts.normalize_email(bad) is None


def test_website_from_email_skips_free_mail():
    assert contacts.website_from_email("info@bsdpf.org") == "https://www.bsdpf.org"
    assert contacts.website_from_email("help@lists.example.org") == "https://lists.example.org"
    assert contacts.website_from_email("NSTAmail@aol.com") is None
    assert contacts.website_from_email("someone@gmail.com") is None
    assert contacts.website_from_email("broken") is None


@pytest.mark.parametrize("text, url", [
    ("http://www.dysphonia.org", "http://www.dysphonia.org"),
    ("www.nidcd.nih.gov", "https://www.nidcd.nih.gov"),
    ("https://example.org/path?q=1.", "https://example.org/path?q=1"),
    ("javascript:alert(1)", None), ("data:text/html,hi", None), ("http://", None),
    ("https://user:pw@example.org", None), ('https://x.org/"onmouseover=', None), ("ftp://x.org", None),
])
def test_websites(text, url):
    assert contacts.normalize_website(text) == url
