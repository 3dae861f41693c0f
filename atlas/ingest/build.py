"""From a source page to the built directory, and from a data folder back to it.

    read_source -> parse_page -> assign_focus / assign_service_area -> geocode -> quality flags
                                                                  -> page.json + organizations.csv

`build_directory` is pure apart from geocoding; `build_files` adds reading and the atomic write.
`open_data_dir` is the way back in: built files if a folder has them, otherwise a build in memory
from the one source page it holds, otherwise a `DataDirError` that says what is wrong and how to
fix it, for the app's error page.
"""

from __future__ import annotations

import errno
import os
import pwd
import stat
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from geopy.geocoders.base import Geocoder

from atlas.atomic import atomic_write_many
from atlas.errors import AtlasError, DataDirError, DataError, OverridesError, SourceError
from atlas.geocode import default_geocoder, geocode_organization
from atlas.ingest.files import ORGANIZATIONS_FILE, PAGE_FILE, load_built, organizations_to_csv, page_to_json
from atlas.ingest.quality import organization_flags, page_flags
from atlas.ingest.source import SOURCE_SUFFIXES, parse_page, read_source
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
    """Build `page.json` and `organizations.csv` in `out_dir`; nothing is written if any step fails,
    and a folder that cannot take both files (DataError, naming the path at fault) keeps the old ones."""
    try:
        text = read_source(source)
        overrides = Overrides.load(overrides_path if overrides_path is not None else overrides_beside(source))
        directory = build_directory(text, geocoder=geocoder, overrides=overrides, as_of=as_of)
    except RecursionError:
        raise SourceError(f"{source} is nested too deeply to be read ({_TOO_DEEP})") from None
    out = Path(out_dir)
    try:
        atomic_write_many({
            out / PAGE_FILE: page_to_json(directory.page).encode("utf-8"),
            out / ORGANIZATIONS_FILE: organizations_to_csv(directory.organizations).encode("utf-8"),
        })
    except OSError as exc:
        raise DataError(f"cannot write {exc.filename or out}: {exc.strerror or exc}") from None
    return directory


# A saved web page whose elements sit thousands deep outruns the reader's stack (RecursionError).
_TOO_DEEP = "its elements sit inside one another thousands of levels deep"


# --- opening a data folder ----------------------------------------------------------------
# `ATLAS_DATA_DIR` may point at the committed `data/` (built files), at a folder holding only a
# source page (built in memory on load, never written back), or at something broken. Whatever
# is wrong with it (missing, unreadable, a broken or looping link, a damaged file) ends in a
# `DataDirError` with a problem and a fix, never in a traceback.

BUILD_HINT = "python -m atlas build <source page (.txt or .html)> --out <folder>"
_SIGNED_SUFFIXES = (".json", ".csv", *SOURCE_SUFFIXES)


def _file_key(entry: os.DirEntry) -> tuple:
    try:
        info = entry.stat()  # follows links
        return (entry.name, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
    except OSError as exc:  # a dangling link, a loop, a file in a folder we may list but not enter
        try:
            info = entry.stat(follow_symlinks=False)
            return (entry.name, "unusable", exc.errno, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
        except OSError:
            return (entry.name, "unusable", exc.errno)


def signature(folder: str | Path) -> tuple:
    """Names, sizes, times and inodes of the files that matter: a cache key that changes when the
    data changes (or when a file is replaced or its permissions change), without reading the
    files. It never raises: what cannot be inspected is keyed as such, and opening the folder
    then says what is wrong."""
    try:
        where = os.path.realpath(folder)
    except (OSError, ValueError, TypeError):
        where = str(folder)
    try:
        with os.scandir(folder) as listing:
            entries = sorted((e for e in listing if e.name.endswith(_SIGNED_SUFFIXES)), key=lambda e: e.name)
            return (where, *(_file_key(e) for e in entries))
    except (OSError, ValueError, TypeError) as exc:
        return (where, "unreadable", getattr(exc, "errno", None))


def _app_user() -> str:
    """Who the app runs as, for a message about permissions."""
    uid = os.geteuid()
    try:
        return f"{pwd.getpwuid(uid).pw_name} (uid {uid})"
    except (KeyError, OSError):
        return f"uid {uid}"


def _check_folder(folder: Path) -> list[str]:
    """The names in a data folder, or a DataDirError saying why it cannot be used."""
    fix_setting = "Set ATLAS_DATA_DIR to a folder that holds a source page (.txt, .html or .htm) or built files."
    try:
        info = os.stat(folder)
    except ValueError:
        raise DataDirError(f"The data folder {str(folder)!r} is not a usable path.", fix_setting) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise DataDirError(f"The data folder {folder} is a symbolic link that loops back on itself.",
                               "Point the link at a real folder, or set ATLAS_DATA_DIR to one.") from None
        if exc.errno in (errno.EACCES, errno.EPERM):
            raise DataDirError(f"The data folder {folder} cannot be reached by the user the app runs as "
                               f"({_app_user()}): permission denied.",
                               "Give that user access to the folder and the folders above it "
                               "(chmod a+x on each), or set ATLAS_DATA_DIR to a folder it can read.") from None
        if os.path.islink(folder):
            raise DataDirError(f"The data folder {folder} is a symbolic link to {os.readlink(folder)}, "
                               "which does not exist.", "Point the link at an existing folder. " + fix_setting) from None
        raise DataDirError(f"The data folder {folder} does not exist.", fix_setting) from None
    if not stat.S_ISDIR(info.st_mode):
        raise DataDirError(f"{folder} is a file, not a folder.", "Set ATLAS_DATA_DIR to the folder that contains it.")
    try:
        return os.listdir(folder)
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM):
            raise DataDirError(f"The data folder {folder} cannot be read by the user the app runs as "
                               f"({_app_user()}): permission denied.",
                               f"Give that user permission to read it (for example chmod a+rx {folder}), "
                               "or set ATLAS_DATA_DIR to a folder it can read.") from None
        raise DataDirError(f"The data folder {folder} cannot be read ({exc.strerror or exc}).", fix_setting) from None


def _check_file(path: Path, fix: str) -> None:
    """Raise DataDirError unless `path` is a regular file the app can open; `fix` puts a damaged file right."""
    try:
        info = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise DataDirError(f"{path} is a symbolic link that loops back on itself.",
                               "Replace the link with the file itself, or with a link to the real file.") from None
        if exc.errno in (errno.EACCES, errno.EPERM):
            raise DataDirError(f"{path} cannot be reached by the user the app runs as ({_app_user()}): "
                               "permission denied.",
                               f"Give that user access to the folder (for example chmod a+rx {path.parent}).") from None
        if os.path.islink(path):
            raise DataDirError(f"{path} is a symbolic link to {os.readlink(path)}, which does not exist.",
                               "Point the link at the real file, or replace the link with the file.") from None
        raise DataDirError(f"{path} cannot be read ({exc.strerror or exc}).", fix) from None
    if stat.S_ISDIR(info.st_mode):
        raise DataDirError(f"{path} is a folder, not a file.", f"Remove or rename it. {fix}")
    if not stat.S_ISREG(info.st_mode):
        raise DataDirError(f"{path} is not a regular file.", f"Replace it with the file itself. {fix}")
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM):
            raise DataDirError(f"{path} cannot be read by the user the app runs as ({_app_user()}): "
                               "permission denied.",
                               f"Give that user permission to read it (for example chmod a+r {path}).") from None
        raise DataDirError(f"{path} cannot be read ({exc.strerror or exc}).", fix) from None


