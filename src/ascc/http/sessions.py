"""The signed session cookie, with key rotation: the first key signs, every key verifies.

Starlette's ``SessionMiddleware`` signs with one key; itsdangerous takes a list (the last signs), so
cookies signed before a rotation stay valid until their key is dropped from the list.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import itsdangerous
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp

from ascc.config import Settings
from ascc.kit import keys as session_keys


def key_problem(settings: Settings) -> str | None:
    """Why the settings' keys cannot sign sessions (no key, a published or short key), or None."""
    found = settings.session_keys()
    if not found:
        return (
            f"no session signing key: run `ascc init` (writes {settings.key_path()}), set "
            "ASCC_SECRET_KEY, or use `ascc serve --dev` for a throwaway key"
        )
    for key in found:
        problem = session_keys.problem(key)
        if problem:
            return f"unusable session key {session_keys.fingerprint(key)}: {problem}"
    return None


class RotatingSessionMiddleware(SessionMiddleware):
    def __init__(self, app: ASGIApp, *, keys: Sequence[str], **options: Any) -> None:
        super().__init__(app, secret_key=keys[0], **options)
        self.signer = itsdangerous.TimestampSigner(list(reversed(keys)))
