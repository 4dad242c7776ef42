"""Every environment variable the settings read has a row in one of the README's tables."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The readers in advocacy/settings/env.py (envstr, envint, …) and the settings module's own
# validating helpers (_metrics_url, _leaderboard_time_zone, …) all take the variable's name first.
READ_FROM_ENVIRONMENT = re.compile(r'\b(?:env\w*|_\w+)\(\s*"([A-Z][A-Z0-9_]{2,})"')


def _variables_read() -> set[str]:
    names = set()
    for module in (ROOT / "advocacy" / "settings").glob("*.py"):
        if module.name != "test.py":
            names |= set(READ_FROM_ENVIRONMENT.findall(module.read_text()))
    return names


def _variables_in_readme_tables() -> set[str]:
    rows = [line for line in (ROOT / "README.md").read_text().splitlines() if line.startswith("|")]
    return set(re.findall(r"`([A-Z][A-Z0-9_]{2,})`", "\n".join(rows)))


def test_the_settings_read_variables():
    # The pattern must keep finding the readers; an empty set would make the next test pass vacuously.
    assert {"DATABASE_URL", "SECRET_KEY", "TIME_ZONE", "METRICS_PULL_SCHEDULE"} <= _variables_read()


def test_every_variable_has_a_readme_row():
    missing = sorted(_variables_read() - _variables_in_readme_tables())
    assert not missing, f"add a row to README.md's Configuration table for: {', '.join(missing)}"
