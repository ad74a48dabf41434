"""What a Klaviyo credential is: its format, the detect-secrets plugin, the API client."""
