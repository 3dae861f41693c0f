"""Phone numbers, email addresses and websites: validate, normalise, and turn into links.

Records keep the readable form of a phone ("(312) 755-0198"); `phone_uri` re-parses it into a
`tel:` link, so the CSV stays readable and the link stays exact. Anything that fails validation
is kept as written (nothing the page said is dropped) and never becomes a link.
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import quote, urlencode, urlsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from atlas.model import Organization

DEFAULT_REGION = "US"
PO_BOX_PATTERN = re.compile(r"\b(?:p\.?\s?o\.?\s?box|post office box|box)\s+\d+", re.IGNORECASE)

# Mail providers whose domain says nothing about who owns the address.
FREE_MAIL_DOMAINS = frozenset("""
aol.com gmail.com googlemail.com yahoo.com yahoo.ca ymail.com rocketmail.com hotmail.com
outlook.com live.com msn.com icloud.com me.com mac.com comcast.net verizon.net att.net
sbcglobal.net bellsouth.net earthlink.net cox.net charter.net optonline.net juno.com
netzero.net mail.com gmx.com gmx.net protonmail.com proton.me zoho.com aim.com frontier.com
windstream.net centurylink.net q.com mindspring.com roadrunner.com rr.com twc.com
sympatico.ca rogers.com shaw.ca videotron.ca telus.net bell.net cogeco.ca btinternet.com
""".split())


# --- phones -----------------------------------------------------------------------------

def parse_phones(text: str, region: str = DEFAULT_REGION) -> list[phonenumbers.PhoneNumber]:
    """Every valid phone number in a line such as "312.755.0198 or 800-377-DYST (3978)"."""
    if not text or len(text) > 200:
        return []
    found = [m.number for m in phonenumbers.PhoneNumberMatcher(text, region)]
    if found:
        return found
    # Vanity numbers ("1-800-377-DYST") are not matched inside text, but parse() reads them.
    candidate = re.sub(r"\(\d+\)\s*$", "", text).strip()
    try:
        number = phonenumbers.parse(candidate, region)
    except phonenumbers.NumberParseException:
        return []
    return [number] if phonenumbers.is_valid_number(number) else []


def parse_phone(text: str, region: str = DEFAULT_REGION) -> phonenumbers.PhoneNumber | None:
    numbers = parse_phones(text, region)
    return numbers[0] if numbers else None


def display_phone(number: phonenumbers.PhoneNumber) -> str:
    """North American numbers in national form, everything else in international form."""
    fmt = PhoneNumberFormat.NATIONAL if number.country_code == 1 else PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, fmt)


def is_toll_free(number: phonenumbers.PhoneNumber) -> bool:
    return phonenumbers.number_type(number) == PhoneNumberType.TOLL_FREE


def phone_uri(text: str) -> str | None:
    """RFC 3966 `tel:` URI for a stored phone value, or None if it is not a valid number."""
    number = parse_phone(text)
    if number is None:
        return None
    uri = "tel:" + phonenumbers.format_number(number, PhoneNumberFormat.E164)
    if number.extension and number.extension.isdigit():
        uri += ";ext=" + number.extension
    return uri


# Canadian area codes by province. The US ones come from the offline ZIP table (each ZIP lists the
# codes that serve it); this short list is the rest of what the old phone-metadata lookup knew,
# without importing `phonenumbers.geocoder` (100 MB, 0.4 s) to learn a code's region.
CANADIAN_AREA_CODES: dict[str, tuple[str, ...]] = {
    code: regions for regions, codes in (
        (("AB",), "368 403 587 780 825"),
        (("BC",), "236 250 257 604 672 778"),
        (("MB",), "204 431 584"),
        (("NB",), "428 506"),
        (("NL",), "709 879"),
        (("NS", "PE"), "782 902"),
        (("ON",), "226 249 289 343 365 382 416 437 519 548 613 647 683 705 742 753 807 905 942"),
        (("QC",), "263 354 367 418 438 450 468 514 579 581 819 873"),
        (("SK",), "306 474 639"),
        (("YT", "NT", "NU"), "867"),
    ) for code in codes.split()
}
MAJOR_SHARE = 0.5  # a state counts for a US area code if it has at least half as many ZIPs as the top one


def phone_regions(text: str) -> tuple[str, ...]:
    """States or provinces an area code serves ("IL"; "NS", "PE"), the main one first.

    Toll-free, non-geographic and non-North-American numbers give (). A US code's states are
    those whose ZIP codes list it, leaving out border states that use it for a few ZIPs only.
    """
    number = parse_phone(text)
    if number is None or number.country_code != 1 or is_toll_free(number):
        return ()
    area_code = str(number.national_number).zfill(10)[:3]
    if area_code in CANADIAN_AREA_CODES:
        return CANADIAN_AREA_CODES[area_code]
    from atlas.geocode.places import zip_index

    counts = zip_index().area_code_states(area_code)
    return tuple(state for state, count in counts if count >= MAJOR_SHARE * counts[0][1])


def phone_region(text: str) -> str | None:
    """State or province an area code belongs to ("IL", "CA", "ON"), from the offline ZIP table.

    Toll-free and non-geographic numbers have no region and give None.
    """
    regions = phone_regions(text)
    return regions[0] if regions else None


# --- email ------------------------------------------------------------------------------

def normalize_email(text: str) -> str | None:
    """The normalised address if `text` is a syntactically valid email address, else None."""
    candidate = re.sub(r"^mailto:", "", (text or "").strip(), flags=re.IGNORECASE)
    if not candidate or len(candidate) > 254:
        return None
    try:
        return validate_email(candidate, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def email_domain(email: str) -> str | None:
    normalized = normalize_email(email)
    return normalized.rsplit("@", 1)[1].lower() if normalized else None


def website_from_email(email: str) -> str | None:
    """The organization's own site, guessed from its email domain; None for free-mail domains."""
    domain = email_domain(email)
    if not domain or domain in FREE_MAIL_DOMAINS:
        return None
    host = domain if domain.count(".") > 1 else "www." + domain
    return "https://" + host


