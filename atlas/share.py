"""Links to a view: the URL a QR code, a "copy link" box or a handout points to."""

from __future__ import annotations

from urllib.parse import urlencode

from atlas.views import ViewRequest

DEFAULT_PUBLIC_URL = "http://localhost:8501"


def view_query(request: ViewRequest) -> list[tuple[str, str]]:
    """The query parameters that reproduce a view in the app (see README, "Using the app")."""
    pairs = [("focus", f) for f in request.focus]
    if not request.include_general:
        pairs.append(("general", "false"))
    if request.state:
        pairs.append(("state", request.state))
    if request.query.strip():
        pairs.append(("q", request.query.strip()))
    if request.near.strip():
        pairs.append(("near", request.near.strip()))
        if request.radius_mi:
            pairs.append(("radius", f"{request.radius_mi:g}"))
    if request.org:
        pairs.append(("org", request.org))
    return pairs


def view_url(request: ViewRequest, base_url: str = DEFAULT_PUBLIC_URL) -> str:
    """An absolute link that opens the view: the Nearby page when a place is set, else the Directory."""
    page = "nearby" if request.near.strip() and not request.org else "directory"
    query = urlencode(view_query(request))
    return f"{base_url.rstrip('/')}/{page}" + (f"?{query}" if query else "")
