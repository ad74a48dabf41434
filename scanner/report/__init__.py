"""Renderings of a scan result as plain data: JSON, JSON Lines, SARIF, the hook's plain text.

The rich renderings for people live with the command line, in keyguard/render/.
"""
