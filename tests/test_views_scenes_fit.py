from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pytest

from atlas.directory.fit import BODY_AREAS, Picked, fit, institutes_named
from atlas.directory.load import prepare
from atlas.directory.request import Context, ViewRequest, read_url, request_from, view_params, view_url
from atlas.directory.scenes import default_city, scene_index, scenes
from atlas.directory.view import describe, require_place, select_view
from atlas.errors import ViewError
from atlas.ingest.build import build_directory
from atlas.ingest.contacts import report_problem_link
from atlas.text import caption, sentence_mentioning, sentences, shorten
from tests.conftest import PAGES


def _names(view):
    return [o.name for o in view.organizations]


@pytest.fixture(scope="module")
def atlas(directory):
    return prepare(directory.page, directory.organizations)


def test_select_view_filters_and_ranks(atlas):
    view = select_view(atlas, ViewRequest(focus=("blepharospasm",), include_general=False))
    assert _names(view) == ["Benign Essential Blepharospasm Research Foundation"]
    near = select_view(atlas, ViewRequest(near="60601", radius_mi=100))
    assert _names(near) == ["Dystonia Medical Research Foundation", "Spasmodic Torticollis Dystonia/ST Dystonia"]
    assert near.distances_mi["spasmodic-torticollis-dystonia-st-dystonia"] == pytest.approx(78.2, abs=0.1)
    with pytest.raises(ViewError, match="not a US ZIP code"):
        require_place(select_view(atlas, ViewRequest(near="00000")))


@pytest.mark.parametrize("request_, title", [
    (ViewRequest(), "Dystonia support organizations"),
    (ViewRequest(focus=("speech",)), "Voice & speech and general dystonia groups"),
    (ViewRequest(focus=("torticollis", "blepharospasm"), include_general=False, state="NY"),
     "Torticollis and blepharospasm groups in New York"),
    (ViewRequest(include_general=False, query=" foundation "), 'Organizations for a specific form of dystonia matching "foundation"'),
])
def test_view_titles(request_, title):
    assert describe(request_) == title


def test_view_url_reproduces_the_request():
    request = ViewRequest(focus=("torticollis", "speech"), include_general=False, state="CA", query="a&b",
                          near="Chicago, IL", radius_mi=250)
    url = view_url(request, "https://atlas.example.org/")
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "atlas.example.org", "/nearby")
    assert parse_qsl(parts.query) == [("focus", "torticollis"), ("focus", "speech"), ("general", "false"),
                                      ("state", "CA"), ("q", "a&b"), ("near", "Chicago, IL"), ("radius", "250")]
    assert view_url(ViewRequest()) == "http://localhost:8501/directory"
    assert view_url(ViewRequest(org="x")) == "http://localhost:8501/directory?org=x"
    assert view_params(request) == {"focus": ["torticollis", "speech"], "general": ["false"], "state": ["CA"],
                                    "q": ["a&b"], "near": ["Chicago, IL"], "radius": ["250"]}
    assert view_params(ViewRequest()) == {}


def test_report_link_names_the_organization_and_is_a_safe_mailto(orgs_by_name):
    org = orgs_by_name["Bachmann-Strauss Dystonia & Parkinson Foundation"]
    link = report_problem_link(org, "corrections@example.org")
    assert link.startswith("mailto:corrections@example.org?subject=")
    query = dict(parse_qsl(urlsplit(link).query))
    assert query["subject"] == "Dystonia Atlas: problem with the listing for Bachmann-Strauss Dystonia & Parkinson Foundation"
    assert "bachmann-strauss-dystonia-parkinson-foundation" in query["body"]
    hostile = org.replace(name='<script>alert(1)</script> "x" & y\nz')
    assert " " not in report_problem_link(hostile) and "<" not in report_problem_link(hostile)


def test_scenes_have_titles_captions_from_the_page_and_requests(directory, atlas):
    all_scenes = scenes(directory.page, default_city(atlas.frame))
    assert [s.slug for s in all_scenes] == ["all", "torticollis", "blepharospasm", "speech", "near"]
    assert all_scenes[-1].title == "Groups near Chicago, IL"
    text = " ".join(s.body for s in directory.page.sections)
    for scene in all_scenes:
        assert scene.title and scene.caption
        assert scene.caption.rstrip("…")[:40] in text, scene.slug  # drawn from the page itself
    assert "neck" in all_scenes[1].caption and "voice or speech" in all_scenes[3].caption
    assert scene_index(all_scenes, "speech") == 3 and scene_index(all_scenes, "bogus") == 0
    from atlas.directory.request import SCENE_SLUGS

    assert SCENE_SLUGS == tuple(s.slug for s in all_scenes)  # what a link may name is what the presenter steps through


