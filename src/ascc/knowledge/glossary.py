"""Queries expanded across Indonesian and English: the curated glossary and the registry's names.

A query does not say its language, and the texts are in either: "consensus decision making" should
find seed 001's "pengambilan keputusan … bersifat konsensus", "komisi HAM antar pemerintah" the
ASEAN Intergovernmental Commission on Human Rights. Two parallel lexicons give each term its
equivalents:

- the glossary (``data/glossary.yaml``): the field's terms in both languages, each entry with the
  source of its pairing (a seed giving both forms, a registry record named in both, ASEAN's own
  English name, the dictionary);
- the registry: every body and programme's acronym, English and Indonesian names, every plan's
  English and Indonesian titles, every sector, member state and partner's names, read with the search's lexicon
  (:func:`ascc.knowledge.index.lexicon`, so kept for a minute and rebuilt when names are written).

A term of the query (one word or several in a row, matched as the index matches words: folded,
either language's stem) adds its equivalents' words to the query's words it covers, as
alternatives: each word of the query is then found by itself or by a translation. The added terms
weigh less than the user's own (:data:`EXPANSION_WEIGHT`), and the search shows what it also
searched for.
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from pathlib import Path

import yaml

from ascc.knowledge import text as t

GLOSSARY = Path(__file__).parent / "data" / "glossary.yaml"
#: how much a term only an expansion brought weighs against the user's own words
EXPANSION_WEIGHT = 0.5
#: at most this many expansions are shown
SHOWN = 12


@dataclasses.dataclass(frozen=True)
class Query:
    """An analysed query: one slot per content word of the user's.

    ``groups[i]`` are the index terms slot ``i`` matches (the word's forms, then its expansions';
    an expansion of several words is one alternative, ``"a/a2 b/b2"``: every word, in any form),
    ``words[i]`` the user's word (folded), ``extra[i]`` the expansions' phrases covering it (folded
    words, for PostgreSQL's configurations), ``lesser`` the index terms only an expansion brought,
    ``also`` the expansions to show."""

    groups: list[list[str]]
    words: list[str]
    extra: list[list[str]]
    lesser: frozenset[str]
    also: list[str]
    flat: list[list[str]]  # per slot every single term (a conjunction's words too): for snippets


def _forms(word: str) -> list[str]:
    return list(dict.fromkeys([t.stem_id(word), t.stem_en(word), word]))


def _match_id(word: str) -> str:
    return word  # Indonesian terms match as written (Sastrawi's stems join "putus" and "keputusan")


def _match_en(word: str) -> str:
    return t.stem_en(word)  # English terms match in any inflection ("decisions", "children")


class Parallel:
    """Pairs of equivalent terms, Indonesian and English; :meth:`find` gives, for a query's tokens,
    each term found (its span) and its equivalents in the other language."""

    def __init__(self, pairs: list[tuple[list[str], list[str]]]) -> None:
        #: first word's match form → (language, the term's words, the other language's terms)
        self._by_first: dict[str, list[tuple[str, tuple[str, ...], tuple[str, ...]]]] = {}
        for id_terms, en_terms in pairs:
            sides = {
                lang: [tuple(t.tokens(x)) for x in terms if x and x.strip()]
                for lang, terms in (("id", id_terms), ("en", en_terms))
            }
            for lang, other in (("id", "en"), ("en", "id")):
                others = tuple(dict.fromkeys(" ".join(o) for o in sides[other] if o))
                for toks in sides[lang]:
                    if toks and others:
                        first = (_match_id if lang == "id" else _match_en)(toks[0])
                        self._by_first.setdefault(first, []).append((lang, toks, others))

    def __len__(self) -> int:
        return len(self._by_first)

    def find(self, toks: list[str]) -> list[tuple[int, int, tuple[str, ...]]]:
        """``(start, end, equivalents)`` of every term found in ``toks`` (``toks[start:end]``)."""
        keys = {"id": [_match_id(w) for w in toks], "en": [_match_en(w) for w in toks]}
        found: dict[tuple[int, int], dict[str, None]] = {}
        for i in range(len(toks)):
            for first in {keys["id"][i], keys["en"][i]}:
                for lang, phrase, others in self._by_first.get(first, ()):
                    end = i + len(phrase)
                    match = _match_id if lang == "id" else _match_en
                    if end <= len(toks) and all(keys[lang][i + k] == match(w) for k, w in enumerate(phrase)):
                        found.setdefault((i, end), {}).update(dict.fromkeys(others))
        return [(a, b, tuple(o)) for (a, b), o in found.items()]


@lru_cache(maxsize=1)
def entries() -> tuple[dict, ...]:
    """The glossary's entries: ``id`` and ``en`` terms, ``source``."""
    return tuple(yaml.safe_load(GLOSSARY.read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def glossary() -> Parallel:
    return Parallel([(list(e.get("id", [])), list(e.get("en", []))) for e in entries()])


def expand(q: str, lexicons: list[Parallel] | None = None) -> Query:
    """The query's slots (:func:`ascc.knowledge.text.query_groups`), each with the equivalents of
    the terms covering it in ``lexicons`` (the glossary alone by default)."""
    toks = t.tokens(q)[:32]
    content = [i for i, w in enumerate(toks) if w not in t.STOPWORDS] or list(range(len(toks)))
    slots: list[int] = []  # token index → slot (or -1): de-duplicated as query_groups does
    groups: list[list[str]] = []
    words: list[str] = []
    seen: dict[tuple[str, ...], int] = {}
    chosen = set(content)
    for i, w in enumerate(toks):
        if i not in chosen:
            slots.append(-1)
            continue
        alts = tuple(_forms(w))
        if alts not in seen:
            seen[alts] = len(groups)
            groups.append(list(alts))
            words.append(w)
        slots.append(seen[alts])
    own = {term for g in groups for term in g}
    flat = [list(g) for g in groups]
    extra: list[list[str]] = [[] for _ in groups]
    lesser: set[str] = set()
    also: dict[str, None] = {}
    for lexicon in lexicons if lexicons is not None else [glossary()]:
        for start, end, others in lexicon.find(toks):
            covered = sorted({slots[k] for k in range(start, end) if slots[k] >= 0})
            if not covered:
                continue
            for phrase in others:
                new = [w for w in phrase.split() if w not in t.STOPWORDS]
                if not new:
                    continue
                # one word: its forms are alternatives; several: all of them together (a conjunction)
                alt = (
                    "/".join(_forms(new[0])) if len(new) == 1 else " ".join("/".join(_forms(w)) for w in new)
                )
                terms = alt.split("/") if len(new) == 1 else [alt]
                if set(terms) <= own:
                    continue
                also[phrase] = None
                for slot in covered:
                    if phrase not in extra[slot]:
                        extra[slot].append(phrase)
                    for term in terms:
                        if term not in groups[slot]:
                            groups[slot].append(term)
                            lesser.add(term)
                    flat[slot].extend(f for w in new for f in _forms(w) if f not in flat[slot])
    return Query(groups, words, extra, frozenset(lesser - own), list(also)[:SHOWN], flat)
