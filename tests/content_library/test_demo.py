import random

import pytest
from django.utils import timezone

from advocacy.people.demo import seed as seed_people
from content_library.demo import seed
from content_library.models import Campaign, Post, PostImage, Suggestion
from content_library.selectors import post_feed

pytestmark = pytest.mark.django_db


def test_it_seeds_a_varied_library_once_typed_by_what_each_headline_is_about():
    # One test, because seeding the library takes about 20 s.
    now = timezone.now()
    seed_people(rng=random.Random(1), now=now, log=lambda message: None)
    lines = []
    seed(rng=random.Random(2), now=now, log=lines.append)
    assert lines == [
        "content library: 40 posts and 1 from an approved suggestion, 4 suggestions created; 41 posts in the library"
    ]
    assert Post.objects.count() == 41  # 40 curated, 1 from an approved suggestion
    assert Campaign.objects.count() == 3
    assert set(Post.objects.values_list("content_type", flat=True)) == {c for c, _ in Post.ContentType.choices}
    assert set(Post.objects.values_list("status", flat=True)) == {
        "draft",
        "submitted",
        "approved",
        "rejected",
        "archived",
    }
    assert Post.objects.filter(target_everyone=False).exists()
    assert PostImage.objects.count() >= 30
    assert Suggestion.objects.filter(status="pending").count() == 3
    from advocacy.people.models import User

    employee = User.objects.get(username="employee")
    assert 10 < post_feed(user=employee).count() < 40
    types = dict(Post.objects.values_list("title", "content_type"))
    assert types["Security update: passkeys everywhere"] == Post.ContentType.PRODUCT
    assert types["Product tip: keyboard shortcuts"] == Post.ContentType.PRODUCT
    jobs = {title for title, kind in types.items() if kind == Post.ContentType.JOB}
    assert jobs == {
        "Senior backend engineer wanted",
        "Designer job opening",
        "Customer success manager job",
        "Data engineer role in Lyon",
    }
    lines.clear()
    seed(rng=random.Random(2), now=now, log=lines.append)
    assert lines == ["content library: 0 posts, 0 suggestions created; 41 posts in the library"]
    assert (Post.objects.count(), PostImage.objects.count(), Suggestion.objects.count()) == (41, 32, 4)
