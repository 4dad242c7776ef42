"""/scim/v2/: django-scim2's endpoints, with our cap on page size (ServiceProviderConfig.filter.maxResults)."""

import json

from django.http import HttpResponse
from django.urls import re_path
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from django_scim import constants, exceptions, views

from .attributes import select
from .provider import MAX_RESULTS

app_name = "scim"


def _scim_error(error: exceptions.SCIMException) -> HttpResponse:
    return HttpResponse(json.dumps(error.to_dict()), content_type=constants.SCIM_CONTENT_TYPE, status=error.status)


class _Resources:
    """Page-size cap, `attributes`/`excludedAttributes`, and SCIM error bodies on every failure."""

    def _page(self, request):
        start, count = super()._page(request)
        # RFC 7644 §3.4.2.4: a negative count means 0; more than we allow is cut to the maximum.
        return start, max(0, min(count, MAX_RESULTS))

    def _wanted(self, request) -> tuple[list, list]:
        if request.method == "POST" and request.path.endswith("/.search"):
            body = self.load_body(request.body)
            return list(body.get("attributes") or []), list(body.get("excludedAttributes") or [])
        return request.GET.getlist("attributes"), request.GET.getlist("excludedAttributes")

    @method_decorator(csrf_exempt)  # bearer tokens only, never cookies (scim.provider.BearerTokenAuth)
    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        if response.status_code == 405:
            return _scim_error(exceptions.SCIMException(f"{request.method} is not allowed here.", status=405))
        if response.status_code not in (200, 201) or not response.content:
            return response
        try:
            attributes, excluded = self._wanted(request)
        except exceptions.SCIMException:
            return response
        if not attributes and not excluded:
            return response
        document = json.loads(response.content)
        if "Resources" in document:
            document["Resources"] = [select(r, attributes=attributes, excluded=excluded) for r in document["Resources"]]
        else:
            document = select(document, attributes=attributes, excluded=excluded)
        response.content = json.dumps(document)
        return response


class UsersView(_Resources, views.UsersView):
    pass


class GroupsView(_Resources, views.GroupsView):
    pass


class _Search(_Resources):
    def post(self, request, *args, **kwargs):
        body = self.load_body(request.body)
        if not body.get("filter") and not request.GET.get("filter"):
            # RFC 7644 §3.4.3: a search without a filter lists everything, like GET without one.
            everyone = self.__class__.parser_getter().base().order_by("created_at", "id")
            response = self._build_response(request, everyone, *self._page(request))
            response["Location"] = request.build_absolute_uri(request.path)
            return response
        return super().post(request, *args, **kwargs)


class UserSearchView(_Search, views.UserSearchView):
    pass


class GroupSearchView(_Search, views.GroupSearchView):
    pass


class NotImplementedView(views.SCIMView):
    """Bulk, /Me and searching several resource types at once: 501 with a SCIM error saying so."""

    def status_501(self, request, *args, **kwargs):
        return _scim_error(exceptions.NotImplementedError(f"{request.path} is not supported by this service provider."))


class UnknownView(views.SCIMView):
    implemented = False

    def status_501(self, request, *args, **kwargs):
        return _scim_error(exceptions.SCIMException(f"There is no SCIM endpoint at {request.path}.", status=404))


class _ListedDiscovery:
    """django-scim2's discovery lists lack totalResults and its 404s carry no SCIM error (RFC 7644 §3.12, §4)."""

    def get(self, request, uuid=None, *args, **kwargs):
        response = super().get(request, uuid, *args, **kwargs)
        if response.status_code == 404:
            error = exceptions.NotFoundError(uuid)
            return HttpResponse(json.dumps(error.to_dict()), content_type=constants.SCIM_CONTENT_TYPE, status=404)
        if uuid is None:
            document = json.loads(response.content)
            count = len(document["Resources"])
            document.update({"totalResults": count, "itemsPerPage": count, "startIndex": 1})
            response.content = json.dumps(document)
        return response


class ResourceTypesView(_ListedDiscovery, views.ResourceTypesView):
    pass


class SchemasView(_ListedDiscovery, views.SchemasView):
    pass


urlpatterns = [
    re_path(r"^$", NotImplementedView.as_view(implemented=False), name="root"),
    re_path(r"^\.search$", NotImplementedView.as_view(implemented=False), name="search"),
    re_path(r"^Users/\.search$", UserSearchView.as_view(), name="users-search"),
    re_path(r"^Users(?:/(?P<uuid>[^/]+))?$", UsersView.as_view(), name="users"),
    re_path(r"^Groups/\.search$", GroupSearchView.as_view(), name="groups-search"),
    re_path(r"^Groups(?:/(?P<uuid>[^/]+))?$", GroupsView.as_view(), name="groups"),
    re_path(r"^Me$", NotImplementedView.as_view(implemented=False), name="me"),
    re_path(r"^ServiceProviderConfig$", views.ServiceProviderConfigView.as_view(), name="service-provider-config"),
    re_path(r"^ResourceTypes(?:/(?P<uuid>[^/]+))?$", ResourceTypesView.as_view(), name="resource-types"),
    re_path(r"^Schemas(?:/(?P<uuid>[^/]+))?$", SchemasView.as_view(), name="schemas"),
    re_path(r"^Bulk$", NotImplementedView.as_view(implemented=False), name="bulk"),
    # Anything else under /scim/v2/: a SCIM 404 behind the same token check as the rest.
    re_path(r"^.+$", UnknownView.as_view(), name="unknown"),
]
