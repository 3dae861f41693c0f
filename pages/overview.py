"""Overview: the page's information beside the map and table of organizations.
Laid out by ui/screens/overview.py, which is compiled once per process."""

from ui.screens import overview

overview.show()
