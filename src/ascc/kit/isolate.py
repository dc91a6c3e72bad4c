"""Work on untrusted input in a child process, with a time limit and a memory limit.

A parser that runs away on a crafted file (a PDF whose content streams never end, a document that
expands to gigabytes) is killed when its time is up, and its memory never counts against the
server's. The child is a fresh interpreter (``python -m ascc.kit.isolate``: it shares no threads,
locks or connections with the server and imports only what the work needs); the function is named
by its module and name, and the arguments and the result travel pickled through its pipes. A
:class:`~ascc.kit.errors.DomainError` the function raises comes back as the same error.
"""

from __future__ import annotations

import importlib
import os
import pickle
import resource
import subprocess
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from ascc.kit.errors import DomainError

T = TypeVar("T")


class TimedOut(Exception):
    """The work did not finish within its time limit (the child was killed)."""


class Failed(Exception):
    """The child failed: it ran out of memory, crashed or raised something unexpected."""


def run(fn: Callable[..., T], *args: Any, seconds: float, memory: int | None = None) -> T:
    """``fn(*args)`` in a child process limited to ``seconds`` and ``memory`` bytes of address
    space; ``fn`` is a module-level function. Raises :class:`TimedOut` or :class:`Failed`, or the
    function's domain error."""
    job = pickle.dumps((fn.__module__, fn.__qualname__, args, memory), protocol=pickle.HIGHEST_PROTOCOL)
    env = os.environ | {"PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "ascc.kit.isolate"],
            input=job,
            capture_output=True,
            timeout=seconds,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise TimedOut(f"not finished after {seconds:g} s") from None
    try:
        kind, payload = pickle.loads(done.stdout)
    except Exception:  # no answer: killed (out of memory) or crashed
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise Failed(
            f"the worker ended without an answer (exit code {done.returncode}) {tail[0]}".strip()
        ) from None
    if kind == "ok":
        return payload
    if kind == "domain":
        cls, detail, state = payload
        exc = cls.__new__(cls)  # as it was raised, whatever its constructor takes
        Exception.__init__(exc, detail)
        exc.__dict__.update(state)
        raise exc
    raise Failed(payload)


def _main() -> None:
    module, name, args, memory = pickle.loads(sys.stdin.buffer.read())
    if memory:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    try:
        fn = importlib.import_module(module)
        for part in name.split("."):
            fn = getattr(fn, part)
        result: tuple[str, Any] = ("ok", fn(*args))
    except DomainError as exc:
        result = ("domain", (type(exc), exc.detail, vars(exc)))
    except MemoryError:
        result = ("failed", "it needs more memory than allowed")
    except Exception as exc:  # reported to the parent, which decides
        result = ("failed", f"{type(exc).__name__}: {exc}")
    try:
        out = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        out = pickle.dumps(("failed", "it needs more memory than allowed"))
    sys.stdout.buffer.write(out)
    sys.stdout.flush()


if __name__ == "__main__":
    _main()
