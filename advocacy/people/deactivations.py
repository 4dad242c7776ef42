"""Why a person was switched off, in words HR can read next to their name, and who must hear of it.

People know only *that* an account is inactive; the apps that deactivate people for a
reason of their own (SCIM provisioning) register a function here from their AppConfig.ready():
``fn(*, user_ids) -> {user_id: "deactivated on 1 Dec 2026 by SCIM (token 'Entra ID')"}``,
one query however many people. HR review and the draw pages ask ``deactivation_notes``.
"""

from collections.abc import Callable, Iterable

Explainer = Callable[..., dict[int, str]]
Listener = Callable[..., None]

_explainers: list[Explainer] = []
_listeners: list[Listener] = []


def register(explainer: Explainer) -> None:
    if explainer not in _explainers:
        _explainers.append(explainer)


def listen(listener: Listener) -> None:
    """Be told (``fn(*, user_id)``, after the commit) whenever an account is switched off or on again.

    The leaderboard registers one: ranks are stored flags, so they are re-flagged for that person.
    """
    if listener not in _listeners:
        _listeners.append(listener)


def account_switched(*, user_id: int) -> None:
    """Called by user_deactivate and user_reactivate: tell every listener once the transaction commits."""
    from django.db import transaction

    for listener in _listeners:
        transaction.on_commit(lambda listener=listener: listener(user_id=user_id))


def deactivation_notes(*, user_ids: Iterable[int]) -> dict[int, str]:
    """A note for each of these people that some app can explain (inactive people only, by convention)."""
    ids = sorted(set(user_ids))
    notes: dict[int, str] = {}
    if not ids:
        return notes
    for explainer in _explainers:
        for user_id, note in explainer(user_ids=ids).items():
            notes.setdefault(user_id, note)
    return notes
