"""The Anthropic Messages codec (``anthropic/<model>`` and bare ``claude-*`` names)."""
