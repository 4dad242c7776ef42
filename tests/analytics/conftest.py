"""A small program with known rows, built with bulk_create so the same builder scales to 100,000 shares."""

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Group

from advocacy.people.models import Team, User
from advocacy.people.roles import Role
from analytics.rollups import rollups_refresh
from content_library.models import Campaign, Post
from metrics.models import ShareMetrics
from sharing.models import Share

NETWORKS = ["linkedin", "x", "bluesky", "mastodon"]
CONTENT_TYPES = [choice for choice, _ in Post.ContentType.choices]
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


@dataclass
class Program:
    teams: list
    users: list
    posts: list
    shares: list = field(default_factory=list)
    metrics: dict = field(default_factory=dict)  # share_id -> ShareMetrics


def build_program(*, people_per_team=(6, 7, 3), posts=6, shares_per_person=4, days=10, batch=5000) -> Program:
    """Teams (the last one small), employees, posts and shares spread over ``days`` days from START.

    Each share gets clicks and, for two networks in three, metrics with impressions only on LinkedIn.
    """
    employee_group = Group.objects.get(name=Role.EMPLOYEE.value)
    teams = [
        Team.objects.create(name=f"Analytics team {index}", slug=f"analytics-team-{index}")
        for index in range(len(people_per_team))
    ]
    users = User.objects.bulk_create(
        [
            User(username=f"analyst-{t}-{n}", display_name=f"Analyst {t}-{n}", team=team, is_active=True)
            for t, (team, size) in enumerate(zip(teams, people_per_team))
            for n in range(size)
        ],
        batch_size=batch,
    )
    if not users[0].pk:
        users = list(User.objects.filter(username__startswith="analyst-").order_by("pk"))
    employee_group.user_set.add(*users)
    campaign = Campaign.objects.create(name="Spring launch", slug="spring-launch")
    post_rows = Post.objects.bulk_create(
        [
            Post(
                title=f"Analytics post {n}",
                slug=f"analytics-post-{n}",
                status=Post.Status.APPROVED,
                content_type=CONTENT_TYPES[n % len(CONTENT_TYPES)],
                campaign=campaign if n % 2 == 0 else None,
            )
            for n in range(posts)
        ]
    )
    if not post_rows[0].pk:
        post_rows = list(Post.objects.filter(slug__startswith="analytics-post-").order_by("pk"))
    program = Program(teams=teams, users=users, posts=post_rows)
    pending = []
    counter = itertools.count()
    # Everyone but the first person of each team shares the same (post, network) pairs.
    pairs = list(itertools.product(post_rows, NETWORKS))[:shares_per_person]
    for user in users:
        if user.username.endswith("-0"):
            continue
        for post, network in pairs:
            n = next(counter)
            pending.append(
                Share(
                    user=user,
                    post=post,
                    network=network,
                    code=f"an{n:08d}",
                    caption=f"caption {n % 3}" if n % 5 else "",
                    last_shared_at=START,
                    human_clicks=n % 7,
                )
            )
        if len(pending) >= batch:
            _flush(program, pending)
            pending = []
    _flush(program, pending)
    _spread_over_days(program, days=days)
    rollups_refresh(full=True)  # what the worker does after the shares land
    return program


def _flush(program, pending):
    Share.objects.bulk_create(pending)
    created = list(Share.objects.filter(code__in=[s.code for s in pending]).order_by("pk"))
    metrics = []
    for share in created:
        index = int(share.code[2:])
        if index % 3 == 2:
            continue
        metrics.append(
            ShareMetrics(
                share=share,
                network=share.network,
                post_id=f"p{share.pk}",
                published_at=START,
                # What each network reports, as its provider would store it: LinkedIn has no
                # reposts, only X gives impressions (advocacy.networks.REPORTED_METRICS).
                likes=index % 11,
                reposts=None if share.network == "linkedin" else index % 4,
                replies=index % 3,
                impressions=100 * (index % 13) if share.network == "x" else None,
            )
        )
    ShareMetrics.objects.bulk_create(metrics)
    program.shares.extend(created)
    program.metrics.update({m.share_id: m for m in metrics})


def _spread_over_days(program, *, days):
    """created_at is auto_now_add: set it afterwards, one UPDATE per day."""
    by_day: dict[int, list[int]] = {}
    for share in program.shares:
        by_day.setdefault(int(share.code[2:]) % days, []).append(share.pk)
    for day, ids in by_day.items():
        when = START + timedelta(days=day)
        for start in range(0, len(ids), 900):
            Share.objects.filter(pk__in=ids[start : start + 900]).update(created_at=when)
    for share in program.shares:
        share.created_at = START + timedelta(days=int(share.code[2:]) % days)


@pytest.fixture
def program(db):
    return build_program()
