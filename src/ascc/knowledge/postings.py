"""The SQLite index's postings in memory: which entries hold each term, scored as FTS5 scores them.

FTS5's ``bm25`` reads, in every statement that calls it, each query term's whole document list to
count the term's rows, then visits every match for its term instances and size: for a common
word ("ASEAN" is in two thirds of the entries) that is most of a search's time. This module keeps
the same figures per process as numpy arrays (term → the rows holding it and its weighted
frequency in each; each row's length) and computes the score FTS5 computes,

    score = Σ over the query's terms  idf(term) · f · (k1 + 1) / (f + k1 · (1 − b + b · |D| / avgdl))

with FTS5's constants (k1 = 1.2, b = 0.75), its idf (``log((N − n + 0.5) / (n + 0.5))``, 1e-6
where that is not positive), f = 4 × the term's count in the title + its count in the text (the
weights the SQLite backend gives ``bm25``), |D| the entry's terms in title and text, avgdl their
mean over every entry. The operations run in FTS5's order on the same doubles, so the scores are
FTS5's own (tested against ``bm25`` on the same index).

Terms are the entries' stored ``title_terms`` and ``terms`` (what the FTS5 table indexes, as its
external content), folded as FTS5's ``unicode61 remove_diacritics 2`` tokenizer folds them
(lower case, no diacritics): a query term finds what FTS5 would find.

The postings are built from committed data and kept, like the facet columns, per engine and process
while the search index's counter stays (:func:`ascc.knowledge.columns.committed`): about 1 s for
70,000 entries, 15–70 ms for the demo's 2,000. A session with uncommitted index writes
gets no postings; its search asks FTS5, which sees them.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import unicodedata
from functools import lru_cache

import numpy as np
from sqlalchemy.orm import Session

K1 = 1.2
B = 0.75
TITLE_WEIGHT = 4.0
TEXT_WEIGHT = 1.0
CHUNK = 8192  # entries read and counted at a time (bounds the build's Python strings)
NO_IDS = np.zeros(0, dtype=np.int64)
NO_SCORES = np.zeros(0, dtype=np.float64)


@lru_cache(maxsize=100_000)
def fold(term: str) -> str:
    """A term as FTS5's ``unicode61 remove_diacritics 2`` tokenizer stores it."""
    if term.isascii():
        return term.lower()
    decomposed = unicodedata.normalize("NFKD", term.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def idf(rows: int, hits: int) -> float:
    """FTS5's inverse document frequency of a term found in ``hits`` of ``rows`` entries."""
    value = math.log((rows - hits + 0.5) / (hits + 0.5))
    return value if value > 0.0 else 1e-6


@dataclasses.dataclass(frozen=True)
class Postings:
    """Rows are entries in id order; term ``t``'s postings are ``rows[starts[t]:starts[t + 1]]``."""

    ids: np.ndarray  # int64, the entry id of each row
    vocabulary: dict[str, int]  # folded term → term number
    starts: np.ndarray  # int64, one more than there are terms
    rows: np.ndarray  # int32, ascending within a term
    freq: np.ndarray  # float64, 4 × count in the title + count in the text
    norm: np.ndarray  # float64 per row: k1 · (1 − b + b · |D| / avgdl)

    def scored(self, groups: list[list[str]], *, every: bool) -> tuple[np.ndarray, np.ndarray]:
        """``(ids, scores)`` of the entries holding a term of every group (``every``) or of any
        group, in id order: what ``MATCH`` of ``("a" OR "b") AND ("c")`` and ``-bm25`` give."""
        n = len(self.ids)
        if not groups or not n:
            return NO_IDS, NO_SCORES
        score = np.zeros(n)
        matched: np.ndarray | None = None
        for group in groups:
            in_group = np.zeros(n, dtype=bool)
            for term in group:
                number = self.vocabulary.get(fold(term))
                if number is None:
                    continue  # a term no entry holds adds nothing to any score
                lo, hi = int(self.starts[number]), int(self.starts[number + 1])
                rows, f = self.rows[lo:hi], self.freq[lo:hi]
                in_group[rows] = True
                score[rows] += idf(n, hi - lo) * ((f * (K1 + 1.0)) / (f + self.norm[rows]))
            matched = in_group if matched is None else (matched & in_group if every else matched | in_group)
        found = np.flatnonzero(matched)
        return self.ids[found], score[found]


def build(session: Session) -> Postings:
    """The postings of every entry, read in chunks of :data:`CHUNK` entries."""
    cursor = session.connection().connection.cursor()  # the DB-API cursor: rows need no wrapping
    raw: dict[str, int] = {}  # each distinct stored term → the token count when it was first seen
    seen = itertools.count()
    ids_parts: list[np.ndarray] = []
    keys_parts: list[np.ndarray] = []  # per token: (raw term, row, in the text?) packed in one int64
    length_parts: list[np.ndarray] = []
    first = 0
    try:
        cursor.execute("SELECT id, title_terms, terms FROM search_entries ORDER BY id")
        while chunk := cursor.fetchmany(CHUNK):
            tokens: list[str] = []
            counts: list[int] = []  # tokens per (row, column), title then text
            for _, title, body in chunk:
                for value in (title, body):
                    words = value.split() if value else []
                    tokens.extend(words)
                    counts.append(len(words))
            codes = np.fromiter(map(raw.setdefault, tokens, seen), dtype=np.int64, count=len(tokens))
            slot = np.repeat(np.arange(first * 2, (first + len(chunk)) * 2, dtype=np.int64), counts)
            keys_parts.append(codes << 33 | slot)  # slot = 2 × row + (1 in the text, 0 in the title)
            per_slot = np.array(counts, dtype=np.int64)
            length_parts.append(per_slot[0::2] + per_slot[1::2])
            ids_parts.append(np.fromiter((r[0] for r in chunk), dtype=np.int64, count=len(chunk)))
            first += len(chunk)
    finally:
        cursor.close()
    ids = np.concatenate(ids_parts) if ids_parts else NO_IDS
    lengths = np.concatenate(length_parts) if length_parts else NO_IDS
    keys = np.concatenate(keys_parts) if keys_parts else NO_IDS
    # raw terms that fold alike (case, diacritics) are one term, as in FTS5
    vocabulary: dict[str, int] = {}
    number = np.zeros(next(seen), dtype=np.int64)
    for word, code in raw.items():
        number[code] = vocabulary.setdefault(fold(word), len(vocabulary))
    keys = np.sort(number[keys >> 33] << 33 | (keys & ((1 << 33) - 1)))
    weight = np.where(keys & 1, TEXT_WEIGHT, TITLE_WEIGHT)
    pairs = keys >> 1  # (term, row)
    start = np.flatnonzero(np.r_[True, pairs[1:] != pairs[:-1]]) if len(pairs) else NO_IDS
    freq = np.add.reduceat(weight, start) if len(start) else NO_SCORES
    pairs = pairs[start]
    avgdl = float(lengths.sum()) / len(ids) if len(ids) else 1.0
    return Postings(
        ids=ids,
        vocabulary=vocabulary,
        starts=np.searchsorted(pairs >> 32, np.arange(len(vocabulary) + 1)),
        rows=(pairs & ((1 << 32) - 1)).astype(np.int32),
        freq=freq,
        norm=K1 * (1 - B + B * lengths.astype(np.float64) / avgdl),
    )
