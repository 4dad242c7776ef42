"""Panels and lines that higher apps contribute to lower apps' pages, registered from their AppConfig.ready().

The comms dashboard (analytics) and the weekly digest (notifications) show how the programme
is doing, but the programme app sits above both and reads their figures. So the programme
registers a provider here; the lower app asks for what is registered for a slot and renders
it, and never imports the app that answered.

- A page panel provider is ``provider(*, request, **subject) -> Panel | None`` (None: nothing to show).
- A digest line provider is ``provider(*, user, now) -> str`` ("" for nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict = field(default_factory=dict)


_panels: dict[str, dict[str, Callable[..., Panel | None]]] = {}
_digest_lines: dict[str, Callable[..., str]] = {}


def register_panel(slot: str, *, key: str, provider: Callable[..., Panel | None]) -> None:
    """Add (or replace, by ``key``) the provider of a panel on the page called ``slot``."""
    _panels.setdefault(slot, {})[key] = provider


def panels_for(slot: str, *, request, **subject) -> list[Panel]:
    """The panels registered for a page, in registration order, leaving out those with nothing to show.

    ``subject`` is what the page is about (e.g. ``post=`` on the comms post editor), passed to each provider.
    """
    panels = (provider(request=request, **subject) for provider in _panels.get(slot, {}).values())
    return [panel for panel in panels if panel is not None]


def register_digest_line(*, key: str, provider: Callable[..., str]) -> None:
    """Add (or replace, by ``key``) a one-line provider for the weekly digest."""
    _digest_lines[key] = provider


def digest_lines(*, user, now) -> list[str]:
    lines = (provider(user=user, now=now) for provider in _digest_lines.values())
    return [line for line in lines if line]
