"""Who receives what."""

from datetime import datetime

import pytest
from django.contrib.auth.models import Permission

from advocacy.people.models import User
from notifications.models import Delivery
from notifications.selectors import comms_admins, digest_recipients, iso_week_key
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_comms_admins_are_active_holders_of_the_permission_with_an_email(alice, casey, quinn):
    direct = UserFactory(username="direct", roles=[])
    direct.user_permissions.add(Permission.objects.get(codename="access_comms_workspace"))
    UserFactory(username="gone", roles=[], is_active=False).user_permissions.add(
        Permission.objects.get(codename="access_comms_workspace")
    )
    UserFactory(username="root", roles=[], is_superuser=True)
    quinn.email = ""
    quinn.save()

    assert list(comms_admins()) == [casey, direct]


def test_digest_recipients_are_opted_in_active_employees_not_yet_sent_this_week(alice, bob, casey, dan):
    bob.digest_frequency = User.DigestFrequency.NEVER
    bob.save()
    Delivery.objects.create(
        kind=Delivery.Kind.WEEKLY_DIGEST,
        object_key="2026-W07",
        recipient=f"user:{casey.pk}",
        user=casey,
        status=Delivery.Status.SENT,
    )

    assert list(digest_recipients(week_key="2026-W07")) == [alice]
    assert set(digest_recipients(week_key="2026-W08")) == {alice, casey}


def test_weeks_are_iso_weeks():
    from django.utils import timezone

    assert iso_week_key(datetime(2027, 1, 1, 12, tzinfo=timezone.get_current_timezone())) == "2026-W53"
    assert iso_week_key(datetime(2026, 2, 9, 12, tzinfo=timezone.get_current_timezone())) == "2026-W07"
