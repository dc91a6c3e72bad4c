"""Stable content digests (ETags, reference-record fingerprints)."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def digest(value: Any) -> str:
    """SHA-256 of the canonical JSON of ``value`` (sorted keys, dates as ISO strings), 32 hex chars."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def content_etag(value: Any) -> str:
    """A strong ETag for a record's representation (``value`` as JSON-ready data): it changes with
    any change the reader could see, and is the same on every process."""
    return '"' + digest(value) + '"'
