"""Dystonia Atlas: the entry point. Loads the directory once, then hands over to a page (ui/shell.py)."""

from ui import shell

shell.run()
