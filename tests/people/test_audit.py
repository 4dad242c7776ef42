"""Every role change and (de)activation is in the audit log, whichever way it came."""

import pytest
from django.contrib.admin.sites import site
from django.contrib.auth.models import Group
from django.test import RequestFactory

from advocacy.people.identity import PersonAttributes, person_sync
from advocacy.people.models import AuditEntry, User
from advocacy.people.roles import Role
from advocacy.people.services import person_erase, user_deactivate, user_reactivate, user_set_roles

pytestmark = pytest.mark.django_db


def _entries(person):
    return list(AuditEntry.objects.filter(person=person).order_by("pk").values_list("action", "before", "after"))


def test_a_role_change_records_who_what_and_why(alice, harper):
    AuditEntry.objects.all().delete()
    assert user_set_roles(user=alice, roles=[Role.EMPLOYEE, Role.HR], actor=harper, source="hr", reason="New job")
    entry = AuditEntry.objects.get(person=alice)
    assert (entry.action, entry.before, entry.after) == ("roles", ["Employee"], ["Employee", "HR"])
    assert (entry.actor, entry.source, entry.reason, entry.source_label) == (harper, "hr", "New job", "HR directory")


def test_setting_the_roles_someone_already_has_records_nothing(alice, harper):
    AuditEntry.objects.all().delete()
    assert not user_set_roles(user=alice, roles=[Role.EMPLOYEE], actor=harper)
    assert AuditEntry.objects.count() == 0


def test_deactivation_and_reactivation_are_recorded_once_each(alice, harper):
    AuditEntry.objects.all().delete()
    user_deactivate(user=alice, actor=harper, source="hr", reason="Left the company")
    user_deactivate(user=alice, actor=harper, source="hr")  # already off: nothing new to say
    user_reactivate(user=alice, actor=harper, source="hr")
    assert _entries(alice) == [
        ("deactivated", ["active"], ["deactivated"]),
        ("reactivated", ["deactivated"], ["active"]),
    ]
    assert AuditEntry.objects.filter(person=alice).first().reason == ""
    assert AuditEntry.objects.filter(person=alice).last().reason == "Left the company"


def test_a_provider_change_names_the_provider_as_the_source(alice, settings):
    settings.IDENTITY_ROLE_GROUPS = "HR=people-ops"
    alice.email = "alice@example.test"
    alice.save()
    AuditEntry.objects.all().delete()
    person_sync(
        attributes=PersonAttributes(
            source="oidc:https://login.example.test", subject="a", email=alice.email, groups=("people-ops",)
        )
    )
    person_sync(
        attributes=PersonAttributes(source="scim", subject="1", email=alice.email, groups=("people-ops",), active=False)
    )
    entries = list(AuditEntry.objects.filter(person=alice).order_by("pk"))
    assert [(entry.action, entry.source, entry.actor) for entry in entries] == [
        ("roles", "oidc:https://login.example.test", None),
        ("deactivated", "scim", None),
    ]
    assert entries[0].source_label == "Single sign-on (OIDC)"


def test_the_admin_records_deactivation_and_group_changes(alice, harper):
    AuditEntry.objects.all().delete()
    request = RequestFactory().post("/")
    request.user = harper
    model_admin = site._registry[User]
    alice.is_active = False

    class Form:
        changed_data = ["is_active"]
        instance = alice

        def save_m2m(self):
            alice.groups.add(Group.objects.get(name="HR"))

    model_admin.save_model(request, alice, Form(), change=True)
    model_admin.save_related(request, Form(), [], change=True)
    assert [(e.action, e.source, e.actor) for e in AuditEntry.objects.filter(person=alice).order_by("pk")] == [
        ("deactivated", "admin", harper),
        ("roles", "admin", harper),
    ]


def test_erasure_is_in_the_log_with_who_erased(alice, harper):
    AuditEntry.objects.all().delete()
    person_erase(user=alice, actor=harper)
    assert [(e.action, e.actor) for e in AuditEntry.objects.filter(person=alice).order_by("pk")] == [
        ("deactivated", harper),
        ("roles", harper),
        ("erased", harper),
    ]


def test_a_rolled_back_change_leaves_no_entry(alice, harper):
    from django.db import transaction

    AuditEntry.objects.all().delete()
    with pytest.raises(RuntimeError), transaction.atomic():
        user_set_roles(user=alice, roles=[Role.EMPLOYEE, Role.HR], actor=harper)
        raise RuntimeError
    assert AuditEntry.objects.count() == 0
