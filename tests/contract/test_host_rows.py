"""Contract tests: every OpenAI-compatible host row routes, authenticates and shapes its body.

``EXPECTED`` restates each row's URL and key variable by hand, so an accidental edit of the
host table fails here instead of silently sending traffic elsewhere.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

import llmport
from llmport.adapters.providers.hosts import HOSTS
from llmport.ports.codec import Host
from llmport.testing import FakeClock, FakeTransport, HttpRequest, HttpResponse, StaticCredentials

KEY = "row-test-key-123"
MESSAGES = [{"role": "user", "content": "Hello"}]
OK_BODY = json.dumps(
    {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }
).encode()
CUSTOM_BASE = "http://127.0.0.1:8000/v1"

# prefix → (chat-completions URL with no base given, preferred key variable or None for local servers)
EXPECTED: dict[str, tuple[str | None, str | None]] = {
    "openai": ("https://api.openai.com/v1/chat/completions", "OPENAI_API_KEY"),
    "groq": ("https://api.groq.com/openai/v1/chat/completions", "GROQ_API_KEY"),
    "together_ai": ("https://api.together.ai/v1/chat/completions", "TOGETHERAI_API_KEY"),
    "fireworks_ai": ("https://api.fireworks.ai/inference/v1/chat/completions", "FIREWORKS_AI_API_KEY"),
    "deepinfra": ("https://api.deepinfra.com/v1/openai/chat/completions", "DEEPINFRA_API_KEY"),
    "deepseek": ("https://api.deepseek.com/chat/completions", "DEEPSEEK_API_KEY"),
    "xai": ("https://api.x.ai/v1/chat/completions", "XAI_API_KEY"),
    "mistral": ("https://api.mistral.ai/v1/chat/completions", "MISTRAL_API_KEY"),
    "codestral": ("https://codestral.mistral.ai/v1/chat/completions", "CODESTRAL_API_KEY"),
    "perplexity": ("https://api.perplexity.ai/chat/completions", "PERPLEXITYAI_API_KEY"),
    "cerebras": ("https://api.cerebras.ai/v1/chat/completions", "CEREBRAS_API_KEY"),
    "sambanova": ("https://api.sambanova.ai/v1/chat/completions", "SAMBANOVA_API_KEY"),
    "nvidia_nim": ("https://integrate.api.nvidia.com/v1/chat/completions", "NVIDIA_NIM_API_KEY"),
    "openrouter": ("https://openrouter.ai/api/v1/chat/completions", "OPENROUTER_API_KEY"),
    "ai21_chat": ("https://api.ai21.com/studio/v1/chat/completions", "AI21_API_KEY"),
    "nebius": ("https://api.studio.nebius.ai/v1/chat/completions", "NEBIUS_API_KEY"),
    "moonshot": ("https://api.moonshot.ai/v1/chat/completions", "MOONSHOT_API_KEY"),
    "dashscope": (
        "https://dashscope-intl.aliyuncs.com/compatible-mode/v1/chat/completions",
        "DASHSCOPE_API_KEY",
    ),
    "hyperbolic": ("https://api.hyperbolic.xyz/v1/chat/completions", "HYPERBOLIC_API_KEY"),
    "lambda_ai": ("https://api.lambda.ai/v1/chat/completions", "LAMBDA_API_KEY"),
    "github": ("https://models.inference.ai.azure.com/chat/completions", "GITHUB_API_KEY"),
    "friendliai": ("https://api.friendli.ai/serverless/v1/chat/completions", "FRIENDLIAI_API_KEY"),
    "featherless_ai": ("https://api.featherless.ai/v1/chat/completions", "FEATHERLESS_AI_API_KEY"),
    "novita": ("https://api.novita.ai/v3/openai/chat/completions", "NOVITA_API_KEY"),
    "volcengine": ("https://ark.cn-beijing.volces.com/api/v3/chat/completions", "VOLCENGINE_API_KEY"),
    "meta_llama": ("https://api.llama.com/compat/v1/chat/completions", "LLAMA_API_KEY"),
    "vercel_ai_gateway": ("https://ai-gateway.vercel.sh/v1/chat/completions", "VERCEL_AI_GATEWAY_API_KEY"),
    "huggingface": ("https://router.huggingface.co/v1/chat/completions", "HF_TOKEN"),
    "nscale": ("https://inference.api.nscale.com/v1/chat/completions", "NSCALE_API_KEY"),
    "galadriel": ("https://api.galadriel.com/v1/chat/completions", "GALADRIEL_API_KEY"),
    "empower": ("https://app.empower.dev/api/v1/chat/completions", "EMPOWER_API_KEY"),
    "anyscale": ("https://api.endpoints.anyscale.com/v1/chat/completions", "ANYSCALE_API_KEY"),
    "v0": ("https://api.v0.dev/v1/chat/completions", "V0_API_KEY"),
    "morph": ("https://api.morphllm.com/v1/chat/completions", "MORPH_API_KEY"),
    "aiml": ("https://api.aimlapi.com/v1/chat/completions", "AIML_API_KEY"),
    "wandb": ("https://api.inference.wandb.ai/v1/chat/completions", "WANDB_API_KEY"),
    "hosted_vllm": (None, None),
    "lm_studio": ("http://localhost:1234/v1/chat/completions", None),
    "llamafile": ("http://127.0.0.1:8080/v1/chat/completions", None),
    "xinference": ("http://127.0.0.1:9997/v1/chat/completions", None),
    "litellm_proxy": (None, None),
    "custom_openai": (None, None),
}

# `local/` speaks the OpenAI format to an in-process model, not over HTTP: tests/unit/local covers it.
COMPATIBLE = [host for host in HOSTS if host.codec == "openai" and host.prefix not in ("azure", "local")]


def _ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse(200, {"content-type": "application/json"}, OK_BODY)


def _client(env: dict[str, str]) -> tuple[llmport.Client, FakeTransport]:
    fake = FakeTransport(_ok)
    client = llmport.Client(
        transport=fake, clock=FakeClock(), num_retries=0, credentials=StaticCredentials(env)
    )
    return client, fake


def _send(host: Host, env: dict[str, str], **params: Any) -> HttpRequest:
    client, fake = _client(env)
    client.completion(f"{host.prefix}/some-org/some-model", MESSAGES, **params)
    return fake.last_request


def test_the_table_has_forty_compatible_hosts_and_each_is_expected() -> None:
    assert len(COMPATIBLE) >= 40
    assert {host.prefix for host in COMPATIBLE} <= EXPECTED.keys()
    assert len({host.prefix for host in HOSTS}) == len(HOSTS), "a prefix appears twice"


@pytest.mark.parametrize("host", COMPATIBLE, ids=lambda host: host.prefix)
def test_row_routes_to_its_url_with_bearer_auth_and_an_openai_body(host: Host) -> None:
    url, key_env = EXPECTED[host.prefix]
    env = {key_env: KEY} if key_env else {}
    base = {} if url else {"api_base": CUSTOM_BASE}
    sent = _send(host, env, temperature=0.5, **base)

    assert sent.method == "POST"
    assert sent.url == (url or f"{CUSTOM_BASE}/chat/completions")
    assert sent.headers["content-type"] == "application/json"
    if key_env:
        assert sent.headers["authorization"] == f"Bearer {KEY}"
    else:
        assert "authorization" not in sent.headers
    body = json.loads(sent.body)
    assert body == {"model": "some-org/some-model", "messages": MESSAGES, "temperature": 0.5}
    assert host.source.startswith("https://")
    assert host.as_of


@pytest.mark.parametrize("host", COMPATIBLE, ids=lambda host: host.prefix)
def test_every_key_alias_and_base_variable_is_read(host: Host) -> None:
    for name in host.key_env:
        sent = _send(host, {name: f"{KEY}-{name}"}, api_base=CUSTOM_BASE)
        assert sent.headers["authorization"] == f"Bearer {KEY}-{name}"
    upper = host.prefix.upper()
    assert {f"{upper}_API_BASE", f"{upper}_BASE_URL"} <= set(host.base_env)
    for name in host.base_env:
        sent = _send(host, {name: "http://127.0.0.1:9/x/v1/", **dict.fromkeys(host.key_env[:1], KEY)})
        assert sent.url == "http://127.0.0.1:9/x/v1/chat/completions", name


@pytest.mark.parametrize("host", COMPATIBLE, ids=lambda host: host.prefix)
def test_argument_beats_environment_and_a_full_url_is_kept(host: Host) -> None:
    env = {name: "http://127.0.0.1:9/env" for name in host.base_env}
    env.update(dict.fromkeys(host.key_env, "env-key"))
    full = f"{CUSTOM_BASE}/chat/completions"
    sent = _send(host, env, api_base=full, api_key="arg-key")
    assert sent.url == full
    assert sent.headers["authorization"] == "Bearer arg-key"
    sent = _send(host, env, base_url=CUSTOM_BASE)
    assert sent.url == full


@pytest.mark.parametrize("host", [h for h in COMPATIBLE if h.key_required], ids=lambda host: host.prefix)
def test_a_missing_key_fails_before_sending_naming_variable_and_argument(host: Host) -> None:
    client, fake = _client({})
    with pytest.raises(llmport.AuthenticationError) as caught:
        client.completion(f"{host.prefix}/m", MESSAGES)
    assert host.key_env[0] in str(caught.value)
    assert "api_key=" in str(caught.value)
    assert caught.value.llm_provider == host.prefix
    assert fake.requests == []


@pytest.mark.parametrize("host", [h for h in COMPATIBLE if not h.key_required], ids=lambda host: host.prefix)
def test_local_servers_need_no_key(host: Host) -> None:
    base = {} if host.default_base else {"api_base": CUSTOM_BASE}
    sent = _send(host, {}, **base)
    assert "authorization" not in sent.headers


@pytest.mark.parametrize("host", [h for h in COMPATIBLE if h.default_base is None], ids=lambda h: h.prefix)
def test_a_host_without_default_base_asks_for_one(host: Host) -> None:
    client, fake = _client({})
    with pytest.raises(llmport.BadRequestError, match=f"api_base=.*{host.base_env[0]}"):
        client.completion(f"{host.prefix}/m", MESSAGES)
    assert fake.requests == []


@pytest.mark.parametrize(
    ("model", "sent_model"),
    [
        ("fireworks_ai/llama-v3p1-8b-instruct", "accounts/fireworks/models/llama-v3p1-8b-instruct"),
        ("fireworks_ai/accounts/my-team/models/tuned", "accounts/my-team/models/tuned"),
    ],
)
def test_fireworks_completes_a_bare_model_id_to_its_path(model: str, sent_model: str) -> None:
    client, fake = _client({"FIREWORKS_AI_API_KEY": KEY})
    client.completion(model, MESSAGES)
    assert json.loads(fake.last_request.body)["model"] == sent_model


def test_only_fireworks_has_a_model_namespace() -> None:
    # Other hosts take the model id as given; a namespace elsewhere would change their traffic.
    assert {host.prefix for host in HOSTS if host.model_namespace} == {"fireworks_ai"}
