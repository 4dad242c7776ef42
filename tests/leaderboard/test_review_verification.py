"""HR review shows whether each pasted post is verified, and why not."""

import pytest
from django.urls import reverse

from sharing.models import Verification

from .conftest import make_share

pytestmark = pytest.mark.django_db


def published(share, *, state, detail=""):
    share.published_url = f"https://x.com/someone/status/{share.pk}"
    share.published_post_key = str(share.pk)
    share.published_verification = state
    share.published_verification_detail = detail
    share.save()
    return share


def test_the_review_page_and_the_persons_page_show_each_posts_verification(client, harper, alice, bob):
    published(make_share(user=alice, network="x"), state=Verification.VERIFIED, detail="Published by @alice")
    published(make_share(user=bob, network="x"), state=Verification.NOT_YOURS, detail="The post is by 42, not @bob")
    client.force_login(harper)
    html = client.get(reverse("leaderboard:review")).content.decode()
    assert 'data-verification="verified"' in html and 'data-verification="not_yours"' in html
    assert "Not yours" in html and "The post is by 42, not @bob" in html
    person = client.get(reverse("leaderboard:review_person", kwargs={"user_id": bob.pk})).content.decode()
    assert "Not yours" in person and "not scored" in person
    assert 'data-verification="verified"' not in person  # only bob's own posts
