"""From a source page to the built directory: parse, tag, geocode, flag, write.

    read_source -> parse_page -> assign_focus / assign_service_area -> geocode -> quality flags

`build_directory` is pure apart from geocoding; `build_files` adds reading and the atomic write.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from geopy.geocoders.base import Geocoder

from atlas.atomic import atomic_write_many
from atlas.datafiles import ORGANIZATIONS_FILE, PAGE_FILE, organizations_to_csv, page_to_json
from atlas.focus import assign_focus
from atlas.geocode import default_geocoder, geocode_organization
from atlas.model import Organization, Page
from atlas.overrides import Overrides
from atlas.quality import organization_flags, page_flags
from atlas.service_area import assign_service_area
from atlas.source import parse_page, read_source

OVERRIDES_FILE = "overrides.csv"


@dataclass(frozen=True)
class Directory:
    page: Page
    organizations: list[Organization]


def build_directory(text: str, *, geocoder: Geocoder | None = None, overrides: Overrides | None = None,
                    as_of: date | None = None) -> Directory:
    page, parsed = parse_page(text)
    overrides = overrides or Overrides()
    geocoder = geocoder or default_geocoder()
    organizations = []
    for org in parsed:
        override = overrides.for_organization(org.id, org.name)
        org = org.replace(focus=assign_focus(org.name, override),
                          service_area=assign_service_area(org.name, override))
        org = geocode_organization(org, geocoder)
        organizations.append(org.replace(quality_flags=organization_flags(org)))
    page = page.replace(quality_flags=page_flags(page, as_of or date.today()))
    return Directory(page, organizations)


def overrides_beside(source: str | Path) -> Path:
    """The override file that sits next to a source page, whether or not it exists."""
    return Path(source).parent / OVERRIDES_FILE


def build_files(source: str | Path, out_dir: str | Path, *, geocoder: Geocoder | None = None,
                overrides_path: str | Path | None = None, as_of: date | None = None) -> Directory:
    """Build `page.json` and `organizations.csv` in `out_dir`; nothing is written if any step fails."""
    text = read_source(source)
    overrides = Overrides.load(overrides_path if overrides_path is not None else overrides_beside(source))
    directory = build_directory(text, geocoder=geocoder, overrides=overrides, as_of=as_of)
    out = Path(out_dir)
    atomic_write_many({
        out / PAGE_FILE: page_to_json(directory.page).encode("utf-8"),
        out / ORGANIZATIONS_FILE: organizations_to_csv(directory.organizations).encode("utf-8"),
    })
    return directory
