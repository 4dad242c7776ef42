"""Reads for points and leaderboards. Board pages read the precomputed standings only."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import CharField, Count, Exists, Max, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from advocacy.people.models import Team

from .models import PointEvent, PointsRules, Standing, StandingCount, TeamStanding
from .periods import Period, board_zone, period_end, period_starts, previous_start

Scope = Standing.Scope
Kind = PointEvent.Kind
ANONYMOUS_NAME = "Anonymous advocate"


# --- Rules ---------------------------------------------------------------------------------


def points_rules_in_force() -> PointsRules:
    """The newest rules, or the documented defaults (unsaved, version 0) before anyone saved any."""
    return PointsRules.objects.order_by("-version").select_related("created_by").first() or PointsRules(version=0)


def points_rules_history() -> QuerySet[PointsRules]:
    return PointsRules.objects.select_related("created_by").order_by("-version")


# --- Boards --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Board:
    period: str
    start: date
    scope: str
    scope_id: int = 0
    scope_name: str = ""

    @property
    def end(self) -> date:
        return period_end(self.period, self.start)

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def label(self) -> str:
        period = dict(Period.choices)[self.period]
        return period if self.scope == Scope.EVERYONE else f"{period} · {self.scope_name}"

    @property
    def query(self) -> str:
        """The query string that selects this board (for links, CSV and the API)."""
        scope = self.scope if self.scope == Scope.EVERYONE else f"{self.scope}:{self.scope_id}"
        return f"period={self.period}&scope={scope}"

    def standings(self) -> QuerySet[Standing]:
        return Standing.objects.filter(
            period=self.period, period_start=self.start, scope=self.scope, scope_id=self.scope_id
        )


class BoardNotFound(ValueError):
    pass


def board_resolve(*, period: str = "", scope: str = "", previous: bool = False, now: datetime | None = None) -> Board:
    """Turn ``period=week&scope=team:3`` into a Board; unknown values raise BoardNotFound with a message."""
    period = period or Period.WEEK
    if period not in Period.values:
        raise BoardNotFound(f"Unknown period {period!r}: use one of {', '.join(Period.values)}.")
    start = period_starts(now or timezone.now())[period]
    if previous:
        start = previous_start(period, start)
    scope = scope or Scope.EVERYONE
    if scope == Scope.EVERYONE:
        return Board(period, start, Scope.EVERYONE)
    kind, _, raw_id = scope.partition(":")
    if kind not in (Scope.TEAM, Scope.CAMPAIGN) or not raw_id.isdigit():
        raise BoardNotFound("Scope must be everyone, team:<id> or campaign:<id>.")
    if kind == Scope.TEAM:
        name = Team.objects.filter(pk=int(raw_id)).values_list("name", flat=True).first()
    else:
        from content_library.models import Campaign

        name = Campaign.objects.filter(pk=int(raw_id)).values_list("name", flat=True).first()
    if name is None:
        raise BoardNotFound(f"There is no {kind} {raw_id}.")
    return Board(period, start, kind, int(raw_id), name)


def board_scopes() -> dict:
    """The teams and campaigns a board can be scoped to (two queries)."""
    from content_library.models import Campaign

    return {
        "teams": list(Team.objects.order_by("name").values_list("pk", "name")),
        "campaigns": list(Campaign.objects.order_by("name").values_list("pk", "name")),
    }


@dataclass
class Row:
    rank: int
    standing: Standing
    name: str
    is_viewer: bool = False
    is_hidden: bool = False
    # Filled by board_decorate: places gained since the previous period (None: not ranked then).
    movement: int | None = None
    badges: list = field(default_factory=list)

    @property
    def is_anonymous(self) -> bool:
        return self.name == ANONYMOUS_NAME and not self.is_viewer

    @property
    def initials(self) -> str:
        if self.is_anonymous:
            return "?"
        words = [word for word in self.name.replace(".", " ").split() if word[:1].isalnum()]
        return "".join(word[0] for word in words[:2]).upper() or "?"

    @property
    def avatar_url(self) -> str:
        avatar = self.standing.user.avatar
        return avatar.url if avatar and not self.is_anonymous else ""


@dataclass
class BoardPage:
    board: Board
    top: list[Row]
    around: list[Row] = field(default_factory=list)
    viewer: Row | None = None
    viewer_points: int = 0
    viewer_unranked: bool = False
    ranked_count: int = 0
    podium: list[Row] = field(default_factory=list)


USER_FIELDS = (
    "user__username",
    "user__display_name",
    "user__first_name",
    "user__last_name",
    "user__hide_from_leaderboards",
    "user__avatar",
)
ROW_FIELDS = ("points", "events", "reached_at", "unranked", "user_id", *USER_FIELDS)


def _ranked(board: Board) -> QuerySet[Standing]:
    return board.standings().filter(unranked=False)


def _with_people(standings: QuerySet[Standing]) -> QuerySet[Standing]:
    """Only the columns a board shows: cheaper to read and to turn into rows."""
    return standings.select_related("user").only(*ROW_FIELDS)


def _ahead_q(standing: Standing) -> Q:
    return (
        Q(points__gt=standing.points)
        | Q(points=standing.points, reached_at__lt=standing.reached_at)
        | Q(points=standing.points, reached_at=standing.reached_at, user_id__lt=standing.user_id)
    )


def standing_with_rank(*, board: Board, user_id: int) -> Standing | None:
    """The person's standing on the board with its ``rank``, in one query (None if they have none).

    rank = 1 + ranked people with more points (summed from the per-points counts, a few rows
    however long the board) + those tied ahead (two index ranges: earlier, then same time and
    lower id). It means something only for a ranked standing (``unranked`` False). Written as
    SQL because the ORM spends longer composing the three subqueries than the database runs them.
    """
    # Table names come from the models and every value is a parameter.
    table, counts = Standing._meta.db_table, StandingCount._meta.db_table
    on_board = "{0}.period = %s AND {0}.period_start = %s AND {0}.scope = %s AND {0}.scope_id = %s"
    board_params = [board.period, connection.ops.adapt_datefield_value(board.start), board.scope, board.scope_id]
    tied = f"SELECT COUNT(*) FROM {table} t WHERE {on_board.format('t')} AND NOT t.unranked AND t.points = s.points"  # noqa: S608  # nosec B608
    sql = (
        f"SELECT s.*, 1 + COALESCE((SELECT SUM(c.ranked) FROM {counts} c "  # noqa: S608  # nosec B608
        f"WHERE {on_board.format('c')} AND c.points > s.points), 0) "
        f"+ ({tied} AND t.reached_at < s.reached_at) "
        f"+ ({tied} AND t.reached_at = s.reached_at AND t.user_id < s.user_id) AS rank "
        f"FROM {table} s WHERE {on_board.format('s')} AND s.user_id = %s"
    )
    found = list(Standing.objects.raw(sql, [*board_params * 4, user_id]))
    return found[0] if found else None


def ranks_on_board(*, board: Board, user_ids: list[int]) -> dict[int, int]:
    """{user_id: rank} of these people's ranked standings on a board, in one query (the SQL of
    ``standing_with_rank`` for several people): the previous period's ranks give the movement."""
    if not user_ids:
        return {}
    table, counts = Standing._meta.db_table, StandingCount._meta.db_table
    on_board = "{0}.period = %s AND {0}.period_start = %s AND {0}.scope = %s AND {0}.scope_id = %s"
    board_params = [board.period, connection.ops.adapt_datefield_value(board.start), board.scope, board.scope_id]
    tied = f"SELECT COUNT(*) FROM {table} t WHERE {on_board.format('t')} AND NOT t.unranked AND t.points = s.points"  # noqa: S608  # nosec B608
    marks = ", ".join(["%s"] * len(user_ids))
    sql = (
        f"SELECT s.user_id, 1 + COALESCE((SELECT SUM(c.ranked) FROM {counts} c "  # noqa: S608  # nosec B608
        f"WHERE {on_board.format('c')} AND c.points > s.points), 0) "
        f"+ ({tied} AND t.reached_at < s.reached_at) "
        f"+ ({tied} AND t.reached_at = s.reached_at AND t.user_id < s.user_id) AS rank "
        f"FROM {table} s WHERE {on_board.format('s')} AND NOT s.unranked AND s.user_id IN ({marks})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*board_params * 4, *user_ids])
        return dict(cursor.fetchall())


def _display_name(standing: Standing, *, viewer_id: int | None, reveal: bool) -> tuple[str, bool]:
    hidden = standing.user.hide_from_leaderboards
    if hidden and not reveal and standing.user_id != viewer_id:
        return ANONYMOUS_NAME, True
    return standing.user.name, hidden


ORDER = ("-points", "reached_at", "user_id")
REVERSED = ("points", "-reached_at", "-user_id")


def _behind_q(standing: Standing) -> Q:
    return (
        Q(points__lt=standing.points)
        | Q(points=standing.points, reached_at__gt=standing.reached_at)
        | Q(points=standing.points, reached_at=standing.reached_at, user_id__gt=standing.user_id)
    )


def board_page(*, board: Board, viewer, top: int = 25, around: int = 2, reveal: bool = False) -> BoardPage:
    """The top of the board, the viewer's rank and the people around them.

    A fixed number of queries whatever the size of the board: the rules, the top
    rows, the viewer's row with their rank, the rows just ahead, the rows just behind.
    ``reveal`` (HR review) shows real names of people who chose to hide.
    """
    rules = points_rules_in_force()
    omit_hidden = rules.hidden_display == PointsRules.HiddenDisplay.OMIT and not reveal
    viewer_id = getattr(viewer, "pk", None)

    def row(rank: int, standing: Standing) -> Row:
        name, hidden = _display_name(standing, viewer_id=viewer_id, reveal=reveal)
        return Row(rank, standing, name, is_viewer=standing.user_id == viewer_id, is_hidden=hidden)

    def visible(standing: Standing) -> bool:
        # Until the next rebuild re-flags them, someone who just chose to hide is still left out here.
        return not (omit_hidden and standing.user.hide_from_leaderboards and standing.user_id != viewer_id)

    top_rows = list(_with_people(_ranked(board)).order_by(*ORDER)[:top])
    page = BoardPage(board=board, top=[row(i + 1, s) for i, s in enumerate(top_rows) if visible(s)])
    mine = standing_with_rank(board=board, user_id=viewer_id) if viewer_id else None
    if mine is None:
        return page
    page.viewer_points = mine.points
    if mine.unranked:
        page.viewer_unranked = True
        return page
    mine.user = viewer
    rank = mine.rank
    page.viewer = row(rank, mine)
    if rank > top:
        ahead = list(_with_people(_ranked(board).filter(_ahead_q(mine))).order_by(*REVERSED)[:around])
        behind = list(_with_people(_ranked(board).filter(_behind_q(mine))).order_by(*ORDER)[:around])
        page.around = (
            [row(rank - i - 1, s) for i, s in enumerate(ahead) if visible(s)][::-1]
            + [page.viewer]
            + [row(rank + i + 1, s) for i, s in enumerate(behind) if visible(s)]
        )
    return page


def board_decorate(*, page: BoardPage) -> BoardPage:
    """Movement since the previous period and earned badges on the rows a board page shows (three queries:
    the previous ranks, then the badges' ledger counts and human clicks; none for an all-time board's movement)."""
    rows = [*page.top, *page.around] + ([page.viewer] if page.viewer else [])
    user_ids = sorted({row.standing.user_id for row in rows})
    board = page.board
    previous = {}
    if board.period != Period.ALL:
        before = Board(board.period, previous_start(board.period, board.start), board.scope, board.scope_id)
        previous = ranks_on_board(board=before, user_ids=user_ids)
    badges = earned_badges_for_users(user_ids=user_ids)
    for row in rows:
        was = previous.get(row.standing.user_id)
        row.movement = None if was is None else was - row.rank
        row.badges = [] if row.is_anonymous else badges.get(row.standing.user_id, [])
    page.podium = page.top[:3]
    return page


def team_board(*, board: Board) -> list[TeamStanding]:
    """Teams on an everyone or campaign board, best points per member first (one query)."""
    scope, scope_id = (board.scope, board.scope_id) if board.scope == Scope.CAMPAIGN else (Scope.EVERYONE, 0)
    return list(
        TeamStanding.objects.filter(period=board.period, period_start=board.start, scope=scope, scope_id=scope_id)
        .select_related("team")
        .order_by("-average", "-points", "team__name", "team_id")
    )


def board_view(*, board: Board, viewer, view: str = "") -> dict:
    """What the board page shows: the people, or with ``view="teams"`` team against team.

    A team board has no team view (it would rank one team against itself): asking for
    one there gives the people, as does any other value.
    """
    if view == "teams" and board.scope != Scope.TEAM:
        teams = team_board(board=board)
        return {"view": "teams", "teams": teams, "best_average": max((t.average for t in teams), default=0)}
    return {"view": "people", "page": board_decorate(page=board_page(board=board, viewer=viewer))}


def board_rows_for_review(*, board: Board) -> QuerySet[Standing]:
    """Every standing of a board in rank order with the person and team (ranked people first, then the unranked)."""
    return board.standings().select_related("user", "user__team").order_by("unranked", *ORDER)


def board_rows_for_export(*, board: Board):
    """The review rows, streamed."""
    return board_rows_for_review(board=board).iterator(chunk_size=2000)


# --- A person's points --------------------------------------------------------------------


def is_voided() -> Exists:
    """True for a ledger row that a void row cancels (annotate or filter PointEvent with it)."""
    return Exists(PointEvent.objects.filter(kind=Kind.VOID, target=OuterRef("pk")))


def points_events_for(*, user) -> QuerySet[PointEvent]:
    """Every ledger row of a person, newest first, with who acted and what a void cancels."""
    return (
        PointEvent.objects.filter(user=user)
        .select_related("actor", "target", "rules")
        .annotate(is_voided=is_voided())
        .order_by("-occurred_at", "-id")
    )


def _local_day():
    from django.db.models.functions import TruncDate

    from .periods import board_zone

    return TruncDate("occurred_at", tzinfo=board_zone())


def points_days_for(*, user, since: date | None = None):
    """(day, points, events) per day with ledger rows, newest day first; days in the board's time zone.

    A day's points are the ledger sum (a void is a row of its own, on the day HR voided).
    """
    rows = PointEvent.objects.filter(user=user).annotate(local_day=_local_day())
    if since is not None:
        rows = rows.filter(local_day__gte=since)
    return (
        rows.values("local_day")
        .annotate(total=Sum("points"), events=Count("id"))
        .order_by("-local_day")
        .values_list("local_day", "total", "events")
    )


def points_events_on_days(*, user, days: list[date]) -> dict[date, list[PointEvent]]:
    """The ledger rows of these days, newest first, grouped by day (one query)."""
    if not days:
        return {}
    grouped: dict[date, list[PointEvent]] = {day: [] for day in days}
    for event in points_events_for(user=user).annotate(local_day=_local_day()).filter(local_day__in=days):
        grouped[event.local_day].append(event)
    return grouped


def points_by_user_between(*, start: datetime, end: datetime, campaign_id: int | None = None) -> dict[int, int]:
    """Points each person earned in [start, end), voided events left out (for draws weighted by points).

    Voids are rows of their own that may fall outside the window, so the voided
    events are dropped instead of summing the void rows.
    """
    events = (
        PointEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
        .exclude(kind=Kind.VOID)
        .filter(~is_voided())
    )
    if campaign_id is not None:
        events = events.filter(campaign_id_at_award=campaign_id)
    totals = events.values("user_id").annotate(total=Sum("points")).values_list("user_id", "total")
    return {user_id: total for user_id, total in totals if total > 0}


def points_total_for(*, user) -> int:
    return PointEvent.objects.filter(user=user).aggregate(total=Sum("points"))["total"] or 0


@dataclass(frozen=True)
class Badge:
    code: str
    name: str
    description: str
    earned: bool
    progress: str = ""
    current: int = 0
    target: int = 1

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.current / self.target)) if self.target else 100


