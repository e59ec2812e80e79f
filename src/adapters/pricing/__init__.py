"""Pricing adapters: genai-prices' bundled price data, with per-client overrides."""
