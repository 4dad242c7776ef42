"""SCIM 2.0 at /scim/v2/ as identity providers use it: people, groups, deactivation, filters, bad input."""

import pytest
from django.test import Client

from advocacy.people.models import ExternalIdentity, User
from advocacy.people.roles import Role
from scim.models import ScimDeactivation, ScimToken
from scim.services import token_revoke

from .conftest import ENTERPRISE, GROUP_SCHEMA, SCIM, USER_SCHEMA

pytestmark = pytest.mark.django_db


def test_it_refuses_requests_without_a_live_bearer_token(client, harper, scim_token):
    assert client.get("/scim/v2/Users").status_code == 401
    client.force_login(harper)  # an HR session is not a SCIM credential (the endpoints are CSRF-exempt)
    response = client.get("/scim/v2/Users")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "bearer token" in response.json()["detail"]
    assert client.get("/scim/v2/Users", HTTP_AUTHORIZATION="Bearer scim_wrong").status_code == 401
    token, raw = scim_token
    token_revoke(token=token, actor=harper)
    assert Client().get("/scim/v2/Users", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_it_records_when_a_token_was_last_used(scim, scim_token):
    assert scim_token[0].last_used_at is None
    assert scim.get("Users").status_code == 200
    token = ScimToken.objects.get()
    assert token.last_used_at is not None
    assert scim_token[1] not in token.digest and len(token.digest) == 64


def test_it_creates_a_person_through_the_identity_mapping(scim):
    doc = scim.create_user(
        "ada@example.com",
        name={"givenName": "Ada", "familyName": "Lovelace"},
        externalId="00u1",
        **{ENTERPRISE: {"department": "Research"}, "schemas": [USER_SCHEMA, ENTERPRISE]},
    )
    user = User.objects.get(email="ada@example.com")
    assert user.display_name == "Ada Lovelace"
    assert user.team.name == "Research"
    assert user.is_active and user.has_role(Role.EMPLOYEE)
    assert ExternalIdentity.objects.get(user=user).source == "scim"
    assert ExternalIdentity.objects.get(user=user).subject == doc["id"]
    assert doc["externalId"] == "00u1"
    assert doc["meta"]["location"].endswith(f"/scim/v2/Users/{doc['id']}")
    assert scim.get(f"Users/{doc['id']}").doc["name"] == {"givenName": "Ada", "familyName": "Lovelace"}


def test_it_links_an_existing_account_with_the_same_email_once(scim, alice):
    doc = scim.create_user("alice.archer@corp.example", email=alice.email)
    assert User.objects.filter(email__iexact=alice.email).count() == 1
    assert ExternalIdentity.objects.get(subject=doc["id"]).user == alice
    again = scim.post("Users", {"userName": "someone-else", "emails": [{"value": alice.email}]})
    assert again.status_code == 409
    assert again.doc["scimType"] == "uniqueness"


def test_it_refuses_a_second_user_with_the_same_user_name_in_any_case(scim):
    scim.create_user("ada@example.com")
    response = scim.post("Users", {"userName": "ADA@example.com", "emails": [{"value": "other@example.com"}]})
    assert response.status_code == 409
    assert User.objects.filter(email="other@example.com").count() == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"emails": [{"value": "a@example.com"}]}, "userName is required"),
        ({"userName": "x", "emails": [{"value": "not an email"}]}, "is not an email address"),
        ({"userName": "no-email"}, "needs an email address"),
        ({"userName": "x@example.com", "active": "maybe"}, '"active" must be true or false'),
        ({"userName": "x@example.com", "name": "Ada"}, "name must be an object"),
    ],
)
def test_it_explains_bad_users_and_saves_nothing(scim, body, message):
    response = scim.post("Users", body)
    assert response.status_code == 400
    assert message in response.doc["detail"]
    assert not User.objects.filter(email__icontains="example.com").exclude(username="harper").exists()


def test_it_answers_bad_json_and_unknown_ids_with_scim_errors(scim):
    response = scim.client.post("/scim/v2/Users", "{nope", content_type=SCIM, **scim.headers)
    assert response.status_code == 400
    assert response.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert scim.get("Users/not-a-uuid").status_code == 404
    assert scim.get("Users/6f1c1c7e-3b7e-4a57-9f4e-2d1d7b2a9a10").status_code == 404
    assert scim.get("Nothing/here").status_code == 404
    assert scim.get("Bulk").status_code == 501


