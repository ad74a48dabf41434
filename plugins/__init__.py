"""What a Klaviyo credential is: its format (``pattern``), the detect-secrets plugin
(``klaviyo``, ``detector_verify``) and the Klaviyo API client (``client/``).

``errors`` holds keyguard's one exception root. It lives here, in the lowest layer, so that
every layer (scanner, rotator, the command line) can import it.
"""
