"""Streamlit building blocks shared by the pages: layout only, every decision lives in `atlas`."""
