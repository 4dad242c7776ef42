from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from advocacy.people.access import permission_required
from advocacy.people.roles import COMMS_WORKSPACE, EMPLOYEE_AREA

from .forms import BrandingForm, SampleForm
from .selectors import branding_current, branding_row
from .services import branding_update


@permission_required(COMMS_WORKSPACE)
def branding_edit(request):
    row = branding_row()
    initial = {
        "organisation_name": row.organisation_name,
        "programme_name": row.programme_name,
        "accent_colour": row.accent_colour,
    }
    form = BrandingForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            branding_update(
                by=request.user,
                organisation_name=data["organisation_name"],
                programme_name=data["programme_name"],
                accent_colour=data["accent_colour"],
                logo=data["logo"] or None,
                remove_logo=data["remove_logo"],
            )
        except ValidationError as exc:
            code = getattr(exc, "code", "")
            field = {"contrast": "accent_colour", "format": "accent_colour"}.get(code)
            if field is None and code != "required":
                field = "logo"
            form.add_error(field, exc.messages)
        else:
            messages.success(request, "Branding saved: every page and email now uses it.")
            return redirect("branding:edit")
    return render(request, "branding/edit.html", {"form": form, "row": row})


@require_GET
def branding_css(request):
    """The accent as a stylesheet, since the CSP allows no inline style; cached for a year under ?v=<version>."""
    current = branding_current()
    css = f":root {{ --accent: {current.accent_colour}; }}\n"
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    if request.GET.get("v") == current.version:
        response["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        response["Cache-Control"] = "no-cache"
    return response


@permission_required(EMPLOYEE_AREA)
def styleguide(request):
    if not (request.user.is_staff or request.user.has_perm(COMMS_WORKSPACE)):
        raise PermissionDenied
    sample = SampleForm({"headline": "A headline far longer than twenty", "email": "not-an-email"})
    sample.is_valid()
    rows = [
        {"name": "Alice Archer", "team": "Engineering", "shares": 12, "clicks": 48},
        {"name": "Bob Baker", "team": "Sales", "shares": 7, "clicks": 19},
    ]
    return render(request, "branding/styleguide.html", {"sample_form": sample, "rows": rows})
