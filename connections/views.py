"""The employee's token-health page: each connected account, how long it lasts, and a disconnect button."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from advocacy.networks import Network
from advocacy.people.access import permission_required
from advocacy.people.roles import EMPLOYEE_AREA

from .flows import connect_options
from .models import ConnectedAccount
from .selectors import connected_accounts_health
from .services import connected_account_disconnect


@permission_required(EMPLOYEE_AREA)
def my_connections(request):
    accounts = connected_accounts_health(person=request.user)
    connected = {item.account.network for item in accounts}
    options = [option for option in connect_options() if option.network not in connected]
    return render(request, "connections/my_connections.html", {"accounts": accounts, "options": options})


@require_POST
@permission_required(EMPLOYEE_AREA)
def disconnect(request, account_id: int):
    try:
        done = connected_account_disconnect(person=request.user, account_id=account_id)
    except ConnectedAccount.DoesNotExist:
        raise Http404("No such connected account.") from None
    label = Network(done.network).label
    messages.success(request, f"{label} disconnected: we no longer hold its token. {done.revoke.detail}")
    return redirect("connections:my_connections")
