"""Hosts as data: one row per provider prefix, read by the registry, the codecs and the docs.

Every OpenAI-compatible vendor is a row over the ``openai`` codec: its default base URL, the
environment variables of its key and base URL, whether it needs a key, and how it treats OpenAI
parameters. ``source`` says where the row's facts are documented; ``as_of`` when the row was
written from it. ``docs/providers.md`` is generated from this table.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from ...ports.auth import AuthScheme
from ...ports.codec import Host, HostSetting, ModelRule, ParamRules

AZURE_DEFAULT_API_VERSION = "2024-10-21"
BEARER = AuthScheme("bearer")
BEARER_OPTIONAL = AuthScheme("bearer", required=False)
AS_OF = "2026-11-23"

_NO_LOGPROBS = frozenset({"logprobs", "top_logprobs", "logit_bias"})

# What in-process llama.cpp models cannot honour (adapters/local refuses them too, for raw bodies).
LOCAL_REFUSED = frozenset(
    {
        "tools", "tool_choice", "functions", "function_call", "parallel_tool_calls", "logprobs",
        "top_logprobs", "audio", "modalities", "prediction", "reasoning_effort", "service_tier",
        "web_search_options",
    }
)  # fmt: skip

# OpenAI's reasoning models: `max_completion_tokens` replaces `max_tokens`, sampling is fixed.
REASONING_MODELS = ModelRule(
    prefixes=("o1", "o3", "o4", "gpt-5"),
    excludes=("gpt-5-chat",),
    params=ParamRules(
        unsupported=frozenset({"top_p", "presence_penalty", "frequency_penalty", "logprobs", "top_logprobs"}),
        allowed_values=MappingProxyType({"temperature": (1,)}),
        renames=MappingProxyType({"max_tokens": "max_completion_tokens"}),
    ),
)


# The same models on the Responses API, which names the limit `max_output_tokens` (the codec's job).
RESPONSES_REASONING_MODELS = ModelRule(
    prefixes=(*REASONING_MODELS.prefixes, "codex"),
    excludes=REASONING_MODELS.excludes,
    params=ParamRules(
        unsupported=REASONING_MODELS.params.unsupported, allowed_values=REASONING_MODELS.params.allowed_values
    ),
)

# Models OpenAI serves only on the Responses API (the -pro, codex and deep-research families and
# computer use): a bare name, or one under `openai/`, goes to the `responses` row. Matched from
# the start of the name, so dated snapshots (o3-pro-2025-06-10) follow their family. A model
# added here changes routing only with a new llmport release, never at run time.
RESPONSES_ONLY = re.compile(
    r"o\d+-pro\b|gpt-5(\.\d+)?-pro\b|gpt-5(\.\d+)?-codex\b|codex-|o\d+(-mini)?-deep-research\b"
    r"|computer-use-preview\b"
)
# `<provider>/<name>/<model>`: a second wire format of a provider, spelled as litellm does.
ALIASES: Mapping[str, str] = MappingProxyType(
    {"openai/responses": "responses", "azure/responses": "azure_responses"}
)
# Provider prefix → the row its Responses-only models go to (`openai/gpt-5-pro` → responses).
RESPONSES_ROUTES: Mapping[str, str] = MappingProxyType({"openai": "responses"})
RESPONSES_SOURCE = "https://platform.openai.com/docs/api-reference/responses"


def responses_only(model: str) -> bool:
    """Whether ``model`` exists only on the Responses API (``RESPONSES_ONLY``)."""
    return RESPONSES_ONLY.match(model.rsplit("/", 1)[-1].lower()) is not None


def is_reasoning_model(model: str) -> bool:
    """Whether ``model`` reasons (o-series, gpt-5, the Responses-only families)."""
    return REASONING_MODELS.matches(model) or responses_only(model)


def compatible(
    prefix: str,
    default_base: str | None,
    *key_env: str,
    source: str,
    key_required: bool = True,
    base_env: tuple[str, ...] = (),
    params: ParamRules | None = None,
    model_rules: tuple[ModelRule, ...] = (),
    model_namespace: str = "",
    **options: Any,
) -> Host:
    """Build the row of an OpenAI-compatible host.

    ``<PREFIX>_API_BASE`` and ``<PREFIX>_BASE_URL`` are always base-URL variables, after any given.

    Args:
        prefix: The model prefix.
        default_base: The vendor's base URL (None when the caller must give one).
        *key_env: Key variable names, preferred first.
        source: Where the facts are documented.
        key_required: Whether calls to the default base need a key.
        base_env: Extra base-URL variable names, tried first.
        params: Parameter rules for every model.
        model_rules: Parameter rules for model families.
        model_namespace: Put before a model id without a slash.
        **options: Codec options (URL styles).
    """
    upper = prefix.upper()
    auth = BEARER if key_required else BEARER_OPTIONAL
    derived = (f"{upper}_API_BASE", f"{upper}_BASE_URL")
    return Host(
        prefix=prefix,
        codec="openai",
        default_base=default_base,
        key_env=key_env,
        base_env=base_env + tuple(name for name in derived if name not in base_env),
        auth=auth,
        params=params or ParamRules(),
        model_rules=model_rules,
        model_namespace=model_namespace,
        options=MappingProxyType(options),
        source=source,
        as_of=AS_OF,
    )


def _local(prefix: str, default_base: str | None, *key_env: str, source: str) -> Host:
    """Build the row of a server the user runs (vLLM, LM Studio...): no key needed anywhere."""
    return compatible(prefix, default_base, *key_env, source=source, key_required=False)


MISTRAL_PARAMS = ParamRules(
    unsupported=_NO_LOGPROBS | {"user", "function_call", "functions"},
    value_maps=MappingProxyType({"tool_choice": MappingProxyType({"required": "any"})}),
    renames=MappingProxyType({"seed": "random_seed", "max_completion_tokens": "max_tokens"}),
)

_AWS_REGION = (("aws_region_name",), ("AWS_REGION_NAME", "AWS_REGION"))
_AWS_SECRET = (("aws_secret_access_key",), ("AWS_SECRET_ACCESS_KEY",))
# Bedrock: the region the default endpoint is formatted with (litellm's default us-west-2), the
# region as given (when none is, an ARN's or the profile's region applies), the AWS credentials.
BEDROCK_SETTINGS = (
    HostSetting("region", kwargs=_AWS_REGION[0], env=_AWS_REGION[1], default="us-west-2"),
    HostSetting("given_region", kwargs=_AWS_REGION[0], env=_AWS_REGION[1]),
    HostSetting("endpoint", kwargs=("aws_bedrock_runtime_endpoint",)),
    HostSetting("aws_access_key_id", kwargs=("aws_access_key_id",), env=("AWS_ACCESS_KEY_ID",)),
    HostSetting(
        "aws_secret_access_key",
        kwargs=("aws_secret_access_key",),
        env=("AWS_SECRET_ACCESS_KEY",),
        secret=True,
    ),
    HostSetting("aws_session_token", kwargs=("aws_session_token",), env=("AWS_SESSION_TOKEN",), secret=True),
    HostSetting("aws_profile_name", kwargs=("aws_profile_name",), env=("AWS_PROFILE",)),
    HostSetting("aws_role_name", kwargs=("aws_role_name",)),
    HostSetting("aws_session_name", kwargs=("aws_session_name",)),
)

HOSTS: tuple[Host, ...] = (
    Host(
        prefix="openai",
        codec="openai",
        default_base="https://api.openai.com/v1",
        key_env=("OPENAI_API_KEY",),
        base_env=("OPENAI_BASE_URL", "OPENAI_API_BASE"),
        model_rules=(REASONING_MODELS,),
        source="https://platform.openai.com/docs/api-reference/chat",
        as_of=AS_OF,
    ),
    Host(
        prefix="azure",
        codec="openai",
        default_base=None,
        key_env=("AZURE_API_KEY", "AZURE_OPENAI_API_KEY"),
        base_env=("AZURE_API_BASE", "AZURE_OPENAI_ENDPOINT"),
        auth=AuthScheme("header", header="api-key"),
        settings=(
            HostSetting(
                "api_version",
                kwargs=("api_version",),
                env=("AZURE_API_VERSION", "OPENAI_API_VERSION"),
                default=AZURE_DEFAULT_API_VERSION,
            ),
        ),
        model_rules=(REASONING_MODELS,),
        options=MappingProxyType({"url": "azure"}),
        source="https://learn.microsoft.com/azure/ai-services/openai/reference",
        as_of=AS_OF,
    ),
    Host(
        prefix="anthropic",
        codec="anthropic",
        default_base="https://api.anthropic.com",
        key_env=("ANTHROPIC_API_KEY",),
        base_env=("ANTHROPIC_API_BASE", "ANTHROPIC_BASE_URL"),
        auth=AuthScheme("header", header="x-api-key"),
        settings=(HostSetting("api_version", kwargs=("api_version",)),),
        endpoint="/v1/messages",
        source="https://docs.anthropic.com/en/api/messages",
        as_of=AS_OF,
    ),
    # AWS Bedrock Converse. `bedrock/converse/<modelId>` spells the API out; the model id may be
    # an inference-profile id (`us.`, `eu.`, `global.`) or an ARN (whose region wins). A Bedrock
    # API key (api_key= or AWS_BEARER_TOKEN_BEDROCK) is sent as a bearer token; without one each
    # attempt is SigV4-signed by botocore (extra `bedrock`).
    Host(
        prefix="bedrock",
        codec="bedrock_converse",
        default_base="https://bedrock-runtime.{region}.amazonaws.com",
        key_env=("AWS_BEARER_TOKEN_BEDROCK",),
        base_env=("AWS_BEDROCK_RUNTIME_ENDPOINT",),
        auth=AuthScheme("sigv4", required=False),
        framing="aws_eventstream",
        settings=BEDROCK_SETTINGS,
        endpoint="/model/{model}/converse",
        source="https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html",
        as_of=AS_OF,
    ),
    # The OpenAI Responses API for chat calls: `responses/<model>`, `openai/responses/<model>`.
    Host(
        prefix="responses",
        codec="responses",
        default_base="https://api.openai.com/v1",
        key_env=("OPENAI_API_KEY",),
        base_env=("OPENAI_BASE_URL", "OPENAI_API_BASE"),
        endpoint="/responses",
        model_rules=(RESPONSES_REASONING_MODELS,),
        source=RESPONSES_SOURCE,
        as_of=AS_OF,
    ),
    # Azure's Responses endpoint (`azure/responses/<deployment>`): the v1 path unless the call
    # passes api_version= (AZURE_API_VERSION is left to chat calls: its usual values predate it).
    Host(
        prefix="azure_responses",
        codec="responses",
        default_base=None,
        key_env=("AZURE_API_KEY", "AZURE_OPENAI_API_KEY"),
        base_env=("AZURE_API_BASE", "AZURE_OPENAI_ENDPOINT"),
        auth=AuthScheme("header", header="api-key"),
        settings=(HostSetting("api_version", kwargs=("api_version",)),),
        endpoint="/responses",
        model_rules=(RESPONSES_REASONING_MODELS,),
        options=MappingProxyType({"url": "azure"}),
        source="https://learn.microsoft.com/azure/ai-foundry/openai/how-to/responses",
        as_of=AS_OF,
    ),
    Host(
        prefix="gemini",
        codec="gemini",
        default_base="https://generativelanguage.googleapis.com/v1beta",
        key_env=("GEMINI_API_KEY", "GOOGLE_API_KEY"),
        base_env=("GEMINI_API_BASE",),
        auth=AuthScheme("header", header="x-goog-api-key"),  # never ?key= in the URL
        endpoint="/models/{model}:generateContent",
        source="https://ai.google.dev/api/generate-content",
        as_of="2026-12-05",
    ),
    # Vertex AI: Gemini models in Gemini's format, Claude models in Anthropic's (gemini/vertex.py).
    # The default base follows the location ("global", "us" and "eu" have hosts of their own); a
    # project neither given nor in the environment is the credentials' own (filled by the auth).
    Host(
        prefix="vertex_ai",
        codec="vertex",
        default_base="https://{location}-aiplatform.googleapis.com",
        base_env=("VERTEXAI_API_BASE", "VERTEX_API_BASE"),
        auth=AuthScheme("google_oauth"),
        settings=(
            HostSetting(
                "project", ("vertex_project",), ("VERTEXAI_PROJECT", "VERTEX_PROJECT", "GOOGLE_CLOUD_PROJECT")
            ),
            HostSetting(
                "location", ("vertex_location",),
                ("VERTEXAI_LOCATION", "VERTEX_LOCATION", "GOOGLE_CLOUD_LOCATION"), default="us-central1",
            ),
            HostSetting(
                "credentials", ("vertex_credentials",), ("VERTEXAI_CREDENTIALS", "VERTEX_CREDENTIALS"),
                secret=True,
            ),
        ),
        endpoint="/v1/projects/{project}/locations/{location}/publishers/google/models/{model}:generateContent",
        options=MappingProxyType({"url": "vertex"}),
        source="https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/inference",
        as_of="2026-12-05",
    ),
    compatible(
        "groq", "https://api.groq.com/openai/v1", "GROQ_API_KEY",
        source="https://console.groq.com/docs/openai",
        params=ParamRules(unsupported=_NO_LOGPROBS, allowed_values=MappingProxyType({"n": (1,)})),
    ),
    compatible(
        "together_ai", "https://api.together.ai/v1",
        "TOGETHERAI_API_KEY", "TOGETHER_API_KEY", "TOGETHER_AI_API_KEY", "TOGETHER_AI_TOKEN",
        base_env=("TOGETHERAI_API_BASE",),
        source="https://docs.together.ai/docs/openai-api-compatibility",
    ),
    compatible(
        "fireworks_ai", "https://api.fireworks.ai/inference/v1",
        "FIREWORKS_AI_API_KEY", "FIREWORKS_API_KEY", "FIREWORKSAI_API_KEY", "FIREWORKS_AI_TOKEN",
        # Fireworks names models by path; litellm completes bare ids the same way.
        model_namespace="accounts/fireworks/models/",
        source="https://docs.fireworks.ai/tools-sdks/openai-compatibility",
    ),
    compatible(
        "deepinfra", "https://api.deepinfra.com/v1/openai", "DEEPINFRA_API_KEY",
        source="https://deepinfra.com/docs/openai_api",
    ),
    compatible(
        "deepseek", "https://api.deepseek.com", "DEEPSEEK_API_KEY",
        source="https://api-docs.deepseek.com/api/create-chat-completion",
        model_rules=(
            ModelRule(("deepseek-reasoner",), ParamRules(unsupported=_NO_LOGPROBS - {"logit_bias"})),
        ),
    ),
    compatible(
        "xai", "https://api.x.ai/v1", "XAI_API_KEY",
        source="https://docs.x.ai/docs/api-reference#chat-completions",
        model_rules=(
            ModelRule(
                ("grok-4", "grok-3-mini"),
                ParamRules(unsupported=frozenset({"presence_penalty", "frequency_penalty", "stop"})),
            ),
        ),
    ),
    compatible(
        "mistral", "https://api.mistral.ai/v1", "MISTRAL_API_KEY",
        source="https://docs.mistral.ai/api/#tag/chat", params=MISTRAL_PARAMS,
    ),
    compatible(
        "codestral", "https://codestral.mistral.ai/v1", "CODESTRAL_API_KEY",
        source="https://docs.mistral.ai/capabilities/code_generation/", params=MISTRAL_PARAMS,
    ),
    compatible(
        "perplexity", "https://api.perplexity.ai", "PERPLEXITYAI_API_KEY", "PERPLEXITY_API_KEY",
        source="https://docs.perplexity.ai/api-reference/chat-completions-post",
        params=ParamRules(unsupported=_NO_LOGPROBS | {"tools", "tool_choice", "n"}),
    ),
    compatible(
        "cerebras", "https://api.cerebras.ai/v1", "CEREBRAS_API_KEY",
        source="https://inference-docs.cerebras.ai/resources/openai",
        params=ParamRules(unsupported=frozenset({"frequency_penalty", "presence_penalty", "logit_bias"})),
    ),
    compatible(
        "sambanova", "https://api.sambanova.ai/v1", "SAMBANOVA_API_KEY",
        source="https://docs.sambanova.ai/cloud/api-reference/endpoints/chat",
    ),
    compatible(
        "nvidia_nim", "https://integrate.api.nvidia.com/v1", "NVIDIA_NIM_API_KEY", "NVIDIA_API_KEY",
        source="https://docs.api.nvidia.com/nim/reference/llm-apis",
    ),
    compatible(
        "openrouter", "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY", "OR_API_KEY",
        source="https://openrouter.ai/docs/api-reference/chat-completion",
    ),
    compatible(
        "ai21_chat", "https://api.ai21.com/studio/v1", "AI21_API_KEY",
        source="https://docs.ai21.com/reference/jamba-15-api-ref",
    ),
    compatible(
        "nebius", "https://api.studio.nebius.ai/v1", "NEBIUS_API_KEY",
        source="https://docs.nebius.com/studio/inference/api",
    ),
    compatible(
        "moonshot", "https://api.moonshot.ai/v1", "MOONSHOT_API_KEY",
        source="https://platform.moonshot.ai/docs/api/chat",
    ),
    compatible(
        "dashscope", "https://dashscope-intl.aliyuncs.com/compatible-mode/v1", "DASHSCOPE_API_KEY",
        source="https://www.alibabacloud.com/help/en/model-studio/compatibility-of-openai-with-dashscope",
    ),
    compatible(
        "hyperbolic", "https://api.hyperbolic.xyz/v1", "HYPERBOLIC_API_KEY",
        source="https://docs.hyperbolic.xyz/docs/rest-api",
    ),
    compatible(
        "lambda_ai", "https://api.lambda.ai/v1", "LAMBDA_API_KEY",
        source="https://docs.lambda.ai/public-cloud/lambda-inference-api/",
    ),
    compatible(
        "github", "https://models.inference.ai.azure.com", "GITHUB_API_KEY", "GITHUB_TOKEN",
        source="https://docs.github.com/en/github-models",
    ),
    compatible(
        "friendliai", "https://api.friendli.ai/serverless/v1", "FRIENDLIAI_API_KEY", "FRIENDLI_TOKEN",
        source="https://friendli.ai/docs/openapi/serverless/chat-completions",
    ),
    compatible(
        "featherless_ai", "https://api.featherless.ai/v1", "FEATHERLESS_AI_API_KEY", "FEATHERLESS_API_KEY",
        source="https://featherless.ai/docs/completions",
    ),
    compatible(
        "novita", "https://api.novita.ai/v3/openai", "NOVITA_API_KEY",
        source="https://novita.ai/docs/guides/llm-api",
    ),
    compatible(
        "volcengine", "https://ark.cn-beijing.volces.com/api/v3", "VOLCENGINE_API_KEY", "ARK_API_KEY",
        source="https://www.volcengine.com/docs/82379/1298454",
    ),
    compatible(
        "meta_llama", "https://api.llama.com/compat/v1", "LLAMA_API_KEY",
        source="https://llama.developer.meta.com/docs/features/compatibility",
    ),
    compatible(
        "vercel_ai_gateway", "https://ai-gateway.vercel.sh/v1",
        "VERCEL_AI_GATEWAY_API_KEY", "VERCEL_OIDC_TOKEN",
        source="https://vercel.com/docs/ai-gateway/openai-compat",
    ),
    compatible(
        "huggingface", "https://router.huggingface.co/v1", "HF_TOKEN", "HUGGINGFACE_API_KEY",
        source="https://huggingface.co/docs/inference-providers/index",
    ),
    compatible(
        "nscale", "https://inference.api.nscale.com/v1", "NSCALE_API_KEY",
        source="https://docs.nscale.com/docs/inference/chat",
    ),
    compatible(
        "galadriel", "https://api.galadriel.com/v1", "GALADRIEL_API_KEY",
        source="https://docs.galadriel.com/api-reference/chat-completion-API",
    ),
    compatible(
        "empower", "https://app.empower.dev/api/v1", "EMPOWER_API_KEY",
        source="https://docs.empower.dev/",
    ),
    compatible(
        "anyscale", "https://api.endpoints.anyscale.com/v1", "ANYSCALE_API_KEY",
        source="https://docs.anyscale.com/endpoints/",
    ),
    compatible(
        "v0", "https://api.v0.dev/v1", "V0_API_KEY",
        source="https://v0.dev/docs/v0-model-api",
    ),
    compatible(
        "morph", "https://api.morphllm.com/v1", "MORPH_API_KEY",
        source="https://docs.morphllm.com/api-reference",
    ),
    compatible(
        "aiml", "https://api.aimlapi.com/v1", "AIML_API_KEY",
        source="https://docs.aimlapi.com/",
    ),
    compatible(
        "wandb", "https://api.inference.wandb.ai/v1", "WANDB_API_KEY",
        source="https://docs.wandb.ai/guides/inference/",
    ),
    _local("hosted_vllm", None, "HOSTED_VLLM_API_KEY", source="https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html"),
    _local("lm_studio", "http://localhost:1234/v1", "LM_STUDIO_API_KEY", source="https://lmstudio.ai/docs/app/api/endpoints/openai"),
    _local("llamafile", "http://127.0.0.1:8080/v1", "LLAMAFILE_API_KEY", source="https://github.com/Mozilla-Ocho/llamafile"),
    _local("xinference", "http://127.0.0.1:9997/v1", "XINFERENCE_API_KEY", source="https://inference.readthedocs.io/en/latest/"),
    _local("litellm_proxy", None, "LITELLM_PROXY_API_KEY", source="https://docs.litellm.ai/docs/providers/litellm_proxy"),
    _local("custom_openai", None, "CUSTOM_OPENAI_API_KEY", source="https://docs.litellm.ai/docs/providers/openai_compatible"),
    # Ollama's native API: keyless locally; a key (Ollama Cloud) is sent as a bearer token when set.
    *(
        Host(
            prefix=prefix, codec="ollama", default_base="http://localhost:11434",
            key_env=("OLLAMA_API_KEY",), base_env=("OLLAMA_API_BASE",), auth=BEARER_OPTIONAL,
            framing="ndjson", endpoint=endpoint, source="https://docs.ollama.com/api", as_of=AS_OF,
        )
        for prefix, endpoint in (("ollama_chat", "/api/chat"), ("ollama", "/api/generate"))
    ),
    # Cohere's v2 chat (``cohere_chat/`` as well: litellm sends both to v2).
    *(
        Host(
            prefix=prefix, codec="cohere", default_base="https://api.cohere.com",
            key_env=("COHERE_API_KEY", "CO_API_KEY"), base_env=("COHERE_API_BASE", "CO_API_URL"),
            endpoint="/v2/chat", source="https://docs.cohere.com/reference/chat", as_of=AS_OF,
        )
        for prefix in ("cohere", "cohere_chat")
    ),
    # In-process llama.cpp models (adapters/local): the OpenAI wire format answered by LocalTransport.
    Host(
        prefix="local", codec="openai", default_base="local://llama.cpp", auth=BEARER_OPTIONAL,
        params=ParamRules(unsupported=LOCAL_REFUSED),
        source="https://llama-cpp-python.readthedocs.io/en/latest/api-reference/", as_of=AS_OF,
    ),
)  # fmt: skip

# Well-known bare model names → provider, matched by prefix (litellm resolves these unprefixed).
BARE_MODELS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("gpt-", "o1", "o3", "o4", "chatgpt-", "ft:gpt-", "gpt4", "codex-"), "openai"),
    (("claude-",), "anthropic"),
    (("gemini-",), "vertex_ai"),
    (("command-",), "cohere"),
    (
        ("mistral-", "open-mistral", "open-mixtral", "codestral-", "magistral-", "pixtral-", "ministral-"),
        "mistral",
    ),
    (("deepseek-",), "deepseek"),
    (("grok-",), "xai"),
    (("sonar",), "perplexity"),
)  # fmt: skip

# Providers litellm users name that llmport has no codec for yet, with the work that brings them.
PLANNED: dict[str, str] = {}
