"""The response types where litellm keeps them: ``from litellm.types.utils import ...`` ports as is."""

from . import (
    ChatCompletionDeltaToolCall,
    ChatCompletionMessageToolCall,
    ChoiceDeltaFunction,
    ChoiceLogprobs,
    Choices,
    CompletionTokensDetails,
    CustomStreamWrapper,
    Delta,
    Function,
    FunctionCall,
    Message,
    ModelResponse,
    ModelResponseStream,
    PromptTokensDetails,
    StreamingChoices,
    Usage,
)

__all__ = [
    "ChatCompletionDeltaToolCall",
    "ChatCompletionMessageToolCall",
    "ChoiceDeltaFunction",
    "ChoiceLogprobs",
    "Choices",
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
