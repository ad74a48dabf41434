"""Where bytes come from. A source yields items and never prints."""
