"""Detection: bytes in, (secret, occurrence) out.

``engine`` is the one seam every source goes through; below it, ``textscan`` and
``matches`` find keys in text and bytes, ``decode/`` undoes the encodings that hide them,
``archives`` opens compressed files, and ``mapping`` with ``sourcemap/`` gives a bundled key
its original file. Import from the submodules: the package itself loads nothing, so the
pre-commit hook pays only for what it uses.
"""
