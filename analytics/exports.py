"""CSV exports of every dashboard table, streamed row by row.

Each table is a generator of rows fed by ``QuerySet.iterator(chunk_size=...)``, so a
large export starts at once and never holds the whole result in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from advocacy.people.roles import COMMS_WORKSPACE, HR_WORKSPACE

from . import selectors
from .selectors import MIN_GROUP_SIZE, Filters

CHUNK_SIZE = 2000
HIDDEN = lazy(lambda: gettext("hidden: fewer than %(count)s people") % {"count": MIN_GROUP_SIZE}, str)()
RESULT_HEADER = [_("Shares"), _("Human clicks"), _("Likes"), _("Reposts"), _("Replies"), _("Impressions (where known)")]


def _results(row: dict) -> list:
    return [row["shares"], row["human_clicks"], row["likes"], row["reposts"], row["replies"], row["impressions"]]


def _participation(filters: Filters) -> Iterator[list]:
    yield [_("Team"), _("Active employees"), _("Shared at least once"), _("Participation %")]
    for row in selectors.participation_by_team(filters=filters):
        if row.hidden:
            yield [row.name, HIDDEN, HIDDEN, HIDDEN]
        else:
            yield [row.name, row.members, row.sharers, row.percent]


def _grouped(header: list[str], queryset_of, cells) -> Callable[[Filters], Iterator[list]]:
    def rows(filters: Filters) -> Iterator[list]:
        yield header + RESULT_HEADER
        for row in queryset_of(filters=filters).iterator(chunk_size=CHUNK_SIZE):
            yield cells(row) + _results(row)

    return rows


def _trend(filters: Filters) -> Iterator[list]:
    yield [_("Week starting") if filters.granularity == "week" else _("Day"), _("Shares"), _("Human clicks")]
    for row in selectors.trend(filters=filters):
        yield [row["period"].isoformat(), row["shares"], row["human_clicks"]]


def _shares(filters: Filters) -> Iterator[list]:
    yield [_("Shared at"), _("Post"), _("Network"), _("Person"), _("Team"), *RESULT_HEADER[1:]]
    rows = (
        selectors.shares_in_range(filters=filters)
        .order_by("created_at", "pk")
        .values_list(
            "created_at",
            "post__title",
            "network",
            "user__username",
            "user__team__name",
            "human_clicks",
            "metrics__likes",
            "metrics__reposts",
            "metrics__replies",
            "metrics__impressions",
        )
    )
    for created_at, title, network, username, team, clicks, likes, reposts, replies, impressions in rows.iterator(
        chunk_size=CHUNK_SIZE
    ):
        yield [
            created_at.isoformat(),
            title,
            selectors.label_for("network", network),
            username,
            team or "",
            clicks,
            "" if likes is None else likes,
            "" if reposts is None else reposts,
            "" if replies is None else replies,
            "" if impressions is None else impressions,
        ]


def _people(filters: Filters) -> Iterator[list]:
    yield [_("Person"), _("Username"), _("Team"), _("Shares"), _("Human clicks")]
    for row in selectors.people_totals(filters=filters).iterator(chunk_size=CHUNK_SIZE):
        yield [
            row["display_name"],
            row["username"],
            row["team_name"] or "",
            row["share_count"],
            row["human_click_count"],
        ]


@dataclass(frozen=True)
class Table:
    title: str
    permissions: tuple[str, ...]
    rows: Callable[[Filters], Iterator[list]]
    team_level: bool = True  # withheld as a whole when the chosen team is too small


COMMS = (COMMS_WORKSPACE,)
TABLES: dict[str, Table] = {
    "participation": Table(
        _("Participation by team"), (COMMS_WORKSPACE, HR_WORKSPACE), _participation, team_level=False
    ),
    "posts": Table(
        _("Results per post"),
        COMMS,
        _grouped([_("Post")], selectors.results_by_post, lambda row: [row["title"]]),
    ),
    "campaigns": Table(
        _("Results per campaign"),
        COMMS,
        _grouped([_("Campaign")], selectors.results_by_campaign, lambda row: [row["name"]]),
    ),
    "contributors": Table(
        _("Results per contributor"),
        COMMS,
        _grouped(
            [_("Person"), _("Username"), _("Team")],
            selectors.results_by_contributor,
            lambda row: [row["display_name"], row["username"], row["team_name"] or ""],
        ),
    ),
    "networks": Table(
        _("Results per network"),
        COMMS,
        _grouped(
            ["Network"], selectors.results_by_network, lambda row: [selectors.label_for("network", row["network"])]
        ),
    ),
    "content-types": Table(
        _("Results per content type"),
        COMMS,
        _grouped(
            [_("Content type")],
            selectors.results_by_content_type,
            lambda row: [selectors.label_for("content_type", row["content_type"])],
        ),
    ),
    "trend": Table(_("Shares and clicks over time"), COMMS, _trend),
    "shares": Table(_("Every share"), COMMS, _shares),
    "people": Table(_("Totals per person"), (HR_WORKSPACE,), _people, team_level=False),
}


def _suppressed(filters: Filters) -> Iterator[list]:
    yield [_("Notice")]
    yield [
        gettext("%(team)s has %(hidden)s; its figures are not shown.") % {"team": filters.team.name, "hidden": HIDDEN}
    ]


def csv_rows(*, table: Table, filters: Filters, team_too_small: bool) -> Iterable[list]:
    if team_too_small and table.team_level:
        return _suppressed(filters)
    return table.rows(filters)


def post_rows(*, post, table: str) -> Iterator[list]:
    if table == "networks":
        yield [_("Network"), *RESULT_HEADER]
        for row in selectors.post_networks(post=post).iterator(chunk_size=CHUNK_SIZE):
            yield [selectors.label_for("network", row["network"]), *_results(row)]
    else:
        yield [_("Day"), _("Human clicks")]
        for row in selectors.post_clicks_by_day(post=post):
            yield [row["period"].isoformat(), row["human_clicks"]]


POST_TABLES = ("networks", "clicks")
