"""Whom an organization serves: the whole country, or one state or province.

Source pages of this kind list national voluntary health organizations, so "national" is the
default. A name that names a state or province ("Ohio Dystonia Support Group") marks a regional
group. The curated override file has the last word.
"""

from __future__ import annotations

import re

from atlas.overrides import Override
from atlas.regions import REGION_NAME_PATTERN

SERVICE_AREAS = {
    "national": "Serves people nationwide, wherever its office is.",
    "regional": "Serves one state or province.",
    "local": "Serves one city or metropolitan area.",
}

_NAMES_A_REGION = re.compile(rf"\b(?:{REGION_NAME_PATTERN})\b", re.IGNORECASE)


def assign_service_area(name: str, override: Override | None = None) -> str:
    if override and override.service_area:
        if override.service_area not in SERVICE_AREAS:
            raise ValueError(f"override for {override.organization!r} uses unknown service area "
                             f"{override.service_area!r}; choose from {', '.join(SERVICE_AREAS)}")
        return override.service_area
    return "regional" if _NAMES_A_REGION.search(name) else "national"
