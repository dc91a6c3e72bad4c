"""Stable content digests (ETags, reference-record fingerprints)."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def digest(value: Any) -> str:
    """SHA-256 of the canonical JSON of ``value`` (sorted keys, dates as ISO strings), 32 hex chars."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]
