"""Every URL the app shows goes through here: an allow-list of schemes, then a link builder.

Only http, https, mailto and tel links are ever produced. A value from the page that is not a
valid phone number, email address or web address is shown as text and never becomes a link.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode, urlsplit

from atlas import contacts
from atlas.model import Organization
from atlas.source import PO_BOX_PATTERN

SAFE_SCHEMES = ("http", "https", "mailto", "tel")
_UNSAFE_CHARACTERS = re.compile(r"[\s<>\"'`\\\x00-\x1f\x7f]")


def safe_url(url: str | None) -> str | None:
    """The URL if its scheme is on the allow-list and it holds nothing that could break out of
    an attribute or a Markdown link; otherwise None."""
    if not url or len(url) > 2048 or _UNSAFE_CHARACTERS.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in SAFE_SCHEMES:
        return None
    if scheme in ("http", "https") and not parts.hostname:
        return None
    if scheme == "tel" and not parts.path:
        return None
    if scheme == "mailto" and not (parts.path or parts.query):  # "mailto:?subject=…" is a draft with no recipient
        return None
    return url


def tel_link(phone: str) -> str | None:
    """`tel:+1-312-755-0198`: E.164 digits with RFC 3966 visual separators, for readable tables."""
    uri = contacts.phone_uri(phone)
    if uri is None:
        return None
    match = re.fullmatch(r"tel:\+1(\d{3})(\d{3})(\d{4})(;ext=\d+)?", uri)
    if match:
        uri = f"tel:+1-{match.group(1)}-{match.group(2)}-{match.group(3)}{match.group(4) or ''}"
    return safe_url(uri)


def mailto_link(email: str, subject: str | None = None, body: str | None = None) -> str | None:
    address = contacts.normalize_email(email) if email else ""
    if email and address is None:
        return None
    query = {k: v for k, v in (("subject", subject), ("body", body)) if v}
    uri = "mailto:" + quote(address or "", safe="@.+") + ("?" + urlencode(query, quote_via=quote) if query else "")
    if uri == "mailto:":
        return None
    return safe_url(uri)


def website_link(website: str) -> str | None:
    return safe_url(contacts.normalize_website(website))


def directions_url(org: Organization) -> str | None:
    """An https link to driving/transit directions to the organization's address."""
    # The last line that is a place to go: not a PO box, not a "c/o" line, not a building name.
    lines = [line.strip() for line in org.street.split(";") if line.strip()]
    street = next((line for line in reversed(lines)
                   if not PO_BOX_PATTERN.search(line) and not line.lower().startswith("c/o")
                   and line[:1].isdigit()), "")
    destination = ", ".join(p for p in (street, org.locality, "" if org.country in ("", "US") else org.country) if p)
    if not destination:
        if not org.has_point:
            return None
        destination = f"{org.latitude},{org.longitude}"
    return safe_url("https://www.google.com/maps/dir/?" + urlencode({"api": "1", "destination": destination},
                                                                     quote_via=quote))


def report_problem_link(org: Organization, to: str = "", page_url: str = "") -> str | None:
    """A mail draft to the atlas's curators about one listing, its subject naming the organization."""
    body = (f"Organization: {org.name}\nListing id: {org.id}\n" + (f"Link: {page_url}\n" if page_url else "")
            + "\nWhat is wrong, and what should it say?\n")
    return mailto_link(to, subject=f"Dystonia Atlas: problem with the listing for {org.name}", body=body)