def badges_for(*, user) -> list[Badge]:
    """Milestones in two queries: shares, streaks and suggestions from the ledger (voided events do
    not count), and human clicks as the share tracker counts them (``human_clicks_for``), not the
    clicks that earned points: the daily points cap must not hold back a badge about clicks.
    Each carries how far the person is (``current`` of ``target``).
    """
    from sharing.selectors import human_clicks_for

    counts = (
        PointEvent.objects.filter(user=user)
        .filter(~is_voided())
        .aggregate(
            shares=Count("id", filter=Q(kind=Kind.SHARE)),
            streak=Max("quantity", filter=Q(kind=Kind.STREAK)),
            suggestions=Count("id", filter=Q(kind=Kind.SUGGESTION)),
        )
    )
    return _badges(
        shares=counts["shares"],
        clicks=human_clicks_for(user=user),
        streak=counts["streak"] or 0,
        suggestions=counts["suggestions"],
    )


def _badges(*, shares: int, clicks: int, streak: int, suggestions: int) -> list[Badge]:
    def badge(code, name, description, current, target, progress=""):
        return Badge(code, name, description, current >= target, progress, min(current, target), target)

    return [
        badge("first_share", gettext("First share"), gettext("Shared a post for the first time."), shares, 1),
        badge(
            "ten_shares",
            gettext("Ten shares"),
            gettext("Shared ten posts."),
            shares,
            10,
            gettext("%(count)s of 10 shares") % {"count": f"{shares:,}"},
        ),
        badge(
            "hundred_clicks",
            gettext("100 human clicks"),
            gettext("People clicked your links 100 times."),
            clicks,
            100,
            ngettext("%(count)s human click so far", "%(count)s human clicks so far", clicks)
            % {"count": f"{clicks:,}"},
        ),
        badge(
            "four_week_streak",
            gettext("4-week streak"),
            gettext("Shared four weeks in a row."),
            streak,
            4,
            ngettext("Best streak %(count)s week", "Best streak %(count)s weeks", streak) % {"count": streak},
        ),
        badge(
            "first_suggestion",
            gettext("First suggestion approved"),
            gettext("Your content suggestion joined the library."),
            suggestions,
            1,
        ),
    ]