def source_pages(folder: Path, names: list[str] | None = None) -> list[Path]:
    """The candidate source pages in a folder: every `.txt`, `.html` or `.htm` entry, broken ones included so that
    they are reported rather than ignored; hidden files (editor and macOS litter) are not pages."""
    names = os.listdir(folder) if names is None else names
    return sorted(folder / name for name in names if name.lower().endswith(SOURCE_SUFFIXES) and not name.startswith(".")
                  and not os.path.isdir(folder / name))


def open_data_dir(folder: str | Path, *, as_of: date | None = None) -> Directory:
    """The directory a data folder holds, or a DataDirError (problem and fix) for the error page."""
    folder = Path(folder)
    names = _check_folder(folder)
    rebuild = f"Rebuild it from its source page: {BUILD_HINT}."

    built = [name in names for name in (PAGE_FILE, ORGANIZATIONS_FILE)]
    if all(built):
        for name in (PAGE_FILE, ORGANIZATIONS_FILE):
            _check_file(folder / name, rebuild)
        try:
            page, organizations = load_built(folder)
        except DataError as exc:
            raise DataDirError(f"The built data in {folder} is damaged: {exc}.", rebuild) from None
        return Directory(page, organizations)
    if any(built):
        missing = PAGE_FILE if not built[0] else ORGANIZATIONS_FILE
        raise DataDirError(f"{folder} holds only half of the built data ({missing} is missing).",
                           f"Rebuild both files: {BUILD_HINT}.")

    pages = source_pages(folder, names)
    if not pages:
        raise DataDirError(f"{folder} holds no data: neither a source page (.txt, .html or .htm) nor page.json and "
                           "organizations.csv.",
                           "Copy a source page such as dystonias.txt into it, or point ATLAS_DATA_DIR elsewhere.")
    if len(pages) > 1:
        shown = ", ".join(p.name for p in pages[:5]) + (", …" if len(pages) > 5 else "")
        raise DataDirError(f"{folder} holds several source pages ({shown}); the atlas shows one page.",
                           "Keep one source page in the folder, or build the one you want.")
    page_format = ("Check that it follows the page format (a title question, sections, contact blocks, "
                   "then the organizations' contact blocks; a Source: line and a review date are optional).")
    _check_file(pages[0], page_format)
    if OVERRIDES_FILE in names:
        _check_file(folder / OVERRIDES_FILE, "Fix or remove overrides.csv.")
    try:
        text = read_source(pages[0])
        overrides = Overrides.load(folder / OVERRIDES_FILE)
        return build_directory(text, overrides=overrides, as_of=as_of)
    except SourceError as exc:
        raise DataDirError(f"The source page {pages[0].name} could not be read: {exc}.", page_format) from None
    except OverridesError as exc:
        raise DataDirError(f"The override file in {folder} could not be used: {exc}.",
                           "Fix or remove overrides.csv.") from None
    except AtlasError as exc:
        raise DataDirError(f"The source page {pages[0].name} could not be built: {exc}.", page_format) from None
    except RecursionError:
        raise DataDirError(f"The source page {pages[0].name} is nested too deeply to be read ({_TOO_DEEP}).",
                           "Save the page again from the browser, or copy its text into a .txt file.") from None