def test_the_default_city_is_the_first_listed_us_organizations(directory):
    first, second = directory.organizations[:2]
    abroad = first.replace(country="CA", city="Toronto", state="ON")
    no_city = second.replace(city="")
    later = directory.organizations[2]
    assert default_city(prepare(directory.page, [abroad, no_city, later]).frame) == f"{later.city}, {later.state}"
    assert default_city(prepare(directory.page, [abroad, no_city]).frame) == "Chicago, IL"
    assert default_city(prepare(directory.page, []).frame) == "Chicago, IL"


def test_fit_maps_body_areas_to_focus_groups_and_institutes(directory, atlas):
    assert institutes_named(directory.page) == [
        "National Institute of Neurological Disorders and Stroke",
        "National institute on Deafness and Other Communications Disorders",
        "National Eye Institute",
        "Eunice Kennedy Shriver National Institute on Child Health and Human Development",
    ]
    voice = fit("voice", atlas)
    assert [o.name for o in voice.specific] == ["American Speech-Language-Hearing Association (ASHA)"]
    assert voice.institute == "National institute on Deafness and Other Communications Disorders"
    eyelids = fit("eyelids", atlas)
    assert eyelids.institute == "National Eye Institute"
    assert [o.name for o in eyelids.specific] == ["Benign Essential Blepharospasm Research Foundation"]
    neck = fit("neck", atlas)
    assert len(neck.specific) == 2 and len(neck.general) == 4
    hand = fit("hand", atlas)
    assert hand.specific == [] and len(hand.general) == 4
    assert set(BODY_AREAS) == {"neck", "eyelids", "voice", "hand", "several"}


def test_the_area_parameter_takes_exactly_the_body_areas_fit_knows():
    """The URL table keeps its own copy of the codes (it does not import the directory to decode a link)."""
    from atlas.directory.request import BODY_AREA_CODES, PARAMS, Context, Invalid

    assert BODY_AREA_CODES == tuple(BODY_AREAS)
    for code in BODY_AREAS:
        assert PARAMS["area"].decode([code], Context()) == code
    with pytest.raises(Invalid):
        PARAMS["area"].decode(["elbow"], Context())
    assert PARAMS["area"].value_or(["elbow"], Context(), None) is None
    assert PARAMS["area"].value_or(["hand", "voice"], Context(), None) == "voice"  # the last value counts


def test_fit_builds_only_the_organizations_a_page_asks_for():
    """A national directory's area matches tens of thousands of groups; Fit lists thirty."""
    asked = []

    class Counting(Sequence):
        def __len__(self):
            return 1000

        def __getitem__(self, row):
            asked.append(row)
            return row

    picked = Picked(Counting(), np.arange(0, 1000, 2))
    assert len(picked) == 500 and picked[:3] == [0, 2, 4] and picked[-1] == 998
    assert asked == [0, 2, 4, 998]
    assert picked == list(range(0, 1000, 2))


def test_fit_says_nothing_when_the_page_names_no_institute():
    built = build_directory((PAGES / "minimal.txt").read_text())
    assert institutes_named(built.page) == []
    assert fit("voice", prepare(built.page, built.organizations)).institute is None


def test_sentences_and_shortening():
    assert sentences("One. Two? (Three) four.") == ["One.", "Two?", "(Three) four."]
    long = "word " * 60
    assert len(shorten(long, 100)) <= 101 and shorten(long, 100).endswith("…")
    assert shorten("short", 100) == "short"


def test_captions_and_mentions(directory):
    assert caption(directory.page).startswith("The dystonias are movement disorders")
    assert sentence_mentioning(directory.page, "National Eye Institute").startswith("Scientists at other NIH")
    assert sentence_mentioning(directory.page, "no such phrase") is None


def test_a_request_round_trips_through_its_url():
    """One table decodes and encodes every parameter, so a shared link reopens the same request."""
    request = ViewRequest(focus=("speech",), include_general=False, state="MD", query="asha", near="20850",
                          radius_mi=50, bbox=(38.5, -77.5, 39.5, -76.5))
    raw = {}
    for name, value in parse_qsl(urlsplit(view_url(request)).query):
        raw.setdefault(name, []).append(value)
    context = Context(states=("MD",))
    values = read_url(raw, "directory", context).values | read_url(raw, "nearby", context).values
    assert raw["state"] == ["MD"] and raw["bbox"] == ["38.5,-77.5,39.5,-76.5"]
    assert request_from(values) == request
