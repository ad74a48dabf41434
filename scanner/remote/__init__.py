"""Sweeping where the code lives: GitHub and GitLab organisations, groups and clone URLs.

What a target names (``targets``), where the forges' APIs are and which token each takes
(``endpoints``), listing an owner's repositories one call per page (``api``, ``ratelimit``,
``github``, ``gitlab``, ``enumerate``), bare mirrors in a clone cache fetched
incrementally with the token passed through the environment only (``gitauth``,
``cache``, ``mirror``), what the last sweep of a mirror found (``record``), and a
resumable run (``checkpoint``). A mirror is then swept as any local bare repository.
"""
