"""Sweeping where the code lives: GitHub and GitLab organisations, groups and clone URLs.

What a target names (``targets``), where the forges' APIs are and which token each takes
(``endpoints``), listing an owner's repositories one call per page within the rate limits
(``api``, ``ratelimit``, ``github``, ``gitlab``, ``enumerate``, into ``repo`` records),
bare mirrors in a clone cache fetched incrementally with the token passed through the
environment only (``gitauth``, ``cache``, ``mirror``), whether a mirror is up to date
(``refcheck``: one HTTP request) and what its last sweep found (``record``), and the
sweeper that mirrors then sweeps each repository (``sweeper``, put together by ``plan``).
A mirror is swept as any local bare repository (:mod:`scanner.sweep`).
"""
