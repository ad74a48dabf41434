"""Renderings of a scan result: the same objects for people (console) and machines (JSON, SARIF)."""
