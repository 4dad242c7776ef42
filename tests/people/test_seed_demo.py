"""The demo organisation that ``make run`` seeds, checked app by app.

Seeding takes tens of seconds, so this module seeds once (``demo_organisation``) and every test runs
inside its own savepoint on top of it, rolled back afterwards as usual. Each app's demo slice has its
own test below; idempotency is checked by seeding again inside a test.
"""

import io
import random

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from advocacy.people.models import Team, User
from challenges import demo as challenges_demo
from challenges.models import Challenge, Entry
from challenges.selectors import challenge_board, challenge_is_open
from draws import demo as draws_demo
from draws.models import Draw, Winner
from draws.selectors import draw_status, draw_verification
from guidelines.models import Acknowledgement, BannedTerm, GuidelineDocument, GuidelineImage, GuidelineVersion
from guidelines.selectors import acknowledgement_rates_by_team, acknowledgement_required
from leaderboard.demo import DEMO_VOID_REASON
from leaderboard.models import PointEvent, Standing
from sharing.models import Click, Share

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def seed_demo():
    call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture(scope="module", autouse=True)
def demo_organisation(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        seed_demo()
        yield
        transaction.set_rollback(True)


def test_seeding_again_duplicates_nothing():
    tables = (User, Team, Share, Click, PointEvent, GuidelineVersion, Acknowledgement, GuidelineImage, Draw)
    before = [model.objects.count() for model in tables]
    assert (before[0], before[1]) == (60, 6)
    seed_demo()
    assert [model.objects.count() for model in tables] == before


def test_the_documented_logins_work(client, settings):
    # Comms and HR must set up two-step sign-in first (MFA_REQUIRED_ROLES); the employee goes straight in.
    expected = {
        "employee": "/",
        "comms": "/profile/security/setup/?next=%2F",
        "hr": "/profile/security/setup/?next=%2F",
    }
    for username, location in expected.items():
        response = client.post("/accounts/login/", {"username": username, "password": "advocacy-demo"})
        assert response.status_code == 302 and response["Location"] == location, username
        assert client.get(location).status_code == 200, username
        client.post("/accounts/logout/")
    settings.MFA_REQUIRED = False
    for username in ("comms", "hr"):
        response = client.post("/accounts/login/", {"username": username, "password": "advocacy-demo"})
        assert response["Location"] == "/", username
        client.post("/accounts/logout/")
    assert User.objects.get(username="comms").has_perm("people.access_comms_workspace")
    assert User.objects.get(username="hr").has_perm("people.access_hr_workspace")
    assert not User.objects.get(username="employee").has_perm("people.access_hr_workspace")


def test_if_empty_leaves_an_existing_database_alone():
    out = io.StringIO()
    people = User.objects.count()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert User.objects.count() == people
    assert "demo data not added" in out.getvalue()


def test_the_demo_has_a_policy_in_two_versions_a_brand_guide_and_rules():
    policy = GuidelineDocument.objects.get(kind="policy")
    assert list(policy.versions.values_list("number", "is_major")) == [(2, True), (1, True)]
    brand = GuidelineDocument.objects.get(slug="brand-style-guide")
    image = GuidelineImage.objects.get()
    assert f'src="{image.image.url}"' in brand.versions.get().body_html
    assert BannedTerm.objects.count() == 5
    rates = acknowledgement_rates_by_team()["total"]
    assert 0.6 * rates.members < rates.acknowledged < rates.members  # most, not all
    for username in ("employee", "comms", "hr"):
        assert not acknowledgement_required(user=User.objects.get(username=username))


def test_the_demo_portal_renders(client):
    client.force_login(User.objects.get(username="employee"))
    html = client.get(reverse("guidelines:portal")).content.decode()
    assert "Noor Haddad" in html and "Reward draws" in html and "Acme Cloud logo" in html


def test_the_demo_has_shares_and_honestly_counted_clicks():
    assert Share.objects.count() >= 40
    kinds = dict(Click.objects.values_list("kind").annotate(n=Count("id")))
    assert kinds["human"] > 500
    assert kinds["bot"] > 0 and kinds["duplicate"] > 0 and kinds["self"] > 0
    assert Share.objects.filter(user__username="employee").count() >= 3
    # Every total is explained by its counted clicks.
    for share in Share.objects.annotate(counted=Count("clicks", filter=Q(clicks__kind="human"))):
        assert share.human_clicks == share.counted
    oldest = Click.objects.order_by("occurred_at").first().occurred_at
    newest = Click.objects.order_by("-occurred_at").first().occurred_at
    # Clicks span from the oldest shareable demo post (up to 60 days back) until now.
    assert (newest - oldest).days >= 30


def test_the_demo_fills_the_ledger_with_one_void_and_believable_boards():
    assert PointEvent.objects.count() > 100
    void = PointEvent.objects.get(kind=PointEvent.Kind.VOID)
    assert void.reason == DEMO_VOID_REASON and void.target.points == -void.points
    assert Standing.objects.filter(period="all", scope="everyone", unranked=False).count() >= 20
    assert Standing.objects.filter(period="week", scope="everyone").exists()


def test_the_demo_has_a_finished_verifiable_draw_and_an_open_one():
    finished, open_draw = Draw.objects.get(name=draws_demo.FINISHED), Draw.objects.get(name=draws_demo.OPEN)
    assert draw_status(draw=finished) == "drawn" and draw_verification(draw=finished).ok
    assert finished.entrant_count > 50
    assert Winner.objects.filter(draw=finished, removal_number=1).exists()
    assert draw_status(draw=open_draw) == "open"
    draws_demo.seed(rng=random.Random(1), now=timezone.now(), log=lambda message: None)
    assert Draw.objects.count() == 2


def test_the_demo_has_a_finished_and_an_open_challenge_with_entries():
    finished = Challenge.objects.get(title=challenges_demo.FINISHED[0])
    running = Challenge.objects.get(title=challenges_demo.OPEN[0])
    assert finished.status == Challenge.Status.CLOSED and not challenge_is_open(challenge=finished)
    assert challenge_is_open(challenge=running)
    assert finished.entries.count() >= 4 and running.entries.count() >= 4
    assert all(demo_entry.share_id for demo_entry in Entry.objects.all())
    assert Entry.objects.filter(challenge=finished, promotion=Entry.Promotion.PROMOTED).count() == 1
    assert challenge_board(challenge=finished)[0].score > 0
    count = Entry.objects.count()
    challenges_demo.seed(rng=random.Random(1), now=timezone.now(), log=lambda message: None)
    assert Entry.objects.count() == count and Challenge.objects.count() == 2


def test_the_demo_challenges_hashtags_have_mentions_some_by_employees(client, settings):
    from listening.models import Mention, Term

    settings.MFA_REQUIRED = False
    for challenge in Challenge.objects.all():
        term = Term.objects.get(key=challenge.hashtag.casefold())
        mentions = term.mentions.all()
        assert mentions.count() >= 10 and {m.network for m in mentions} == {"bluesky", "mastodon"}
        assert mentions.filter(employee__isnull=False).exists() and all(m.is_demo for m in mentions)
    client.force_login(User.objects.get(username="comms"))
    page = client.get(reverse("listening:monitor")).content.decode()
    assert 'aria-label="Mentions per day"' in page and Mention.objects.first().author_handle in page
