"""The session signing keys of an instance: a key file, one key a line, the first signs.

Keys after the first still verify cookies they signed, so a rotation (``ascc secret rotate``)
signs every new cookie with a fresh key and keeps the sessions of the day valid until the previous
keys are dropped (``ascc secret drop``). The file is written with mode 600, replaced atomically.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

#: the default key of earlier versions, published in their source: never accepted
PUBLISHED_KEYS = frozenset({"dev-only-change-me"})
MIN_LENGTH = 16


def new_key() -> str:
    return secrets.token_urlsafe(48)


def fingerprint(key: str) -> str:
    """A short digest that names a key in listings without showing it."""
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def problem(key: str) -> str | None:
    """Why ``key`` cannot sign sessions, or None."""
    if key in PUBLISHED_KEYS:
        return "this key was published as a default in the source code; anyone can forge sessions with it"
    if len(key) < MIN_LENGTH:
        return f"a session key needs at least {MIN_LENGTH} characters"
    return None


def read(path: Path) -> list[str]:
    """The keys in ``path`` (newest first); none when the file does not exist."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def write(path: Path, keys: list[str]) -> None:
    """Replace the key file with ``keys`` (the first signs), readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # whatever the umask
        header = "# ASCC session signing keys: the first signs, all verify. Keep secret.\n"
        os.write(fd, (header + "".join(k + "\n" for k in keys)).encode())
    finally:
        os.close(fd)
    os.replace(tmp, path)


def ensure(path: Path) -> bool:
    """Create ``path`` with a fresh key unless it holds one; True when a key was generated."""
    if read(path):
        return False
    write(path, [new_key()])
    return True


def rotate(path: Path) -> list[str]:
    """Put a fresh key first; the previous keys still verify. Returns the keys, newest first."""
    keys = [new_key(), *read(path)]
    write(path, keys)
    return keys


def drop(path: Path) -> int:
    """Keep only the signing key: cookies signed by the previous keys stop working. Returns how many
    keys were dropped."""
    keys = read(path)
    if len(keys) > 1:
        write(path, keys[:1])
    return max(len(keys) - 1, 0)
