"""The demo organisation: each app contributes a seeder, run in this order by ``seed_demo``.

A seeder is ``seed(*, rng, now, log)``; it must be idempotent (running it again
creates nothing new) and deterministic for a given ``rng``.
"""

SEEDERS: list[str] = [
    "advocacy.people.demo.seed",
    "content_library.demo.seed",
    "guidelines.demo.seed",
    "sharing.demo.seed",
    "metrics.demo.seed",
    # After sharing and metrics: the ledger is filled from their demo rows.
    "leaderboard.demo.seed",
    "draws.demo.seed",
    # After draws: an entry's caption carries the draw disclosure when an open draw asks for it.
    "challenges.demo.seed",
    # After challenges: demo mentions of their hashtags.
    "listening.demo.seed",
    # Last: the dashboards' rollups are built from everything above.
    "analytics.demo.seed",
    # After analytics: goals read its rollups; reach reads the demo metrics.
    "programme.demo.seed",
]
