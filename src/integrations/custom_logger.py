"""``from llmport.integrations.custom_logger import CustomLogger``: litellm's import path."""

from __future__ import annotations

from ..adapters.observe.custom_logger import CustomLogger

__all__ = ["CustomLogger"]
