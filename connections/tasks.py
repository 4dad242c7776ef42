from celery import shared_task

from .models import ConnectedAccount
from .refresh import RefreshFailed, account_refresh, accounts_refresh_due


@shared_task(name="connections.refresh_due_tokens")
def refresh_due_tokens():
    """Queue a refresh for each account whose access token lapses soon; a repeat only re-queues the same ids."""
    due = accounts_refresh_due()
    for account_id in due:
        refresh_token.delay(account_id)
    return len(due)


@shared_task(name="connections.refresh_token")
def refresh_token(account_id: int):
    """Refresh one account's tokens if it is still due (a second run finds it fresh and does nothing)."""
    if account_id not in accounts_refresh_due():
        return False
    account = ConnectedAccount.objects.filter(pk=account_id).first()
    if account is None:
        return False
    try:
        account_refresh(account)
    except RefreshFailed:
        return False
    return True