def test_a_scim_patch_active_false_ends_a_signed_in_session_on_its_next_request(scim):
    doc = scim.create_user("ada@example.com")
    user = User.objects.get(email="ada@example.com")
    browser = Client()
    browser.force_login(user)
    assert browser.get("/library/").status_code == 200
    # Entra ID sends the value as a string.
    response = scim.patch(f"Users/{doc['id']}", {"op": "Replace", "path": "active", "value": "False"})
    assert response.status_code == 200
    assert response.doc["active"] is False
    next_request = browser.get("/library/")
    assert next_request.status_code == 302
    assert next_request["Location"].startswith("/accounts/login/")
    user.refresh_from_db()
    assert not user.is_active
    assert ScimDeactivation.objects.get(user=user).token_name == "Entra ID"


def test_reactivation_lets_them_sign_in_again_but_old_sessions_stay_dead(scim):
    doc = scim.create_user("ada@example.com")
    user = User.objects.get(email="ada@example.com")
    old = Client()
    old.force_login(user)
    scim.patch(f"Users/{doc['id']}", {"op": "replace", "value": {"active": False}})
    assert scim.patch(f"Users/{doc['id']}", {"op": "replace", "value": {"active": True}}).doc["active"] is True
    user.refresh_from_db()
    assert user.is_active
    assert old.get("/library/").status_code == 302
    fresh = Client()
    fresh.force_login(user)
    assert fresh.get("/library/").status_code == 200


def test_delete_deactivates_the_person_keeps_the_account_and_a_new_post_brings_them_back(scim):
    doc = scim.create_user("ada@example.com")
    assert scim.delete(f"Users/{doc['id']}").status_code == 204
    assert scim.get(f"Users/{doc['id']}").status_code == 404
    user = User.objects.get(email="ada@example.com")
    assert not user.is_active
    assert ScimDeactivation.objects.get(user=user).how == "DELETE"
    again = scim.create_user("ada@example.com")
    user.refresh_from_db()
    assert user.is_active and again["id"] != doc["id"]
    assert User.objects.filter(email="ada@example.com").count() == 1


def test_patch_changes_name_email_and_department(scim):
    doc = scim.create_user("ada@example.com", displayName="Ada")
    response = scim.patch(
        f"Users/{doc['id']}",
        {"op": "replace", "path": 'emails[type eq "work"].value', "value": "ada@new.example"},
        {"op": "replace", "path": "displayName", "value": "Ada L."},
        {"op": "add", "path": f"{ENTERPRISE}:department", "value": "Sales"},
    )
    assert response.status_code == 200, response.doc
    user = User.objects.get(pk=User.objects.get(email="ada@new.example").pk)
    assert (user.display_name, user.team.name) == ("Ada L.", "Sales")
    bad = scim.patch(f"Users/{doc['id']}", {"op": "replace", "path": 'emails[type eq "home"].value', "value": "x@y.z"})
    assert bad.status_code == 400 and bad.doc["scimType"] == "noTarget"
    assert User.objects.get(pk=user.pk).email == "ada@new.example"


def test_groups_named_in_identity_role_groups_give_roles_and_other_groups_are_teams(scim, settings):
    settings.IDENTITY_ROLE_GROUPS = "HR=people-ops"
    ada = scim.create_user("ada@example.com")
    hr = scim.post(
        "Groups", {"schemas": [GROUP_SCHEMA], "displayName": "People-Ops", "members": [{"value": ada["id"]}]}
    )
    assert hr.status_code == 201, hr.doc
    team = scim.post("Groups", {"schemas": [GROUP_SCHEMA], "displayName": "Field Marketing"})
    scim.patch(f"Groups/{team.doc['id']}", {"op": "add", "path": "members", "value": [{"value": ada["id"]}]})
    user = User.objects.get(email="ada@example.com")
    assert user.has_role(Role.HR) and user.team.name == "Field Marketing"
    assert {g["display"] for g in scim.get(f"Users/{ada['id']}").doc["groups"]} == {"People-Ops", "Field Marketing"}
    # Entra ID removes members this way.
    scim.patch(f"Groups/{hr.doc['id']}", {"op": "Remove", "path": "members", "value": [{"value": ada["id"]}]})
    user = User.objects.get(pk=user.pk)
    assert not user.has_role(Role.HR) and user.has_role(Role.EMPLOYEE)
    assert scim.get(f"Groups/{hr.doc['id']}").doc.get("members", []) == []


