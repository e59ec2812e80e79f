"""The response, chunk, message and usage types (also as ``llmport.types.utils``, litellm's name).

``ModelResponse`` is what ``completion()`` returns; a stream (``CompletionStream``) yields
``ModelResponseStream`` chunks. They are pydantic models shaped like OpenAI's.
"""

from ..domain.models.response import (
    ChatCompletionMessageToolCall,
    ChoiceLogprobs,
    Choices,
    CompletionTokensDetails,
    Function,
    FunctionCall,
    Message,
    ModelResponse,
    PromptTokensDetails,
    Usage,
)
from ..domain.models.stream import (
    ChatCompletionDeltaToolCall,
    ChoiceDeltaFunction,
    CompletionStream,
    CustomStreamWrapper,
    Delta,
    ModelResponseStream,
    StreamingChoices,
)

__all__ = [
    "ChatCompletionDeltaToolCall",
    "ChatCompletionMessageToolCall",
    "ChoiceDeltaFunction",
    "ChoiceLogprobs",
    "Choices",
    "CompletionStream",
    "CompletionTokensDetails",
    "CustomStreamWrapper",
    "Delta",
    "Function",
    "FunctionCall",
    "Message",
    "ModelResponse",
    "ModelResponseStream",
    "PromptTokensDetails",
    "StreamingChoices",
    "Usage",
]
