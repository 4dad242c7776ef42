import pytest
from django.core.management import call_command
from django.urls import reverse

from advocacy.people.models import User
from guidelines.models import Acknowledgement, BannedTerm, GuidelineDocument, GuidelineImage, GuidelineVersion
from guidelines.selectors import acknowledgement_rates_by_team, acknowledgement_required

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_policy_in_two_versions_a_brand_guide_and_rules_once():
    call_command("seed_demo")
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
    counts = (GuidelineVersion.objects.count(), Acknowledgement.objects.count(), GuidelineImage.objects.count())
    call_command("seed_demo")
    assert (GuidelineVersion.objects.count(), Acknowledgement.objects.count(), GuidelineImage.objects.count()) == counts


def test_the_demo_portal_renders(client):
    call_command("seed_demo")
    client.force_login(User.objects.get(username="employee"))
    html = client.get(reverse("guidelines:portal")).content.decode()
    assert "Noor Haddad" in html and "Reward draws" in html and "Acme Cloud logo" in html
