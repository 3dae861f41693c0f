"""Dystonia Atlas: the published dystonia page as structured, checked, geocoded data.

The package never imports Streamlit; the app in `app.py` and `pages/` is a thin layer over it.
"""

__version__ = "0.1.0"
