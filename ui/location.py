""""Use my location" on Nearby: the browser's position, rounded to the nearest ZIP code centre.

The button is a small Streamlit component (ui/components/geolocation: static HTML, CSS and JS,
no library, nothing fetched). It asks the browser for its position only when pressed and sends
back `{"latitude", "longitude", "at"}` or `{"error", "at"}`. The position is used for one thing:
finding the nearest US ZIP code centre. That ZIP code becomes the `near` parameter, so the URL
that is shared, bookmarked or printed carries a ZIP code and never the coordinates.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

from atlas.directory.distance import nearest_zip

_FOLDER = Path(__file__).parent / "components" / "geolocation"
_geolocation = components.declare_component("geolocation", path=str(_FOLDER))

MESSAGES = {
    "denied": "Your browser did not share its position: location permission is turned off for this site. "
              "Allow it in the browser's site settings and try again, or type a ZIP code or a city above.",
    "unavailable": "Your browser could not work out its position just now. Type a ZIP code or a city above.",
    "timeout": "Finding your position took too long. Try again, or type a ZIP code or a city above.",
    "unsupported": "This browser cannot share its position. Type a ZIP code or a city above.",
    "insecure": "Browsers share their position only with sites served over HTTPS (or from this computer). "
                "Type a ZIP code or a city above.",
    "outside": "Your position is not near a US ZIP code, and this atlas measures distances from US places. "
               "Type a ZIP code or a city above.",
}


# --- the button -------------------------------------------------------------------------------


def browser_position(key: str) -> object:
    """The component's last answer (None until the button is pressed). Tests replace this."""
    return _geolocation(key=key, default=None)


def _position(value: object) -> tuple[float, float] | None:
    """Latitude and longitude from the component's answer, if it holds two usable numbers."""
    if not isinstance(value, dict):
        return None
    lat, lon = value.get("latitude"), value.get("longitude")
    if isinstance(lat, bool) or isinstance(lon, bool) or not isinstance(lat, (int, float)) \
            or not isinstance(lon, (int, float)):
        return None
    return float(lat), float(lon)


def _error_code(value: object) -> str:
    """An error code from the allow-list above: nothing the browser sends is shown as written."""
    code = value.get("error") if isinstance(value, dict) else None
    return code if isinstance(code, str) and code in MESSAGES else "unavailable"


def use_my_location(*, key: str = "my_location") -> None:
    """A "Use my location" button. A position becomes the nearest ZIP code in `near` (then the page
    runs again with it); a refusal or a failure becomes a message saying what to do instead."""
    handled, note = f"_{key}_handled", f"_{key}_note"
    value = browser_position(key)
    if not value or value == st.session_state.get(handled):
        if st.session_state.get(note) and st.query_params.get("near") == st.session_state[note]:
            st.caption(f"Distances from ZIP code {st.session_state[note]}, the ZIP code centre nearest your "
                       "position. Your exact position is not kept.")
        return
    st.session_state[handled] = value
    position = _position(value)
    if position is None:
        st.warning(MESSAGES[_error_code(value)], icon=":material/location_off:")
        return
    zip_code = nearest_zip(*position)
    if zip_code is None:
        st.warning(MESSAGES["outside"], icon=":material/location_off:")
        return
    st.session_state[note] = zip_code
    if st.query_params.get("near") != zip_code:
        # The place box already ran this time, so its value cannot change now: the URL can, and
        # the box takes a new `near` from the URL on the next run (ui/urlstate.seed).
        st.query_params["near"] = zip_code
        st.rerun()
    st.caption(f"Distances from ZIP code {zip_code}, the ZIP code centre nearest your position. "
               "Your exact position is not kept.")
