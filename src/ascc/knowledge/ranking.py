"""From a query's scored matches to what a search shows: filters, facets, a page, pages of documents.

The backend scores every match in one statement (:meth:`ascc.knowledge.backends.Backend.scored`;
FTS5's ``bm25`` counts each term's rows over the whole index once per statement, so a second
statement for a total, facets or a group's passages would cost that again). Everything else a
search needs of the matches (may this reader see it, does it pass the filters, which facet values
and which document it has) comes from the entries' columns in memory
(:mod:`ascc.knowledge.columns`), as array operations over the match set.

Ranking is by score (a heading's weighed by :data:`HEADING_WEIGHT`), best first, ties by entry id. Grouped by document, a result is a document
(its entry and its passages together) or a record (an entry without a document), ranked by its
best match (ties as those best matches rank); it lists its ``per`` best matches.
"""

from __future__ import annotations

import dataclasses
from collections import Counter

import numpy as np

from ascc.knowledge.columns import NO_DOCUMENT, NO_YEAR, Columns

#: a heading's score is weighed by this: a heading (short, so BM25 and ``ts_rank_cd`` score it high,
#: and its words are its document's title's words when it echoes the title) ranks below a paragraph
#: that holds the same words and more (tested on the seeds' headings, both backends)
HEADING_WEIGHT = 0.5
#: a passage is weighed by ``OWN_FLOOR + (1 − OWN_FLOOR) × share²``, ``share`` the share of the
#: query's words its own text holds (a word held only in translation counts half): every passage
#: carries its document's title, so a short passage holding few of the query's words itself (a list
#: item, a table row) would otherwise outrank the paragraph that answers
OWN_FLOOR = 0.25
#: how many of the best matches are weighed so (the rest keep their order below them)
OWN_WINDOW = 100


@dataclasses.dataclass(frozen=True)
class Filters:
    kinds: tuple[str, ...] = ()
    sector: str | None = None
    language: str | None = None
    year: int | None = None
    audiences: tuple[str, ...] = ("public",)
    no_headings: bool = False


@dataclasses.dataclass(frozen=True)
class Match:
    id: int
    score: float


@dataclasses.dataclass(frozen=True)
class Group:
    best: float
    matches: list[Match]  # best first, at most ``per``


@dataclasses.dataclass(frozen=True)
class Found:
    """The matches that pass the filters, ranked: entry ids, scores and rows in the columns."""

    ids: np.ndarray
    scores: np.ndarray
    rows: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)


def found(cols: Columns, ids: np.ndarray, scores: np.ndarray, filters: Filters) -> Found:
    """The scored matches the reader may see and that pass the filters, best first."""
    rows = cols.rows(ids)
    known = rows >= 0  # an entry written after the columns were read is not shown yet
    ids, scores, rows = ids[known], scores[known], rows[known]
    keep = np.isin(cols.audience[rows], cols.codes(cols.audiences, lambda a: a in filters.audiences))
    if filters.kinds:
        keep &= np.isin(cols.kind[rows], cols.codes(cols.kinds, lambda k: k in filters.kinds))
    if filters.sector:
        keep &= np.isin(cols.sectors[rows], cols.codes(cols.sector_sets, lambda s: filters.sector in s))
    if filters.language:
        keep &= np.isin(cols.languages[rows], cols.codes(cols.language_sets, lambda s: filters.language in s))
    if filters.year is not None:
        keep &= cols.year[rows] == filters.year
    if filters.no_headings:
        keep &= ~cols.heading[rows]
    ids, scores, rows = ids[keep], scores[keep], rows[keep]
    scores = np.where(cols.heading[rows], scores * HEADING_WEIGHT, scores)
    order = np.lexsort((ids, -scores))
    return Found(ids[order], scores[order], rows[order])


