"""django-scim2 adapters: our ScimUser / ScimGroup rows as SCIM resources, writes through scim.services.

django-scim2 supplies the endpoints, routing, pagination, filter parsing and error documents;
these adapters say what a resource looks like and hand every write to the services.
"""

from urllib.parse import urljoin

from django.urls import reverse
from django_scim import constants
from django_scim.adapters import SCIMMixin

from . import services
from .schemas import ENTERPRISE_USER


def _token(request):
    return getattr(request, "scim_token", None)


def _timestamp(value) -> str:
    return value.isoformat().replace("+00:00", "Z")


class _Adapter(SCIMMixin):
    id_field = "id"

    def __init__(self, obj, request=None):
        super().__init__(obj, request=request)
        self._incoming = None

    def validate_dict(self, d):
        """The services validate (with messages naming the attribute); nothing to do before."""

    def from_dict(self, d):
        self._incoming = d

    def _meta(self) -> dict:
        return {
            "resourceType": self.resource_type,
            "created": _timestamp(self.obj.created_at),
            "lastModified": _timestamp(self.obj.updated_at),
            "location": self.location,
        }

    @classmethod
    def resource_type_dict(cls, request=None):
        path = reverse("scim:resource-types", kwargs={"uuid": cls.resource_type})
        document = {
            "schemas": [constants.SchemaURI.RESOURCE_TYPE],
            "id": cls.resource_type,
            "name": cls.resource_type,
            "endpoint": cls.endpoint,
            "description": cls.description,
            "schema": cls.schema,
            "meta": {
                "location": urljoin(base_location(request), path),
                "resourceType": "ResourceType",
            },
        }
        if cls.extensions:
            document["schemaExtensions"] = [{"schema": urn, "required": False} for urn in cls.extensions]
        return document


class ScimUserAdapter(_Adapter):
    url_name = "scim:users"
    resource_type = "User"
    endpoint = "/Users"
    description = "A person who may use the advocacy platform"
    schema = constants.SchemaURI.USER
    extensions = (ENTERPRISE_USER,)

    @property
    def display_name(self):
        return self.obj.data.get("displayName") or self.obj.user.name

    def to_dict(self):
        data = self.obj.data
        document = {
            "schemas": [constants.SchemaURI.USER] + ([ENTERPRISE_USER] if ENTERPRISE_USER in data else []),
            "id": str(self.obj.id),
            "userName": self.obj.user_name,
            "active": self.obj.user.is_active,
            **data,
            "groups": [
                {
                    "value": str(group.id),
                    "$ref": ScimGroupAdapter(group, request=self.request).location,
                    "display": group.display_name,
                }
                for group in self.obj.scim_groups.all()
            ],
            "meta": self._meta(),
        }
        if self.obj.external_id:
            document["externalId"] = self.obj.external_id
        if not document["groups"]:
            del document["groups"]
        return document

    def save(self):
        if self.obj._state.adding:
            self.obj = services.scim_user_create(resource=self._incoming, token=_token(self.request))
        else:
            self.obj = services.scim_user_replace(
                scim_user=self.obj, resource=self._incoming, token=_token(self.request)
            )

    def delete(self):
        services.scim_user_delete(scim_user=self.obj, token=_token(self.request))

    def handle_operations(self, operations):
        self.obj = services.scim_user_patch(scim_user=self.obj, operations=operations, token=_token(self.request))


class ScimGroupAdapter(_Adapter):
    url_name = "scim:groups"
    resource_type = "Group"
    endpoint = "/Groups"
    description = "A team or a role, by the mapping rule (README: SCIM provisioning)"
    schema = constants.SchemaURI.GROUP
    extensions = ()

    @property
    def display_name(self):
        return self.obj.display_name

    def to_dict(self):
        document = {
            "schemas": [constants.SchemaURI.GROUP],
            "id": str(self.obj.id),
            "displayName": self.obj.display_name,
            "members": [
                {
                    "value": str(member.id),
                    "$ref": ScimUserAdapter(member, request=self.request).location,
                    "type": "User",
                }
                for member in self.obj.members.all()
            ],
            "meta": self._meta(),
        }
        if self.obj.external_id:
            document["externalId"] = self.obj.external_id
        if not document["members"]:
            del document["members"]
        return document

    def save(self):
        if self.obj._state.adding:
            self.obj = services.scim_group_create(resource=self._incoming, token=_token(self.request))
        else:
            self.obj = services.scim_group_replace(group=self.obj, resource=self._incoming, token=_token(self.request))

    def delete(self):
        services.scim_group_delete(group=self.obj, token=_token(self.request))

    def handle_operations(self, operations):
        self.obj = services.scim_group_patch(group=self.obj, operations=operations, token=_token(self.request))


def base_location(request=None, *args, **kwargs) -> str:
    """SCIM_SERVICE_PROVIDER["BASE_LOCATION_GETTER"]: the origin the client called (locations are absolute)."""
    from django.conf import settings

    if request is not None:
        return request.build_absolute_uri("/")
    return settings.SITE_URL.rstrip("/") + "/"
