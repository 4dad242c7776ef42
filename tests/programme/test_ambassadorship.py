from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from content_library.models import Post
from content_library.selectors import post_feed, post_get_for_employee, post_visible_to_q
from programme import ambassadorship, insiders
from programme.models import AmbassadorInvitation, CohortMember, InsiderProfile
from sharing.services import ShareRefused, share_create
from tests.content_library.factories import CampaignFactory, PostFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _make_ambassador(user, *, by):
    ambassadorship.ambassador_invite(user=user, invited_by=by)
    return ambassadorship.invitation_accept(user=user)


# --- invitations -----------------------------------------------------------------------------


def test_an_invitation_records_each_step_with_its_time(alice, casey):
    invited_at = timezone.now() - timedelta(days=2)
    ambassadorship.ambassador_invite(user=alice, invited_by=casey, message="You share the best posts.", now=invited_at)
    answered_at = invited_at + timedelta(days=1)
    invitation = ambassadorship.invitation_accept(user=alice, now=answered_at)
    assert (invitation.status, invitation.invited_at, invitation.answered_at) == ("accepted", invited_at, answered_at)
    assert ambassadorship.is_ambassador(user=alice)
    left_at = answered_at + timedelta(hours=3)
    assert ambassadorship.ambassador_leave(user=alice, now=left_at)
    invitation.refresh_from_db()
    assert (invitation.status, invitation.left_at) == ("left", left_at)
    assert not ambassadorship.is_ambassador(user=alice)


def test_it_refuses_a_second_open_invitation_but_allows_one_after_a_decline(alice, casey):
    ambassadorship.ambassador_invite(user=alice, invited_by=casey)
    with pytest.raises(ValidationError, match="already invited"):
        ambassadorship.ambassador_invite(user=alice, invited_by=casey)
    ambassadorship.invitation_decline(user=alice)
    ambassadorship.ambassador_invite(user=alice, invited_by=casey)
    assert list(AmbassadorInvitation.objects.filter(user=alice).values_list("status", flat=True).order_by("pk")) == [
        "declined",
        "invited",
    ]


def test_it_refuses_to_invite_a_deactivated_person(casey, dan):
    with pytest.raises(ValidationError, match="active employees"):
        ambassadorship.ambassador_invite(user=dan, invited_by=casey)


def test_answering_without_an_invitation_is_refused(alice):
    with pytest.raises(ValidationError, match="no invitation"):
        ambassadorship.invitation_accept(user=alice)


def test_comms_invite_from_the_candidates_and_the_employee_accepts_from_the_start_page(client, casey, alice):
    client.force_login(casey)
    client.post(reverse("programme:ambassador_invite", kwargs={"user_id": alice.pk}))
    client.force_login(alice)
    home = client.get("/").content.decode()
    assert "You are invited to be an ambassador" in home
    page = client.get(reverse("programme:my_ambassadorship")).content.decode()
    assert "Accept" in page and "Decline" in page
    client.post(reverse("programme:invitation_accept"))
    assert ambassadorship.is_ambassador(user=alice)
    assert "Leave the ambassador programme" in client.get(reverse("programme:my_ambassadorship")).content.decode()


def test_leaving_takes_one_click_and_removes_them_from_cohorts_and_the_insiders_page(client, casey, alice):
    _make_ambassador(alice, by=casey)
    cohort = ambassadorship.cohort_create(name="2027 Insiders", created_by=casey)
    ambassadorship.cohort_add(cohort=cohort, user=alice)
    insiders.insider_feature(user=alice, featured_by=casey)
    insiders.insider_profile_save(user=alice, bio="Backend engineer.", share_ids=[], consent=True)
    client.force_login(alice)
    response = client.post(reverse("programme:ambassador_leave"))
    assert response.status_code == 302
    assert not CohortMember.objects.filter(user=alice).exists()
    assert not InsiderProfile.objects.get(user=alice).is_consenting
    assert insiders.insiders_on_page() == []


# --- cohorts and beta groups -----------------------------------------------------------------


