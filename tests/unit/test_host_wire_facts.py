"""Two wire facts of OpenAI-compatible hosts: Groq's x_groq.usage, Together's "eos" finish reason."""

from __future__ import annotations

import llmport
from llmport.testing import FakeClock, FakeTransport, HttpResponse, from_sse

USER = [{"role": "user", "content": "hi"}]

# The first and last chunks of a recorded Groq stream (openinference llama-index cassette
# TestTokenCounts.test_groq, see tests/contract/fixtures/NOTICE): usage only in x_groq.usage.
GROQ_FIRST = (
    '{"id":"chatcmpl-1129f181-aa34-4fd9-be3d-0e9889cbd109","object":"chat.completion.chunk","created":1743732885,'
    '"model":"llama3-8b-8192","system_fingerprint":"fp_a97cfe35ae","choices":[{"index":0,"delta":{"role":'
    '"assistant","content":""},"logprobs":null,"finish_reason":null}],"x_groq":{"id":"req_01jqz98j8aebc9adbjntxg8qwg"}}'
)
GROQ_LAST = (
    '{"id":"chatcmpl-1129f181-aa34-4fd9-be3d-0e9889cbd109","object":"chat.completion.chunk","created":1743732885,'
    '"model":"llama3-8b-8192","system_fingerprint":"fp_a97cfe35ae","choices":[{"index":0,"delta":{},"logprobs":null,'
    '"finish_reason":"stop"}],"x_groq":{"id":"req_01jqz98j8aebc9adbjntxg8qwg","usage":{"queue_time":0.018265729,'
    '"prompt_tokens":12,"prompt_time":0.001803869,"completion_tokens":26,"completion_time":0.021666667,'
    '"total_tokens":38,"total_time":0.023470536}}}'
)


def _client(answer: HttpResponse) -> llmport.Client:
    return llmport.Client(transport=FakeTransport(lambda request: answer), clock=FakeClock(), api_key="k")


def test_groq_stream_usage_in_x_groq_becomes_the_chunk_usage() -> None:
    with _client(from_sse([GROQ_FIRST, GROQ_LAST])) as client:
        chunks = list(client.completion("groq/llama3-8b-8192", USER, stream=True))
    assert chunks[-1].choices[0].finish_reason == "stop"
    usage = chunks[-1].usage
    assert usage is not None
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (12, 26, 38)


def test_together_eos_finish_reason_is_stop_streamed_and_not() -> None:
    chunk = {
        "id": "c",
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": {"content": "hi"}}],
    }
    last = {**chunk, "choices": [{"index": 0, "delta": {}, "finish_reason": "eos"}]}
    with _client(from_sse([chunk, last])) as client:
        chunks = list(client.completion("together_ai/m", USER, stream=True))
    assert [c.choices[0].finish_reason for c in chunks] == [None, "stop"]
    body = {
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "eos"}]
    }
    with _client(HttpResponse.from_json(body)) as client:
        assert client.completion("together_ai/m", USER).choices[0].finish_reason == "stop"
