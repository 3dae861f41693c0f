"""Open a data folder: built files if present, otherwise build from the source page in it.

`ATLAS_DATA_DIR` may point at the committed `data/` (built files), at a folder holding only a
source page (`*.txt`, built in memory on load, never written back), or at something broken. In
the last case `DataDirError` says what is wrong and how to fix it, for the app's error page.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from atlas.build import OVERRIDES_FILE, Directory, build_directory
from atlas.datafiles import ORGANIZATIONS_FILE, PAGE_FILE, DataError, load_built
from atlas.overrides import Overrides, OverridesError
from atlas.source import SourceError, read_source

BUILD_HINT = "python -m atlas build <source page>.txt --out <folder>"


class DataDirError(DataError):
    """A data folder cannot be opened. `problem` says what is wrong, `fix` how to put it right."""

    def __init__(self, problem: str, fix: str):
        super().__init__(f"{problem} {fix}")
        self.problem = problem
        self.fix = fix


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
    except (OverridesError, ValueError) as exc:
        raise DataDirError(f"The override file in {folder} could not be used: {exc}.",
                           "Fix or remove overrides.csv.") from None
