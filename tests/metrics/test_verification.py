"""A pasted post earns engagement points only once its first pull shows it is the employee's own, with the link."""

import pytest

from leaderboard.models import PointEvent
from leaderboard.services import points_award_for_metric_change
from leaderboard.tasks import scan_sources
from metrics.models import MetricChange, ShareMetrics
from metrics.services import PullItem, metrics_pull
from metrics.tracking import share_metrics_start, shares_start_tracking
from sharing.links import landing_link, tracked_link
from sharing.models import Share, Verification
from sharing.services import share_record_published_url
from tests.metrics.conftest import make_post
from tests.metrics.fake_networks import FakeNetworks, FakePost

pytestmark = pytest.mark.django_db
VERIFIABLE = ["mastodon", "bluesky", "x"]
OWN_NAME = {"mastodon": "alice", "bluesky": "alice.bsky.social", "x": "alice_archer", "linkedin": "alice"}
OTHER_NAME = {"mastodon": "carol", "bluesky": "carol.bsky.social", "x": "carol_c", "linkedin": "carol"}


@pytest.fixture
def networks(settings, fake_api):
    settings.SITE_URL = "https://advocacy.example"
    fake = FakeNetworks(fake_api)
    fake.configure(settings)
    fake.account(network="bluesky", name="alice.bsky.social")
    fake.account(network="x", name="alice_archer")
    return fake


@pytest.fixture
def employee(alice):
    alice.mastodon_handle = "@alice@mastodon.example"
    alice.bluesky_handle = "alice.bsky.social"
    alice.x_handle = "alice_archer"
    alice.save()
    return alice


_post_ids = iter(range(100, 10_000))


def share_of(user, network, *, slug=None) -> Share:
    number = next(_post_ids)
    return Share.objects.create(
        user=user,
        post=make_post(slug=slug or f"post-{number}"),
        network=network,
        code=f"Code{number:05d}",
        caption="Worth a read",
        last_shared_at=make_post().publish_at,
    )


def post_on(network, *, author, link, likes=40) -> FakePost:
    number = next(_post_ids)
    post_id = {
        "mastodon": f"1134092188263{number:05d}",
        "bluesky": f"3lb2tq7xh{number:04d}",
        "x": f"18584620917367{number:05d}",
        "linkedin": f"urn:li:activity:72649603114477{number:05d}",
    }[network]
    return FakePost(network=network, post_id=post_id, author=author, text="Worth a read", link=link, likes=likes)


def paste_and_pull(share: Share, networks: FakeNetworks, post: FakePost) -> Share:
    url = networks.publish(post)
    share_record_published_url(share=share, url=url)
    shares_start_tracking()  # starts tracking a new post, follows a corrected one
    tracked = ShareMetrics.objects.get(share=share)
    metrics_pull(network=share.network, items=[PullItem(share.pk, tracked.next_pull_at)])
    share.refresh_from_db()
    return share


def award_all(share: Share) -> int:
    for change in MetricChange.objects.filter(share=share, consumed_at=None):
        points_award_for_metric_change(change_id=change.pk)
    return sum(
        PointEvent.objects.filter(kind=PointEvent.Kind.METRIC, share_ref=share.pk).values_list("points", flat=True)
    )


@pytest.mark.parametrize("network", VERIFIABLE)
def test_someone_elses_post_is_not_yours_and_earns_nothing(networks, employee, network, queued):
    share = share_of(employee, network)
    share = paste_and_pull(share, networks, post_on(network, author=OTHER_NAME[network], link=tracked_link(share.code)))
    assert share.published_verification == Verification.NOT_YOURS
    assert "not by" in share.published_verification_detail
    # Its numbers are still shown, labelled; they are not scored.
    assert ShareMetrics.objects.get(share=share).likes == 40
    assert award_all(share) == 0
    assert not MetricChange.objects.filter(share=share, consumed_at=None).exists()


