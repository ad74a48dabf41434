"""Scan and sweep results for people: rich renderables, colours included.

The core returns findings and never renders; the machine formats (JSON, JSON Lines,
SARIF) are scanner/report/'s.
"""
