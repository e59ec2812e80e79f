"""The host's composition root: its own objects, and llmport's container as a sub-container."""

from __future__ import annotations

from dependency_injector import containers, providers

from llmport import MemoryCache
from llmport.app.container import LLMPortContainer

from .adapters import InMemoryTriageStore, LLMTriageModel, StdlibLogger
from .service import TriageService


class Application(containers.DeclarativeContainer):
    """Everything the triage application is made of.

    ``config.llm`` is llmport's configuration (``api_key``, ``timeout``, ``num_retries``...),
    fed from the host's own configuration; ``config.model`` is the model the application asks.
    """

    config = providers.Configuration()

    llm_logger = providers.Singleton(StdlibLogger, name="ddd_app.llm")
    llm_cache = providers.Singleton(MemoryCache, max_entries=256)
    llm = providers.Container(LLMPortContainer, config=config.llm, logger=llm_logger, cache=llm_cache)

    store = providers.Singleton(InMemoryTriageStore)
    model = providers.Singleton(LLMTriageModel, client=llm.client, model=config.model)
    triage_service = providers.Factory(TriageService, model=model, store=store)