@pytest.mark.parametrize("network", VERIFIABLE)
def test_your_own_post_with_the_tracked_link_is_verified_and_scored(networks, employee, network, queued):
    share = share_of(employee, network)
    share = paste_and_pull(share, networks, post_on(network, author=OWN_NAME[network], link=tracked_link(share.code)))
    assert share.published_verification == Verification.VERIFIED
    assert share.published_verified_at is not None
    assert award_all(share) == 40  # 40 likes, 1 point each


@pytest.mark.parametrize("network", VERIFIABLE)
def test_the_landing_link_counts_as_the_shares_link(networks, employee, network, queued):
    share = share_of(employee, network)
    share = paste_and_pull(share, networks, post_on(network, author=OWN_NAME[network], link=landing_link(share.code)))
    assert share.published_verification == Verification.VERIFIED


@pytest.mark.parametrize("network", VERIFIABLE)
def test_your_own_post_without_the_link_is_link_missing(networks, employee, network, queued):
    share, other = share_of(employee, network), share_of(employee, network)
    # Another share's link is not this share's link.
    share = paste_and_pull(share, networks, post_on(network, author=OWN_NAME[network], link=tracked_link(other.code)))
    assert share.published_verification == Verification.LINK_MISSING
    assert award_all(share) == 0


def test_linkedin_posts_are_unverifiable_their_numbers_shown_but_not_scored(networks, employee, queued):
    share = share_of(employee, "linkedin")
    share = paste_and_pull(share, networks, post_on("linkedin", author="alice", link=tracked_link(share.code)))
    assert share.published_verification == Verification.UNVERIFIABLE
    assert "connected account" in share.published_verification_detail
    assert ShareMetrics.objects.get(share=share).likes == 40
    assert award_all(share) == 0


def test_without_a_handle_on_the_profile_the_post_waits_and_its_points_wait_too(networks, alice, queued):
    share = share_of(alice, "x")
    share = paste_and_pull(share, networks, post_on("x", author="alice_archer", link=tracked_link(share.code)))
    assert share.published_verification == Verification.VERIFYING
    assert "Add your X handle to your profile" in share.published_verification_detail
    assert award_all(share) == 0
    # Not consumed: once the post is verified its growth is paid.
    assert MetricChange.objects.filter(share=share, consumed_at=None).exists()


@pytest.mark.parametrize(
    ("network", "field", "handle"),
    [("x", "x_handle", "nobody_here"), ("bluesky", "bluesky_handle", "nobody.bsky.social")],
)
def test_a_profile_handle_that_names_no_account_matches_nobody(networks, employee, queued, network, field, handle):
    setattr(employee, field, handle)
    employee.save()
    share = share_of(employee, network)
    share = paste_and_pull(share, networks, post_on(network, author=OWN_NAME[network], link=tracked_link(share.code)))
    assert share.published_verification == Verification.NOT_YOURS


def test_x_is_asked_for_the_author_and_the_handle_is_resolved_to_an_id(networks, employee, queued):
    share = share_of(employee, "x")
    paste_and_pull(share, networks, post_on("x", author="alice_archer", link=tracked_link(share.code)))
    lookup = networks.api.requests_to("/2/tweets")[0]
    assert lookup.query["expansions"] == ["author_id"]
    assert "author_id" in lookup.query["tweet.fields"][0]
    assert networks.api.requests_to("/2/users/by/username/alice_archer")


def test_bluesky_compares_the_authors_did_with_the_did_the_profile_handle_resolves_to(networks, employee, queued):
    share = share_of(employee, "bluesky")
    paste_and_pull(share, networks, post_on("bluesky", author="alice.bsky.social", link=tracked_link(share.code)))
    resolved = [r.query["handle"] for r in networks.api.requests_to("/xrpc/com.atproto.identity.resolveHandle")]
    assert ["alice.bsky.social"] in resolved


