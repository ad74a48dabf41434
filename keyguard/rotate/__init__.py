"""``keyguard rotate``: the command (``command``), how it runs a rotation (``drive``), its
options (``options``) and wiring (``session``), the people at the keyboard (``operators``),
the checklist they read (``checklist``) and hints that run as printed (``hints``).

The work itself is rotator/'s; the package imports nothing, so naming a submodule loads
only what it needs.
"""
