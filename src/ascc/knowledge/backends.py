"""Two full-text backends behind one interface: SQLite FTS5 (default) and PostgreSQL.

Both take the same analysed query (:func:`ascc.knowledge.text.query_groups`: one group of
alternative terms per query word) and answer one question: which entries match, with what score
(higher is better) — from the index's postings in memory on both (:mod:`ascc.knowledge.postings`,
FTS5's own scores); SQLite asks FTS5 itself for a session with uncommitted index writes. Audiences, filters, facets, ranking and grouping by document are done on
that match list with the entries' columns kept in memory (:mod:`ascc.knowledge.columns`,
:mod:`ascc.knowledge.ranking`).

- SQLite: FTS5 over the Python-stemmed terms (Sastrawi for Indonesian, Snowball for English),
  ranked by BM25 with the title weighted 4:1 over the text (:data:`WEIGHTS`).
- PostgreSQL: the same postings and BM25, built from the same stored terms (so both backends
  find and rank alike: ``ts_rank_cd`` over PostgreSQL's own stemmers ranked the evaluation set's
  answers lower, recall@10 0.927 against 0.957). A copy is built whole after each index write (no
  patching: PostgreSQL's writers run side by side, see :func:`ascc.knowledge.columns._patched`).
  A phrase, which postings cannot answer, is asked of PostgreSQL's full-text index: the folded,
  acronym-expanded text stemmed by its own 'indonesian' and 'english' configurations, titles
  weight A and text weight B, ranked by ``ts_rank_cd``.

No user text is ever part of the SQL: terms are letters and digits, passed as parameters (SQLite
needs them inside the MATCH string, where each is a double-quoted string).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Protocol

import numpy as np
from sqlalchemy.orm import Session

from ascc.db import version
from ascc.knowledge import columns, postings

#: the PostgreSQL index expression (migration 0011 creates the GIN index on exactly this)
PG_TSV = (
    "(setweight(to_tsvector('indonesian'::regconfig, title_norm_id), 'A') || "
    "setweight(to_tsvector('english'::regconfig, title_norm_en), 'A') || "
    "setweight(to_tsvector('indonesian'::regconfig, norm_id), 'B') || "
    "setweight(to_tsvector('english'::regconfig, norm_en), 'B'))"
)
#: FTS5's ``bm25`` weights of the title and the text columns (the postings score with the same)
WEIGHTS = (postings.TITLE_WEIGHT, postings.TEXT_WEIGHT)
NO_IDS = np.zeros(0, dtype=np.int64)
NO_SCORES = np.zeros(0, dtype=np.float64)


@dataclasses.dataclass(frozen=True)
class Expansion:
    """A query's expansion across languages: per word, the phrases it also stands for (folded
    words), the index terms only the expansion brought, and how much those weigh."""

    extra: list[list[str]]
    lesser: frozenset[str]
    weight: float


class Backend(Protocol):
    name: str

    def scored(
        self,
        session: Session,
        groups: list[list[str]],
        words: list[str],
        *,
        every: bool,
        expansion: Expansion | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(ids, scores)`` of every match (int64, float64), in no particular order; ``every``: all
        the query's words must match, else any one. ``expansion``: what the query was expanded with
        (:mod:`ascc.knowledge.glossary`; its terms are already in ``groups``), weighing less."""
        ...


def _arrays(session: Session, sql: str, params: Any) -> tuple[np.ndarray, np.ndarray]:
    """Run ``sql`` on the session's connection with the DB-API cursor itself: a match list can be
    tens of thousands of rows, which need no result objects around them."""
    cursor = session.connection().connection.cursor()
    version.reading(sql)  # a response cache records the tables, as it does for engine statements
    try:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    if not rows:
        return NO_IDS, NO_SCORES
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    return ids, np.fromiter((r[1] for r in rows), dtype=np.float64, count=len(rows))


