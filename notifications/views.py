from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from advocacy.people.models import User

from .services import unsubscribe_apply
from .tokens import InvalidUnsubscribeToken, unsubscribe_token_read


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