def earned_badges_for_users(*, user_ids: list[int]) -> dict[int, list[Badge]]:
    """The badges each of these people earned, by the same rules as ``badges_for``, in two grouped queries."""
    from sharing.models import Share

    if not user_ids:
        return {}
    counts = {
        row["user_id"]: row
        for row in PointEvent.objects.filter(user_id__in=user_ids)
        .filter(~is_voided())
        .values("user_id")
        .annotate(
            shares=Count("id", filter=Q(kind=Kind.SHARE)),
            streak=Max("quantity", filter=Q(kind=Kind.STREAK)),
            suggestions=Count("id", filter=Q(kind=Kind.SUGGESTION)),
        )
    }
    clicks = dict(
        Share.objects.filter(user_id__in=user_ids)
        .values("user_id")
        .annotate(total=Sum("human_clicks"))
        .values_list("user_id", "total")
    )
    earned = {}
    for user_id in user_ids:
        row = counts.get(user_id, {})
        badges = _badges(
            shares=row.get("shares", 0),
            clicks=clicks.get(user_id) or 0,
            streak=row.get("streak") or 0,
            suggestions=row.get("suggestions", 0),
        )
        earned[user_id] = [badge for badge in badges if badge.earned]
    return earned


def badge_next(badges: list[Badge]) -> Badge | None:
    """The unearned badge the person is closest to (by share of the way done), or None when all are earned."""
    waiting = [badge for badge in badges if not badge.earned]
    return max(waiting, key=lambda badge: badge.current / badge.target, default=None)


