"""Why a person was switched off, in words HR can read next to their name.

People know only *that* an account is inactive; the apps that deactivate people for a
reason of their own (SCIM provisioning) register a function here from their AppConfig.ready():
``fn(*, user_ids) -> {user_id: "deactivated on 1 Dec 2026 by SCIM (token 'Entra ID')"}``,
one query however many people. HR review and the draw pages ask ``deactivation_notes``.
"""

from collections.abc import Callable, Iterable

Explainer = Callable[..., dict[int, str]]

_explainers: list[Explainer] = []


def register(explainer: Explainer) -> None:
    if explainer not in _explainers:
        _explainers.append(explainer)


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
