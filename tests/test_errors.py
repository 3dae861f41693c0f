"""One error root: every error the core defines derives from AtlasError, which the app and the CLI catch."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import atlas
from atlas.errors import AtlasError


def _core_modules():
    for info in pkgutil.walk_packages(atlas.__path__, prefix="atlas."):
        if info.name != "atlas.__main__":
            yield importlib.import_module(info.name)


def test_every_error_the_core_defines_derives_from_the_one_root():
    defined = {cls for module in _core_modules() for _, cls in inspect.getmembers(module, inspect.isclass)
               if issubclass(cls, BaseException) and cls.__module__.startswith("atlas.")}
    assert {cls.__name__ for cls in defined} >= {"AtlasError", "DataDirError", "Invalid", "ViewError"}
    assert [cls.__qualname__ for cls in defined if not issubclass(cls, AtlasError)] == []
