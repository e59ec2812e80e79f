"""Recorded replay of llmport's traffic with vcrpy and pytest-recording (extra ``testing``).

llmport's transports are plain httpx and aiohttp, which vcrpy records and replays as they are;
this module only supplies the configuration that keeps keys out of cassettes::

    # conftest.py
    import pytest
    from llmport.testing import vcr_config as llmport_vcr_config

    @pytest.fixture(scope="module")
    def vcr_config():
        return llmport_vcr_config()

Then mark a test ``@pytest.mark.vcr`` and run it once with ``--record-mode=once``.
"""

from __future__ import annotations

from typing import Any

# Every header a provider key travels in, and the query parameter Gemini takes it in.
FILTERED_HEADERS = ("authorization", "x-api-key", "api-key", "x-goog-api-key")
FILTERED_QUERY_PARAMETERS = ("key",)
# Requests match by what was asked, not where: a loopback server's port changes every run.
MATCH_ON = ("method", "path", "query", "body")


def vcr_config(**overrides: Any) -> dict[str, Any]:
    """Return vcrpy settings for llmport's traffic (for pytest-recording's ``vcr_config`` fixture).

    Args:
        **overrides: Any other ``vcr.VCR`` setting, or a replacement for one of these.
    """
    config: dict[str, Any] = {
        "filter_headers": list(FILTERED_HEADERS),
        "filter_query_parameters": list(FILTERED_QUERY_PARAMETERS),
        "match_on": list(MATCH_ON),
        "decode_compressed_response": True,
    }
    config.update(overrides)
    return config
