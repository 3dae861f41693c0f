"""The organizations table as shown: readable columns plus link columns that passed the allow-list."""

from __future__ import annotations

import pandas as pd

from atlas import links
from atlas.quality import title as flag_title

TABLE_COLUMNS = ["Organization", "Focus", "Location", "Phone", "Email", "Website", "Data notes"]
DISTANCE_COLUMNS = ["Miles", "Km"]


def _first_phone(row) -> str | None:
    return links.tel_link(row.phone) if row.phone else (links.tel_link(row.toll_free) if row.toll_free else None)


def table_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per organization; a link cell is None when the value is not a safe link."""
    rows = []
    for row in frame.itertuples(index=False):
        row_data = {
            "id": row.id,
            "Organization": row.name,
            "Focus": row.focus_label,
            "Location": row.place,
            "Phone": _first_phone(row),
            "Email": links.mailto_link(row.email) if row.email else None,
            "Website": links.website_link(row.website) if row.website else None,
            "Data notes": "; ".join(flag_title(code) for code in row.quality_flags),
        }
        if "distance_mi" in frame.columns:
            row_data["Miles"] = round(float(row.distance_mi), 1)
            row_data["Km"] = round(float(row.distance_km), 1)
        rows.append(row_data)
    columns = ["id", *TABLE_COLUMNS] + (DISTANCE_COLUMNS if "distance_mi" in frame.columns else [])
    return pd.DataFrame(rows, columns=columns)