def test_the_department_attribute_wins_over_team_groups(scim, settings):
    ada = scim.create_user("ada@example.com", **{ENTERPRISE: {"department": "Research"}})
    scim.post("Groups", {"displayName": "Advocacy pilot", "members": [{"value": ada["id"]}]})
    assert User.objects.get(email="ada@example.com").team.name == "Research"
    settings.SCIM_GROUPS_AS_TEAMS = False
    bob = scim.create_user("bob@example.com")
    scim.post("Groups", {"displayName": "Somewhere", "members": [{"value": bob["id"]}]})
    assert User.objects.get(email="bob@example.com").team is None


def test_a_group_member_must_be_a_provisioned_user(scim):
    response = scim.post("Groups", {"displayName": "Team", "members": [{"value": "42"}]})
    assert response.status_code == 400 and "not the id of a User" in response.doc["detail"]


def test_it_filters_and_pages(scim):
    for number in range(5):
        scim.create_user(f"person{number}@example.com", externalId=f"ext-{number}")
    found = scim.get('Users?filter=userName eq "PERSON3@example.com"').doc
    assert found["totalResults"] == 1 and found["Resources"][0]["externalId"] == "ext-3"
    assert scim.get('Users?filter=externalId eq "ext-1"').doc["Resources"][0]["userName"] == "person1@example.com"
    assert scim.get("Users?filter=active eq true").doc["totalResults"] == 5
    page = scim.get("Users?startIndex=2&count=2").doc
    assert (page["totalResults"], page["itemsPerPage"], page["startIndex"]) == (5, 2, 2)
    assert [r["userName"] for r in page["Resources"]] == ["person1@example.com", "person2@example.com"]
    unknown = scim.get('Users?filter=nickName eq "x"')
    assert unknown.status_code == 400 and "nickName" in unknown.doc["detail"]
    assert scim.get("Users?startIndex=0").status_code == 400


def test_it_returns_only_the_attributes_asked_for(scim):
    doc = scim.create_user("ada@example.com", displayName="Ada")
    only = scim.get(f"Users/{doc['id']}?attributes=userName").doc
    assert set(only) == {"id", "schemas", "userName"}
    without = scim.get(f"Users/{doc['id']}?excludedAttributes=emails").doc
    assert "emails" not in without and without["displayName"] == "Ada"


def test_discovery_describes_what_we_support(scim):
    config = scim.get("ServiceProviderConfig").doc
    assert config["patch"]["supported"] and config["filter"]["supported"]
    assert not config["bulk"]["supported"] and not config["etag"]["supported"]
    assert config["authenticationSchemes"][0]["type"] == "oauthbearertoken"
    types = {t["id"]: t for t in scim.get("ResourceTypes").doc["Resources"]}
    assert types["User"]["endpoint"] == "/Users"
    assert types["User"]["schemaExtensions"] == [{"schema": ENTERPRISE, "required": False}]
    schema = scim.get(f"Schemas/{USER_SCHEMA}").doc
    assert {a["name"] for a in schema["attributes"]} == {
        "userName",
        "name",
        "displayName",
        "active",
        "emails",
        "groups",
    }


def test_the_user_list_costs_the_same_queries_for_3_or_6_people(scim, django_assert_num_queries):
    for number in range(3):
        scim.create_user(f"person{number}@example.com")
    scim.get("Users")  # the token's last use is now recorded, so it is not written again below
    # token, list (counted once, then sliced from the cache), groups prefetch
    with django_assert_num_queries(3):
        assert scim.get("Users").doc["totalResults"] == 3
    for number in range(3, 6):
        scim.create_user(f"person{number}@example.com")
    with django_assert_num_queries(3):
        assert scim.get("Users").doc["totalResults"] == 6


def test_a_search_per_resource_type_filters_and_cuts_attributes(scim):
    scim.create_user("ada@example.com", displayName="Ada")
    scim.create_user("bob@example.com")
    body = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "filter": 'userName sw "ada"',
        "attributes": ["displayName"],
    }
    found = scim.post("Users/.search", body)
    assert found.status_code == 200
    assert found.doc["totalResults"] == 1
    assert set(found.doc["Resources"][0]) == {"id", "schemas", "displayName"}
    del body["filter"]
    assert scim.post("Users/.search", body).doc["totalResults"] == 2
    assert scim.post(".search", body).status_code == 501
