"""The download and the erasure are assembled from the sections the apps register."""

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model

from advocacy.people import personal_data
from advocacy.people.selectors import person_data_export
from advocacy.people.services import person_erase

pytestmark = pytest.mark.django_db
PROJECT = Path(settings.BASE_DIR).resolve()


def _models_pointing_at_the_user() -> set[str]:
    """Labels of our own models (not Django's or a library's) with a ForeignKey or OneToOne to the user."""
    user = get_user_model()
    found = set()
    for model in apps.get_models(include_auto_created=True):
        if not Path(model._meta.app_config.path).resolve().is_relative_to(PROJECT):
            continue
        if ".venv" in Path(model._meta.app_config.path).parts:
            continue
        if any(field.is_relation and field.related_model is user for field in model._meta.concrete_fields):
            found.add(model._meta.label)
    return found


def test_every_model_that_points_at_a_person_is_covered_by_a_section():
    pointing = _models_pointing_at_the_user()
    assert "sharing.Share" in pointing and "draws.Draw_excluded_people" in pointing  # the scan finds them
    assert sorted(pointing - personal_data.covered_models()) == []


def test_a_section_naming_a_model_that_does_not_exist_is_caught():
    labels = {model._meta.label for model in apps.get_models(include_auto_created=True)}
    assert sorted(personal_data.covered_models() - labels) == []


def test_the_scan_fails_for_a_model_no_section_covers(monkeypatch):
    monkeypatch.setattr(personal_data, "_sections", {k: v for k, v in personal_data._sections.items() if k != "draws"})
    assert "draws.Entrant" in _models_pointing_at_the_user() - personal_data.covered_models()


def test_a_section_must_name_the_models_it_covers():
    with pytest.raises(ValueError, match="must name the models"):
        personal_data.register("nothing", export=dict, erase=personal_data.keep, models=[], position=99)


def test_the_download_keeps_its_sections_in_their_order(alice):
    assert list(person_data_export(user=alice)) == [
        "profile",
        "two_step_sign_in",
        "shares",
        "clicks",
        "connected_accounts",
        "points",
        "acknowledgements",
        "suggestions",
        "draw_entries",
        "free_entry_requests",
        "draw_wins",
        "push_devices",
        "push_settings",
        "challenge_entries",
        "listening_mentions",
        "sign_in_identities",
        "invitations",
        "account_history",
        "scim",
        "scim_deactivations",
        "stated_audience",
        "goals_created",
        "pulses_answered",
        "ambassador_invitations",
        "cohorts",
        "preview_feedback",
        "insider",
        "branding_last_edited",
    ]


def test_erasure_runs_every_sections_erase_step(alice, harper, monkeypatch):
    seen = []
    sections = dict(personal_data._sections)
    monkeypatch.setattr(personal_data, "_sections", sections)
    personal_data.register(
        "probe",
        export=lambda *, user: {},
        erase=lambda *, user: seen.append((user.pk, user.username, user.is_active)),
        models=["people.User_groups"],
        position=99,
    )
    person_erase(user=alice, actor=harper)
    # It runs after the account is anonymised and switched off.
    assert seen == [(alice.pk, f"erased-{alice.pk}", False)]