def test_only_ambassadors_join_a_cohort(alice, bob, casey):
    cohort = ambassadorship.cohort_create(name="2027 Insiders", created_by=casey)
    with pytest.raises(ValidationError, match="Only ambassadors"):
        ambassadorship.cohort_add(cohort=cohort, user=bob)
    _make_ambassador(alice, by=casey)
    ambassadorship.cohort_add(cohort=cohort, user=alice)
    ambassadorship.cohort_add(cohort=cohort, user=alice)
    assert cohort.members.count() == 1


def test_cohort_names_are_unique_whatever_the_case(casey):
    ambassadorship.cohort_create(name="2027 Insiders", created_by=casey)
    with pytest.raises(ValidationError, match="already a cohort"):
        ambassadorship.cohort_create(name="2027 insiders", created_by=casey)


@pytest.fixture
def beta(alice, bob, casey):
    """A live post of a campaign limited to a cohort with alice in it, for three more days; bob is outside."""
    _make_ambassador(alice, by=casey)
    cohort = ambassadorship.cohort_create(name="Beta testers", created_by=casey)
    ambassadorship.cohort_add(cohort=cohort, user=alice)
    campaign = CampaignFactory(name="Summer launch", hashtag="")
    post = PostFactory(campaign=campaign, slug="summer-launch")
    group = ambassadorship.beta_group_set(
        campaign=campaign, cohort=cohort, opens_to_everyone_at=timezone.now() + timedelta(days=3), created_by=casey
    )
    return post, group


def test_a_beta_campaign_is_visible_only_to_its_cohort_in_the_feed_and_the_post_page(alice, bob, beta):
    post, _ = beta
    assert post in post_feed(user=alice)
    assert post not in post_feed(user=bob)
    assert post_get_for_employee(user=alice, slug=post.slug) == post
    with pytest.raises(Exception, match="No such post"):
        post_get_for_employee(user=bob, slug=post.slug)


def test_a_beta_campaign_cannot_be_shared_from_outside_the_cohort(bob, beta):
    post, _ = beta
    with pytest.raises(ShareRefused, match="not in your library"):
        share_create(user=bob, post=post, network="linkedin", caption="Look")


def test_a_beta_campaign_is_hidden_from_the_api_outside_the_cohort(client, alice, bob, beta):
    post, _ = beta
    client.force_login(bob)
    assert client.get(f"/api/library/posts/{post.slug}/").status_code == 404
    client.force_login(alice)
    assert client.get(f"/api/library/posts/{post.slug}/").status_code == 200


def test_the_campaign_opens_to_everyone_at_the_time_set_or_when_comms_end_the_beta(bob, beta):
    post, group = beta
    later = group.opens_to_everyone_at + timedelta(minutes=1)
    assert Post.objects.filter(post_visible_to_q(user=bob, now=later), pk=post.pk).exists()
    ambassadorship.beta_group_end(group=group)
    assert post in post_feed(user=bob)


def test_leaving_the_programme_ends_beta_access(alice, beta):
    post, _ = beta
    ambassadorship.ambassador_leave(user=alice)
    assert post not in post_feed(user=alice)


def test_comms_set_a_beta_group_from_the_cohorts_page(client, casey, alice):
    _make_ambassador(alice, by=casey)
    cohort = ambassadorship.cohort_create(name="Beta testers", created_by=casey)
    campaign = CampaignFactory(name="Autumn")
    client.force_login(casey)
    opens = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("programme:beta_group_set"),
        {"campaign": campaign.pk, "cohort": cohort.pk, "opens_to_everyone_at": opens},
    )
    assert response.status_code == 302
    page = client.get(reverse("programme:cohort_list")).content.decode()
    assert "Autumn" in page and "Beta testers" in page


def test_a_bad_beta_group_form_says_what_is_wrong_and_sets_nothing(client, casey):
    client.force_login(casey)
    response = client.post(reverse("programme:beta_group_set"), {"campaign": "", "cohort": ""}, follow=True)
    assert "The beta group was not set" in response.content.decode()
    from programme.models import BetaGroup

    assert not BetaGroup.objects.exists()


# --- pinned query counts ---------------------------------------------------------------------


def _many_ambassadors(size, *, by):
    cohort = ambassadorship.cohort_create(name=f"Cohort {size}", created_by=by)
    for n in range(size):
        person = UserFactory(username=f"amb-{size}-{n}")
        _make_ambassador(person, by=by)
        ambassadorship.cohort_add(cohort=cohort, user=person)
        if n % 2 == 0:
            insiders.insider_feature(user=person, featured_by=by)
    ambassadorship.ambassador_invite(user=UserFactory(username=f"invited-{size}"), invited_by=by)
    return cohort


