"""Shared fixtures: project paths, sample pages, and an offline build of the committed page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

from atlas.directory.load import prepare
from atlas.directory.request import ViewRequest
from atlas.directory.view import describe, select_view
from atlas.ingest.build import Directory, build_directory
from atlas.ingest.tags import Overrides
from atlas.model import Organization, Page

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"
SOURCE = DATA / "dystonias.txt"
AS_OF = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _offline_settings(monkeypatch, tmp_path):
    """Tests never reach the network and never write a cache into the home folder."""
    monkeypatch.delenv("ATLAS_GEOCODER", raising=False)
    monkeypatch.delenv("ATLAS_DATA_DIR", raising=False)
    monkeypatch.setenv("ATLAS_GEOCODE_CACHE", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture(scope="session")
def source_text() -> str:
    return SOURCE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def directory(source_text) -> Directory:
    return build_directory(source_text, overrides=Overrides.load(DATA / "overrides.csv"), as_of=AS_OF)


@pytest.fixture(scope="session")
def orgs_by_name(directory):
    return {org.name: org for org in directory.organizations}


def page_text(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Shown:
    """What the outputs read from a View, for a list and distances chosen by the test."""
    request: ViewRequest
    page: Page
    organizations: list[Organization]
    distances_mi: dict[str, float] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return describe(self.request)

    @property
    def empty(self) -> bool:
        return not self.organizations


def view_of(page: Page, organizations: list[Organization], request: ViewRequest = ViewRequest()):
    """The view a directory of exactly these organizations gives for `request`."""
    return select_view(prepare(page, organizations), request)


def pytest_collection_modifyitems(items):
    """Browser tests last: their Playwright session keeps an event loop running in the main thread
    until the end, and the serving tests drive their own browser and websockets before that."""
    items.sort(key=lambda item: "/tests/e2e/" in str(item.fspath))