def facets(cols: Columns, hits: Found) -> dict[str, Counter]:
    """How many matches have each type, sector, language and year."""

    def per_set(codes: np.ndarray, sets: tuple[tuple[str, ...], ...]) -> Counter:
        out: Counter = Counter()
        for code, n in enumerate(np.bincount(codes, minlength=len(sets)).tolist()):
            for value in sets[code] if n else ():
                out[value] += n
        return out

    kinds = np.bincount(cols.kind[hits.rows], minlength=len(cols.kinds)).tolist()
    years = cols.year[hits.rows]
    values, counts = np.unique(years[years != NO_YEAR], return_counts=True)
    return {
        "type": Counter({cols.kinds[i]: n for i, n in enumerate(kinds) if n}),
        "sector": per_set(cols.sectors[hits.rows], cols.sector_sets),
        "language": per_set(cols.languages[hits.rows], cols.language_sets),
        "year": Counter({str(v): n for v, n in zip(values.tolist(), counts.tolist(), strict=True)}),
    }


def _matches(hits: Found, at: np.ndarray | slice) -> list[Match]:
    return [Match(i, s) for i, s in zip(hits.ids[at].tolist(), hits.scores[at].tolist(), strict=True)]


def page(hits: Found, *, limit: int, offset: int) -> list[Match]:
    """One page of the ranked matches."""
    return _matches(hits, slice(offset, offset + limit))


def grouped(cols: Columns, hits: Found, *, limit: int, offset: int, per: int = 3) -> tuple[int, list[Group]]:
    """How many groups there are, and one page of them with their best ``per`` matches each."""
    document = cols.document[hits.rows]
    keys = np.where(document != NO_DOCUMENT, document, -hits.ids - 1)  # a record is a group of its own
    _, first = np.unique(keys, return_index=True)  # where each group's best match ranks
    chosen = keys[np.sort(first)[offset : offset + limit]]
    # the chosen groups' matches in rank order, grouped by group (stably), the first ``per`` of each
    at = np.flatnonzero(np.isin(keys, chosen))
    at = at[np.argsort(keys[at], kind="stable")]
    run = keys[at]
    at = at[np.arange(len(at)) - np.searchsorted(run, run) < per]
    members: dict[int, list[Match]] = {key: [] for key in chosen.tolist()}
    for key, match in zip(keys[at].tolist(), _matches(hits, at), strict=True):
        members[key].append(match)
    return len(first), [Group(m[0].score, m) for m in members.values()]


def weighed_by_own_words(
    cols: Columns, hits: Found, held: np.ndarray, translated: np.ndarray, passage: np.ndarray, words: int
) -> Found:
    """The first ``len(held)`` matches (at most :data:`OWN_WINDOW`) ranked again.

    ``held``: per match, the query's words (bits, one per word) its own text holds; ``translated``:
    those it holds only in translation; ``passage``: which matches are passages. A passage's score
    is weighed by the share of the words it holds itself; a heading then ranks below every
    paragraph among them that holds its words and more."""
    n = len(held)
    if not n or not words:
        return hits
    count = np.array([bin(h).count("1") for h in held.tolist()], dtype=np.float64)
    half = np.array([bin(h).count("1") for h in translated.tolist()], dtype=np.float64)
    share = (count - 0.5 * half) / words
    scores = hits.scores.copy()
    top = scores[:n] * np.where(passage, OWN_FLOOR + (1.0 - OWN_FLOOR) * share**2, 1.0)
    heading = passage & cols.heading[hits.rows[:n]]
    paragraph = passage & ~heading
    for i in np.flatnonzero(heading).tolist():
        covers = paragraph & ((held & held[i]) == held[i])
        if covers.any():
            top[i] = min(top[i], float(top[covers].min()) * (1.0 - 1e-9))
    scores[:n] = top
    order = np.r_[np.lexsort((hits.ids[:n], -top)), np.arange(n, len(hits))]
    return Found(hits.ids[order], scores[order], hits.rows[order])
