"""Phone numbers, email addresses and websites: validate, normalise, and turn into links.

Records keep the readable form of a phone ("(312) 755-0198"); `phone_uri` re-parses it into a
`tel:` link, so the CSV stays readable and the link stays exact. Anything that fails validation
is kept as written (nothing the page said is dropped) and never becomes a link.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from phonenumbers import PhoneNumberFormat, PhoneNumberType
from phonenumbers import geocoder as phone_geocoder

from atlas.regions import REGION_NAME_PATTERN, region_code

DEFAULT_REGION = "US"

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


_CITY_STATE = re.compile(r",\s*([A-Z]{2})$")
_REGION_NAME = re.compile(rf"^(?:{REGION_NAME_PATTERN})$", re.IGNORECASE)


def phone_region(text: str) -> str | None:
    """State or province an area code belongs to ("IL", "CA", "ON"), from phone metadata.

    Toll-free and non-geographic numbers have no region and give None.
    """
    number = parse_phone(text)
    if number is None or is_toll_free(number):
        return None
    description = phone_geocoder.description_for_number(number, "en")
    match = _CITY_STATE.search(description)
    if match:
        return match.group(1)
    if _REGION_NAME.match(description):
        return region_code(description)
    return None


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
