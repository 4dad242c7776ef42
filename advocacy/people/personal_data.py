"""Who holds what about a person: the registry "Download my data" and erasure are assembled from.

People is the ground floor and never imports the apps above it. Each app that keeps rows
pointing at a person registers, from its ``AppConfig.ready()``, one section: what it puts
in the download, what erasure does to its rows, and the models the section covers. A
test fails when a model with a foreign key to the user is covered by no section, so a
new app cannot forget a person's data.

Erasure anonymises the account itself (people/services.py); a section's ``erase`` step
handles its app's rows. Most keep them as they are, tied to the nameless account (the
totals other people and teams see must still add up); they say so with ``keep``.
"""

from collections.abc import Callable
from dataclasses import dataclass

Export = Callable[..., dict]
Erase = Callable[..., None]


@dataclass(frozen=True)
class Section:
    name: str
    export: Export
    erase: Erase
    models: tuple[str, ...]
    position: int


_sections: dict[str, Section] = {}


def keep(*, user) -> None:
    """The erase step of a section whose rows stay, tied to the anonymised account."""


def register(name: str, *, export: Export, erase: Erase, models: tuple[str, ...] | list[str], position: int) -> None:
    """Add an app's section (called from its AppConfig.ready(); registering the same name again replaces it).

    ``export(user=…)`` returns the keys the section adds to the download; ``erase(user=…)``
    runs inside the erasure's transaction; ``models`` are the ``app_label.Model`` labels of
    every model of the app with a foreign key to the user (what the section answers for);
    ``position`` orders the sections in the download.
    """
    if not models:
        raise ValueError(f"Personal data section {name!r} must name the models it covers.")
    _sections[name] = Section(name, export, erase, tuple(models), position)


def sections() -> list[Section]:
    """Every registered section, in download order."""
    return sorted(_sections.values(), key=lambda section: (section.position, section.name))


def covered_models() -> set[str]:
    return {label for section in sections() for label in section.models}
