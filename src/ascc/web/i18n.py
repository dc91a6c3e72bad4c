"""Languages: gettext catalogs (Babel ``.po`` files) and the choice of language per request.

Order of choice: ``?lang=`` (and it is remembered in a cookie), the ``lang`` cookie, the browser's
``Accept-Language``, then English. Catalogs are compiled from the ``.po`` files at start-up, so
there is no build step and no stale ``.mo`` file.
"""

from __future__ import annotations

import gettext
import io
import math
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from starlette.requests import Request

from ascc.monitoring import precision

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


def number(value: float | None, lang: str, decimals: int = 0) -> str:
    """A value in the reader's number format with the indicator's precision: ``100,000`` in English,
    ``100.000`` in Indonesian; ``decimals`` places, always shown (``2.70``: a value published with
    two decimals), an integer without any. Empty for a missing or non-finite value."""
    if value is None or not math.isfinite(value):
        return ""
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(value, format=pattern, locale="id_ID" if lang == "id" else "en_GB")


def number_filter(lang: str) -> Callable[..., str]:
    """The ``number`` filter of the pages in ``lang``: ``{{ value|number(decimals) }}``; without
    ``decimals``, the value's own (at most ``precision.MAX_DECIMALS``); "–" for no value."""

    def number_of(value: float | None, decimals: int | None = None) -> str:
        if value is None:
            return "–"
        places = precision.decimals([value]) if decimals is None else decimals
        return number(value, lang, places) or "–"

    return number_of


def coverage_text(coverage: dict[str, Any], lang: str) -> str:
    """ "8 of 11 member states" in the reader's language."""
    return translations(lang).ngettext(
        "%(num)d of %(total)d member state", "%(num)d of %(total)d member states", coverage["member_states"]
    ) % {"num": coverage["reporting"], "total": coverage["member_states"]}


def partial_text(coverage: dict[str, Any], lang: str) -> str:
    """ "2024: 1 of 10 reported — partial": a period below the coverage rule, labelled as such."""
    return translations(lang).gettext("%(period)s: %(num)d of %(total)d reported — partial") % {
        "period": coverage["period"],
        "num": coverage["reporting"],
        "total": coverage["member_states"],
    }
