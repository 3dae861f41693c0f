"""Shared fixtures: project paths, sample pages, and an offline build of the committed page."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from atlas.ingest.build import Directory, build_directory
from atlas.ingest.tags import Overrides

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
