"""The hooks django-scim2 calls (SCIM_SERVICE_PROVIDER in settings): bearer tokens, filters, lookups, config."""

import json
import uuid

from django.http import HttpResponse
from django_scim import constants, exceptions
from django_scim.filters import FilterQuery
from django_scim.middleware import SCIMAuthCheckMiddleware
from django_scim.models import SCIMServiceProviderConfig
from scim2_filter_parser.lexer import SCIMLexer
from scim2_filter_parser.parser import SCIMParser
from scim2_filter_parser.transpilers.django_q_object import Transpiler

from . import selectors, services
from .models import ScimGroup, ScimUser

MAX_RESULTS = 200


class BearerTokenAuth(SCIMAuthCheckMiddleware):
    """Only a live SCIM token gets in: a browser session never does (these views are CSRF-exempt)."""

    def process_request(self, request):
        if self.should_log_request(request):
            self.log_request(request)
        scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
        token = services.token_authenticate(raw=raw.strip()) if scheme.lower() == "bearer" else None
        if token is None:
            error = exceptions.AuthorizationError(
                "A valid SCIM bearer token is required (HR creates one under SCIM tokens)."
            )
            response = HttpResponse(json.dumps(error.to_dict()), content_type=constants.SCIM_CONTENT_TYPE, status=401)
            response["WWW-Authenticate"] = 'Bearer realm="scim"'
            return response
        request.scim_token = token
        return None


class _StrictTranspiler(Transpiler):
    """django-scim2's transpiler silently drops a clause it cannot map (and so matches everyone); we refuse it."""

    def visit_AttrPath(self, node):
        mapped = super().visit_AttrPath(node)
        if mapped is None:
            name = ".".join(filter(None, (node.uri, node.attr_name, node.sub_attr.value if node.sub_attr else None)))
            raise ValueError(f"filtering on {name!r} is not supported")
        return mapped


class _QueryFilter(FilterQuery):
    base = None

    @classmethod
    def search(cls, filter_query, request=None):
        tree = SCIMParser().parse(SCIMLexer().tokenize(filter_query))
        if tree is None:
            raise ValueError("the filter could not be read")
        query = _StrictTranspiler(cls.attr_map).transpile(tree)
        return cls.base().filter(query).distinct().order_by("created_at", "id")


class UserFilter(_QueryFilter):
    base = staticmethod(selectors.scim_users)
    attr_map = {
        ("id", None, None): "id",
        ("userName", None, None): "user_name",
        ("externalId", None, None): "external_id",
        ("active", None, None): "user__is_active",
        ("emails", None, None): "user__email",
        ("emails", "value", None): "user__email",
        ("displayName", None, None): "user__display_name",
        ("meta", "created", None): "created_at",
        ("meta", "lastModified", None): "updated_at",
    }


class GroupFilter(_QueryFilter):
    base = staticmethod(selectors.scim_groups)
    attr_map = {
        ("id", None, None): "id",
        ("displayName", None, None): "display_name",
        ("externalId", None, None): "external_id",
        ("members", None, None): "members__id",
        ("members", "value", None): "members__id",
        ("meta", "created", None): "created_at",
        ("meta", "lastModified", None): "updated_at",
    }


def user_model():
    return ScimUser


def filter_kwargs_getter(model):
    def extra_filter_kwargs(request, *args, **kwargs):
        # Ids are UUIDs; anything else names no resource (a 404, not a 500 from the database).
        for value in args:
            try:
                uuid.UUID(str(value))
            except ValueError:
                raise exceptions.NotFoundError(value) from None
        return {}

    return extra_filter_kwargs


def queryset_post_processor_getter(model):
    def post_process(request, queryset, *args, **kwargs):
        base = selectors.scim_users() if model is ScimUser else selectors.scim_groups()
        return base.filter(pk__in=queryset.values("pk")).order_by("created_at", "id")

    return post_process


class ServiceProviderConfig(SCIMServiceProviderConfig):
    def to_dict(self):
        document = super().to_dict()
        document.update(
            {
                "patch": {"supported": True},
                "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
                "filter": {"supported": True, "maxResults": MAX_RESULTS},
                "changePassword": {"supported": False},
                "sort": {"supported": False},
                "etag": {"supported": False},
            }
        )
        return document


__all__ = ["ScimGroup"]
