"""What a scan keeps between runs: detect-secrets baselines (``baseline``) and their labels
(``baseline_audit``), and the sweep's cache of blobs already scanned clean (``blobcache``)."""
