"""OpenAI-shaped calls → Ollama request bodies: ``/api/chat`` messages, ``/api/generate`` prompts, options.

Ollama takes sampling parameters in ``options`` (the Modelfile parameters), plain-string message
content, images as bare base64 strings, and tool-call arguments as JSON objects (never strings).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ....domain.models.errors import bad_request, unsupported
from ....ports.codec import ProviderCall
from ..turns import arguments_object

# OpenAI parameters Ollama has no place for (UnsupportedParamsError unless drop_params).
UNSUPPORTED = frozenset(
    {
        "logit_bias", "modalities", "audio", "prediction", "functions", "function_call", "store",
        "web_search_options", "service_tier", "verbosity", "prompt_cache_key", "safety_identifier",
        "thinking_budget",
    }
)  # fmt: skip
# OpenAI name → Ollama option name.
_OPTION_NAMES = {
    "max_tokens": "num_predict",
    "max_completion_tokens": "num_predict",
    "temperature": "temperature",
    "top_p": "top_p",
    "seed": "seed",
    "frequency_penalty": "frequency_penalty",
    "presence_penalty": "presence_penalty",
}
# Top-level fields of Ollama's request that callers may pass as provider-specific keywords.
_TOP_LEVEL = frozenset(
    {"keep_alive", "think", "truncate", "shift", "logprobs", "top_logprobs", "suffix", "raw"}
)
# OpenAI parameters this module reads itself (never copied as options).
_HANDLED = frozenset(
    {
        "stop", "tools", "tool_choice", "parallel_tool_calls", "response_format", "reasoning_effort",
        "thinking", "options", "user", "n", "stream_options", "metadata",
    }
)  # fmt: skip
_EFFORT_THINK: dict[str, bool | str] = {"none": False, "minimal": "low", "low": "low", "medium": "medium"}
_EFFORT_THINK |= {"high": "high", "xhigh": "high"}


def request_fields(call: ProviderCall, *, chat: bool) -> dict[str, Any]:
    """Return the body fields besides ``model``, ``messages``/``prompt`` and ``stream``.

    Raises:
        UnsupportedParamsError: for a value Ollama cannot honour (unless ``drop_params``).
        BadRequestError: for a malformed value, naming it.
    """
    params = call.params
    body: dict[str, Any] = {}
    options = _options(params)
    if options:
        body["options"] = options
    body.update({name: params[name] for name in _TOP_LEVEL if name in params})
    fmt = _format(params.get("response_format"))
    if fmt is not None:
        body["format"] = fmt
    think = _think(call, params)
    if think is not None:
        body.setdefault("think", think)
    tools = _tools(call, params, chat=chat)
    if tools:
        body["tools"] = tools
    return body


def _options(params: Mapping[str, Any]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for name, value in params.items():
        if name in _OPTION_NAMES:
            options[_OPTION_NAMES[name]] = value
        elif name not in _HANDLED and name not in _TOP_LEVEL:
            options[name] = value  # Ollama's own options: num_ctx, top_k, repeat_penalty, mirostat...
    stop = params.get("stop")
    if stop:
        options["stop"] = [stop] if isinstance(stop, str) else list(stop)
    given = params.get("options")
    if isinstance(given, Mapping):
        options.update(given)  # the caller's raw Ollama options win
    elif given is not None:
        raise bad_request("options must be a dict of Ollama options", param="options")
    return options


def _format(response_format: Any) -> str | dict[str, Any] | None:
    if not isinstance(response_format, Mapping):
        return None
    kind = response_format.get("type")
    if kind == "json_schema":
        spec = response_format.get("json_schema")
        schema = spec.get("schema") if isinstance(spec, Mapping) else None
        if not isinstance(schema, Mapping):
            raise bad_request("response_format.json_schema needs a 'schema'", param="response_format")
        return dict(schema)
    if kind == "json_object":
        schema = response_format.get("response_schema")  # litellm's json_object + schema spelling
        return dict(schema) if isinstance(schema, Mapping) else "json"
    return None


def _think(call: ProviderCall, params: Mapping[str, Any]) -> bool | str | None:
    thinking = params.get("thinking")
    if isinstance(thinking, Mapping):
        return thinking.get("type") == "enabled"
    effort = params.get("reasoning_effort")
    if effort is None or effort == "default":
        return None
    if effort in _EFFORT_THINK:
        return _EFFORT_THINK[effort]
    if call.drop_params:
        return None
    raise unsupported(
        f"reasoning_effort {effort!r} has no Ollama think level (use none, low, medium or high)",
        param="reasoning_effort", provider=call.provider, model=call.request.model,
    )  # fmt: skip


def _tools(call: ProviderCall, params: Mapping[str, Any], *, chat: bool) -> list[Any]:
    tools = list(params.get("tools") or ())
    if tools and not chat:
        raise unsupported(
            f"ollama/ sends to /api/generate, which takes no tools; use 'ollama_chat/{call.model}'",
            param="tools", provider=call.provider, model=call.request.model,
        )  # fmt: skip
    choice = params.get("tool_choice")
    if choice == "none":
        return []  # Ollama has no tool_choice: not offering the tools is what "none" means
    if choice not in (None, "auto") and tools and not call.drop_params:
        raise unsupported(
            f"Ollama has no tool_choice; {choice!r} cannot be honoured (pass drop_params=True to send "
            "the tools and let the model choose)",
            param="tool_choice", provider=call.provider, model=call.request.model,
        )  # fmt: skip
    return tools


# -- messages --------------------------------------------------------------------------------


def chat_messages(messages: list[dict[str, Any]], model: str) -> list[dict[str, Any]]:
    """Return ``/api/chat`` messages: string content, base64 ``images``, tool calls with object arguments.

    Raises:
        BadRequestError: for a message Ollama cannot take, naming it.
    """
    names: dict[str, str] = {}  # tool-call id → function name, for the tool results that follow
    wire: list[dict[str, Any]] = []
    for index, message in enumerate(messages):
        where = f"messages[{index}]"
        role = message["role"]
        text, images = _content(message.get("content"), where, model)
        out: dict[str, Any] = {"role": "system" if role == "developer" else role, "content": text}
        if images:
            out["images"] = images
        if role == "assistant":
            _assistant(message, out, names, where, model)
        elif role == "tool":
            call_id = message.get("tool_call_id")
            out["tool_call_id"] = call_id
            name = message.get("name") or names.get(str(call_id))
            if name:
                out["tool_name"] = name  # older servers match results by name and position
        wire.append(out)
    return wire


def _assistant(
    message: Mapping[str, Any], out: dict[str, Any], names: dict[str, str], where: str, model: str
) -> None:
    thinking = message.get("reasoning_content")
    if isinstance(thinking, str) and thinking:
        out["thinking"] = thinking
    calls = []
    for position, call in enumerate(message.get("tool_calls") or ()):
        calls.append(_tool_call(call, f"{where}.tool_calls[{position}]", model))
        if isinstance(call.get("id"), str):
            names[call["id"]] = calls[-1]["function"]["name"]
    if calls:
        out["tool_calls"] = calls


def _tool_call(call: Any, where: str, model: str) -> dict[str, Any]:
    function = call.get("function") if isinstance(call, Mapping) else None
    if not isinstance(function, Mapping) or not isinstance(function.get("name"), str):
        raise bad_request(f"{where} needs a function with a name", param=where, model=model)
    parsed = arguments_object(function, where, model, " (Ollama takes objects)")
    wire: dict[str, Any] = {"function": {"name": function["name"], "arguments": parsed}}
    if isinstance(call.get("id"), str):
        wire["id"] = call["id"]  # servers since v0.12.10 match tool results by it
    return wire


def _content(content: Any, where: str, model: str) -> tuple[str, list[str]]:
    if content is None or isinstance(content, str):
        return content or "", []
    texts: list[str] = []
    images: list[str] = []
    for position, part in enumerate(content):
        kind = part.get("type")
        if kind == "text":
            texts.append(part.get("text") or "")
        elif kind == "image_url":
            images.append(_image(part.get("image_url"), f"{where}.content[{position}]", model))
        else:
            param = f"{where}.content[{position}]"
            raise bad_request(f"{param}: Ollama does not take {kind!r} parts", param=param, model=model)
    return "\n".join(texts), images


def _image(image: Any, where: str, model: str) -> str:
    url = image.get("url") if isinstance(image, Mapping) else image
    header, comma, data = str(url).partition(",")
    if not header.startswith("data:") or ";base64" not in header or not comma:
        raise bad_request(
            f"{where}: Ollama takes images inline, as 'data:<type>;base64,<data>' URLs (llmport does not "
            "download image URLs)",
            param=f"{where}.image_url",
            model=model,
        )
    return data


def generate_prompt(messages: list[dict[str, Any]], model: str) -> tuple[str | None, str, list[str]]:
    """Render messages for ``/api/generate``: ``(system, prompt, images)``.

    System messages become ``system``; a lone user turn is the prompt as is (the model's template
    applies); a conversation is rendered as ``### User:`` / ``### Assistant:`` sections, ending
    with ``### Assistant:`` for the model to continue.
    """
    system: list[str] = []
    turns: list[tuple[str, str]] = []
    images: list[str] = []
    for index, message in enumerate(messages):
        text, found = _content(message.get("content"), f"messages[{index}]", model)
        images += found
        role = message["role"]
        if role in ("system", "developer"):
            system.append(text)
        else:
            turns.append(("Assistant" if role == "assistant" else "User", text))
    if len(turns) == 1 and turns[0][0] == "User":
        prompt = turns[0][1]
    else:
        prompt = "".join(f"### {who}:\n{text}\n\n" for who, text in turns) + "### Assistant:\n"
    return ("\n\n".join(system) if system else None), prompt, images
