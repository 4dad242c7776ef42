import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from advocacy.forms import posted
from advocacy.people.access import permission_required
from advocacy.people.models import User
from advocacy.people.roles import EMPLOYEE_AREA
from advocacy.people.services import profile_update

from .forms import EMAIL_FIELDS, NotificationPreferencesForm
from .push import push_enabled, push_frequencies_for
from .selectors import notification_channels_for
from .services import push_preferences_update, push_subscription_delete, push_subscription_save, unsubscribe_apply
from .tokens import InvalidUnsubscribeToken, unsubscribe_token_read


@permission_required(EMPLOYEE_AREA)
def preferences(request):
    """One page for every notification: push on this device, email, and what Slack/Teams are told."""
    frequencies = push_frequencies_for(user=request.user) if push_enabled() else {}
    initial = {name: getattr(request.user, name) for name in EMAIL_FIELDS}
    form = NotificationPreferencesForm(*posted(request), initial=initial, push_frequencies=frequencies)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            profile_update(user=request.user, **form.email_changes())
            push_preferences_update(user=request.user, frequencies=form.push_frequencies())
        messages.success(request, "Your notification settings are saved.")
        return redirect("notifications:preferences")
    context = {"form": form, **notification_channels_for(user=request.user)}
    return render(request, "notifications/preferences.html", context, status=400 if form.errors else 200)


def _json_body(request) -> dict:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


@permission_required(EMPLOYEE_AREA)
@require_POST
def push_subscribe(request):
    """The page's script sends the browser's PushSubscription (endpoint and keys) as JSON."""
    if not push_enabled():
        return JsonResponse({"error": "Push notifications are not set up on this server."}, status=404)
    data = _json_body(request)
    keys = data.get("keys") if isinstance(data.get("keys"), dict) else {}
    try:
        push_subscription_save(
            user=request.user,
            endpoint=str(data.get("endpoint") or ""),
            p256dh=str(keys.get("p256dh") or ""),
            auth=str(keys.get("auth") or ""),
            user_agent=request.headers.get("User-Agent", ""),
        )
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=400)
    return JsonResponse({"subscribed": True}, status=201)


@permission_required(EMPLOYEE_AREA)
@require_POST
def push_unsubscribe(request):
    """Turn push off: this browser (its endpoint, from the script) or, from the plain form, every device."""
    endpoint = _json_body(request).get("endpoint") if request.content_type == "application/json" else None
    removed = push_subscription_delete(user=request.user, endpoint=str(endpoint) if endpoint else None)
    if request.content_type == "application/json":
        return JsonResponse({"removed": removed})
    messages.success(request, "Push notifications are off on all your devices.")
    return redirect("notifications:preferences")


# The signed token is the credential, and mail providers POST here without a session or a
# CSRF token (RFC 8058 one-click), so CSRF protection would only break the feature.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET shows what the link switches off and a button (link scanners only GET); POST switches it off."""
    try:
        user_id, mailing_list = unsubscribe_token_read(token=token)
    except InvalidUnsubscribeToken as error:
        return render(request, "notifications/unsubscribe_invalid.html", {"error": str(error)}, status=400)
    person = User.objects.filter(pk=user_id).only("pk", mailing_list.field).first()
    if person is None:
        error = "This unsubscribe link belongs to an account that no longer exists."
        return render(request, "notifications/unsubscribe_invalid.html", {"error": error}, status=400)
    context = {"mailing_list": mailing_list, "token": token}
    if request.method == "POST":
        unsubscribe_apply(user_id=person.pk, mailing_list=mailing_list)
        return render(request, "notifications/unsubscribe_done.html", context)
    context["already_off"] = getattr(person, mailing_list.field) == mailing_list.off_value
    return render(request, "notifications/unsubscribe_confirm.html", context)
