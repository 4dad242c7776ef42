"""PATCH operations on a resource dict (RFC 7644 §3.5.2), as Entra ID and Okta send them."""

import pytest
from django_scim.exceptions import BadRequestError

from scim.patch import apply_operations

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
USER = {
    "userName": "ada",
    "name": {"givenName": "Ada", "familyName": "Lovelace"},
    "emails": [{"value": "ada@work.example", "type": "work", "primary": True}],
}


def test_a_pathless_replace_sets_each_attribute_and_merges_complex_ones():
    result = apply_operations(USER, [{"op": "Replace", "value": {"name": {"givenName": "Augusta"}, "active": False}}])
    assert result["name"] == {"givenName": "Augusta", "familyName": "Lovelace"}
    assert result["active"] is False
    assert USER["name"]["givenName"] == "Ada"  # the original is untouched


def test_paths_ignore_case_and_may_name_the_schema():
    result = apply_operations(
        USER,
        [
            {"op": "replace", "path": "NAME.familyname", "value": "King"},
            {"op": "add", "path": f"{ENTERPRISE}:department", "value": "Maths"},
            {"op": "replace", "path": "urn:ietf:params:scim:schemas:core:2.0:User:userName", "value": "augusta"},
        ],
    )
    assert result["name"]["familyName"] == "King"
    assert result[ENTERPRISE] == {"department": "Maths"}
    assert result["userName"] == "augusta"


def test_value_filters_pick_items_of_multi_valued_attributes():
    result = apply_operations(
        USER,
        [
            {"op": "replace", "path": 'emails[type eq "WORK"].value', "value": "ada@new.example"},
            {"op": "add", "path": 'emails[type eq "home"].value', "value": "ada@home.example"},
        ],
    )
    assert [e["value"] for e in result["emails"]] == ["ada@new.example", "ada@home.example"]
    removed = apply_operations(result, [{"op": "remove", "path": 'emails[type eq "home"]'}])
    assert [e["value"] for e in removed["emails"]] == ["ada@new.example"]


def test_members_are_added_once_and_removed_by_value_or_filter():
    group = {"displayName": "Team", "members": [{"value": "a"}]}
    added = apply_operations(group, [{"op": "add", "path": "members", "value": [{"value": "a"}, {"value": "b"}]}])
    assert added["members"] == [{"value": "a"}, {"value": "b"}]
    entra = apply_operations(added, [{"op": "Remove", "path": "members", "value": [{"value": "a"}]}])
    assert entra["members"] == [{"value": "b"}]
    okta = apply_operations(added, [{"op": "remove", "path": 'members[value eq "b"]'}])
    assert okta["members"] == [{"value": "a"}]


@pytest.mark.parametrize(
    ("operations", "scim_type"),
    [
        ([], "invalidSyntax"),
        ([{"op": "move", "path": "userName", "value": "x"}], "invalidSyntax"),
        ([{"op": "remove"}], "noTarget"),
        ([{"op": "replace", "path": 'emails[type sw "w"].value', "value": "x"}], "invalidFilter"),
        ([{"op": "replace", "path": 'emails[type eq "home"].value', "value": "x"}], "noTarget"),
        ([{"op": "replace", "path": 'name[givenName eq "Ada"]', "value": {}}], "invalidPath"),
        ([{"op": "replace", "path": "not a path!", "value": 1}], "invalidPath"),
        ([{"op": "add", "value": "not an object"}], "invalidValue"),
    ],
)
def test_bad_operations_are_refused_with_the_rfc_error_type(operations, scim_type):
    with pytest.raises(BadRequestError) as error:
        apply_operations(USER, operations)
    assert error.value.scim_type == scim_type
