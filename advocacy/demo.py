"""The demo organisation: each app contributes a seeder, run in this order by ``seed_demo``.

A seeder is ``seed(*, rng, now, log)``; it must be idempotent (running it again
creates nothing new) and deterministic for a given ``rng``.
"""

SEEDERS: list[str] = [
    "advocacy.people.demo.seed",
]
