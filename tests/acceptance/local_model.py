"""Shared by the tests that run the real SmolLM2 model: the skip condition and its reason."""

from __future__ import annotations

import importlib.util

import pytest

from llmport.adapters.local.models import EXTRA_INSTALL, SMOLLM2_INSTALL, LocalError, resolve_model_file


def _missing() -> str | None:
    if importlib.util.find_spec("llama_cpp") is None:
        return f"llama-cpp-python is not installed ({EXTRA_INSTALL}; `make test` installs it)"
    try:
        resolve_model_file("smollm2")
    except LocalError:
        return f"the SmolLM2 model wheel is not installed ({SMOLLM2_INSTALL}; `make test` installs it)"
    return None


MISSING = _missing()
needs_local_model = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")
