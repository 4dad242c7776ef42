"""HR's page for SCIM bearer tokens: create (shown once), see when each was last used, revoke."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from advocacy.people.access import permission_required
from advocacy.people.roles import HR_WORKSPACE

from .models import ScimToken
from .selectors import token_list
from .services import token_create, token_revoke


def _page(request, **context):
    status = context.pop("status", 200)
    context = {"tokens": token_list(), "scim_base_url": request.build_absolute_uri("/scim/v2/")} | context
    return render(request, "scim/tokens.html", context, status=status)


@permission_required(HR_WORKSPACE)
def token_list_view(request):
    if request.method != "POST":
        return _page(request)
    try:
        token, raw = token_create(name=request.POST.get("name", ""), actor=request.user)
    except ValidationError as error:
        return _page(request, error=" ".join(error.messages), name=request.POST.get("name", ""), status=400)
    # Rendered, not redirected: the raw token exists only in this response.
    return _page(request, new_token=token, raw_token=raw, status=201)


@require_POST
@permission_required(HR_WORKSPACE)
def token_revoke_view(request, token_id):
    token = get_object_or_404(ScimToken, pk=token_id)
    token_revoke(token=token, actor=request.user)
    messages.success(request, _("Revoked “%(name)s”. Requests with it are refused from now on.") % {"name": token.name})
    return redirect("scim_tokens:list")
