"""Results for people: rich renderables, colours included (scans, sweeps, ``verify``'s
checks and ``keys``' inventory).

The core returns findings and never renders; the machine formats (JSON, JSON Lines,
SARIF) are scanner/report/'s.
"""
