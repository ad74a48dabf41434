"""Fixing leaks: the rotation runbook, the Vault store, the checklist and the audit log."""
