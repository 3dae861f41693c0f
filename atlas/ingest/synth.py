"""Synthetic data folders of any size, for measuring and testing the app at national scale.

    python -m atlas synth 100000 --out /tmp/atlas-100k [--seed 7]

Deployers bring lists far longer than the page's eight groups: a foundation's support groups, a
state's 211 directory, a registry of movement-disorder clinics. This writes a valid data folder
in the documented format (the committed `page.json` beside an `organizations.csv`) with a
realistic mix: real ZIP centroids from the `zipcodes` package (so organizations cluster where
people live), focus tags, states, service areas, location precisions, and missing phones,
emails and websites. The same seed always gives the same bytes.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from pathlib import Path

from atlas.errors import AtlasError
from atlas.ingest.files import ORGANIZATIONS_FILE, PAGE_FILE, organizations_to_csv
from atlas.model import Organization

TEMPLATE_PAGE = Path(__file__).resolve().parents[2] / "data" / PAGE_FILE
CHUNK = 20_000

FOCUS_MIX = ((("general",), 50), (("torticollis",), 18), (("blepharospasm",), 9), (("speech",), 9),
             (("torticollis", "general"), 6), (("blepharospasm", "speech"), 4), (("torticollis", "speech"), 4))
KINDS = {
    "general": ("Dystonia Support Group", "Movement Disorders Clinic", "Dystonia Network", "Neurology Center"),
    "torticollis": ("Cervical Dystonia Support Group", "Torticollis Circle"),
    "blepharospasm": ("Blepharospasm Support Group", "Eyelid and Blepharospasm Clinic"),
    "speech": ("Spasmodic Dysphonia Support Group", "Voice and Speech Clinic"),
}
AREA_MIX = (("local", 60), ("regional", 25), ("national", 15))
PRECISION_MIX = (("postal_code", 70), ("city", 18), ("address", 7), ("none", 5))
STREETS = ("Main St", "Oak Ave", "Maple Dr", "Washington Blvd", "Park Rd", "Lake St", "Hill Rd", "Cedar Ln")


class SynthError(AtlasError):
    """A synthetic folder cannot be written as asked."""


def _weighted(rng: random.Random, mix):
    return rng.choices([value for value, _ in mix], weights=[weight for _, weight in mix])[0]


def _zip_records() -> list[dict]:
    import zipcodes

    return [z for z in zipcodes.list_all()
            if z.get("lat") and z.get("long") and z.get("zip_code_type") == "STANDARD" and z.get("active")]


def organizations(count: int, seed: int = 7) -> Iterator[Organization]:
    rng = random.Random(seed)
    zips = _zip_records()
    weights = [1.0 + 3.0 * rng.random() for _ in zips]  # some places busier than others, but every one possible
    places = rng.choices(zips, weights=weights, k=count)
    for position, record in enumerate(places, start=1):
        focus = _weighted(rng, FOCUS_MIX)
        city = record["city"].title()
        kind = rng.choice(KINDS[focus[0]])
        name = f"{city} {kind}" if rng.random() < 0.8 else f"{record['state']} {kind}"
        area = _weighted(rng, AREA_MIX)
        precision = _weighted(rng, PRECISION_MIX)
        lat, lon = float(record["lat"]), float(record["long"])
        if precision == "address":
            lat, lon = lat + rng.uniform(-0.02, 0.02), lon + rng.uniform(-0.02, 0.02)
        codes = [c for c in (record.get("area_codes") or []) if len(c) == 3 and c[0] in "23456789"] or ["312"]
        phone = f"({rng.choice(codes)}) {rng.randint(2, 9)}{rng.randint(0, 9)}{rng.randint(1, 9)}-" \
                f"{rng.randint(0, 9999):04d}" if rng.random() < 0.9 else ""
        slug = f"org{position}"
        email = f"info@{slug}.example.org" if rng.random() < 0.7 else ""
        website = f"https://www.{slug}.example.org" if rng.random() < 0.6 else ""
        flags = ("not-geocoded",) if precision == "none" else ()
        yield Organization(
            id=f"{slug}-{record['zip_code']}", name=f"{name} #{position}",
            street=f"{rng.randint(1, 9999)} {rng.choice(STREETS)}", city=city, state=record["state"],
            postal_code=record["zip_code"], country="US", phone=phone, email=email, website=website,
            focus=focus, service_area=area,
            latitude=None if precision == "none" else round(lat, 6),
            longitude=None if precision == "none" else round(lon, 6),
            location_precision=precision, quality_flags=flags)


def write_folder(count: int, out: str | Path, *, seed: int = 7) -> Path:
    """Write `page.json` and `organizations.csv` for `count` synthetic organizations into `out`."""
    if count < 0:
        raise SynthError("the number of organizations cannot be negative")
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(TEMPLATE_PAGE, out / PAGE_FILE)
        with (out / ORGANIZATIONS_FILE).open("w", encoding="utf-8", newline="") as handle:
            chunk: list[Organization] = []
            header = True
            for org in organizations(count, seed):
                chunk.append(org)
                if len(chunk) == CHUNK:
                    handle.write(_csv(chunk, header))
                    chunk, header = [], False
            handle.write(_csv(chunk, header))
    except OSError as exc:
        raise SynthError(f"cannot write the synthetic folder {out}: {exc.strerror or exc}") from None
    return out


def _csv(chunk: list[Organization], header: bool) -> str:
    text = organizations_to_csv(chunk)
    return text if header else text.split("\n", 1)[1]
