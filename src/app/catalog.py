"""The provider catalogue, read from the registry: for ``docs/providers.md`` and the CLI.

``python -m llmport.app.catalog > docs/providers.md`` regenerates the page; a test fails when the
committed page and the table disagree, so the docs cannot drift from the code.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..adapters.providers.hosts import ALIASES, BARE_MODELS, PLANNED, RESPONSES_ONLY, RESPONSES_ROUTES
from ..adapters.providers.registry import ProviderRegistry
from ..ports.codec import Host, ParamRules

HEADER = """# Providers

Generated from llmport's host table by `python -m llmport.app.catalog > docs/providers.md`;
do not edit by hand. Each row is data (`src/adapters/providers/hosts.py`): the prefix you put
before the model name, where requests go, and which environment variables are read.

- **Key** variables are tried in order, after the call's `api_key=` (and `Client(api_key=...)`).
- **Base URL** variables are tried after the call's `api_base=` / `base_url=`; a base replaces
  the default and the endpoint is appended, unless the base already ends with it.
- A call to a base URL other than the default needs no key (your own server or proxy).
- Rows were written on the date shown from the provider's documentation at the source link
  and litellm's provider table; they were not fetched live when written. Recorded traffic in
  `tests/contract/fixtures/` checks the hosts it covers.
"""


def _code(values: Iterable[str]) -> str:
    return ", ".join(f"`{value}`" for value in values) or "none"


def _rules(rules: ParamRules) -> list[str]:
    notes = []
    if rules.renames:
        notes.append("renames " + ", ".join(f"`{a}`→`{b}`" for a, b in rules.renames.items()))
    for name, mapping in rules.value_maps.items():
        notes.append(f"`{name}` " + ", ".join(f"{a!r}→{b!r}" for a, b in mapping.items()))
    for name, allowed in rules.allowed_values.items():
        notes.append(f"`{name}` only " + " or ".join(repr(value) for value in allowed))
    if rules.unsupported:
        notes.append("no " + _code(sorted(rules.unsupported)))
    return notes


def _quirks(host: Host) -> str:
    notes = _rules(host.params)
    if host.model_namespace:
        notes.append(f"a bare model id is sent as `{host.model_namespace}<id>`")
    for rule in host.model_rules:
        families = "/".join(rule.prefixes)
        notes.append(f"{families}*: " + "; ".join(_rules(rule.params)))
    return "<br>".join(notes) or "—"


def _url(host: Host) -> str:
    if host.options.get("url") == "azure" and host.codec == "responses":
        return "`{api_base}/openai/v1/responses` (with `api_version=`: `/openai/responses?api-version=...`)"
    if host.options.get("url") == "azure":
        return f"`{{api_base}}/openai/deployments/{{model}}{host.endpoint}?api-version=...`"
    base = f"`{host.default_base}`" if host.default_base else "(give `api_base=`)"
    return f"{base} + `{host.endpoint}`"


def _row(host: Host) -> str:
    key = _code(host.key_env) + ("" if host.key_required else " (optional)")
    cells = [
        f"`{host.prefix}/`",
        f"{host.codec}",
        _url(host),
        key,
        _code(host.base_env),
        _quirks(host),
        f"[docs]({host.source}) {host.as_of}",
    ]
    return "| " + " | ".join(cells) + " |"


# What a wire format does beyond its rows, by codec name; printed for the codecs in the table.
WIRE_NOTES: dict[str, str] = {
    "gemini": """### Gemini (`gemini/`, and `vertex_ai/` Gemini models)

- **Auth**: the key travels in the `x-goog-api-key` header, never in the URL (litellm puts it in
  `?key=`, where it reaches logs and cassettes). `GEMINI_API_KEY` is read before `GOOGLE_API_KEY`.
  `api_base` / `GEMINI_API_BASE` includes the API version (`…/v1beta`); a bare host gets `/v1beta`.
