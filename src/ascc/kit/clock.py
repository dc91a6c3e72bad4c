"""The platform's one clock: :func:`now`, the current time in UTC.

Services ask it rather than ``datetime.now`` so that a test can set the time the whole process
sees (:func:`frozen`) — for deadlines, reminders and "adopted at" — instead of waiting or patching
each module. The setting is process-wide (a served app answers in other threads), so it is for
tests only; a server started as a separate process keeps the real time.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_fixed: list[dt.datetime] = []


def now() -> dt.datetime:
    """The current time, timezone-aware in UTC (the frozen time inside :func:`frozen`)."""
    return _fixed[-1] if _fixed else dt.datetime.now(dt.UTC)


@contextmanager
def frozen(at: dt.datetime) -> Iterator[dt.datetime]:
    """Within the block, :func:`now` answers ``at`` (a naive time is taken as UTC)."""
    at = at if at.tzinfo else at.replace(tzinfo=dt.UTC)
    with _lock:
        _fixed.append(at.astimezone(dt.UTC))
    try:
        yield at
    finally:
        with _lock:
            _fixed.remove(at.astimezone(dt.UTC))


def today() -> dt.date:
    """Today's date in UTC (the platform's dates of record are UTC dates)."""
    return now().date()
