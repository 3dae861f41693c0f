"""Settings read from the environment. Every online service is off unless switched on here.

ATLAS_DATA_DIR               folder with the source page and built files (default: data/)
ATLAS_GEOCODER               "offline" (default) or "nominatim" to look addresses up online first
ATLAS_NOMINATIM_USER_AGENT   required with nominatim: who is asking, e.g. "atlas/1.0 (you@org)"
ATLAS_GEOCODE_CACHE          path of the geocode cache; default ~/.cache/dystonia-atlas/geocode.json
                             when an online geocoder is on, none otherwise; "off" disables it
ATLAS_REPORT_EMAIL           where "Report a problem with this listing" emails go
ATLAS_PUBLIC_URL             the app's public address, for links printed on handouts and QR codes
"""

from __future__ import annotations

import os
from pathlib import Path

from atlas.geocode import GeocoderSettings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"


def data_dir() -> Path:
    value = os.environ.get("ATLAS_DATA_DIR", "").strip()
    return Path(value).expanduser() if value else DEFAULT_DATA_DIR


def geocoder_settings() -> GeocoderSettings:
    online = os.environ.get("ATLAS_GEOCODER", "offline").strip().lower()
    online = "" if online in ("", "offline", "off", "none") else online
    cache = os.environ.get("ATLAS_GEOCODE_CACHE", "").strip()
    if cache.lower() in ("off", "none", "0"):
        cache_path = None
    elif cache:
        cache_path = Path(cache).expanduser()
    elif online:
        base = Path(os.environ.get("XDG_CACHE_HOME", "~/.cache")).expanduser()
        cache_path = base / "dystonia-atlas" / "geocode.json"
    else:
        cache_path = None
    return GeocoderSettings(online=online, user_agent=os.environ.get("ATLAS_NOMINATIM_USER_AGENT", ""),
                            cache_path=cache_path)


def public_url() -> str:
    """The configured public address of the app, or "" when none is set."""
    return os.environ.get("ATLAS_PUBLIC_URL", "").strip()


def report_email() -> str:
    """Empty when unset: the report link then opens a draft with only the subject filled in."""
    return os.environ.get("ATLAS_REPORT_EMAIL", "").strip()
