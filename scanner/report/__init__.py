"""The report model (``model.py``) and its renderings as plain data: JSON, JSON Lines,
SARIF, merge; and the hook's plain text.

The rich renderings for people live with the command line, in keyguard/render/.
"""