- **Streams**: `:streamGenerateContent?alt=sse`. Answers framed as one JSON array (no `alt=sse`,
  proxies, Vertex's `$alt=json`) are read too; a stream is complete once every candidate has a
  finish reason, and a body that ends before that raises `APIConnectionError`.
- **Usage**: `prompt_tokens` = `promptTokenCount` + `toolUsePromptTokenCount` (cached tokens
  included; `prompt_tokens_details.cached_tokens` = `cachedContentTokenCount`);
  `completion_tokens` = `candidatesTokenCount` + `thoughtsTokenCount`
  (`completion_tokens_details.reasoning_tokens` = `thoughtsTokenCount`); `total_tokens` is their
  sum, which is Gemini's `totalTokenCount`.
- **Finish reasons**: `STOP` → `stop`, `MAX_TOKENS` → `length`, safety, recitation, blocklist,
  prohibited-content and SPII values → `content_filter`, `stop` with function calls →
  `tool_calls`; anything else → `stop`. A prompt blocked outright (`promptFeedback.blockReason`)
  raises `ContentPolicyViolationError`.
- **Thought signatures** are kept on `message.thought_signatures` (one `ThoughtSignature` per
  signed part, tied to its tool call's id), never in `tool_call.id` or the content, and sent back
  on the same part. Other providers' codecs drop the field. A Gemini 3 history with an unsigned
  function call gets Google's placeholder `skip_thought_signature_validator`.
- **Schemas**: `response_format` schemas go to Gemini 2.5+ and `-latest` models as
  `responseJsonSchema`; older models and tool `parameters` get the OpenAPI subset (references
  inlined, null unions as `nullable`, unknown keywords dropped; a recursive schema goes as
  `parametersJsonSchema` / `responseJsonSchema`).
- **Errors** are classified by HTTP status and `error.status`; `RetryInfo.retryDelay` is the
  retry hint when no `retry-after` header is sent.
- `safety_settings` and `cached_content` pass through as `safetySettings` and `cachedContent`.

### Vertex AI (`vertex_ai/`)

- **Auth**: a Google OAuth token from google-auth (`pip install 'llmport[vertex]'`), from
  `vertex_credentials=` / `VERTEXAI_CREDENTIALS` (a service-account or authorized-user JSON
  document, the same parsed into a dict, or its path) or else Application Default Credentials.
  The token is reused while valid, refreshed when expired and once after a 401 (off the event
  loop on async calls), and `x-goog-user-project` is sent when the credentials carry a quota
  project. Tokens and inline private keys are scrubbed like keys.
- **Settings**: `vertex_project` (`VERTEXAI_PROJECT`, `VERTEX_PROJECT`, `GOOGLE_CLOUD_PROJECT`;
  else the credentials' own project) and `vertex_location` (`VERTEXAI_LOCATION`,
  `VERTEX_LOCATION`, `GOOGLE_CLOUD_LOCATION`; default `us-central1`). `global` goes to
  `aiplatform.googleapis.com`, `us` and `eu` to `aiplatform.{us,eu}.rep.googleapis.com`;
  `api_base` / `VERTEXAI_API_BASE` replaces the host.
- **Gemini models** speak the Gemini format above under `publishers/google`.
- **Claude models** (`vertex_ai/claude-sonnet-4-5@20250929`) speak Anthropic's Messages format
  at `publishers/anthropic/models/{model}:rawPredict` (`:streamRawPredict`), without `model` in
  the body and with `anthropic_version: vertex-2023-10-16`. Each family refuses the parameters its
  format cannot take; `n > 1` is sent as n requests.
""",
    "ollama": """### Ollama native (`ollama_chat/`, `ollama/`)

- **Routes**: `ollama_chat/` posts to `/api/chat`; `ollama/` posts to `/api/generate` with the
  messages rendered as one prompt (system messages go to `system`; a lone user turn is the prompt as
  is, a conversation becomes `### User:` / `### Assistant:` sections) and refuses `tools` (use
  `ollama_chat/`). No key is needed; `OLLAMA_API_KEY` (Ollama Cloud) is sent as a bearer token when
  set.
- **Options**: `max_tokens` → `options.num_predict`; `temperature`, `top_p`, `top_k`, `seed`, `stop`
  and any other Ollama option you pass (`num_ctx`, `repeat_penalty`, `mirostat`...) go into
  `options`; `keep_alive`, `think`, `truncate` go top level. Nothing is sent that you did not ask
  for.
- **`num_ctx`**: when not given, the server uses its own default context window: 2048 tokens before
  Ollama v0.6.7, 4096 from v0.6.7, and from v0.15.5 a default tiered by GPU memory (4k under 24 GiB,
  32k up to 48 GiB, 256k above), which `OLLAMA_CONTEXT_LENGTH` on the server overrides. A longer
  prompt is **silently truncated** to fit (the oldest messages dropped); pass `num_ctx=` for long
  conversations. A different `num_ctx` reloads the model.
- **Differs from litellm**: `frequency_penalty` / `presence_penalty` go to Ollama's options of the
  same names (litellm sends `frequency_penalty` as `repeat_penalty`, whose scale differs);
  `repeat_penalty` is sent only when you pass it. `reasoning_effort` becomes `think` with the level
  (`low` / `medium` / `high`; `none` → `false`) where litellm sends `true`. `tool_choice` `none`
  sends no tools, `auto` is the default, any other raises `UnsupportedParamsError` (litellm drops it
  silently). Images must be `data:` URLs (llmport downloads nothing).
- **Answers**: `response_format` json_object → `format: "json"`, json_schema → `format: <schema>`.
  Tool calls keep the server's ids (v0.12.10+); older servers send none and get `call_<random>` ids
  once, so the stream and the built response agree; arguments become a JSON string. Usage:
  `prompt_eval_count` / `eval_count` (0 when the server leaves them out, e.g. a prompt served from
  its cache); `done_reason` `length` → `length`, a turn with tool calls → `tool_calls`.
- **Reasoning**: `thinking` → `reasoning_content`. A `<think>…</think>` block opening the text
  (models run with `think` off write their reasoning inline) also goes to `reasoning_content`, as
  litellm splits it, streamed or whole, however the tags fall across chunks; a `<think>` later in
  the answer is the answer's own text.
- **Streams**: NDJSON. A line holding only `error` (sent after HTTP 200 when the runner fails)
  raises `InternalServerError` after the chunks already delivered; a stream without its `done: true`
  line raises `APIConnectionError`.
""",
    "cohere": """### Cohere v2 (`cohere/`, `cohere_chat/`)

- **Routes**: `cohere/` and `cohere_chat/` both post to v2 chat (`/v2/chat`); `api_base` may be the
  host root, `.../v2` or the full URL. The key: `COHERE_API_KEY`, then `CO_API_KEY`, as a bearer
  token.
- **Only v2 fields**: Cohere answers 422 to unknown fields, so the body is built from what v2
  accepts: `top_p` → `p`, `top_k` → `k`, `stop` → `stop_sequences`, tool calls without `index`, tool
  results without `name`, functions without `strict` (any `strict` → `strict_tools: true`);
  `documents`, `citation_options`, `safety_mode`, `strict_tools`, `priority` pass through; any other
  keyword raises `UnsupportedParamsError` (`drop_params=True` drops it; litellm sends `n` as
  `num_generations`, which v2 refuses).
- **Mapping**: `tool_choice` `required` / `none` → `REQUIRED` / `NONE`; a named function → only that
  tool, `REQUIRED`. `response_format` json_schema → `{type: json_object, json_schema: <bare
  schema>}`. `reasoning_effort` → `thinking` on reasoning models (`command-a-reasoning-*`; `none` →
  disabled); on other models it raises unless dropped.
- **`tool_plan`**: kept on the message (`message.tool_plan`) of a whole answer and in
  `delta.provider_specific_fields["tool_plan"]` of stream chunks (never in the content); it is sent
  back with the tool calls from either place. Citations of a whole answer:
  `message.provider_specific_fields["citations"]`.
- **Usage and finish**: usage from `usage.tokens` (cache reads in
  `prompt_tokens_details.cached_tokens`); the smaller `billed_units` of a whole answer are in
  `response._hidden_params["billed_units"]`. `TOOL_CALL` (or any tool call) → `tool_calls`,
  `MAX_TOKENS` → `length`; a `message-end` with `ERROR` raises `InternalServerError`, `TIMEOUT`
  raises `Timeout`, after the chunks already delivered; a stream without `message-end` raises
  `APIConnectionError`.
- **Errors**: by status; a 400 "too many tokens" is `ContextWindowExceededError`, 498 (blocked by
  usage guidelines) is `ContentPolicyViolationError`.
""",
}


def providers_markdown() -> str:
    """Render the catalogue of every route as Markdown."""
    hosts = ProviderRegistry().hosts
    lines = [HEADER, f"## Routes ({len(hosts)})", ""]
    lines.append("| prefix | wire format | URL | key | base URL variables | parameter rules | source |")
    lines.append("|---|---|---|---|---|---|---|")
    lines.extend(_row(host) for host in hosts)
    lines += ["", "## Bare model names", "", "A model named without a prefix is routed by its name:", ""]
    lines.extend(
        f"- {_code(f'{p}*' for p in prefixes)} → `{provider}/`" for prefixes, provider in BARE_MODELS
    )
    lines += _responses_section()
    routed = {h.prefix for h in hosts}
    planned = [f"- `{prefix}/`: {work}" for prefix, work in PLANNED.items() if prefix not in routed]
    if planned:
        lines += [
            "",
            "## Not available yet",
            "",
            "These prefixes raise `BadRequestError` naming the work that brings them:",
            "",
        ]
        lines += planned
    codecs = {host.codec for host in hosts}
    notes = [note.rstrip("\n") for name, note in WIRE_NOTES.items() if name in codecs]
    if notes:
        lines += ["", "## Wire-format notes", "", *"\n\n".join(notes).split("\n")]
    return "\n".join(lines) + "\n"


def _responses_section() -> list[str]:
    lines = ["", "## The Responses API", ""]
    lines += [f"- `{alias}/<model>` → `{target}/`" for alias, target in ALIASES.items()]
    lines += [
        f"- Models that exist only on the Responses API go to `{target}/` when named bare or under"
        f" `{prefix}/`: names matching `{RESPONSES_ONLY.pattern}` (from the start, any case)."
        " Every other model stays on chat completions; this rule changes only with an llmport release."
        for prefix, target in RESPONSES_ROUTES.items()
    ]
    return lines


if __name__ == "__main__":
    print(providers_markdown(), end="")
