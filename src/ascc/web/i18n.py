"""Languages: gettext catalogs (Babel ``.po`` files) and the choice of language per request.

Order of choice: ``?lang=`` (and it is remembered in a cookie), the ``lang`` cookie, the browser's
``Accept-Language``, then English. Catalogs are compiled from the ``.po`` files at start-up, so
there is no build step and no stale ``.mo`` file.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from starlette.requests import Request

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ("en", "id")
LANGUAGE_NAMES = {"en": "English", "id": "Bahasa Indonesia"}
COOKIE = "lang"


@cache
def translations(lang: str) -> gettext.NullTranslations:
    po = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return gettext.NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def negotiate(accept_language: str | None) -> str | None:
    if not accept_language:
        return None
    prefs: list[tuple[float, str]] = []
    for part in accept_language.split(","):
        bits = part.strip().split(";")
        tag = bits[0].strip()
        q = 1.0
        for b in bits[1:]:
            if b.strip().startswith("q="):
                try:
                    q = float(b.strip()[2:])
                except ValueError:
                    q = 0.0
        if tag:
            prefs.append((q, tag))
    prefs.sort(key=lambda p: -p[0])
    tags = [t.replace("-", "_") for _, t in prefs if t != "*"]
    try:
        found = Locale.negotiate(tags, list(LANGUAGES), sep="_")
    except (UnknownLocaleError, ValueError):
        return None
    if found is None:
        # "ms" (Malay) readers are better served by Bahasa Indonesia than English
        return "id" if any(t.split("_")[0] in ("id", "in", "ms") for t in tags) else None
    return str(found.language)


def choose_language(request: Request) -> tuple[str, bool]:
    """The language for this request, and whether it was asked for explicitly (to remember)."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked, True
    cookie = request.cookies.get(COOKIE)
    if cookie in LANGUAGES:
        return cookie, False
    return negotiate(request.headers.get("accept-language")) or "en", False
