"""Each page's layout, one module per page script in pages/. A page script only calls `show()`:
Streamlit compiles a page script again whenever it has no cached copy (every AppTest run), and an
imported module is compiled once per process."""
