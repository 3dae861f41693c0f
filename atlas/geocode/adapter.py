"""The HTTP adapter for geocoders that never go online."""

from __future__ import annotations

from geopy.adapters import BaseSyncAdapter
from geopy.exc import GeocoderServiceError


class NoNetworkAdapter(BaseSyncAdapter):
    """The HTTP adapter of geocoders that never go online (offline table, chain, cache, wrappers).

    geopy gives every `Geocoder` a requests session with a freshly loaded CA bundle, which takes
    50 to 150 ms per geocoder; these geocoders make no request, so they get this one instead.
    """

    def get_json(self, url, *, timeout, headers):
        raise GeocoderServiceError(f"{url}: this geocoder makes no network requests")

    def get_text(self, url, *, timeout, headers):
        raise GeocoderServiceError(f"{url}: this geocoder makes no network requests")