def test_points_awarded_before_a_post_fails_verification_are_voided_with_the_reason(networks, employee, queued):
    share = share_of(employee, "mastodon")
    share = paste_and_pull(share, networks, post_on("mastodon", author="alice", link=tracked_link(share.code)))
    assert award_all(share) == 40
    # The employee then swaps in a stranger's far more popular post.
    stranger = post_on("mastodon", author="carol", link=tracked_link(share.code), likes=134)
    share = paste_and_pull(share, networks, stranger)
    assert share.published_verification == Verification.NOT_YOURS
    scan_sources()
    awards = PointEvent.objects.filter(kind=PointEvent.Kind.METRIC, share_ref=share.pk)
    voids = PointEvent.objects.filter(kind=PointEvent.Kind.VOID, target__in=awards)
    assert awards.count() == 1 and voids.count() == 1  # the award stays, cancelled by a void row
    assert voids.get().points == -40
    assert "failed verification (not yours)" in voids.get().reason
    assert "carol@mastodon.example" in voids.get().reason
    # Nothing is paid for the stranger's likes, and a second scan voids nothing more.
    assert award_all(share) == 40
    assert scan_sources()["voided_unverified"] == 0


def test_a_post_pasted_while_the_old_one_was_being_pulled_waits_for_its_own_pull(networks, employee, queued):
    share = share_of(employee, "mastodon")
    networks.publish(own := post_on("mastodon", author="alice", link=tracked_link(share.code)))
    share_record_published_url(share=share, url=f"https://mastodon.example/@alice/{own.post_id}")
    share_metrics_start(share=share)
    tracked = ShareMetrics.objects.get(share=share)
    stranger_url = networks.publish(post_on("mastodon", author="carol", link=tracked_link(share.code)))
    share_record_published_url(share=share, url=stranger_url)
    # The pull queued for the first post answers now: it must not verify the second.
    metrics_pull(network="mastodon", items=[PullItem(share.pk, tracked.next_pull_at)])
    share.refresh_from_db()
    assert share.published_verification == Verification.VERIFYING


def test_a_bluesky_post_pasted_by_handle_that_another_share_holds_by_did_is_claimed(networks, employee, bob, queued):
    first = share_of(employee, "bluesky")
    first = paste_and_pull(
        first, networks, post_on("bluesky", author="alice.bsky.social", link=tracked_link(first.code))
    )
    assert first.published_verification == Verification.VERIFIED
    assert first.published_post_key.startswith("at://did:plc:")  # the lasting form, learnt at the pull
    # The same post again, under its handle address: a different key at paste time, the same post.
    handle_url = "https://bsky.app/profile/alice.bsky.social/post/" + first.published_post_key.rsplit("/", 1)[-1]
    second = share_of(bob, "bluesky")
    share_record_published_url(share=second, url=handle_url)
    shares_start_tracking()
    tracked = ShareMetrics.objects.get(share=second)
    metrics_pull(network="bluesky", items=[PullItem(second.pk, tracked.next_pull_at)])
    second.refresh_from_db()
    assert second.published_verification == Verification.CLAIMED
    assert award_all(second) == 0


def test_a_post_whose_tracking_ended_before_verification_existed_gets_one_pull_to_check_it(
    networks, employee, queued, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from metrics.services import pulls_schedule

    share = share_of(employee, "mastodon")
    url = networks.publish(post_on("mastodon", author="alice", link=tracked_link(share.code)))
    long_ago = timezone.now() - timedelta(days=60)
    share_record_published_url(share=share, url=url, now=long_ago)
    share_metrics_start(share=share)
    ShareMetrics.objects.filter(share=share).update(status=ShareMetrics.Status.FINISHED, next_pull_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        pulls_schedule()
    assert [(network, len(items)) for network, items, _, _ in queued] == [("mastodon", 1)]
    network, items, _, _ = queued[0]
    metrics_pull(network=network, items=[PullItem.from_json(item) for item in items])
    share.refresh_from_db()
    tracked = ShareMetrics.objects.get(share=share)
    assert share.published_verification == Verification.VERIFIED
    assert (tracked.status, tracked.next_pull_at) == (ShareMetrics.Status.FINISHED, None)
    # One pull only, even for a post that could not be checked (no handle on the profile): never a loop.
    ShareMetrics.objects.filter(share=share).update(status=ShareMetrics.Status.FINISHED)
    Share.objects.filter(pk=share.pk).update(published_verification=Verification.VERIFYING)
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        pulls_schedule()
    assert queued == []
