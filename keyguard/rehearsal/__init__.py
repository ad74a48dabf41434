"""Throwaway worlds the command line assembles: ``keyguard demo`` and ``rotate --rehearse``.

A local Klaviyo stand-in (``klaviyo_standin*``), an OpenBao dev server (``openbao``), the
rotation rehearsal built from both (``rotation``) and the demo's example repository
(``example``). Fake keys only, made on the spot. The test suite and the benchmarks run on
the same stand-in and dev server.
"""
