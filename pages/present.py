"""Presentation mode: large type, full-width map, preset scenes stepped through with next/previous.
Laid out by ui/screens/present.py, which is compiled once per process."""

from ui.screens import present

present.show()
