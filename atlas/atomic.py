"""Write files so that a crash or a full disk leaves either the old file or the new one, never half.

Several files are written as one: either every one of them is replaced, or none is.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
import uuid
from pathlib import Path


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    atomic_write_many({Path(path): data})


def atomic_write_text(path: str | Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_many(files: dict[Path, bytes]) -> None:
    """Write several files, each atomically, only after every one of them is ready on disk; if any
    cannot be written, none is changed.

    Every destination is checked first (its folder is a folder, or can be made; it is not itself a
    folder). All temporary files are then written and synced beside their destinations, so a
    failure while writing leaves every target untouched. Only then are they moved into place, one
    by one, each old file kept aside (a hard link, or a copy) until all are in: if a move still
    fails, the files already moved are put back. The OSError raised names the destination at fault.
    """
    files = {Path(path): data for path, data in files.items()}
    for path in files:
        _check_destination(path)
    staged: list[tuple[str, Path]] = []
    kept: list[str] = []
    try:
        for path, data in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)  # an error here names the folder
            try:
                fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            except OSError as exc:
                raise _naming(exc, path) from None
            staged.append((tmp, path))
            os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        replaced: list[tuple[Path, str | None]] = []
        try:
            for tmp, path in staged:
                old = _keep_aside(path)
                if old is not None:
                    kept.append(old)
                try:
                    os.replace(tmp, path)
                except OSError as exc:
                    raise _naming(exc, path) from None
                replaced.append((path, old))
        except BaseException:
            _put_back(replaced)
            raise
    finally:
        for name in (*(tmp for tmp, _ in staged), *kept):
            Path(name).unlink(missing_ok=True)


def _naming(exc: OSError, path: Path) -> OSError:
    """The same error about `path` (the destination, say, rather than a temporary file beside it)."""
    return type(exc)(exc.errno, exc.strerror or str(exc), str(path))


def _check_destination(path: Path) -> None:
    """Raise OSError, naming the path at fault, unless a file can be put at `path`: its nearest existing
    folder above is a folder, and the path itself is absent, a file or a link."""
    try:
        info = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):  # absent, or a file above it: found below
        info = None
    except OSError as exc:  # a loop, no permission
        raise _naming(exc, path) from None
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if not (stat.S_ISREG(info.st_mode) or stat.S_ISLNK(info.st_mode)):
            raise OSError(errno.EINVAL, "Not a regular file", str(path))
        return
    folder = path.parent
    while True:
        try:
            info = os.stat(folder)
        except (FileNotFoundError, NotADirectoryError):
            if folder.parent == folder:
                return
            folder = folder.parent
            continue
        except OSError as exc:
            raise _naming(exc, folder) from None
        if not stat.S_ISDIR(info.st_mode):
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(folder))
        return


def _keep_aside(path: Path) -> str | None:
    """A second name for the file at `path` (None when there is none), so that it can be put back."""
    if not os.path.lexists(path):
        return None
    aside = str(path.with_name(f".{path.name}.{uuid.uuid4().hex}.old"))
    try:
        os.link(path, aside, follow_symlinks=False)  # no copy: the old file itself, under a second name
    except OSError:  # a file system without hard links
        try:
            if os.path.islink(path):
                os.symlink(os.readlink(path), aside)
            else:
                shutil.copy2(path, aside)
        except OSError as exc:
            Path(aside).unlink(missing_ok=True)
            raise _naming(exc, path) from None
    return aside


def _put_back(replaced: list[tuple[Path, str | None]]) -> None:
    """Undo the moves already made, newest first: the old file back, or the new one removed."""
    for path, old in reversed(replaced):
        try:
            if old is None:
                path.unlink(missing_ok=True)
            else:
                os.replace(old, path)
        except OSError:
            continue  # the first error is the one to report; the rest is put back as far as it can be
