from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from content_library.models import Campaign
from metrics.models import ShareMetrics
from programme.reach import reach_by_campaign, reach_estimate, reach_summary
from programme.services import stated_audience_set
from sharing.models import Share
from tests.content_library.factories import PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shares(alice, bob):
    campaign = Campaign.objects.create(name="Hiring", slug="hiring")
    post = PostFactory(campaign=campaign)
    now = timezone.now()

    def share(user, network, code, followers=None, impressions=None):
        made = Share.objects.create(user=user, post=post, network=network, code=code, last_shared_at=now)
        ShareMetrics.objects.create(
            share=made,
            network=network,
            post_id=code,
            published_at=now,
            author_followers=followers,
            impressions=impressions,
        )
        return made

    share(alice, "mastodon", "r1", followers=400)
    share(alice, "bluesky", "r2", followers=1100)
    share(alice, "linkedin", "r3")  # stated below
    share(bob, "linkedin", "r4")  # nothing stated: unknown
    share(bob, "x", "r5", impressions=900)
    stated_audience_set(user=alice, linkedin_connections=500)
    return campaign


def test_potential_reach_adds_network_followers_and_stated_connections_and_never_impressions(shares):
    reach = reach_summary()
    assert (reach.shares, reach.network_audience, reach.stated_audience) == (5, 1500, 500)
    assert reach.potential_reach == 2000
    assert (reach.known_shares, reach.unknown_shares, reach.per_share) == (3, 2, 667)
    assert reach.impressions == 900 and reach.impressions_known == 1
    [campaign] = reach_by_campaign()
    assert campaign.name == "Hiring" and campaign.potential_reach == 2000


def test_the_calculator_shows_its_formula():
    estimate = reach_estimate(
        employees=200, posts_per_month=4, participation_percent=Decimal(25), audience_per_share=350
    )
    assert estimate.potential_reach == 200 * 0.25 * 4 * 350
    assert estimate.formula == (
        "200 employees × 25% participating × 4 posts a month × 350 people per share = 70,000 potential reach a month"
    )


def test_comms_see_reach_on_the_dashboard_and_the_calculator(client, casey, shares):
    client.force_login(casey)
    dashboard = client.get(reverse("analytics:comms_dashboard")).content.decode()
    assert '<dd id="figure-potential-reach">2000</dd>' in dashboard
    assert '<dd id="figure-reported-impressions">900</dd>' in dashboard
    page = client.get(
        reverse("programme:reach"),
        {"employees": 10, "participation_percent": "50", "posts_per_month": 2, "audience_per_share": 100},
    )
    assert page.status_code == 200
    assert "10 employees × 50% participating × 2 posts a month × 100 people per share = 1,000" in page.content.decode()
    bad = client.get(reverse("programme:reach"), {"employees": 0, "participation_percent": "150"})
    assert bad.status_code == 400
    assert "Ensure this value is less than or equal to 100." in bad.content.decode()


def test_employees_state_and_withdraw_their_linkedin_connections(client, alice):
    client.force_login(alice)
    response = client.post(reverse("programme:my_audience"), {"linkedin_connections": "40000"})
    assert response.status_code == 400
    assert "less than or equal to 30000" in response.content.decode()
    assert not hasattr(alice, "stated_audience") or alice.stated_audience is None
    client.post(reverse("programme:my_audience"), {"linkedin_connections": "812"})
    alice.refresh_from_db()
    assert alice.stated_audience.linkedin_connections == 812
    assert "You stated 812 connections" in client.get(reverse("programme:my_audience")).content.decode()
    client.post(reverse("programme:my_audience"), {"linkedin_connections": ""})
    assert not type(alice.stated_audience).objects.filter(user=alice).exists()


# Queries: session, user, the user's and group permissions, the Library nav badge,
# active employees (the calculator's default), reach summary, reach per campaign.
@pytest.mark.parametrize("size", [1, 3])
def test_the_reach_page_query_count_does_not_grow(client, casey, django_assert_num_queries, size):
    from tests.analytics.conftest import build_program

    build_program(people_per_team=(6 * size, 5), posts=2 * size, shares_per_person=2 * size)
    client.force_login(casey)
    # +1: the organisation's branding that every page's header reads (cached after the first page).
    with django_assert_num_queries(9):
        assert client.get(reverse("programme:reach")).status_code == 200


def test_a_persons_stated_audience_is_in_their_download_and_goes_with_erasure(alice, casey):
    from datetime import date

    from programme import personal_data
    from programme.models import Goal

    stated_audience_set(user=alice, linkedin_connections=120)
    goal = Goal.objects.create(
        name="Mine", measure="shares", target=1, start=date(2026, 1, 1), end=date(2026, 1, 2), created_by=alice
    )
    assert personal_data.export(user=alice)["stated_audience"]["linkedin_connections"] == 120
    assert personal_data.export(user=alice)["goals_created"] == ["Mine"]
    personal_data.erase(user=alice)
    goal.refresh_from_db()
    assert goal.created_by is None and personal_data.export(user=alice)["stated_audience"] is None
