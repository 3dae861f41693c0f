"""Close matches for a place name the offline index does not know: "Denvr CO", "Chicgo, IL".

Names are compared after `normalize_city` with rapidfuzz's plain edit-distance ratio (0 to 100).
A partial-match scorer would rank "Chicago Ridge" as high as "Chicago" for "Chicgo", so it is
not used. A match needs a high score (higher still for short names, where one letter is a
large part of the word), and every name within a few points of the best counts as plausible:
one plausible place is a correction, several are choices for the user, largest first.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from atlas.geocode.places import PlaceName, ZipIndex, normalize_city, zip_index

MIN_SCORE = 82.0
MIN_SCORE_SHORT = 88.0  # names of five letters or fewer: one edit in "Denvr" is 91, two in "Miame" is 80
SHORT = 5
PLAUSIBLE_MARGIN = 4.0
MAX_CHOICES = 5


@dataclass(frozen=True)
class Suggestion:
    """A unique close match (`place`), or several plausible ones (`choices`), or neither."""
    place: PlaceName | None = None
    choices: tuple[PlaceName, ...] = ()


def _largest_first(places: list[PlaceName]) -> tuple[PlaceName, ...]:
    return tuple(sorted(places, key=lambda p: (-p.zip_count, p.state, p.city)))


def same_name_places(city: str, index: ZipIndex | None = None) -> tuple[PlaceName, ...]:
    """Every state's place with exactly this (normalised) name, largest first."""
    index = index or zip_index()
    return _largest_first(index.places_named(city))


@functools.lru_cache(maxsize=1024)
def _suggest(name: str, state: str, index: ZipIndex) -> Suggestion:
    from rapidfuzz import fuzz, process

    letters = sum(ch.isalpha() for ch in name)
    if letters < 3:
        return Suggestion()
    cutoff = MIN_SCORE_SHORT if len(name) <= SHORT else MIN_SCORE
    pool = index.names_in_state(state) if state else index.names
    matches = process.extract(name, pool, scorer=fuzz.ratio, score_cutoff=cutoff, limit=25)
    if not matches:
        return Suggestion()
    best = matches[0][1]
    plausible = [match for match, score, _ in matches if score >= best - PLAUSIBLE_MARGIN]
    if state:
        places = [place for match in plausible if (place := index.place(match, state)) is not None]
    else:
        places = [place for match in plausible for place in index.places_named(match)]
    places = list(_largest_first(places))
    if len(places) == 1:
        return Suggestion(place=places[0])
    return Suggestion(choices=tuple(places[:MAX_CHOICES]))


def suggest(city: str, state: str = "", index: ZipIndex | None = None) -> Suggestion:
    """Places whose name is close to `city` (in `state`, if given)."""
    return _suggest(normalize_city(city)[:80], state.upper(), index or zip_index())
