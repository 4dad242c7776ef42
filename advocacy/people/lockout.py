"""Failed-login lockout: a django-axes handler with two limits.

* One username from one address: ``LOGIN_FAILURE_LIMIT`` failures lock that pair only, so a
  stranger guessing Alice's password cannot lock Alice out of her own machine.
* One address, any usernames (password spraying): ``LOGIN_ADDRESS_FAILURE_LIMIT`` failures lock
  the address for every username.

Both last ``LOGIN_LOCKOUT_MINUTES``. A correct login clears only its own pair (an attacker's own
account cannot wipe the address count), and a completed password reset clears the person's pairs
from every address (:func:`lockout_clear_for`).
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum

# The order matters: the handler reads the pair first, then the address.
LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]


def _total(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class LockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        pair, address = self.get_user_attempts(request, credentials)
        failures = _total(pair)
        if _total(address) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            # Axes compares one figure with one limit: report the pair as spent.
            return max(failures, settings.AXES_FAILURE_LIMIT)
        return failures

    def reset_user_attempts(self, request, credentials=None) -> int:
        pair, _address = self.filter_user_attempts(request, credentials)
        count, _ = pair.delete()
        return count


def lockout_clear_for(*, username: str) -> int:
    """Forget the failed logins typed for this username (after the owner proved it by email)."""
    count, _ = AccessAttempt.objects.filter(username=username).delete()
    return count
