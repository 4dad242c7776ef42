"""The analytics part of "Download my data" and of erasure (registered in apps.py).

``ShareRollup`` repeats figures of the person's shares (clicks, engagement), which the sharing
section already downloads; it holds no name, address or text, and follows the shares it is
made from (the erasure keeps shares, so it keeps their rollups; a deleted share takes its row).
"""

from advocacy.people.personal_data import register


def export(*, user) -> dict:
    return {}


def erase(*, user) -> None:
    return None


def register_section() -> None:
    register("analytics", export=export, erase=erase, models=["analytics.ShareRollup"], position=90)
