"""Fully offline in the browser: with the street basemap off, no request leaves localhost.

Every state of tests/e2e/visits.py is loaded once in a Chromium whose proxy is a local recorder
(see there for the two nets); this file asserts that nothing went towards the internet. Also:
control characters typed into a box are never shown raw.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import exceptions, main_text, open_app
from tests.e2e.visits import VISITS

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
LOCAL_SCHEMES = {"data", "blob", "about"}
# Chromium's own services, which it calls whatever page is open (sign-in checks, autofill
# predictions, component updates, safe browsing), so never the app's requests. Each is named
# exactly: a host the app could ask for (fonts.gstatic.com, unpkg.com, cartocdn.com) is never ignored.
BROWSER_OWN_HOSTS = {
    "accounts.google.com", "content-autofill.googleapis.com", "update.googleapis.com", "clients2.google.com",
    "clients2.googleusercontent.com", "safebrowsing.googleapis.com", "optimizationguide-pa.googleapis.com",
    "redirector.gvt1.com", "edgedl.me.gvt1.com", "dl.google.com",
}


def _host(target: str) -> str:
    """The host of a proxy request's target: `host:443` (CONNECT) or `http://host/path`."""
    return urlsplit(target if "://" in target else f"//{target}").hostname or target


def _leaves_localhost(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return False
    return (parts.hostname or "") not in LOCAL_HOSTS


@pytest.mark.parametrize("name", list(VISITS))
def test_no_request_leaves_localhost(visits, server, name):
    visit = visits(name)
    assert visit.exceptions == []
    assert any(url.startswith(server.url) for url in visit.requests), "the recorder saw the page's own requests"
    assert [url for url in visit.requests if _leaves_localhost(url)] == []
    towards_internet = sorted({target for target in visit.proxied if _host(target) not in BROWSER_OWN_HOSTS})
    assert towards_internet == [], f"Chromium sent requests towards the internet: {towards_internet}"


# Cc (C0, DEL, C1) and the bidirectional overrides and isolates; newlines and tabs are layout.
RAW_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.mark.parametrize("typed", ["%00abc", "abc%1b%5B31mred%07", "%E2%80%AEcba%C2%85x%7F"])
def test_control_characters_in_a_place_are_never_shown_raw(page, server, typed):
    open_app(page, server, f"nearby?near={typed}")
    assert exceptions(page) == []
    shown = [main_text(page), page.title(),
             page.locator('[data-testid="stSidebar"]').inner_text()]
    raw = [f"U+{ord(ch):04X} {unicodedata.name(ch, '')}" for text in shown for ch in RAW_CONTROL.findall(text)]
    assert raw == []
    assert "abc" in main_text(page) or "cba" in main_text(page) or "red" in main_text(page)