# Queries: session, user, the user's and group permissions, the Library nav badge, invitations with people,
# featured profiles, the programme settings row (+1 the first time: it is created), +1 branding.
@pytest.mark.parametrize("size", [1, 4])
def test_the_ambassadors_page_query_count_does_not_grow(client, casey, django_assert_num_queries, size):
    _many_ambassadors(size, by=casey)
    insiders.programme_settings()
    client.force_login(casey)
    with django_assert_num_queries(9):
        assert client.get(reverse("programme:ambassador_list")).status_code == 200


# Queries: session, user, permissions (2), the Library nav badge, cohorts with counts, beta groups,
# the beta form's campaigns and cohorts, +1 branding.
@pytest.mark.parametrize("size", [1, 4])
def test_the_cohorts_page_query_count_does_not_grow(client, casey, django_assert_num_queries, size):
    cohort = _many_ambassadors(size, by=casey)
    for n in range(size):
        ambassadorship.beta_group_set(
            campaign=CampaignFactory(name=f"Beta campaign {size}-{n}"),
            cohort=cohort,
            opens_to_everyone_at=timezone.now() + timedelta(days=1),
            created_by=casey,
        )
    client.force_login(casey)
    with django_assert_num_queries(10):
        assert client.get(reverse("programme:cohort_list")).status_code == 200


# Queries: session, user, permissions (2), the Library nav badge, the cohort, members with teams, the add form's
# ambassadors, +1 branding.
@pytest.mark.parametrize("size", [1, 4])
def test_the_cohort_page_query_count_does_not_grow(client, casey, django_assert_num_queries, size):
    cohort = _many_ambassadors(size, by=casey)
    client.force_login(casey)
    with django_assert_num_queries(9):
        assert client.get(reverse("programme:cohort_detail", kwargs={"cohort_id": cohort.pk})).status_code == 200


# --- the invitation email and push ------------------------------------------------------------


def test_an_invited_employee_is_emailed_with_the_message_and_where_to_answer(
    alice, casey, celery_eager, mailoutbox, django_capture_on_commit_callbacks
):
    from django.conf import settings

    with django_capture_on_commit_callbacks(execute=True):
        ambassadorship.ambassador_invite(user=alice, invited_by=casey, message="Your posts get people talking.")

    [email] = mailoutbox
    assert email.to == [alice.email] and email.subject == "You are invited to be an ambassador"
    assert f"{casey.display_name} invited you" in email.body and "Your posts get people talking." in email.body
    answer_url = settings.SITE_URL + reverse("programme:my_ambassadorship")
    assert answer_url in email.body and f'href="{answer_url}"' in email.alternatives[0][0]
    assert "List-Unsubscribe" not in email.extra_headers


def test_nothing_is_emailed_when_the_invitation_is_refused_or_rolled_back(
    alice, casey, celery_eager, mailoutbox, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True):
        ambassadorship.ambassador_invite(user=alice, invited_by=casey)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        ambassadorship.ambassador_invite(user=alice, invited_by=casey)
    assert len(mailoutbox) == 1
    mailoutbox.clear()
    ambassadorship.invitation_decline(user=alice)

    class RolledBack(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RolledBack), transaction.atomic():
        ambassadorship.ambassador_invite(user=alice, invited_by=casey)
        raise RolledBack
    assert mailoutbox == []


def test_an_invitation_answered_before_the_email_leaves_sends_nothing(alice, casey, mailoutbox):
    from notifications.models import Delivery
    from notifications.services import notification_email_send, notification_fan_out

    invitation = ambassadorship.ambassador_invite(user=alice, invited_by=casey)
    assert notification_fan_out(kind=Delivery.Kind.INVITATION, object_id=invitation.pk) == 1
    ambassadorship.invitation_accept(user=alice)
    key = f"invitation:{invitation.pk}"
    assert notification_email_send(kind=Delivery.Kind.INVITATION, object_key=key, user_id=alice.pk) is False
    assert notification_fan_out(kind=Delivery.Kind.INVITATION, object_id=invitation.pk) == 0
    assert mailoutbox == []
