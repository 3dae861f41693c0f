"""About the data: where it comes from, how good it is, and how to rebuild it.
Laid out by ui/screens/about.py, which is compiled once per process."""

from ui.screens import about

about.show()
