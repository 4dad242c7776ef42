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
