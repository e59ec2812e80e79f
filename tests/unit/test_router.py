"""Router: model groups over deployments, strategies, rpm/tpm limits, cooldowns, retries, fallbacks.

The provider is a FakeTransport answering by deployment (told apart by api_base port); the
Router's state is in memory here (Redis-backed state: test_router_state_contract.py and the
multi-process proof).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

import llmport
from llmport.adapters.router.state import MemoryRouterState
from llmport.testing import FakeTransport, HttpRequest, HttpResponse, MemoryLogger

from .conftest import USER, chat

PORTS = {"a": 9001, "b": 9002, "c": 9003}


def base(name: str) -> str:
    return f"http://127.0.0.1:{PORTS[name]}/v1"


def deployment_of(request: HttpRequest) -> str:
    return next(name for name, port in PORTS.items() if f":{port}/" in request.url)


def entry(name: str, group: str = "gpt", **params: Any) -> dict[str, Any]:
    return {
        "model_name": group,
        "litellm_params": {
            "model": "openai/gpt-4o",
            "api_base": base(name),
            "api_key": f"sk-{name}-key-1234",
            **params,
        },
    }


def error(status: int, headers: dict[str, str] | None = None, code: str = "x") -> HttpResponse:
    return HttpResponse.from_json({"error": {"message": f"failed {status}", "code": code}}, status, headers)


class Fleet:
    """A Router over fake deployments; ``answers[name]`` says how each one answers."""

    def __init__(self, model_list: list[dict[str, Any]], **router: Any) -> None:
        self.answers: dict[str, Callable[[], HttpResponse]] = {}
        self.hits: Counter[str] = Counter()
        self.transport = FakeTransport(self._answer)
        self.logger = MemoryLogger(level="DEBUG")
        self.client = llmport.Client(transport=self.transport, logger=self.logger)
        router.setdefault("seed", 7)
        self.router = llmport.Router(model_list, client=self.client, **router)

    def _answer(self, request: HttpRequest) -> HttpResponse:
        name = deployment_of(request)
        self.hits[name] += 1
        answer = self.answers.get(name)
        return (
            answer()
            if answer is not None
            else chat(f"from {name}", usage={"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15})
        )

    def ask(self, model: str = "gpt", **params: Any) -> Any:
        return self.router.completion(model, USER, **params)

    def events(self, message: str) -> list[dict[str, Any]]:
        return [e.fields for e in self.logger.events if e.message == message]


def test_a_group_is_served_by_its_deployments() -> None:
    fleet = Fleet([entry("a"), entry("b")])
    answers = {fleet.ask().choices[0].message.content for _ in range(30)}
    assert answers == {"from a", "from b"}
    response = fleet.ask()
    hidden = response._hidden_params
    assert hidden["model_group"] == "gpt"
    assert hidden["model_id"].startswith("gpt-")
    assert "sk-" not in hidden["model_id"]


def test_simple_shuffle_follows_the_weights() -> None:
    fleet = Fleet([entry("a", weight=9), entry("b", weight=1)])
    for _ in range(300):
        fleet.ask()
    assert 240 <= fleet.hits["a"] <= 290, fleet.hits


def test_rpm_weighs_simple_shuffle_when_no_weight_is_given() -> None:
    fleet = Fleet([entry("a", rpm=900), entry("b", rpm=100)])
    for _ in range(200):
        fleet.ask()
    assert fleet.hits["a"] > 150, fleet.hits


def test_least_busy_picks_the_deployment_with_fewest_calls_in_flight() -> None:
    state = MemoryRouterState()
    fleet = Fleet([entry("a"), entry("b")], routing_strategy="least-busy", state=state)
    ids = {d.params["api_base"]: d.id for d in fleet.router.groups["gpt"]}
    state.busy(ids[base("a")], 3)
    assert {fleet.ask().choices[0].message.content for _ in range(10)} == {"from b"}


def test_latency_based_picks_the_fastest_measured_deployment() -> None:
    state = MemoryRouterState()
    fleet = Fleet([entry("a"), entry("b")], routing_strategy="latency-based-routing", state=state)
    ids = {d.params["api_base"]: d.id for d in fleet.router.groups["gpt"]}
    state.observe_latency(ids[base("a")], 2.0)
    state.observe_latency(ids[base("b")], 0.0001)
    fleet.ask()
    assert fleet.hits == {"b": 1}


def test_usage_based_picks_the_deployment_with_fewest_tokens_this_minute() -> None:
    fleet = Fleet([entry("a", tpm=10_000), entry("b", tpm=10_000)], routing_strategy="usage-based-routing-v2")
    for _ in range(6):
        fleet.ask()
    assert fleet.hits == {"a": 3, "b": 3}, "each call's 15 tokens tip the balance to the other"


def test_rpm_is_enforced_per_deployment_then_the_group_is_refused() -> None:
    fleet = Fleet([entry("a", rpm=2), {**entry("b"), "rpm": 3}])  # rpm inside or beside litellm_params
    for _ in range(5):
        fleet.ask()
    assert fleet.hits == {"a": 2, "b": 3}
    with pytest.raises(llmport.RateLimitError) as caught:
        fleet.ask()
    assert "'gpt'" in str(caught.value)
    assert caught.value.model == "gpt"
    assert caught.value.retry_after is not None
    assert 0 < caught.value.retry_after <= 60
    assert sum(fleet.hits.values()) == 5, "the refused call sent nothing"


def test_tpm_moves_calls_to_a_deployment_with_room() -> None:
    fleet = Fleet([entry("a", tpm=40), entry("b", tpm=1_000_000)], routing_strategy="usage-based")
    for _ in range(12):
        fleet.ask()
    assert fleet.hits["a"] <= 3, "a's 40 tokens a minute hold at most three 15-token calls"
    assert fleet.hits["a"] + fleet.hits["b"] == 12


def test_a_401_cools_a_deployment_at_once_and_another_answers() -> None:
    fleet = Fleet([entry("a"), entry("b")], cooldown_time=60)
    fleet.answers["a"] = lambda: error(401, code="invalid_api_key")
    answers = [fleet.ask().choices[0].message.content for _ in range(10)]
    assert set(answers) == {"from b"}
    assert fleet.hits["a"] <= 1, "cooled after its first 401"
    [cooled] = fleet.events("llmport router cooled a deployment")
    assert (cooled["error"], cooled["status"], cooled["seconds"]) == ("AuthenticationError", 401, 60)


def test_a_404_cools_a_deployment_at_once() -> None:
    fleet = Fleet([entry("a"), entry("b")], cooldown_time=60)
    fleet.answers["a"] = lambda: error(404, code="model_not_found")
    for _ in range(10):
        fleet.ask()
    assert fleet.hits["a"] <= 1


def test_a_429_cools_for_its_retry_after() -> None:
    fleet = Fleet([entry("a"), entry("b")], cooldown_time=1)
    fleet.answers["a"] = lambda: error(429, {"retry-after": "30"}, code="rate_limit_exceeded")
    for _ in range(10):
        fleet.ask()
    assert fleet.hits["a"] == 1
    [cooled] = fleet.events("llmport router cooled a deployment")
    assert cooled["seconds"] == 30
    ids = [d.id for d in fleet.router.groups["gpt"]]
    left = fleet.router.state.cooling(ids)
    assert len(left) == 1
    assert 25 < next(iter(left.values())) <= 30


def test_server_errors_cool_a_deployment_after_allowed_fails() -> None:
    fleet = Fleet([entry("a"), entry("b")], allowed_fails=2, cooldown_time=60, num_retries=0)
    fleet.answers["a"] = lambda: error(500, code="server_error")
    failures = 0
    for _ in range(40):
        try:
            fleet.ask()
        except llmport.InternalServerError:
            failures += 1
    assert fleet.hits["a"] == 3, "two failures allowed, the third cools it"
    assert failures == 3
    assert len(fleet.events("llmport router cooled a deployment")) == 1


def test_a_failure_is_retried_on_another_deployment() -> None:
    fleet = Fleet([entry("a"), entry("b")])
    fleet.answers["a"] = lambda: error(503, code="overloaded")
    for _ in range(10):
        assert fleet.ask().choices[0].message.content == "from b"


def test_a_bad_request_is_the_callers_and_is_raised_at_once() -> None:
    fleet = Fleet([entry("a"), entry("b")])
    fleet.answers["a"] = fleet.answers["b"] = lambda: error(400, code="invalid_value")
    with pytest.raises(llmport.BadRequestError):
        fleet.ask()
    assert sum(fleet.hits.values()) == 1
    assert fleet.events("llmport router cooled a deployment") == []


def test_every_deployment_cooling_without_a_deadline_is_a_rate_limit_error() -> None:
    fleet = Fleet([entry("a")], cooldown_time=30)
    fleet.answers["a"] = lambda: error(401)
    with pytest.raises(llmport.AuthenticationError):
        fleet.ask()
    with pytest.raises(llmport.RateLimitError, match="'gpt'"):
        fleet.ask()
    assert fleet.hits["a"] == 1


def test_a_call_with_a_deadline_waits_for_a_cooling_deployment() -> None:
    fleet = Fleet([entry("a")])
    fleet.answers["a"] = lambda: error(429, {"retry-after-ms": "300"})
    with pytest.raises(llmport.RateLimitError):
        fleet.ask()
    del fleet.answers["a"]
    started = time.monotonic()
    assert fleet.ask(deadline=10).choices[0].message.content == "from a"
    assert time.monotonic() - started < 5
    assert fleet.events("llmport router waits for a free deployment")


async def test_an_async_call_with_a_deadline_waits_too() -> None:
    fleet = Fleet([entry("a")])
    fleet.answers["a"] = lambda: error(429, {"retry-after-ms": "300"})
    with pytest.raises(llmport.RateLimitError):
        await fleet.router.acompletion("gpt", USER)
    del fleet.answers["a"]
    response = await fleet.router.acompletion("gpt", USER, deadline=10)
    assert response.choices[0].message.content == "from a"
    assert fleet.events("llmport router waits for a free deployment")


def test_a_wait_beyond_the_deadline_raises_at_once() -> None:
    fleet = Fleet([entry("a")], cooldown_time=30)
    fleet.answers["a"] = lambda: error(401)
    with pytest.raises(llmport.AuthenticationError):
        fleet.ask()
    started = time.monotonic()
    with pytest.raises(llmport.RateLimitError):
        fleet.ask(deadline=1)
    assert time.monotonic() - started < 0.9


def test_the_deadline_reaches_the_call() -> None:
    fleet = Fleet([entry("a")])
    response = fleet.ask(deadline=30, temperature=0.1)
    assert response.choices[0].message.content == "from a"
    assert fleet.transport.last_request.json()["temperature"] == 0.1


def test_fallbacks_between_groups() -> None:
    fleet = Fleet([entry("a"), entry("b", group="backup")], fallbacks=[{"gpt": ["backup"]}], cooldown_time=60)
    fleet.answers["a"] = lambda: error(500)
    response = fleet.ask()
    assert response.choices[0].message.content == "from b"
    assert response._hidden_params["model_group"] == "backup"
    assert fleet.events("llmport router fallback") == [{"from_group": "gpt", "to_group": "backup"}]


def test_per_call_fallbacks_name_groups() -> None:
    fleet = Fleet([entry("a"), entry("b", group="backup")])
    fleet.answers["a"] = lambda: error(503)
    assert fleet.ask(fallbacks=["backup"]).choices[0].message.content == "from b"


def test_context_window_fallbacks() -> None:
    fleet = Fleet([entry("a"), entry("b", group="long")], context_window_fallbacks=[{"gpt": ["long"]}])
    fleet.answers["a"] = lambda: error(400, code="context_length_exceeded")
    assert fleet.ask().choices[0].message.content == "from b"


def test_no_fallback_after_a_bad_request() -> None:
    fleet = Fleet([entry("a"), entry("b", group="backup")], fallbacks=[{"gpt": ["backup"]}])
    fleet.answers["a"] = lambda: error(400, code="invalid_value")
    with pytest.raises(llmport.BadRequestError):
        fleet.ask()
    assert fleet.hits == {"a": 1}


async def test_acompletion_routes_the_same_way() -> None:
    fleet = Fleet([entry("a", rpm=1), entry("b", rpm=1)])
    fleet.answers["a"] = lambda: error(500)
    first = await fleet.router.acompletion("gpt", USER)
    assert first.choices[0].message.content == "from b"
    with pytest.raises(llmport.RateLimitError):
        await fleet.router.acompletion("gpt", USER)


def test_streams_are_routed() -> None:
    fleet = Fleet([entry("a")])
    fleet.answers["a"] = lambda: HttpResponse.from_sse(
        [{"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
          "choices": [{"index": 0, "delta": {"content": "streamed"}, "finish_reason": "stop"}]}]
    )  # fmt: skip
    chunks = list(fleet.ask(stream=True))
    assert chunks[0].choices[0].delta.content == "streamed"


def test_completion_with_a_model_list_serves_one_call() -> None:
    hits: Counter[str] = Counter()

    def answer(request: HttpRequest) -> HttpResponse:
        hits[deployment_of(request)] += 1
        return chat("routed")

    client = llmport.Client(transport=FakeTransport(answer))
    response = client.completion(model="gpt", messages=USER, model_list=[entry("a"), entry("b")])
    assert response.choices[0].message.content == "routed"
    assert sum(hits.values()) == 1


async def test_acompletion_with_a_model_list_serves_one_call() -> None:
    client = llmport.Client(transport=FakeTransport(lambda request: chat("routed")))
    response = await client.acompletion(model="gpt", messages=USER, model_list=[entry("a")])
    assert response._hidden_params["model_group"] == "gpt"


@pytest.mark.parametrize(
    ("model_list", "param"),
    [
        ([], "model_list"),
        ("gpt", "model_list"),
        ([{"litellm_params": {"model": "openai/x"}}], "model_list[0].model_name"),
        ([{"model_name": "g"}], "model_list[0].litellm_params"),
        ([{"model_name": "g", "litellm_params": {"api_base": "x"}}], "model_list[0].litellm_params"),
        ([{"model_name": "g", "litellm_params": {"model": "openai/x", "rpm": 0}}], "model_list[0].rpm"),
        ([{"model_name": "g", "litellm_params": {"model": "openai/x"}, "tpm": "many"}], "model_list[0].tpm"),
        (
            [{"model_name": "g", "litellm_params": {"model": "openai/x", "weight": -1}}],
            "model_list[0].weight",
        ),
    ],
)
def test_a_bad_model_list_names_the_field(model_list: Any, param: str) -> None:
    with pytest.raises(llmport.BadRequestError) as caught:
        llmport.Router(model_list, client=llmport.Client(transport=FakeTransport(lambda r: chat())))
    assert caught.value.param == param


@pytest.mark.parametrize(
    ("settings", "param"),
    [
        ({"routing_strategy": "round-robin"}, "routing_strategy"),
        ({"num_retries": -1}, "num_retries"),
        ({"allowed_fails": 1.5}, "allowed_fails"),
        ({"cooldown_time": float("nan")}, "cooldown_time"),
        ({"fallbacks": [{"gpt": ["nowhere"]}]}, "fallbacks"),
        ({"fallbacks": {"gpt": "x"}}, "fallbacks"),
    ],
)
def test_bad_router_settings_name_the_field(settings: dict[str, Any], param: str) -> None:
    with pytest.raises(llmport.BadRequestError) as caught:
        llmport.Router(
            [entry("a")], client=llmport.Client(transport=FakeTransport(lambda r: chat())), **settings
        )
    assert caught.value.param == param


def test_an_unknown_group_names_the_model() -> None:
    fleet = Fleet([entry("a")])
    with pytest.raises(llmport.BadRequestError, match="no deployment of 'claude'") as caught:
        fleet.ask("claude")
    assert caught.value.param == "model"


def test_the_router_repr_and_logs_hold_no_key() -> None:
    fleet = Fleet([entry("a"), entry("b")])
    fleet.answers["a"] = lambda: error(401)
    for _ in range(5):
        fleet.ask()
    text = repr(fleet.router) + repr(fleet.router.groups) + repr([e.fields for e in fleet.logger.events])
    assert "sk-a-key-1234" not in text
    assert "sk-b-key-1234" not in text


def test_a_router_whose_redis_is_down_keeps_routing_and_says_so_once() -> None:
    from tests.redis_server import free_port

    transport = FakeTransport(lambda request: chat("served"))
    logger = MemoryLogger(level="INFO")
    client = llmport.Client(transport=transport, logger=logger)
    router = llmport.Router(
        [entry("a", rpm=1)], client=client, redis_url=f"redis://127.0.0.1:{free_port()}/0"
    )
    answers = [router.completion("gpt", USER).choices[0].message.content for _ in range(3)]
    assert answers == ["served"] * 3, "no limits while the state is unreachable, never a failed call"
    outages = [e for e in logger.events if "Router state in Redis" in e.message]
    assert [e.level for e in outages] == ["WARNING"]
    router.close()


async def test_two_async_routers_share_one_rpm_window_through_redis(redis_url: str) -> None:
    import uuid

    namespace = f"async-{uuid.uuid4().hex}"
    fleets = [Fleet([entry("a", rpm=3)], redis_url=redis_url, namespace=namespace) for _ in range(2)]
    served = refused = 0
    for n in range(8):
        try:
            await fleets[n % 2].router.acompletion("gpt", USER)
            served += 1
        except llmport.RateLimitError:
            refused += 1
    assert (served, refused) == (3, 5)
    assert sum(sum(f.hits.values()) for f in fleets) == 3
    for fleet in fleets:
        fleet.router.close()


def test_module_level_completion_takes_a_model_list() -> None:
    client = llmport.Client(transport=FakeTransport(lambda request: chat("via module")))
    with llmport.use_client(client):
        response = llmport.completion(model="gpt", messages=USER, model_list=[entry("a"), entry("b")])
    assert response.choices[0].message.content == "via module"
    assert response._hidden_params["model_group"] == "gpt"


def test_the_inner_call_carries_litellms_router_metadata(monkeypatch: pytest.MonkeyPatch) -> None:
    fleet = Fleet([entry("a")])
    seen: list[Any] = []
    original = fleet.client.dispatcher.complete

    def spy(request: Any) -> Any:
        seen.append(request.options.metadata)
        return original(request)

    monkeypatch.setattr(fleet.client.dispatcher, "complete", spy)
    fleet.ask(metadata={"trace": "t-1"})
    [metadata] = seen
    assert metadata["trace"] == "t-1"
    assert metadata["model_group"] == "gpt"
    assert metadata["deployment"] == "openai/gpt-4o"
    assert metadata["model_info"]["id"].startswith("gpt-0-")


def test_callbacks_see_the_chosen_deployment_and_the_failed_one() -> None:
    seen: list[tuple[str, dict[str, Any]]] = []

    def success(kwargs: dict[str, Any], response: Any, start: Any, end: Any) -> None:
        seen.append(("success", kwargs["litellm_params"]["metadata"]))

    def failure(kwargs: dict[str, Any], error: Any, start: Any, end: Any) -> None:
        seen.append(("failure", kwargs["litellm_params"]["metadata"]))

    transport = FakeTransport(lambda r: error(401) if deployment_of(r) == "a" else chat("from b"))
    client = llmport.Client(transport=transport, success_callback=[success], failure_callback=[failure])
    router = llmport.Router([entry("a"), entry("b")], client=client, seed=1, cooldown_time=60)
    for _ in range(4):
        router.completion("gpt", USER)
    ids = {d.params["api_base"]: d.id for d in router.groups["gpt"]}
    assert (
        "failure",
        {"model_group": "gpt", "deployment": "openai/gpt-4o", "model_info": {"id": ids[base("a")]}},
    ) in seen
    successes = [metadata for kind, metadata in seen if kind == "success"]
    assert len(successes) == 4
    assert all(m["model_info"]["id"] == ids[base("b")] and m["model_group"] == "gpt" for m in successes)
