"""Tracebacks without llmport's locals: what loguru's ``diagnose=True`` or Sentry would print.

An exception keeps every frame it passed through, and each frame its local variables: the
caller's arguments (its key), a raw provider body (a key the provider echoed). Where an
exception leaves llmport, the frames it has finished with are cleared; the public functions
also drop their own arguments before re-raising.
"""

from __future__ import annotations

import traceback


def forget_locals(error: BaseException) -> None:
    """Clear the local variables of every finished frame of ``error`` and of its cause/context chain.

    Frames still running (the caller's, the one handling ``error``) are left as they are.
    """
    seen: set[int] = set()
    chain: list[BaseException | None] = [error]
    while chain:
        current = chain.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        traceback.clear_frames(current.__traceback__)
        chain += [current.__cause__, current.__context__]
