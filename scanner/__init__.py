"""Finding leaks: sources -> blob bytes -> matches -> findings -> baseline filter -> reports."""
