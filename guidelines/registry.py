"""Answers the guidelines need from apps above them, registered by those apps.

Whether sharing a post enters a reward draw (then the draw disclosure, #ad, is required)
is the draws app's rule, but draws sit above guidelines and read guidelines' selectors for
eligibility. So draws register the check here from their AppConfig.ready(), and guidelines
never import draws.
"""

from collections.abc import Callable

RewardDrawCheck = Callable[..., bool]
_reward_draw_checks: list[RewardDrawCheck] = []


def register_reward_draw_check(check: RewardDrawCheck) -> None:
    """Add ``check(post=…) -> bool``; registering the same function twice keeps one."""
    if check not in _reward_draw_checks:
        _reward_draw_checks.append(check)


def reward_draw_checks() -> tuple[RewardDrawCheck, ...]:
    return tuple(_reward_draw_checks)


# How many people a new major policy version would take out of open draws (until they
# acknowledge it again): the draws app's fact, asked by the policy editor before publishing.
MajorVersionImpact = Callable[[], list[tuple[str, int]]]
_major_version_impacts: list[MajorVersionImpact] = []


def register_major_version_impact(impact: MajorVersionImpact) -> None:
    """Set ``impact() -> [(draw name, entrants who would become ineligible), …]`` for open draws."""
    _major_version_impacts[:] = [impact]


def major_version_impact() -> list[tuple[str, int]]:
    return _major_version_impacts[0]() if _major_version_impacts else []
