from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from analytics.rollups import rollups_refresh
from programme.ambassadors import ambassador_candidates
from sharing.models import Share
from tests.content_library.factories import PostFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _shares(user, *, weeks, clicks, own_caption, code):
    post = PostFactory(suggested_caption="Suggested words")
    now = timezone.now()
    for n in range(weeks):
        share = Share.objects.create(
            user=user,
            post=post,
            network=["linkedin", "x", "bluesky", "mastodon"][n % 4] if n < 4 else "linkedin",
            code=f"{code}{n}",
            caption=f"My own take {n}" if own_caption else "Suggested words",
            last_shared_at=now,
            human_clicks=clicks,
        )
        Share.objects.filter(pk=share.pk).update(created_at=now - timedelta(days=7 * n))
        if n >= 3:
            post = PostFactory(suggested_caption="Suggested words")


def test_candidates_are_ranked_and_each_place_is_explained(engineering, sales):
    steady = UserFactory(username="steady", display_name="Steady Sam", team=engineering)
    burst = UserFactory(username="burst", display_name="Burst Bea", team=engineering)
    other = UserFactory(username="other", display_name="Other Olu", team=sales)
    hidden = UserFactory(username="hidden", team=sales, hide_from_leaderboards=True)
    _shares(steady, weeks=8, clicks=4, own_caption=True, code="st")
    _shares(burst, weeks=3, clicks=9, own_caption=False, code="bu")
    _shares(other, weeks=5, clicks=2, own_caption=True, code="ot")
    _shares(hidden, weeks=8, clicks=9, own_caption=True, code="hi")
    rollups_refresh(full=True)
    ranked = ambassador_candidates()
    assert [c.name for c in ranked] == ["Steady Sam", "Other Olu", "Burst Bea"]
    sam = ranked[0]
    assert sam.reasons[0] == "shared in 8 of 13 weeks"
    assert sam.reasons[1] == "4.0 human clicks per share (best: 9.0)"
    assert sam.reasons[3] == "own caption on 100% of 8 shares"
    assert sam.reasons[-1] == "first candidate from Engineering"
    assert ranked[2].reasons[-1] == "1 higher-placed candidate from Engineering (spread)"
    assert ranked[2].reasons[3] == "own caption on 0% of 3 shares"


def test_comms_see_the_candidates_with_their_reasons(client, casey, alice):
    _shares(alice, weeks=4, clicks=1, own_caption=True, code="al")
    rollups_refresh(full=True)
    client.force_login(casey)
    html = client.get(reverse("programme:ambassador_candidates")).content.decode()
    assert f'id="candidate-{alice.pk}"' in html and "shared in 4 of 13 weeks" in html


def test_the_candidates_page_shows_what_became_of_each_latest_invitation(client, casey, alice, bob, engineering):
    from datetime import datetime

    from programme import ambassadorship

    carol = UserFactory(username="carol", display_name="Carol", team=engineering)
    for person, code in [(alice, "al"), (bob, "bo"), (carol, "ca")]:
        _shares(person, weeks=4, clicks=1, own_caption=True, code=code)
    rollups_refresh(full=True)
    declined_on = timezone.make_aware(datetime(2026, 11, 3, 12))
    ambassadorship.ambassador_invite(user=alice, invited_by=casey)
    ambassadorship.invitation_decline(user=alice, now=declined_on)
    ambassadorship.ambassador_invite(user=bob, invited_by=casey)
    ambassadorship.invitation_accept(user=bob)
    ambassadorship.ambassador_leave(user=bob, now=declined_on + timedelta(days=1))
    client.force_login(casey)
    html = client.get(reverse("programme:ambassador_candidates")).content.decode()

    def cell(person):
        row = html[html.index(f'id="candidate-{person.pk}"') :]
        return row[: row.index("</tr>")]

    assert "Declined on 3 Nov 2026" in cell(alice) and f"Invite {alice.display_name} again" in cell(alice)
    assert "Left on 4 Nov 2026" in cell(bob) and "Invite again" in cell(bob)
    assert "Invite again" not in cell(carol) and f'aria-label="Invite {carol.display_name}"' in cell(carol)
    # Inviting again after a decline still works, and then the row says so.
    client.post(reverse("programme:ambassador_invite", kwargs={"user_id": alice.pk}))
    html = client.get(reverse("programme:ambassador_candidates")).content.decode()
    assert "Invited" in cell(alice) and "Declined" not in cell(alice) and "<form" not in cell(alice)


# Queries: session, user, the user's and group permissions, the Library nav badge, rollups per person, own captions,
# the candidates' latest invitations.
@pytest.mark.parametrize("size", [1, 3])
def test_the_candidates_page_query_count_does_not_grow(client, casey, django_assert_num_queries, size):
    from programme import ambassadorship
    from tests.analytics.conftest import build_program

    build_program(people_per_team=(6 * size, 5), posts=4, shares_per_person=4)
    Share.objects.update(created_at=timezone.now() - timedelta(days=3))
    rollups_refresh(full=True)
    # Every state of an invitation on the page, more of them on the bigger page.
    for n, person in enumerate(ambassadorship.active_employees().exclude(pk=casey.pk).order_by("pk")[: 4 * size]):
        ambassadorship.ambassador_invite(user=person, invited_by=casey)
        if n % 4 == 1:
            ambassadorship.invitation_decline(user=person)
        elif n % 4 >= 2:
            ambassadorship.invitation_accept(user=person)
            if n % 4 == 3:
                ambassadorship.ambassador_leave(user=person)
    client.force_login(casey)
    # +1: the organisation's branding that every page's header reads (cached after the first page).
    with django_assert_num_queries(9):
        assert client.get(reverse("programme:ambassador_candidates")).status_code == 200