# --- websites ---------------------------------------------------------------------------

_HOST = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$", re.IGNORECASE)


def normalize_website(text: str) -> str | None:
    """An http(s) URL for a website line ("www.x.org", "http://x.org/a"), or None if it is not one."""
    candidate = (text or "").strip().rstrip(".,;")
    if not candidate or len(candidate) > 2000 or re.search(r"[\s<>\"'`\\]", candidate):
        return None
    if re.match(r"^www\.", candidate, re.IGNORECASE):
        candidate = "https://" + candidate
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not _HOST.match(parts.hostname or ""):
        return None
    if parts.username or parts.password:
        return None
    return candidate


# --- links --------------------------------------------------------------------------------
# Every URL the app shows goes through here: an allow-list of schemes, then a link builder.
# 
# Only http, https, mailto and tel links are ever produced. A value from the page that is not a
# valid phone number, email address or web address is shown as text and never becomes a link.

SAFE_SCHEMES = ("http", "https", "mailto", "tel")
MAX_URL_CHARS = 2048  # what every browser and a QR code still take
_UNSAFE_CHARACTERS = re.compile(r"[\s<>\"'`\\\x00-\x1f\x7f]")


def safe_url(url: str | None) -> str | None:
    """The URL if its scheme is on the allow-list and it holds nothing that could break out of
    an attribute or a Markdown link; otherwise None."""
    if not url or len(url) > MAX_URL_CHARS or _UNSAFE_CHARACTERS.search(url):
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
    uri = phone_uri(phone)
    if uri is None:
        return None
    match = re.fullmatch(r"tel:\+1(\d{3})(\d{3})(\d{4})(;ext=\d+)?", uri)
    if match:
        uri = f"tel:+1-{match.group(1)}-{match.group(2)}-{match.group(3)}{match.group(4) or ''}"
    return safe_url(uri)


def mailto_link(email: str, subject: str | None = None, body: str | None = None) -> str | None:
    address = normalize_email(email) if email else ""
    if email and address is None:
        return None
    query = {k: v for k, v in (("subject", subject), ("body", body)) if v}
    uri = "mailto:" + quote(address or "", safe="@.+") + ("?" + urlencode(query, quote_via=quote) if query else "")
    if uri == "mailto:":
        return None
    return safe_url(uri)


def website_link(website: str) -> str | None:
    return safe_url(normalize_website(website))


class Links(NamedTuple):
    """An organization's call, mail and web links; None where a value is missing or not a safe link."""
    phone: str | None
    toll_free: str | None
    email: str | None
    website: str | None


def links_of(org: Organization) -> Links:
    """One record's links, validated here. A loaded directory works them out for every organization
    at once (atlas.directory.load), so the app never comes here on a rerun."""
    return Links(tel_link(org.phone) if org.phone else None, tel_link(org.toll_free) if org.toll_free else None,
                 mailto_link(org.email) if org.email else None, website_link(org.website) if org.website else None)


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
