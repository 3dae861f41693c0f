"""Data-quality flags: stable codes, a plain explanation of each, and the checks that raise them.

A flag never changes or hides data; it tells the reader what to double-check before relying on
a listing. Codes are part of the data contract (organizations.csv, page.json), so they never change.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from atlas.geocode.places import zip_index
from atlas.ingest import contacts
from atlas.ingest.source import PO_BOX_PATTERN
from atlas.model import Organization, Page
from atlas.regions import region_name

STALE_AFTER_YEARS = 3


@dataclass(frozen=True)
class Flag:
    code: str
    title: str
    explanation: str
    scope: str  # "organization" or "page"


FLAGS: dict[str, Flag] = {
    flag.code: flag for flag in (
        Flag("zip-city-mismatch", "ZIP code and city disagree",
             "The ZIP code is not in the stated city, so one of them is probably wrong. "
             "The map places the organization at the stated city.", "organization"),
        Flag("unknown-postal-code", "Unknown ZIP code",
             "The ZIP code is not a known US ZIP code. The map falls back to the city, if it is known.",
             "organization"),
        Flag("po-box", "Post-office box",
             "The address is a post-office box (or a ZIP code used only for PO boxes). The map shows "
             "the ZIP code's area, not a place to visit.", "organization"),
        Flag("phone-region-mismatch", "Phone area code in another state",
             "A phone number's area code belongs to a different state than the address. The number "
             "or the address may have changed since the page was written.", "organization"),
        Flag("not-geocoded", "Not on the map",
             "No location could be found for this address, so it appears in the table but not on the map.",
             "organization"),
        Flag("invalid-phone", "Phone number not valid",
             "A phone number is not a valid number, so it is shown as written and is not a call link.",
             "organization"),
        Flag("invalid-email", "Email address not valid",
             "The email address is not valid, so it is shown as written and is not a mail link.",
             "organization"),
        Flag("invalid-website", "Website not a web address",
             "The website is not an http or https address, so it is shown as written and is not a link.",
             "organization"),
        Flag("unrecognised-lines", "Lines kept as notes",
             "Some lines of this listing did not fit an address or contact field; they are kept as notes.",
             "organization"),
        Flag("stale-source", "Source more than 3 years old",
             f"The page was last reviewed more than {STALE_AFTER_YEARS} years ago. Addresses, phone "
             "numbers and emails may have changed: confirm them before relying on them.", "page"),
        Flag("no-source", "Source not stated",
             'The page has no "Source:" line, so who wrote it is not stated. Check the original '
             "publisher before relying on it.", "page"),
        Flag("no-disclaimer", "No disclaimer",
             "The page carries no disclaimer. Its information is not medical advice: ask a doctor or "
             "health care provider about a specific condition.", "page"),
        Flag("no-review-date", "Review date unknown",
             "The page does not say when it was last reviewed, so the age of its addresses, phone "
             "numbers and emails is unknown: confirm them before relying on them.", "page"),
    )
}


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def page_flags(page: Page, as_of: date) -> tuple[str, ...]:
    """The page-level flags: an old review date, or a footer part the page (or its copy) lacks."""
    flags = []
    if page.reviewed_on is not None and as_of > _years_after(page.reviewed_on, STALE_AFTER_YEARS):
        flags.append("stale-source")
    if not page.source.strip():
        flags.append("no-source")
    if not page.disclaimer.strip():
        flags.append("no-disclaimer")
    if page.reviewed_on is None:
        flags.append("no-review-date")
    return tuple(flags)


def _phone_fields(org: Organization) -> list[str]:
    return [value for value in (org.phone, org.toll_free, org.fax) if value]


def flag_details(org: Organization, only: Collection[str] | None = None) -> dict[str, str]:
    """Each flag that applies to `org`, with a sentence about this organization's data.

    Location-dependent flags (`not-geocoded`) use the record's current point. `only` limits the
    checks to these flags: a detail card words the flags its built record already carries, and
    checks nothing else (most records carry none, so opening their card validates nothing).
    """
    def wanted(*codes: str) -> bool:
        return only is None or any(code in only for code in codes)

    details: dict[str, str] = {}
    record = None
    if (org.country in ("", "US") and org.postal_code
            and wanted("unknown-postal-code", "zip-city-mismatch", "po-box", "phone-region-mismatch")):
        record = zip_index().lookup(org.postal_code)
        if record is None:
            details["unknown-postal-code"] = f"{org.postal_code} is not a known US ZIP code."
        elif org.city and (not record.serves_city(org.city) or (org.state and record.state != org.state)):
            details["zip-city-mismatch"] = (
                f"ZIP {record.zip_code} is in {record.city}, {record.state}, not {org.city}, {org.state}.")

    if PO_BOX_PATTERN.search(org.street):
        details["po-box"] = "The address includes a post-office box."
    elif record is not None and record.kind == "PO BOX":
        details["po-box"] = f"ZIP {record.zip_code} is used only for post-office boxes."

    if org.state and wanted("phone-region-mismatch"):
        for value in (org.phone, org.fax):
            regions = contacts.phone_regions(value) if value else ()
            region = regions[0] if regions else None
            area_code = "".join(ch for ch in value if ch.isdigit())[:3] if value else ""
            nearby_codes = record.area_codes if record is not None else ()
            if region and org.state not in regions and area_code not in nearby_codes:
                details["phone-region-mismatch"] = (
                    f"{value} has a {region_name(region)} area code; the address is in {region_name(org.state)}.")
                break

    if not org.has_point:
        details["not-geocoded"] = "No location was found for this address."

    if wanted("invalid-phone"):
        invalid_phones = [value for value in _phone_fields(org) if contacts.parse_phone(value) is None]
        if invalid_phones:
            details["invalid-phone"] = f"{invalid_phones[0]!r} is not a valid phone number."
    if org.email and wanted("invalid-email") and contacts.normalize_email(org.email) is None:
        details["invalid-email"] = f"{org.email!r} is not a valid email address."
    if org.website and wanted("invalid-website") and contacts.normalize_website(org.website) is None:
        details["invalid-website"] = f"{org.website!r} is not an http or https address."
    if org.notes:
        details["unrecognised-lines"] = f"{len(org.notes)} line(s) kept as notes."

    return {code: details[code] for code in FLAGS if code in details and wanted(code)}


def organization_flags(org: Organization) -> tuple[str, ...]:
    return tuple(flag_details(org))


def explain(code: str) -> str:
    flag = FLAGS.get(code)
    return flag.explanation if flag else "Unknown flag."


def title(code: str) -> str:
    flag = FLAGS.get(code)
    return flag.title if flag else code


def quality_report(page: Page, organizations: list[Organization]) -> str:
    """Plain-text report for `python -m atlas check`."""
    reviewed = f"last reviewed {page.reviewed_on.isoformat()}" if page.reviewed_on else "review date not stated"
    lines = [f"{page.title} ({reviewed})", ""]
    if page.quality_flags:
        for code in page.quality_flags:
            lines.append(f"page: {code}: {explain(code)}")
    else:
        lines.append("page: no flags")
    lines.append("")
    flagged = 0
    for org in organizations:
        details = flag_details(org)
        codes = org.quality_flags or tuple(details)
        place = f"{org.latitude:.4f}, {org.longitude:.4f}" if org.has_point else "no point"
        lines.append(f"{org.name} [{org.location_precision}: {place}]")
        if not codes:
            lines.append("  ok")
            continue
        flagged += 1
        for code in codes:
            lines.append(f"  {code}: {details.get(code) or explain(code)}")
    lines += ["", f"{len(organizations)} organizations, {flagged} with flags, "
                  f"{sum(1 for o in organizations if o.has_point)} on the map."]
    return "\n".join(lines)
