"""Dystonia Atlas: placeholder entry page until the dashboard lands."""

import streamlit as st

from atlas.datafiles import load_built
from atlas.settings import data_dir

st.set_page_config(page_title="Dystonia Atlas", page_icon="🧭")
page, organizations = load_built(data_dir())
st.title(page.title)
st.write(f"{len(organizations)} organizations, last reviewed {page.reviewed_on:%B %-d, %Y}.")