# --- Start pages (advocacy.homes) -----------------------------------------------------------


def home_my_week(*, user, now: datetime) -> dict:
    """The employee home's week: shares, human clicks, engagement, points, streak, next badge (six queries).

    Shares and clicks as the tracker counts them this board week; engagement (likes, reposts,
    replies) and points from the ledger; the streak is the latest streak bonus's length while it
    is still running (its week is this one or the last), else 1 if they shared this week.
    """
    from sharing.models import Click, Share

    from .periods import week_start

    start = period_starts(now)[Period.WEEK]
    since = datetime.combine(start, datetime.min.time(), tzinfo=board_zone())
    shares = Share.objects.filter(user=user, created_at__gte=since).count()
    clicks = Click.objects.filter(share__user=user, kind=Click.Kind.HUMAN, occurred_at__gte=since).count()
    ledger = PointEvent.objects.filter(user=user).aggregate(
        points=Sum("points", filter=Q(week=start)),
        engagement=Sum("quantity", filter=Q(week=start, kind=Kind.METRIC) & ~is_voided()),
    )
    latest_streak = (
        PointEvent.objects.filter(user=user, kind=Kind.STREAK)
        .order_by("-week", "-quantity")
        .values_list("week", "quantity")
        .first()
    )
    streak = 0
    if latest_streak and latest_streak[0] >= week_start(start - timedelta(days=7)):
        streak = latest_streak[1]
    if not streak and shares:
        streak = 1
    badges = badges_for(user=user)
    return {
        "week_start": start,
        "week_shares": shares,
        "week_clicks": clicks,
        "week_engagement": ledger["engagement"] or 0,
        "week_points": ledger["points"] or 0,
        "streak": streak,
        "next_badge": badge_next(badges),
        "badges_earned": sum(badge.earned for badge in badges),
        "badges_total": len(badges),
    }


