"""Fraud battery, published posts: pasting someone else's post earns nothing, on every network.

Each employee shares a post, then pastes the address of a post on a fake network
server on loopback that speaks the documented answers (Mastodon statuses, Bluesky
resolveHandle/getPosts, X v2 tweets lookup with expansions=author_id and
users/by/username, LinkedIn socialMetadata). The attacks:

- ``stranger``: another account's popular post, even with the employee's own tracked link in it;
- ``no-link``: the employee's own post without the share's link (someone else's link instead);
- ``claimed``: a post another employee's share already claims (refused when pasted);
- on LinkedIn every post is unverifiable without a connected account.

The pull runs as the real task would (the scheduler queues it; Celery runs it eagerly),
then the leaderboard scan awards and voids. Honest posts (the employee's own, with the
link) are the control group: they must count. Each network prints one line of figures:
attacks tried, engagement points counted for them, expected (0), and the same for the
control group. BATTERY_FULL=1 runs 40 employees per network instead of 4.
"""

import os

import pytest
from django.core.exceptions import ValidationError

from leaderboard.models import PointEvent
from leaderboard.tasks import scan_sources
from metrics.services import pulls_schedule
from sharing.links import tracked_link
from sharing.models import Share, Verification
from sharing.services import share_record_published_url
from tests.factories import UserFactory
from tests.metrics.conftest import make_post, serving
from tests.metrics.fake_networks import MASTODON_INSTANCE, FakeNetworks, FakePost

pytestmark = pytest.mark.django_db
FULL = os.environ.get("BATTERY_FULL") == "1"
EMPLOYEES = 40 if FULL else 4
NETWORKS = ["mastodon", "bluesky", "x", "linkedin"]
EXPECTED_STATE = {
    "stranger": Verification.NOT_YOURS,
    "no-link": Verification.LINK_MISSING,
}


@pytest.fixture
def networks(settings):
    settings.SITE_URL = "https://advocacy.example"
    settings.METRICS_PULL_MAX_PER_RUN = 2000
    with serving() as api:
        fake = FakeNetworks(api)
        fake.configure(settings)
        yield fake


def _handle(network: str, name: str) -> str:
    return {"mastodon": name, "bluesky": f"{name}.bsky.social", "x": name, "linkedin": name}[network]


class Counter:
    def __init__(self):
        self.number = 0

    def __call__(self) -> int:
        self.number += 1
        return self.number


def _employee(name: str):
    return UserFactory(
        username=name,
        mastodon_handle=f"@{name}@{MASTODON_INSTANCE}",
        bluesky_handle=f"{name}.bsky.social",
        x_handle=name,
    )


def _share(user, network, number) -> Share:
    return Share.objects.create(
        user=user,
        post=make_post(slug=f"fraud-{network}-{number}"),
        network=network,
        code=f"F{number:08d}",
        caption="Worth a read",
        last_shared_at=make_post().publish_at,
    )


def _post(network, number, *, author, link, likes) -> FakePost:
    post_id = {
        "mastodon": f"11340921882{number:07d}",
        "bluesky": f"3lb2tq7x{number:05d}",
        "x": f"185846209173{number:07d}",
        "linkedin": f"urn:li:activity:726496031144{number:07d}",
    }[network]
    return FakePost(network=network, post_id=post_id, author=author, text="Big news", link=link, likes=likes)


def _engagement_points(share_ids) -> int:
    """Net engagement points of these shares: awards plus the voids that cancel them."""
    kinds = [PointEvent.Kind.METRIC, PointEvent.Kind.VOID]
    return sum(PointEvent.objects.filter(share_ref__in=share_ids, kind__in=kinds).values_list("points", flat=True))


def test_pasting_another_persons_post_counts_nothing_on_any_network(
    networks, celery_eager, django_capture_on_commit_callbacks, capsys
):
    number = Counter()
    attacks: dict[str, list[tuple[str, Share]]] = {network: [] for network in NETWORKS}
    honest: dict[str, list[Share]] = {network: [] for network in NETWORKS}
    refused: dict[str, int] = dict.fromkeys(NETWORKS, 0)
    for index in range(EMPLOYEES):
        employee = _employee(f"emp{index:03d}")
        for network in NETWORKS:
            stranger = _handle(network, f"famous{index:03d}")
            own = _handle(network, employee.username)
            # Stranger: a popular post by another account that even carries this share's link.
            share = _share(employee, network, number())
            url = networks.publish(_post(network, number(), author=stranger, link=tracked_link(share.code), likes=134))
            share_record_published_url(share=share, url=url)
            attacks[network].append(("stranger", share))
            # No link: the employee's own post carrying some other link.
            share = _share(employee, network, number())
            url = networks.publish(_post(network, number(), author=own, link="https://example.com/else", likes=50))
            share_record_published_url(share=share, url=url)
            attacks[network].append(("no-link", share))
            # Honest: the employee's own post with the share's tracked link.
            share = _share(employee, network, number())
            url = networks.publish(_post(network, number(), author=own, link=tracked_link(share.code), likes=7))
            share_record_published_url(share=share, url=url)
            honest[network].append(share)
            # Claimed: another share already has this post (the honest one above).
            thief = _share(_employee(f"thief{index:03d}"), network, number())
            try:
                share_record_published_url(share=thief, url=url)
            except ValidationError as exc:
                assert "already linked to another share" in exc.messages[0]
                refused[network] += 1

    with django_capture_on_commit_callbacks(execute=True):
        queued_counts = pulls_schedule()
    assert sum(queued_counts.values()) == EMPLOYEES * len(NETWORKS) * 3
    scan_sources()

    lines = []
    for network in NETWORKS:
        tried = [share for _, share in attacks[network]]
        for kind, share in attacks[network]:
            share.refresh_from_db()
            expected = Verification.UNVERIFIABLE if network == "linkedin" else EXPECTED_STATE[kind]
            assert share.published_verification == expected, (network, kind, share.published_verification_detail)
            assert share.metrics.likes is not None  # the numbers were pulled and are shown
        counted = _engagement_points([share.pk for share in tried])
        control = _engagement_points([share.pk for share in honest[network]])
        control_expected = 0 if network == "linkedin" else sum(7 for _ in honest[network])
        assert counted == 0
        assert refused[network] == EMPLOYEES
        assert control == control_expected
        lines.append(
            f"fraud-posts {network:<8} attacks tried {len(tried) + refused[network]:>3} "
            f"(stranger {EMPLOYEES}, no-link {EMPLOYEES}, claimed {EMPLOYEES} refused at paste), "
            f"points counted {counted}, expected 0; honest posts {len(honest[network])}, "
            f"points counted {control}, expected {control_expected}"
        )
    with capsys.disabled():
        print("\n" + "\n".join(lines))
