"""Checkpoints of the chain head, kept outside the database.

A checkpoint is one JSON line appended to a file the operator keeps (``ASCC_AUDIT_CHECKPOINTS``):
the sequence number and hash of the chain head and the time, signed with HMAC-SHA-256 when a key
file is given (``ASCC_AUDIT_KEY_FILE``; the key is never in the database). Whoever can write the
database can rewrite the whole chain and recompute every hash, or cut its tail and rewind the head:
the chain then verifies by itself, but no longer holds an entry with the hash a checkpoint recorded.
The file is created with mode 0600 and only ever appended to.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import os
from pathlib import Path

from ascc.kit import clock

MODE = 0o600


@dataclasses.dataclass(frozen=True)
class Checkpoint:
    line: int
    seq: int
    hash: str
    at: str
    mac: str | None


class CheckpointError(ValueError):
    """The checkpoints file cannot be trusted (altered line, bad signature, missing key)."""


def read_key(path: Path | None) -> bytes | None:
    if path is None:
        return None
    key = Path(path).read_bytes().strip()
    if len(key) < 16:
        raise CheckpointError(f"{path}: the key must have at least 16 bytes")
    return key


def _payload(seq: int, head: str, at: str) -> bytes:
    return json.dumps([seq, head, at], separators=(",", ":")).encode()


def _mac(key: bytes, seq: int, head: str, at: str) -> str:
    return hmac.new(key, _payload(seq, head, at), hashlib.sha256).hexdigest()


def append(path: Path, *, seq: int, head: str, key: bytes | None) -> Checkpoint:
    """Append a checkpoint of the head (``seq``, ``head``) to ``path``, created 0600 if new."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    at = clock.now().isoformat(timespec="seconds")
    record = {"seq": seq, "hash": head, "at": at, "mac": _mac(key, seq, head, at) if key else None}
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, MODE)
    try:
        os.fchmod(fd, MODE)
        os.write(fd, (json.dumps(record, separators=(",", ":")) + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return Checkpoint(len(path.read_text().splitlines()), seq, head, at, record["mac"])


def load(path: Path, *, key: bytes | None) -> list[Checkpoint]:
    """Every checkpoint in the file, each checked: well formed, in order, signed when a key is given."""
    out: list[Checkpoint] = []
    last = 0
    for n, text in enumerate(Path(path).read_text().splitlines(), start=1):
        if not text.strip():
            continue
        try:
            raw = json.loads(text)
            cp = Checkpoint(n, int(raw["seq"]), str(raw["hash"]), str(raw["at"]), raw.get("mac"))
        except (ValueError, KeyError, TypeError) as exc:
            raise CheckpointError(f"{path}, line {n}: not a checkpoint ({exc})") from None
        if key is not None:
            if not cp.mac:
                raise CheckpointError(f"{path}, line {n}: the checkpoint of entry {cp.seq} is not signed")
            if not hmac.compare_digest(cp.mac, _mac(key, cp.seq, cp.hash, cp.at)):
                raise CheckpointError(
                    f"{path}, line {n}: the signature of the checkpoint of entry {cp.seq} "
                    "does not match (altered, or another key)"
                )
        if cp.seq < last:
            raise CheckpointError(f"{path}, line {n}: entry {cp.seq} after a checkpoint of entry {last}")
        last = cp.seq
        out.append(cp)
    return out
