"""Which group fits? From where symptoms show to the groups and the research institute.
Laid out by ui/screens/fit.py, which is compiled once per process."""

from ui.screens import fit

fit.show()
