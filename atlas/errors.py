"""The one root of every error the core expects: bad input, not bugs.

The command line and the app catch `AtlasError` and show its message; anything else is a bug and
keeps its traceback. Each stage raises its own subclass so a message can say where it failed.
`AtlasError` is a `ValueError`, as each of these errors was before they shared a root.
"""

from __future__ import annotations


class AtlasError(ValueError):
    """Expected, explainable failure; `str(error)` is a sentence a person can act on."""


class SourceError(AtlasError):
    """The text is not a page in the expected format; the message says why."""


class OverridesError(AtlasError):
    """The override file cannot be read or names something unknown; the message names the file and the problem."""


class DataError(AtlasError):
    """A built data file is missing or malformed; the message names the file and the fix."""


class DataDirError(DataError):
    """A data folder cannot be opened. `problem` says what is wrong, `fix` how to put it right."""

    def __init__(self, problem: str, fix: str):
        super().__init__(f"{problem} {fix}")
        self.problem = problem
        self.fix = fix


class GeocoderConfigError(AtlasError):
    """The geocoder settings ask for something that cannot be set up."""


class ViewError(AtlasError):
    """A view cannot be answered (an unknown place, say); the message says why."""


class ExportError(AtlasError):
    """An export cannot be made as asked (an unknown format, an unusable size or link)."""
