"""Directory: filter the organizations, see them on the map and in the table, open one.
Laid out by ui/screens/directory.py, which is compiled once per process."""

from ui.screens import directory

directory.show()
