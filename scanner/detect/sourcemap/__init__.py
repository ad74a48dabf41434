"""Source maps (ECMA-426, revision 3): read them, and map a bundle position to its origin.

Import from the submodules (``model``, ``lookup``, ``vlq``, ``reference``): the package
itself loads nothing, so the pre-commit hook, which needs only ``reference`` to build a
resolver, does not pay for the map reader.
"""
