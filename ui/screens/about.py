"""About the data: where it comes from, how good it is, and how to rebuild it."""

from functools import cache
from pathlib import Path

import pandas as pd
import streamlit as st

from atlas.ingest.quality import FLAGS
from atlas.settings import data_dir
from atlas.text import escape_markdown as md
from atlas.text import nest_markdown
from ui import data, layout, shell

DETAILED = 50  # listings whose notes are spelled out; the rest are counted
POINTS_SHOWN_OPEN = 1_000  # a longer point table waits until its panel is opened


def show() -> None:
    atlas = shell.start()
    page = atlas.page

    st.title("About the data", anchor=False)

    st.header("Source", anchor=False)
    st.markdown(f"Everything in this atlas comes from one page: **{md(page.title)}**, by "
                f"{md(page.source or 'an unnamed source')}, last reviewed **{layout.reviewed_on(page)}**. "
                "The project's parser reads the page; nothing is typed in by hand.")
    if page.disclaimer:
        st.caption(md(page.disclaimer))
    for code in page.quality_flags:
        if code in FLAGS:
            st.warning(f"**{md(FLAGS[code].title)}.** {md(FLAGS[code].explanation)}", icon=":material/history:")

    st.header("Data-quality report", anchor=False)
    st.markdown("Each note marks something to double-check before relying on a listing. Notes never change or "
                "hide data.")
    report = data.quality(atlas)
    if len(report.flagged_rows) > DETAILED:
        st.markdown("\n".join(f"- *{md(FLAGS[code].title)}* (`{code}`): {count:,} listings"
                              for code, count in report.counts))
        st.markdown(f"The first {DETAILED} listings with notes:")
    for row in report.flagged_rows[:DETAILED]:
        card = data.card(atlas, atlas.organizations[row].id, report_to="", page_url="")  # worked out once
        st.markdown(f"**{md(card.name)}**")
        for note in card.notes:
            st.markdown(f"- *{md(note.title)}* (`{note.code}`): {md(note.detail)} {md(note.explanation)}")
    if not len(report.flagged_rows):
        st.success("No data-quality notes: every listing passed every check." if len(atlas) else
                   "This page lists no organizations, so there are no listings to check.")
    st.caption(f"{report.clean:,} of {len(atlas):,} listings have no notes.")
    with st.expander("Every check the atlas runs"):
        st.dataframe(_checks(), hide_index=True, width="stretch")

    st.header("Where each point is", anchor=False)
    # Open by default for a short list. A national one (about 5 MB at 100,000 listings) is sent
    # only once somebody opens the panel, not with every run of the page.
    points = st.expander(f"Every listing's point ({report.points.num_rows:,})", key="about-points",
                         expanded=report.points.num_rows <= POINTS_SHOWN_OPEN, on_change="rerun")
    if points.open:
        points.dataframe(report.points, hide_index=True, width="stretch",
                         column_config={"Latitude": st.column_config.NumberColumn(format="%.4f"),
                                        "Longitude": st.column_config.NumberColumn(format="%.4f")})
    st.caption("Points come from the offline ZIP-code table unless an online geocoder is switched on "
               "(ATLAS_GEOCODER=nominatim). A ZIP or city centre can be several miles from the door.")

    st.header("Rebuild the data", anchor=False)
    st.markdown("The data files are built from the source page by the project's own command, then checked:")
    st.code(f"python -m atlas build {data_dir() / 'dystonias.txt'} --out {data_dir()}\n"
            f"python -m atlas check {data_dir()}", language="bash")
    st.markdown("To correct a focus tag, add a row with a reason to `overrides.csv` in the data folder and rebuild.")

    st.header("Attribution and licences", anchor=False)
    st.markdown(_licences())
    layout.attribution(page)


@cache
def _checks() -> pd.DataFrame:
    return pd.DataFrame([{"Code": f.code, "Note": f.title, "Meaning": f.explanation} for f in FLAGS.values()])


@cache
def _licences() -> str:
    """The app's own licence notes, read once per process: they ship with the code, not with a data folder."""
    licences = Path(__file__).resolve().parents[2] / "data" / "LICENSES.md"
    if licences.exists():
        return nest_markdown(licences.read_text(encoding="utf-8"), under=2)
    return ("- Page text: NIH/NINDS, a US federal work, as republished by Cleveland Clinic.\n"
            "- ZIP code centroids: the `zipcodes` package (MIT licence).\n"
            "- State outlines: the `us-atlas` package (ISC licence), from US Census Bureau boundaries.")
