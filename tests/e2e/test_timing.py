"""Time to first full render of every page, measured in the browser, for the closing report.

A page counts as rendered when Streamlit's script run has finished and every map canvas has
drawn. The first load in a fresh browser also fetches Streamlit's JavaScript; later loads show
the steady state. Timings are reported (test-output/e2e/timings.json), not asserted: they depend on
the machine. The test asserts only that each page renders completely.
"""

from __future__ import annotations

from tests.e2e.conftest import exceptions, open_app
from tests.e2e.test_pages import PAGES


def test_time_to_first_full_render_of_every_page(browser, server, timings):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        for round_ in range(3):
            for name, path in PAGES.items():
                ms = open_app(page, server, path)
                assert exceptions(page) == [], name
                timings.add(f"{name} ({'cold' if round_ == 0 else 'warm'})", ms)
    finally:
        context.close()
