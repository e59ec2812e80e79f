"""botocore, imported on first use: it is the optional ``bedrock`` extra.

Signing (SigV4), credentials and AWS event-stream decoding come from botocore; llmport never
hand-writes them. ``import llmport`` and every other provider work without it.
"""

from __future__ import annotations

import importlib
from types import ModuleType

INSTALL = "pip install 'llmport[bedrock]'"


def botocore(module: str) -> ModuleType:
    """Import ``botocore.<module>``, or raise ``ImportError`` naming the extra to install."""
    try:
        return importlib.import_module(f"botocore.{module}")
    except ImportError as missing:
        raise ImportError(f"Bedrock needs botocore: {INSTALL}") from missing
