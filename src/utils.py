"""The ``litellm.utils`` names that port: model knowledge, tokens, cost, environment and response types.

litellm code reads these as ``litellm.utils.get_model_info(...)``; with ``import llmport as
litellm`` the same line works. Each name is the one ``llmport`` itself exports.
"""

from .app.cost import completion_cost, cost_per_token, register_model
from .app.environment import check_valid_key, get_llm_provider, validate_environment
from .app.model_info import (
    get_max_tokens,
    get_model_info,
    get_supported_openai_params,
    supports_function_calling,
    supports_parallel_function_calling,
    supports_prompt_caching,
    supports_reasoning,
    supports_response_schema,
    supports_vision,
)
from .app.tokens import token_counter
from .domain.models.builder import stream_chunk_builder
from .domain.models.response import Choices, Message, ModelResponse, Usage
from .domain.models.stream import CustomStreamWrapper, Delta, ModelResponseStream, StreamingChoices

__all__ = [
    "Choices",
    "CustomStreamWrapper",
    "Delta",
    "Message",
    "ModelResponse",
    "ModelResponseStream",
    "StreamingChoices",
    "Usage",
    "check_valid_key",
    "completion_cost",
    "cost_per_token",
    "get_llm_provider",
    "get_max_tokens",
    "get_model_info",
    "get_supported_openai_params",
    "register_model",
    "stream_chunk_builder",
    "supports_function_calling",
    "supports_parallel_function_calling",
    "supports_prompt_caching",
    "supports_reasoning",
    "supports_response_schema",
    "supports_vision",
    "token_counter",
    "validate_environment",
]
