"""The search index's postings in memory: which entries hold each term, scored as FTS5 scores them
(on both backends: PostgreSQL's searches score from them too, see :mod:`ascc.knowledge.backends`).

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
FTS5's own (tested against ``bm25`` on the same index). The part after idf(term) depends only on
the posting and its row's length, so it is computed once per copy (``tf``, 8 bytes a posting; the
frequencies, whole numbers, are kept as ``float32``: 38 MB in all for 68,000 entries against 29
MB before), and a search multiplies and adds: a term
held by two thirds of the entries costs about 0.3 ms, not 0.8. A term's rows are cast to numpy's
index type once per search (indexing with ``int32`` rows makes numpy cast them at every use,
two to three times the time of the indexing itself).

Terms are the entries' stored ``title_terms`` and ``terms`` (what the FTS5 table indexes, as its
external content), cut and folded by FTS5's own tokenizer (:func:`tokens`: ``unicode61
remove_diacritics 2`` run by SQLite on an in-memory table for any term that is not plain ASCII
letters and digits), so a stored term is the tokens FTS5 made of it and a query term finds what
FTS5 finds. A query term FTS5 would cut into several tokens (or none) is a phrase to FTS5, which
needs positions: such a query is left to FTS5 (:meth:`Postings.scored` answers ``None``).

The postings are built from committed data and kept, like the facet columns, per engine and process
while the search index's counter stays (:func:`ascc.knowledge.columns.committed`). After an index
write the copy is patched (:func:`patched`): every entry written carries the counter its commit gave
the index (``stamp``, migration 0026), so the entries gone or stamped after the copy's counter are
dropped and the stamped ones read and added, with the lengths and idf of the index as it is now: the
scores of a whole build, for the cost of the entries written (a whole build reads every entry:
about 2 s for 70,000 entries, 15–70 ms for the demo's 2,000). A session that has written anything
gets no postings; its search asks FTS5, which sees its writes. On PostgreSQL a copy is built whole
after each index write (:func:`patched` answers ``None`` there), and a session with index writes
of its own builds one from what it sees.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import sqlite3
import threading
from collections.abc import Iterable
from functools import lru_cache

import numpy as np
from sqlalchemy.orm import Session

from ascc.db import version
from ascc.knowledge import columns

K1 = 1.2
B = 0.75
TITLE_WEIGHT = 4.0
TEXT_WEIGHT = 1.0
CHUNK = 8192  # entries read and counted at a time (bounds the build's Python strings)
NO_IDS = np.zeros(0, dtype=np.int64)
NO_SCORES = np.zeros(0, dtype=np.float64)


#: the FTS5 table's tokenizer (migration 0011)
TOKENIZE = "unicode61 remove_diacritics 2"
_local = threading.local()


def _tokenizer() -> sqlite3.Connection:
    """This thread's in-memory FTS5 table with the index's tokenizer (a connection per thread)."""
    db = getattr(_local, "db", None)
    if db is None:
        db = sqlite3.connect(":memory:")
        db.execute(f"CREATE VIRTUAL TABLE t USING fts5(x, tokenize='{TOKENIZE}')")
        db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
        _local.db = db
    return db


@lru_cache(maxsize=100_000)
def tokens(term: str) -> tuple[str, ...]:
    """The tokens FTS5's tokenizer makes of ``term``, folded as it stores them."""
    if term.isascii() and term.isalnum():  # what nearly every term is: one token, lower case
        return (term.lower(),)
    db = _tokenizer()
    with db:
        db.execute("INSERT INTO t(rowid, x) VALUES (1, ?)", (term,))
        found = tuple(row[0] for row in db.execute("SELECT term FROM v ORDER BY offset"))
        db.execute("DELETE FROM t")
    return found


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
    freq: np.ndarray  # float32 (whole numbers, exact), 4 × count in the title + count in the text
    norm: np.ndarray  # float64 per row: k1 · (1 − b + b · |D| / avgdl)
    lengths: np.ndarray  # int64 per row: |D|, the entry's tokens in title and text
    tf: np.ndarray  # float64 per posting: f · (k1 + 1) / (f + norm of its row), see :func:`_tf`

    def scored(
        self,
        groups: list[list[str]],
        *,
        every: bool,
        lesser: frozenset[str] = frozenset(),
        weight: float = 1.0,
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """``(ids, scores)`` of the entries holding a term of every group (``every``) or of any
        group, in id order: what ``MATCH`` of ``("a" OR "b") AND ("c")`` and ``-bm25`` give;
        ``None`` when a term is not one token to FTS5 (a phrase: ask FTS5).

        A term of several words (``"a/a2 b"``, an expansion) is found where every word is (in one of
        its ``/`` forms); the terms in ``lesser`` (expansions) count ``weight`` times their score,
        and only in the entries that hold none of the group's other terms (the user's own)."""
        n = len(self.ids)
        if not groups or not n:
            return NO_IDS, NO_SCORES
        parsed = _parsed(tuple(map(tuple, groups)))
        if parsed is None:
            return None
        score = np.zeros(n)
        matched: np.ndarray | None = None
        for group, terms in zip(groups, parsed, strict=True):
            in_group = np.zeros(n, dtype=bool)
            own = score if not lesser else np.zeros(n)  # the user's own terms' score in this group
            more = np.zeros(n)  # the expansions'
            # a translation is as informative as the user's word, not more: its idf is capped at theirs
            cap = (
                max(
                    (
                        self._idf(tok)
                        for term, words in zip(group, terms, strict=True)
                        if term not in lesser
                        for forms in words
                        for tok in forms
                    ),
                    default=math.inf,
                )
                or math.inf
            )
            for term, words in zip(group, terms, strict=True):
                into, most = (more, cap) if term in lesser else (own, math.inf)
                if len(words) == 1:
                    for token in words[0]:
                        self._add(token, into, in_group, most)
                    continue
                every_word = np.ones(n, dtype=bool)  # a conjunction: only where every word is
                part = np.zeros(n)
                for forms in words:
                    has = np.zeros(n, dtype=bool)
                    for token in forms:
                        self._add(token, part, has, most)
                    every_word &= has
                in_group |= every_word
                into += np.where(every_word, part, 0.0)
            if lesser:  # a translation counts (less) only where the user's own word is not
                score += np.where(own > 0.0, own, more * weight)
            matched = in_group if matched is None else (matched & in_group if every else matched | in_group)
        found = np.flatnonzero(matched)
        return self.ids[found], score[found]

    def _idf(self, token: str) -> float:
        """The token's idf; 0 when no entry holds it."""
        number = self.vocabulary.get(token)
        hits = 0 if number is None else int(self.starts[number + 1]) - int(self.starts[number])
        return idf(len(self.ids), hits) if hits else 0.0  # a patched copy keeps terms no entry holds now

    def _add(self, token: str, score: np.ndarray, holds: np.ndarray, cap: float = math.inf) -> None:
        """Add ``token``'s BM25 score (its idf at most ``cap``) to the rows holding it, and mark them."""
        number = self.vocabulary.get(token)
        if number is None:
            return  # a term no entry holds adds nothing to any score
        lo, hi = int(self.starts[number]), int(self.starts[number + 1])
        if lo == hi:
            return
        rows = self.rows[lo:hi].astype(np.intp)  # an int32 index costs numpy a cast at every use
        holds[rows] = True
        weight = idf(len(self.ids), hi - lo)
        score[rows] += (weight if weight <= cap else cap) * self.tf[lo:hi]


@lru_cache(maxsize=4096)
def _parsed(
    groups: tuple[tuple[str, ...], ...],
) -> tuple[tuple[tuple[tuple[str, ...], ...], ...], ...] | None:
    """Per group, per term, per word: the FTS5 token of each of its ``/`` forms; ``None`` when a
    form is not one token (a phrase to FTS5)."""
    parsed = []
    for group in groups:
        terms = []
        for term in group:
            words = []
            for word in term.split():
                forms = [tokens(form) for form in word.split("/")]
                if any(len(toks) != 1 for toks in forms):
                    return None
                words.append(tuple(toks[0] for toks in forms))
            terms.append(tuple(words))
        parsed.append(tuple(terms))
    return tuple(parsed)


def _tf(rows: np.ndarray, freq: np.ndarray, norm: np.ndarray) -> np.ndarray:
    """Each posting's f · (k1 + 1) / (f + norm), as FTS5 computes it: a term's score is its idf times
    these, so they are computed once per copy, not per search."""
    f = freq.astype(np.float64)
    return (f * (K1 + 1.0)) / (f + norm[rows])


def build(session: Session) -> Postings:
    """The postings of every entry, read in chunks of :data:`CHUNK` entries."""
    cursor = session.connection().connection.cursor()  # the DB-API cursor: rows need no wrapping
    try:
        version.reading("SELECT id, title_terms, terms FROM search_entries ORDER BY id")
        cursor.execute("SELECT id, title_terms, terms FROM search_entries ORDER BY id")
        return _postings(iter(lambda: cursor.fetchmany(CHUNK), []))
    finally:
        cursor.close()


def _postings(chunks: Iterable[list[tuple[int, str | None, str | None]]]) -> Postings:
    """The postings of the entries ``(id, title_terms, terms)`` in ``chunks``, ids ascending."""
    raw: dict[str, int] = {}  # each distinct stored term → the token count when it was first seen
    seen = itertools.count()
    ids_parts: list[np.ndarray] = []
    keys_parts: list[np.ndarray] = []  # per token: (raw term, row, in the text?) packed in one int64
    first = 0
    for chunk in chunks:
        stored: list[str] = []  # the chunk's stored terms, in order
        counts: list[int] = []  # tokens per (row, column), title then text
        for _, title, body in chunk:
            for value in (title, body):
                words = value.split() if value else []
                stored.extend(words)
                counts.append(len(words))
        codes = np.fromiter(map(raw.setdefault, stored, seen), dtype=np.int64, count=len(stored))
        slot = np.repeat(np.arange(first * 2, (first + len(chunk)) * 2, dtype=np.int64), counts)
        keys_parts.append(codes << 33 | slot)  # slot = 2 × row + (1 in the text, 0 in the title)
        ids_parts.append(np.fromiter((r[0] for r in chunk), dtype=np.int64, count=len(chunk)))
        first += len(chunk)
    ids = np.concatenate(ids_parts) if ids_parts else NO_IDS
    keys = np.concatenate(keys_parts) if keys_parts else NO_IDS
    # each stored term is the tokens FTS5 makes of it: nearly always one; terms that fold alike
    # (case, diacritics) are one token, as in FTS5
    vocabulary: dict[str, int] = {}
    dense = np.zeros(next(seen), dtype=np.int64)  # raw code → the term's place in ``made``
    made: list[tuple[int, ...]] = []
    for place, (word, code) in enumerate(raw.items()):
        dense[code] = place
        made.append(tuple(vocabulary.setdefault(tok, len(vocabulary)) for tok in tokens(word)))
    per_term = np.array([len(m) for m in made], dtype=np.int64)
    first_of = np.zeros(len(made) + 1, dtype=np.int64)
    np.cumsum(per_term, out=first_of[1:])
    numbers = np.fromiter(itertools.chain.from_iterable(made), dtype=np.int64, count=int(first_of[-1]))
    place = dense[keys >> 33]
    slot = keys & ((1 << 33) - 1)
    if (per_term == 1).all():
        term = numbers[place]
    else:  # a stored term FTS5 cuts in several tokens (or none) counts as those tokens
        count = per_term[place]
        occurrence = np.repeat(np.arange(len(keys)), count)
        within = np.arange(len(occurrence)) - np.repeat(np.cumsum(count) - count, count)
        term = numbers[first_of[place][occurrence] + within]
        slot = slot[occurrence]
    lengths = np.bincount(slot >> 1, minlength=len(ids)).astype(np.int64)  # tokens per entry
    keys = np.sort(term << 33 | slot)
    weight = np.where(keys & 1, TEXT_WEIGHT, TITLE_WEIGHT)
    pairs = keys >> 1  # (term, row)
    start = np.flatnonzero(np.r_[True, pairs[1:] != pairs[:-1]]) if len(pairs) else NO_IDS
    freq = (np.add.reduceat(weight, start) if len(start) else NO_SCORES).astype(np.float32)
    pairs = pairs[start]
    rows = (pairs & ((1 << 32) - 1)).astype(np.int32)
    norm = _norm(lengths)
    return Postings(
        ids=ids,
        vocabulary=vocabulary,
        starts=np.searchsorted(pairs >> 32, np.arange(len(vocabulary) + 1)),
        rows=rows,
        freq=freq,
        norm=norm,
        lengths=lengths,
        tf=_tf(rows, freq, norm),
    )


def _norm(lengths: np.ndarray) -> np.ndarray:
    """Each row's k1 · (1 − b + b · |D| / avgdl), as FTS5 computes it."""
    avgdl = float(lengths.sum()) / len(lengths) if len(lengths) else 1.0
    return K1 * (1 - B + B * lengths.astype(np.float64) / avgdl)


def patched(session: Session, old: Postings, counter: int) -> Postings | None:
    """The postings of every entry, made from ``old`` (the copy at search index counter
    ``counter``): the rows of entries gone or written since are dropped, and the entries stamped
    after ``counter`` (``knowledge.index.STAMP``) read and added. Scores are those of a whole
    build (the same counts; the lengths and idf over the entries there are now). ``None`` when a
    whole build is the better way (many entries written) or the only safe one (an entry this copy
    does not know carries no newer stamp: written by something that does not stamp)."""
    if session.get_bind().dialect.name != "sqlite":
        return None  # PostgreSQL's stamps can tie (see ``columns._patched``): built whole
    since = columns.written_since(session, counter, "id, title_terms, terms")
    if since is None:
        return None
    live, written = since
    new = _postings([written] if written else [])
    keep = columns.kept_rows(old.ids, live, new.ids)
    if keep is None:
        return None
    # one row per entry, in id order: the kept rows of ``old`` and the new ones, interleaved by id
    merged = np.concatenate([old.ids[keep], new.ids])
    order = np.argsort(merged, kind="stable")
    rank = np.empty(len(merged), dtype=np.int64)
    rank[order] = np.arange(len(merged))
    kept_rank = np.full(len(old.ids), -1, dtype=np.int64)
    kept_rank[keep] = rank[: int(keep.sum())]
    # the new copy's terms: the old vocabulary, then what only the new entries hold
    vocabulary = dict(old.vocabulary)
    to_old = np.fromiter(
        (vocabulary.setdefault(tok, len(vocabulary)) for tok in new.vocabulary),
        dtype=np.int64,
        count=len(new.vocabulary),
    )
    old_terms = np.repeat(np.arange(len(old.starts) - 1, dtype=np.int64), np.diff(old.starts))
    old_rows = kept_rank[old.rows]
    alive = old_rows >= 0
    new_terms = to_old[np.repeat(np.arange(len(new.starts) - 1, dtype=np.int64), np.diff(new.starts))]
    new_rows = rank[int(keep.sum()) + new.rows.astype(np.int64)]
    terms = np.concatenate([old_terms[alive], new_terms])
    rows = np.concatenate([old_rows[alive], new_rows])
    freq = np.concatenate([old.freq[alive], new.freq])
    by = np.argsort(terms << 32 | rows, kind="stable")
    terms, rows, freq = terms[by], rows[by], freq[by]
    lengths = np.concatenate([old.lengths[keep], new.lengths])[order]
    rows = rows.astype(np.int32)
    norm = _norm(lengths)
    return Postings(
        ids=merged[order],
        vocabulary=vocabulary,
        starts=np.searchsorted(terms, np.arange(len(vocabulary) + 1)),
        rows=rows,
        freq=freq,
        norm=norm,
        lengths=lengths,
        tf=_tf(rows, freq, norm),
    )


build.patch = patched  # type: ignore[attr-defined]  # ``columns.committed`` patches the copy it holds
