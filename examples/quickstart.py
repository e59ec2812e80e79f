"""The quickstart `make quickstart` runs: llmport against a FAKE loopback OpenAI-compatible server.

No provider key and no network are needed: the server is llmport's own test double, and its
answers are canned text, not a model's. Point OPENAI_BASE_URL/OPENAI_API_KEY at a real
provider and the same code talks to it.
"""

from __future__ import annotations

import os

import llmport
from llmport.testing import FakeOpenAIServer

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


def main() -> None:
    """Run a plain, a streamed and a tool-calling completion against the fake server."""
    with FakeOpenAIServer() as server:
        print(f"NOTE: talking to llmport's FAKE OpenAI-compatible server at {server.base_url}")
        print("      (its answers are canned text, not a model's)\n")
        os.environ["OPENAI_BASE_URL"] = server.base_url
        os.environ["OPENAI_API_KEY"] = "sk-fake-demo-key"
        messages = [
            {"role": "system", "content": "You are a helpful assistant."},
            {"role": "user", "content": "What is the capital of France?"},
        ]

        response = llmport.completion(model="gpt-4o-mini", messages=messages, temperature=0)
        print("completion():", response.choices[0].message.content)
        print("usage:", response.usage.total_tokens, "tokens\n")

        print("stream=True: ", end="")
        for chunk in llmport.completion(model="gpt-4o-mini", messages=messages, stream=True):
            print(chunk.choices[0].delta.content or "", end="", flush=True)
        print("\n")

        tool_reply = llmport.completion(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": "What's the weather in Paris?"}],
            tools=[WEATHER_TOOL],
        )
        call = tool_reply.choices[0].message.tool_calls[0]  # type: ignore[index]
        print(f"tool call: {call.function.name}({call.function.arguments})")
        llmport.current_client().close()


if __name__ == "__main__":
    main()
