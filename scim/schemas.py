"""The SCIM schemas we publish at /scim/v2/Schemas: django-scim2's RFC 7643 copies, cut to what we keep.

A client (and the compliance checker) learns from /Schemas which attributes we store, so it
only sends and expects those: userName, name, displayName, emails, active, groups (read-only),
and from the enterprise extension the department, which becomes the person's team.
"""

import copy

from django_scim.constants import SchemaURI
from django_scim.schemas import ALL

USER = SchemaURI.USER
GROUP = SchemaURI.GROUP
ENTERPRISE_USER = SchemaURI.ENTERPRISE_USER

KEPT = {
    USER: {
        "userName": None,
        "name": {"formatted", "familyName", "givenName"},
        "displayName": None,
        "active": None,
        "emails": {"value", "type", "primary"},
        "groups": {"value", "$ref", "display"},
    },
    GROUP: {"displayName": None, "members": {"value", "$ref", "type"}},
    ENTERPRISE_USER: {"department": None},
}

# Required here though optional in RFC 7643's own schema documents: a person needs an email, every
# account is active or not, and a group's displayName is what the mapping rule reads.
REQUIRED = {USER: {"emails", "active"}, GROUP: {"displayName"}}

# Multi-valued attributes (lower case): PATCH appends to these and may filter them.
MULTI_VALUED = {"emails", "groups", "members", "schemas"}


def _trimmed(schema: dict) -> dict:
    kept = KEPT[schema["id"]]
    schema = copy.deepcopy(schema)
    attributes = []
    for attribute in schema["attributes"]:
        if attribute["name"] not in kept:
            continue
        subs = kept[attribute["name"]]
        if subs is not None:
            attribute["subAttributes"] = [s for s in attribute.get("subAttributes", []) if s["name"] in subs]
        if attribute["name"] in REQUIRED.get(schema["id"], ()):
            attribute["required"] = True
            for sub in attribute.get("subAttributes", []):
                if sub["name"] == "value":
                    sub["required"] = True
        attributes.append(attribute)
    schema["attributes"] = attributes
    schema["schemas"] = ["urn:ietf:params:scim:schemas:core:2.0:Schema"]
    schema["meta"] = {"resourceType": "Schema", "location": f"/scim/v2/Schemas/{schema['id']}"}
    return schema


PUBLISHED = [_trimmed(schema) for schema in ALL if schema["id"] in KEPT]


def schemas_getter() -> list[dict]:
    """SCIM_SERVICE_PROVIDER["SCHEMAS_GETTER"]."""
    return PUBLISHED
