"""Settings read from the environment. Every online service is off unless switched on here.

ATLAS_DATA_DIR               folder with the source page and built files (default: data/)
ATLAS_GEOCODER               "offline" (default) or "nominatim" to look addresses up online first
ATLAS_NOMINATIM_USER_AGENT   required with nominatim: who is asking, e.g. "atlas/1.0 (you@org)"
ATLAS_GEOCODE_CACHE          path of the geocode cache; default ~/.cache/dystonia-atlas/geocode.sqlite3
                             when an online geocoder is on, none otherwise; "off" disables it.
                             A new default cache starts with the answers of the first release's
                             ~/.cache/dystonia-atlas/geocode.json, which it leaves in place
ATLAS_REPORT_EMAIL           where "Report a problem with this listing" emails go
ATLAS_PUBLIC_URL             the app's public address, for links printed on handouts and QR codes

Caches (the geocode cache, the offline place index) live in $XDG_CACHE_HOME/dystonia-atlas, or
~/.cache/dystonia-atlas when XDG_CACHE_HOME is unset.

This module imports nothing from the rest of the package but its errors, so any stage can read
its settings without import cycles.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from atlas.errors import GeocoderConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"
ONLINE_GEOCODERS = ("nominatim",)
GEOCODE_CACHE_FILE = "geocode.sqlite3"
OLD_GEOCODE_CACHE_FILE = "geocode.json"  # the default cache of the first release, before SQLite


def data_dir() -> Path:
    value = os.environ.get("ATLAS_DATA_DIR", "").strip()
    return Path(value).expanduser() if value else DEFAULT_DATA_DIR


def cache_dir() -> Path:
    """The user's cache folder for this app (it may not exist yet, or be unwritable)."""
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or "~/.cache"
    return Path(base).expanduser() / "dystonia-atlas"


@dataclass(frozen=True)
class GeocoderSettings:
    """Which geocoders to use. The default is offline only: no network, no key."""
    online: str = ""  # "" (off) or "nominatim"
    user_agent: str = ""
    cache_path: Path | None = None
    min_delay_seconds: float = 1.0
    # An older cache in the first release's JSON format, whose answers a new cache starts with:
    # the default cache changed its name when it moved to SQLite, and an upgrade must not lose them.
    carry_over: Path | None = None


GEOCODER_ENVIRONMENT = ("ATLAS_GEOCODER", "ATLAS_NOMINATIM_USER_AGENT", "ATLAS_GEOCODE_CACHE", "XDG_CACHE_HOME", "HOME")


# os.environ.get raises and catches a KeyError for each unset name (about 2 µs); every lookup asks for
# its geocoder, so on CPython the encoded mapping behind os.environ is read directly (it is what
# os.environ, monkeypatch.setenv and os.putenv-through-os.environ all update).
_ENVIRON_DATA = getattr(os.environ, "_data", None)
_ENVIRON_KEYS = (tuple(map(os.environ.encodekey, GEOCODER_ENVIRONMENT))
                 if _ENVIRON_DATA is not None and hasattr(os.environ, "encodekey") else None)


def geocoder_environment() -> tuple:
    """The raw values `geocoder_settings` reads: a cheap key for memoising what is built from them."""
    if _ENVIRON_KEYS is not None:
        return tuple(map(_ENVIRON_DATA.get, _ENVIRON_KEYS))
    return tuple(os.environ.get(name) for name in GEOCODER_ENVIRONMENT)


def geocoder_settings() -> GeocoderSettings:
    """The geocoder the environment asks for; a setting that cannot work raises GeocoderConfigError."""
    raw = os.environ.get("ATLAS_GEOCODER", "offline").strip()
    online = "" if raw.lower() in ("", "offline", "off", "none") else raw.lower()
    if online and online not in ONLINE_GEOCODERS:
        raise GeocoderConfigError(
            f"ATLAS_GEOCODER={raw[:40]!r} is not a geocoder this app knows; use 'offline' (the default) "
            f"or {', '.join(repr(name) for name in ONLINE_GEOCODERS)}")
    user_agent = os.environ.get("ATLAS_NOMINATIM_USER_AGENT", "").strip()
    if online == "nominatim" and not user_agent:
        raise GeocoderConfigError(
            "ATLAS_GEOCODER=nominatim needs a user agent that identifies this deployment: set "
            "ATLAS_NOMINATIM_USER_AGENT, e.g. 'dystonia-atlas/1.0 (you@example.org)'")
    cache = os.environ.get("ATLAS_GEOCODE_CACHE", "").strip()
    cache_path = carry_over = None
    if cache and cache.lower() not in ("off", "none", "0"):
        cache_path = Path(cache).expanduser()
    elif not cache and online:
        cache_path, carry_over = cache_dir() / GEOCODE_CACHE_FILE, cache_dir() / OLD_GEOCODE_CACHE_FILE
    return GeocoderSettings(online=online, user_agent=user_agent, cache_path=cache_path, carry_over=carry_over)


def public_url() -> str:
    """The configured public address of the app, or "" when none is set."""
    return os.environ.get("ATLAS_PUBLIC_URL", "").strip()


def report_email() -> str:
    """Empty when unset: the report link then opens a draft with only the subject filled in."""
    return os.environ.get("ATLAS_REPORT_EMAIL", "").strip()
