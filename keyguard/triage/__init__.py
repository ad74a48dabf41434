"""``keyguard triage``: each found key tied to the stored key, its status and its rotation.

The one place where what the scanner found meets what the rotator keeps: ``inputs`` reads
and merges the reports, ``status`` gets keys back and asks Klaviyo, ``gather`` reads Vault
and the rotations, ``verdict`` decides what each key means and what to run next,
``assemble`` ties them into one :class:`~keyguard.triage.model.Triage`, ``purge`` plans a
history rewrite. The renderings are ``keyguard/render/triage_*``.
"""
