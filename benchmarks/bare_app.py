"""The baseline for the load benchmark: the least a Streamlit page can do."""
import streamlit as st

st.write("Hello")