class SqliteBackend:
    """FTS5's matches and ``bm25`` scores: from the postings in memory
    (:mod:`ascc.knowledge.postings`) when the session reads committed data and they are built, else
    (a session with writes, the postings being built, a phrase) from FTS5 itself, through the DB-API
    cursor (a match list is ids and floats, no rows to map)."""

    name = "sqlite"

    @staticmethod
    def _term(term: str) -> str:
        """One alternative: a word's forms, or (an expansion of several words) all its words."""
        words = ["(" + " OR ".join(f'"{form}"' for form in word.split("/")) + ")" for word in term.split()]
        return words[0] if len(words) == 1 else "(" + " AND ".join(words) + ")"

    @classmethod
    def _match(cls, groups: list[list[str]], every: bool) -> str:
        ors = ["(" + " OR ".join(cls._term(term) for term in g) + ")" for g in groups]
        return (" AND " if every else " OR ").join(ors)

    def scored(
        self,
        session: Session,
        groups: list[list[str]],
        words: list[str],
        *,
        every: bool,
        expansion: Expansion | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """A query with an expansion is always scored from postings (FTS5's ``bm25`` takes no weight
        per term): it waits for the committed ones to be built, and a session with writes of its
        own builds its own."""
        if not groups:
            return NO_IDS, NO_SCORES
        lesser = expansion.lesser if expansion else frozenset()
        if lesser:
            held = columns.committed(session, postings.build)
            held = postings.build(session) if held is None else held
        else:
            held = columns.committed(session, postings.build, wait=False)  # built apart, FTS5 meanwhile
        weight = expansion.weight if expansion else 1.0
        found = None if held is None else held.scored(groups, every=every, lesser=lesser, weight=weight)
        if found is not None:
            return found
        weights = ", ".join(map(str, WEIGHTS))
        sql = f"SELECT rowid, -bm25(search_fts, {weights}) FROM search_fts WHERE search_fts MATCH ?"
        return _arrays(session, sql, (self._match(groups, every),))


class PostgresBackend:
    name = "postgresql"

    @staticmethod
    def _word(name: str) -> str:
        return (
            f"(plainto_tsquery('indonesian'::regconfig, %({name})s) || "
            f"plainto_tsquery('english'::regconfig, %({name})s) || plainto_tsquery('simple'::regconfig, %({name})s))"
        )

    @classmethod
    def _query(
        cls, words: list[str], every: bool, params: dict[str, Any], extra: list[list[str]] | None = None
    ) -> str:
        """Each word in either configuration; with ``extra``, or any of its expansions (a phrase:
        all of its words, ``plainto_tsquery``'s ``&``)."""
        parts = []
        for i, w in enumerate(words):
            params[f"w{i}"] = w
            alternatives = [cls._word(f"w{i}")]
            for j, phrase in enumerate(extra[i] if extra else []):
                params[f"x{i}_{j}"] = phrase
                alternatives.append(cls._word(f"x{i}_{j}"))
            parts.append("(" + " || ".join(alternatives) + ")" if len(alternatives) > 1 else alternatives[0])
        return (" && " if every else " || ").join(parts)

    def scored(
        self,
        session: Session,
        groups: list[list[str]],
        words: list[str],
        *,
        every: bool,
        expansion: Expansion | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """The postings' BM25 (what SQLite answers, on the same stored terms): the committed copy,
        or for a session with index writes of its own, one it builds. A phrase (a term the
        tokenizer cuts in several, which postings cannot answer) is asked of PostgreSQL's own
        full-text index (:meth:`ranked`)."""
        if not groups:
            return NO_IDS, NO_SCORES
        held = columns.committed(session, postings.build)
        held = postings.build(session) if held is None else held
        lesser = expansion.lesser if expansion else frozenset()
        weight = expansion.weight if expansion else 1.0
        found = held.scored(groups, every=every, lesser=lesser, weight=weight)
        return found if found is not None else self.ranked(session, words, every=every, expansion=expansion)

    def ranked(
        self, session: Session, words: list[str], *, every: bool, expansion: Expansion | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """PostgreSQL's own matches and ``ts_rank_cd``. With an expansion, an entry the user's own
        words find is ranked by them, as without; one found only through a translation gets
        ``weight`` × the expanded query's rank."""
        if not words:
            return NO_IDS, NO_SCORES
        params: dict[str, Any] = {}
        if expansion is None or not any(expansion.extra):
            query = self._query(words, every, params)
            sql = (
                f"SELECT e.id, ts_rank_cd({PG_TSV}, q.q, 1) FROM search_entries e, (SELECT {query} AS q) q "
                f"WHERE {PG_TSV} @@ q.q"
            )
            return _arrays(session, sql, params)
        query = self._query(words, every, params, expansion.extra)
        own = self._query(words, every, {})
        w = float(expansion.weight)
        sql = (
            f"SELECT e.id, CASE WHEN {PG_TSV} @@ q.own THEN ts_rank_cd({PG_TSV}, q.own, 1) "
            f"ELSE {w} * ts_rank_cd({PG_TSV}, q.q, 1) END "
            f"FROM search_entries e, (SELECT {query} AS q, {own} AS own) q WHERE {PG_TSV} @@ q.q"
        )
        return _arrays(session, sql, params)


def backend_for(session: Session) -> Backend:
    return PostgresBackend() if session.get_bind().dialect.name == "postgresql" else SqliteBackend()