def home_boards_to_review(*, user, now: datetime) -> dict:
    """This week's, month's and quarter's boards with how many people are ranked and how many carry
    stored anomaly flags (``ReviewFlags``, kept by the worker): two queries."""
    from .models import ReviewFlags

    starts = period_starts(now)
    boards = [(period, starts[period]) for period in (Period.WEEK, Period.MONTH, Period.QUARTER)]
    on_boards = Q()
    for period, start in boards:
        on_boards |= Q(period=period, period_start=start)
    flagged = {
        (period, start): n
        for period, start, n in ReviewFlags.objects.filter(on_boards)
        .exclude(flags=[])
        .values_list("period", "period_start")
        .annotate(n=Count("pk"))
        .values_list("period", "period_start", "n")
    }
    ranked = {
        (period, start): n
        for period, start, n in StandingCount.objects.filter(on_boards, scope=Scope.EVERYONE, scope_id=0)
        .values_list("period", "period_start")
        .annotate(n=Sum("ranked"))
        .values_list("period", "period_start", "n")
    }
    labels = dict(Period.choices)
    return {
        "boards": [
            {
                "period": period,
                "label": labels[period],
                "start": start,
                "ranked": ranked.get((period, start)) or 0,
                "flagged": flagged.get((period, start), 0),
            }
            for period, start in boards
        ]
    }


