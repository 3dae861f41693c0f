"""Nearby: organizations ranked by distance from a ZIP code, a city or an address.
Laid out by ui/screens/nearby.py, which is compiled once per process."""

from ui.screens import nearby

nearby.show()
