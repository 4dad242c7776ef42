"""The one mapping from an identity provider's claims to people, teams and roles."""

import pytest

from advocacy.people.identity import IdentityRefused, PersonAttributes, attributes_from_claims, person_sync
from advocacy.people.identity_rules import role_groups_from_setting
from advocacy.people.models import ExternalIdentity, User
from advocacy.people.roles import Role
from advocacy.people.selectors import user_roles

pytestmark = pytest.mark.django_db

ISSUER = "oidc:https://login.example.test"


@pytest.fixture(autouse=True)
def _mapping(settings):
    settings.IDENTITY_ROLE_GROUPS = "Comms admin=comms-team;HR=hr,People-Ops"
    settings.IDENTITY_ROLES_FROM_PROVIDER = True


def _claims(**extra):
    return {"email": "nina@example.test", "name": "Nina Novak", "department": "Finance", "groups": ["staff"], **extra}


def test_it_creates_the_person_on_first_login_with_team_and_roles():
    user = person_sync(
        attributes=attributes_from_claims(source=ISSUER, subject="abc", claims=_claims(groups=["people-ops"]))
    )
    assert (user.email, user.display_name, user.team.name) == ("nina@example.test", "Nina Novak", "Finance")
    assert user_roles(user=user) == ["Employee", "HR"]
    assert not user.has_usable_password()
    assert ExternalIdentity.objects.get(source=ISSUER, subject="abc").user == user


def test_a_later_login_updates_the_mapped_fields_and_keeps_the_account():
    first = person_sync(attributes=attributes_from_claims(source=ISSUER, subject="abc", claims=_claims()))
    again = person_sync(
        attributes=attributes_from_claims(
            source=ISSUER,
            subject="abc",
            claims=_claims(email="nina.novak@example.test", department="Sales", groups=["comms-team"]),
        )
    )
    assert again.pk == first.pk and User.objects.count() == 1
    assert (again.email, again.team.name) == ("nina.novak@example.test", "Sales")
    assert user_roles(user=again) == ["Comms admin", "Employee"]


def test_an_existing_local_account_is_linked_by_email_once(alice):
    alice.email = "Alice@Example.test"
    alice.save()
    user = person_sync(attributes=PersonAttributes(source=ISSUER, subject="alice-sub", email="alice@example.test"))
    assert user.pk == alice.pk
    assert ExternalIdentity.objects.filter(user=alice).count() == 1


def test_a_missing_email_claim_is_refused_with_a_sentence_that_says_who_to_ask():
    with pytest.raises(IdentityRefused, match="did not send an email address"):
        attributes_from_claims(source=ISSUER, subject="abc", claims={"name": "No Mail"})


def test_a_person_deactivated_here_is_refused_at_sso_login(alice):
    alice.email = "alice@example.test"
    alice.is_active = False
    alice.save()
    with pytest.raises(IdentityRefused, match="deactivated"):
        person_sync(attributes=PersonAttributes(source=ISSUER, subject="s", email="alice@example.test"))


def test_active_false_deactivates_through_the_one_path_and_true_restores(alice):
    epoch = alice.session_epoch
    attributes = PersonAttributes(source="scim", subject="1", email="alice@example.test", active=False)
    alice.email = "alice@example.test"
    alice.save()
    user = person_sync(attributes=attributes)
    assert not user.is_active and user.session_epoch == epoch + 1
    user = person_sync(attributes=PersonAttributes(source="scim", subject="1", email="alice@example.test", active=True))
    assert user.is_active


def test_without_create_an_unknown_person_is_refused():
    with pytest.raises(IdentityRefused, match="no account"):
        person_sync(attributes=PersonAttributes(source=ISSUER, subject="x", email="x@example.test"), create=False)


def test_roles_from_provider_off_leaves_roles_alone(settings, casey):
    settings.IDENTITY_ROLES_FROM_PROVIDER = False
    casey.email = "casey@example.test"
    casey.save()
    person_sync(attributes=PersonAttributes(source=ISSUER, subject="c", email="casey@example.test"))
    assert Role.COMMS_ADMIN.value in user_roles(user=casey)


@pytest.mark.parametrize(
    ("raw", "message"),
    [("Boss=ceo", "unknown role 'Boss'"), ("HR", "needs 'Role=group"), ("HR=", "needs 'Role=group")],
)
def test_a_bad_role_mapping_is_a_clear_error(raw, message):
    with pytest.raises(ValueError, match=message):
        role_groups_from_setting(raw)


def test_settings_refuse_a_bad_role_mapping_at_start_up():
    from tests.advocacy.test_settings import _run_django

    result = _run_django(["check"], IDENTITY_ROLE_GROUPS="Boss=ceo")
    assert result.returncode != 0 and "unknown role 'Boss'" in result.stderr
