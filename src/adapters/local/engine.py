"""Loading GGUF models once and running chat generations on them, one at a time per model.

llama-cpp-python is imported on the first load only. Its ``create_chat_completion`` already
returns OpenAI-shaped dicts and chunks; this module runs ``n`` choices one after another, merges
them into one answer (or one stream), and counts tokens for a stream's usage chunk.
"""

from __future__ import annotations

import importlib
import queue
import threading
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .models import EXTRA_INSTALL, LocalError, resolve_model_file
from .params import Generation


class ChatModel(Protocol):
    """What llmport needs of a loaded model: llama-cpp-python's ``Llama.create_chat_completion``."""

    def create_chat_completion(self, **kwargs: Any) -> Any:
        """Return a chat completion dict, or an iterator of chunk dicts when ``stream=True``."""
        ...


@dataclass(frozen=True)
class LoadOptions:
    """How a model file is loaded (the same for every model of one transport).

    Attributes:
        n_ctx: Context size in tokens.
        n_threads: CPU threads for generation (None: llama.cpp's choice).
        seed: The model's initial RNG seed (None: llama.cpp's default); a call's ``seed`` overrides it.
        verbose: Let llama.cpp print its load and timing logs to stderr.
    """

    n_ctx: int = 2048
    n_threads: int | None = None
    seed: int | None = None
    verbose: bool = False


ModelLoader = Callable[[Path, LoadOptions], ChatModel]


def load_llama(path: Path, options: LoadOptions) -> ChatModel:
    """Load a GGUF file with llama-cpp-python (imported here, on first use).

    Raises:
        LocalError: 400 naming ``pip install 'llmport[local]'`` when llama-cpp-python is
            missing, or naming the file when llama.cpp cannot load it.
    """
    try:
        llama_cpp = importlib.import_module("llama_cpp")
    except ImportError:
        raise LocalError(
            400,
            f"local models need llama-cpp-python, which is not installed: {EXTRA_INSTALL}",
            "missing_extra",
        ) from None
    kwargs: dict[str, Any] = {"model_path": str(path), "n_ctx": options.n_ctx, "verbose": options.verbose}
    if options.n_threads is not None:
        kwargs["n_threads"] = options.n_threads
    if options.seed is not None:
        kwargs["seed"] = options.seed
    try:
        model: ChatModel = llama_cpp.Llama(**kwargs)
    except (ValueError, RuntimeError) as error:
        raise LocalError(
            400, f"llama.cpp cannot load {path}: {error}", "model_load_failed", "model"
        ) from None
    return model


@dataclass
class _Loaded:
    model: ChatModel
    lock: threading.Lock = field(default_factory=threading.Lock)


class LocalEngine:
    """Loaded models by file, each with its lock; the generation entry points.

    Args:
        loader: Builds a model from a file (default: llama-cpp-python's ``Llama``).
        options: Load options passed to the loader.
    """

    def __init__(self, loader: ModelLoader = load_llama, options: LoadOptions | None = None) -> None:
        self._loader = loader
        self.options = options or LoadOptions()
        self._models: dict[Path, _Loaded] = {}
        self._guard = threading.Lock()

    def __repr__(self) -> str:
        return f"LocalEngine(models={[path.name for path in self._models]})"

    @property
    def loaded(self) -> tuple[Path, ...]:
        """The files loaded so far."""
        return tuple(self._models)

    def complete(self, generation: Generation) -> dict[str, Any]:
        """Run ``n`` generations one after another and return one OpenAI chat completion."""
        entry = self._entry(generation.model)
        with entry.lock:
            answers = [
                _generate(entry.model, generation, index, stream=False) for index in range(generation.n)
            ]
        return _merged(answers)

    def open_stream(self, generation: Generation) -> LocalStream:
        """Start a streamed generation; its first chunk is computed before this returns."""
        entry = self._entry(generation.model)
        return LocalStream(_stream_chunks(entry.model, generation), entry.lock)

    def close(self) -> None:
        """Free every idle loaded model; a later call loads again.

        A model still generating (a stream nobody closed) is left to the garbage collector rather
        than waited for: closing a client must never hang.
        """
        with self._guard:
            entries, self._models = list(self._models.values()), {}
        for entry in entries:
            if entry.lock.acquire(blocking=False):
                try:
                    release = getattr(entry.model, "close", None)
                    if callable(release):
                        release()
                finally:
                    entry.lock.release()

    def _entry(self, name: str) -> _Loaded:
        path = resolve_model_file(name)
        with self._guard:
            entry = self._models.get(path)
            if entry is None:
                entry = self._models[path] = _Loaded(self._loader(path, self.options))
        return entry


