"""The directory, loaded once per process and per data version, never re-parsed on a rerun."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from atlas.directory.distance import to_frame
from atlas.ingest.build import open_data_dir, signature
from atlas.model import Organization, Page
from atlas.settings import data_dir


@dataclass(frozen=True)
class AtlasData:
    page: Page
    organizations: tuple[Organization, ...]
    frame: pd.DataFrame

    def organization(self, org_id: str | None) -> Organization | None:
        return next((o for o in self.organizations if o.id == org_id), None)

    @property
    def ids(self) -> list[str]:
        return [o.id for o in self.organizations]


@st.cache_data(show_spinner="Loading the directory…", max_entries=4)
def _load(folder: str, version: tuple) -> AtlasData:
    """Keyed by the folder and its files' sizes and times: a changed file means a new load."""
    directory = open_data_dir(folder)
    return AtlasData(directory.page, tuple(directory.organizations), to_frame(directory.organizations))


def load() -> AtlasData:
    """Raises atlas.datadir.DataDirError when the folder cannot be used."""
    folder = data_dir()
    return _load(str(folder), signature(folder))
