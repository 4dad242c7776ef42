import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from sharing.models import Click, Share


@pytest.mark.django_db
@pytest.mark.slow
def test_the_demo_has_shares_and_honestly_counted_clicks_and_is_idempotent(settings):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    shares, clicks = Share.objects.count(), Click.objects.count()
    assert shares >= 40
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

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (Share.objects.count(), Click.objects.count()) == (shares, clicks)