class LocalStream:
    """Chunk dicts of a streamed generation, produced by a thread of its own under the model's lock.

    The producer holds the lock for the generation only, never waiting on the reader: a stream
    abandoned without ``close()`` finishes its generation (bounded by ``max_tokens`` and the
    context) and frees the model, so the next call cannot deadlock. ``close()`` stops it at the
    next token. The first chunk (or the failure) is awaited before the constructor returns.
    """

    def __init__(self, chunks: Generator[dict[str, Any], None, None], model_lock: threading.Lock) -> None:
        self._queue: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        self._stopping = threading.Event()
        self._done = False
        producer = threading.Thread(
            target=self._produce, args=(chunks, model_lock), name="llmport-local-stream"
        )
        producer.start()
        self._first: dict[str, Any] | None = self._take()

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return self

    def __next__(self) -> dict[str, Any]:
        if self._first is not None:
            first, self._first = self._first, None
            return first
        chunk = self._take()
        if chunk is None:
            raise StopIteration
        return chunk

    def close(self) -> None:
        """Stop the generation at its next token (idempotent); the producer frees the model."""
        self._stopping.set()
        self._done = True

    def _take(self) -> dict[str, Any] | None:
        if self._done:
            return None
        kind, value = self._queue.get()
        if kind == "chunk":
            chunk: dict[str, Any] = value
            return chunk
        self._done = True
        if kind == "error":
            raise value
        return None

    def _produce(self, chunks: Generator[dict[str, Any], None, None], model_lock: threading.Lock) -> None:
        try:
            with model_lock:
                try:
                    with _mapped_failures():
                        for chunk in chunks:
                            if self._stopping.is_set():
                                break
                            self._queue.put(("chunk", chunk))
                finally:
                    chunks.close()  # still under the lock: llama.cpp's own generator cleans up here
            self._queue.put(("end", None))
        except BaseException as error:  # handed to the reader, who raises it
            self._queue.put(("error", error))


def _generate(model: ChatModel, generation: Generation, index: int, *, stream: bool, **extra: Any) -> Any:
    kwargs = dict(generation.kwargs)
    if "seed" in kwargs:
        kwargs["seed"] += index  # one seed, n different choices, as OpenAI's n does
    with _mapped_failures():
        return model.create_chat_completion(
            messages=generation.messages, model=generation.model, stream=stream, **kwargs, **extra
        )


def _merged(answers: list[dict[str, Any]]) -> dict[str, Any]:
    merged = dict(answers[0])
    merged["choices"] = [
        {**choice, "index": index} for index, answer in enumerate(answers) for choice in answer["choices"]
    ]
    completion = sum(answer.get("usage", {}).get("completion_tokens", 0) for answer in answers)
    prompt = answers[0].get("usage", {}).get("prompt_tokens", 0)
    merged["usage"] = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }
    return merged


def _stream_chunks(model: ChatModel, generation: Generation) -> Generator[dict[str, Any], None, None]:
    counter = TokenCounter()
    extra = {"logits_processor": [counter]} if generation.include_usage else {}
    stream_id: str | None = None
    created = int(time.time())
    finished_by_eos = 0
    # A "stop" finish is the end-of-text token unless the caller's stop strings may have caused it.
    eos_means_stop = not generation.kwargs.get("stop")
    for index in range(generation.n):
        for chunk in _generate(model, generation, index, stream=True, **extra):
            stream_id = stream_id or chunk.get("id")
            for choice in chunk.get("choices", ()):
                choice["index"] = index
                finished_by_eos += eos_means_stop and choice.get("finish_reason") == "stop"
            yield {**chunk, "id": stream_id}
    if generation.include_usage:
        yield {
            "id": stream_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": generation.model,
            "choices": [],
            "usage": counter.usage(finished_by_eos),
        }


class TokenCounter:
    """A llama.cpp logits processor that only counts: the prompt's length and the sampling steps.

    llama-cpp-python reports no usage in streams; this gives the same counts as its non-streamed
    answers (a generation ended by the end-of-text token sampled it without emitting it). When
    the caller's stop strings may have ended a choice, that choice counts one token more than
    llama.cpp would if it in fact ended on end-of-text.
    """

    def __init__(self) -> None:
        self.prompt_tokens: int | None = None
        self.steps = 0

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        """Count one sampling step; the scores pass through unchanged."""
        if self.prompt_tokens is None:
            self.prompt_tokens = len(input_ids)
        self.steps += 1
        return scores

    def usage(self, finished_by_eos: int) -> dict[str, int]:
        """Usage so far, ``finished_by_eos`` generations having stopped on end-of-text."""
        prompt = self.prompt_tokens or 0
        completion = max(self.steps - finished_by_eos, 0)
        return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


@contextmanager
def _mapped_failures() -> Iterator[None]:
    """llama-cpp-python raises ValueError for a prompt longer than the context; answer 400 for it."""
    try:
        yield
    except ValueError as error:
        text = str(error)
        if "context" in text.lower():
            raise LocalError(400, text, "context_length_exceeded", "messages") from None
        raise LocalError(400, text) from None
    except RuntimeError as error:
        raise LocalError(500, f"llama.cpp failed: {error}", "local_generation_failed") from None
