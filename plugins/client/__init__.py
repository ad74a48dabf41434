"""The Klaviyo API client: is a key alive, whose is it, and the beta API-keys endpoints.

Import from the submodules: the package itself loads nothing, so ``defaults`` stays
importable without httpx.
"""
