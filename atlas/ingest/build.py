"""From a source page to the built directory, and from a data folder back to it.

    read_source -> parse_page -> assign_focus / assign_service_area -> geocode -> quality flags
                                                                  -> page.json + organizations.csv

`build_directory` is pure apart from geocoding; `build_files` adds reading and the atomic write.
`open_data_dir` is the way back in: built files if a folder has them, otherwise a build in memory
from the one source page it holds, otherwise a `DataDirError` that says what is wrong and how to
fix it, for the app's error page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from geopy.geocoders.base import Geocoder

from atlas.atomic import atomic_write_many
from atlas.errors import DataDirError, DataError, OverridesError, SourceError
from atlas.geocode import default_geocoder, geocode_organization
from atlas.ingest.files import ORGANIZATIONS_FILE, PAGE_FILE, load_built, organizations_to_csv, page_to_json
from atlas.ingest.quality import organization_flags, page_flags
from atlas.ingest.source import parse_page, read_source
from atlas.ingest.tags import Overrides, assign_focus, assign_service_area
from atlas.model import Organization, Page

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


# --- opening a data folder ----------------------------------------------------------------
# `ATLAS_DATA_DIR` may point at the committed `data/` (built files), at a folder holding only a
# source page (built in memory on load, never written back), or at something broken.

BUILD_HINT = "python -m atlas build <source page>.txt --out <folder>"


def signature(folder: str | Path) -> tuple:
    """Names, sizes and modification times of the files that matter: a cache key that changes
    when the data changes, without reading the files."""
    folder = Path(folder)
    try:
        entries = sorted(p for p in folder.iterdir() if p.suffix in (".json", ".csv", ".txt"))
    except OSError:
        return (str(folder), "unreadable")
    return (str(folder.resolve()), *((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in entries))


def source_pages(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.txt") if p.is_file())


def open_data_dir(folder: str | Path, *, as_of: date | None = None) -> Directory:
    folder = Path(folder)
    if not folder.exists():
        raise DataDirError(f"The data folder {folder} does not exist.",
                           "Set ATLAS_DATA_DIR to a folder that holds a source page (*.txt) or built files.")
    if not folder.is_dir():
        raise DataDirError(f"{folder} is a file, not a folder.",
                           "Set ATLAS_DATA_DIR to the folder that contains it.")

    built = [(folder / name).exists() for name in (PAGE_FILE, ORGANIZATIONS_FILE)]
    if all(built):
        try:
            page, organizations = load_built(folder)
        except DataError as exc:
            raise DataDirError(f"The built data in {folder} is damaged: {exc}.",
                               f"Rebuild it from its source page: {BUILD_HINT}.") from None
        return Directory(page, organizations)
    if any(built):
        missing = PAGE_FILE if not built[0] else ORGANIZATIONS_FILE
        raise DataDirError(f"{folder} holds only half of the built data ({missing} is missing).",
                           f"Rebuild both files: {BUILD_HINT}.")

    pages = source_pages(folder)
    if not pages:
        raise DataDirError(f"{folder} holds no data: neither a source page (*.txt) nor page.json and "
                           "organizations.csv.",
                           "Copy a source page such as dystonias.txt into it, or point ATLAS_DATA_DIR elsewhere.")
    if len(pages) > 1:
        names = ", ".join(p.name for p in pages[:5])
        raise DataDirError(f"{folder} holds several source pages ({names}); the atlas shows one page.",
                           "Keep one source page in the folder, or build the one you want.")
    try:
        text = read_source(pages[0])
        overrides = Overrides.load(folder / OVERRIDES_FILE)
        return build_directory(text, overrides=overrides, as_of=as_of)
    except SourceError as exc:
        raise DataDirError(f"The source page {pages[0].name} could not be read: {exc}.",
                           "Check that it follows the page format (a title question, sections, contact "
                           "blocks, a Source: line and a 'last reviewed on' date).") from None
    except OverridesError as exc:
        raise DataDirError(f"The override file in {folder} could not be used: {exc}.",
                           "Fix or remove overrides.csv.") from None