# --- HR review: anomalies ---------------------------------------------------------------


def anomalies_for_users(*, user_ids: list[int], board: Board, now: datetime | None = None) -> dict[int, list]:
    """Anomaly flags per person for the board's period (at most the last 35 days).

    The click flags come from ``ReviewFlags``, which the worker keeps current
    (``review_flags.review_flags_refresh``): two queries. A board the worker does not keep
    (or has not reached yet) is computed from the click rows, as the worker would. The flags
    of failed pasted posts are read live (one query).
    """
    from .review_flags import (
        click_flags_for_users,
        failed_post_flags_for_users,
        flag_window,
        stored_click_flags,
    )

    if not user_ids:
        return {}
    now = now or timezone.now()
    clicks = stored_click_flags(user_ids=user_ids, period=board.period, start=board.start)
    if clicks is None:
        since, until = flag_window(period=board.period, start=board.start, now=now)
        clicks = click_flags_for_users(user_ids=user_ids, since=since, until=until)
    failed = failed_post_flags_for_users(user_ids=user_ids)
    return {user_id: clicks.get(user_id, []) + failed[user_id] for user_id in user_ids}


# --- Sources awaiting points (for the scan tasks) ---------------------------------------------


def shares_awaiting_points(*, since: datetime, limit: int = 1000) -> list[int]:
    """Shares created since ``since`` with no share award yet, oldest first (streaks build in order)."""
    from sharing.models import Share

    awarded = PointEvent.objects.filter(kind=Kind.SHARE, share_ref=OuterRef("pk"))
    return list(
        Share.objects.filter(created_at__gte=since)
        .annotate(awarded=Exists(awarded))
        .filter(awarded=False)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def click_days_awaiting_points(*, since_day: date | None, cap: int) -> list[tuple[int, date]]:
    """(share, day) pairs whose counted human clicks (up to ``cap``) exceed what earlier batches covered.

    ``since_day`` None looks at every day (the demo seed); the scans look at the last two.
    """
    from .click_awards import click_batches_due

    return sorted((batch.share_id, batch.day) for batch in click_batches_due(since_day=since_day, cap=cap))


def suggestions_awaiting_points(*, limit: int = 1000) -> list[int]:
    from content_library.models import Suggestion

    key = Concat(Value("suggestion:"), Cast(OuterRef("pk"), CharField()), output_field=CharField())
    awarded = PointEvent.objects.filter(cause_key=key)
    return list(
        Suggestion.objects.filter(status=Suggestion.Status.APPROVED)
        .annotate(awarded=Exists(awarded))
        .filter(awarded=False)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def metric_changes_awaiting_points(*, limit: int = 1000) -> list[int]:
    """Metric changes the ledger has not consumed yet, oldest first; posts still being verified wait."""
    from metrics.models import MetricChange
    from sharing.models import Verification

    return list(
        MetricChange.objects.filter(consumed_at=None)
        .exclude(share__published_verification=Verification.VERIFYING)
        .order_by("occurred_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def metric_events_of_failed_posts(*, limit: int = 1000) -> list[int]:
    """Engagement awards on shares whose published post failed verification, not voided yet."""
    from sharing.models import Share, Verification

    failed = Share.objects.filter(published_verification__in=Verification.failed()).values("pk")
    return list(
        PointEvent.objects.filter(~is_voided(), kind=PointEvent.Kind.METRIC, share_ref__in=failed)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
