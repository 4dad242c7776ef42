"""Demo analytics: the rollups the workers would have built from the demo's shares and metrics."""

from .rollups import rollups_refresh


def seed(*, rng, now, log) -> None:
    count = rollups_refresh(full=True)
    log(f"analytics: rollups of {count} shares built")
