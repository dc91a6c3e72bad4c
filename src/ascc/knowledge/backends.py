"""Two full-text backends behind one interface: SQLite FTS5 (default) and PostgreSQL.

Both take the same analysed query (:func:`ascc.knowledge.text.query_groups`: one group of
alternative terms per query word) and the same filters, and answer two questions in SQL:

- :meth:`Backend.ranked`: one page of ``(entry id, score)``, best first (higher score better,
  ties by id), ``LIMIT``/``OFFSET`` in the database;
- :meth:`Backend.counts`: how many entries match per combination of the facet columns (type,
  year, sectors, languages), a ``GROUP BY`` over the whole match set; totals and facets add
  these few rows up. No score is computed for counting.

- SQLite: FTS5 over the Python-stemmed terms (Sastrawi for Indonesian, Snowball for English),
  ranked by BM25 with the title weighted 4:1 over the text. The matches are joined to their
  entries through the covering index ``ix_search_entries_facets`` (migration 0015) of the columns
  the filters, facets and groups read, not through the wide rows.
- PostgreSQL: the folded, acronym-expanded text stemmed by PostgreSQL's own 'indonesian' and
  'english' configurations (both present in PostgreSQL 16; check ``SELECT cfgname FROM
  pg_ts_config``), titles weight A and text weight B, ranked by ``ts_rank_cd``. Each query word
  matches its stem in either configuration.

No user text is ever part of the SQL: terms are letters and digits, passed as parameters (SQLite
needs them inside the MATCH string, where each is a double-quoted string).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Protocol

from sqlalchemy import text
from sqlalchemy.orm import Session

#: the PostgreSQL index expression (migration 0011 creates the GIN index on exactly this)
PG_TSV = (
    "(setweight(to_tsvector('indonesian'::regconfig, title_norm_id), 'A') || "
    "setweight(to_tsvector('english'::regconfig, title_norm_en), 'A') || "
    "setweight(to_tsvector('indonesian'::regconfig, norm_id), 'B') || "
    "setweight(to_tsvector('english'::regconfig, norm_en), 'B'))"
)


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
class Count:
    """How many matching entries have this combination of facet values."""

    kind: str
    year: int | None
    sectors: str
    languages: str
    n: int


class Backend(Protocol):
    name: str

    def ranked(
        self, session: Session, groups: list[list[str]], words: list[str], *, every: bool, filters: Filters,
        limit: int, offset: int = 0, total: int | None = None,
    ) -> list[Match]:  # fmt: skip
        """The page of matches; ``total``, when known, is how many there are (a shortcut)."""
        ...

    def counts(
        self, session: Session, groups: list[list[str]], words: list[str], *, every: bool, filters: Filters
    ) -> list[Count]: ...

    def grouped(
        self, session: Session, groups: list[list[str]], words: list[str], *, every: bool, filters: Filters,
        limit: int, offset: int = 0, per: int = 3,
    ) -> tuple[int, list[Group]]:  # fmt: skip
        """Results grouped by document (see :func:`grouped`)."""
        ...


FACET_COLUMNS = "e.kind, e.year, e.sectors, e.languages"
#: SQLite: every column the join of the matches to their entries reads (migration 0015 indexes
#: exactly these, so the join reads that small index instead of the wide rows)
FACET_INDEX_COLUMNS = ("id", "audience", "kind", "year", "heading", "document_id", "languages", "sectors")
#: SQLite: the entries as the joins read them; the planner would look each match up by its rowid
#: in the table (the primary key) rather than in the covering index, so the index is named
SQLITE_ENTRIES = "search_entries e INDEXED BY ix_search_entries_facets"
#: a result of a grouped search: a document (its entry and passages together), else the entry
GROUP_KEY = "CASE WHEN m.document_id IS NOT NULL THEN 'd' || m.document_id ELSE 'e' || m.id END"


@dataclasses.dataclass(frozen=True)
class Group:
    best: float
    matches: list[Match]  # best first, at most ``per``


def grouped(
    session: Session, matched: str, params: dict[str, Any], *, limit: int, offset: int, per: int
) -> tuple[int, list[Group]]:
    """Results grouped by document, in SQL: how many groups, and one page of them, each ranked
    by its best match and holding its ``per`` best matches. ``matched`` selects ``id,
    document_id, score`` of every filtered match."""
    # one statement, so the match set is made once: the page of groups (with how many there are)
    # joined to each group's best matches
    sql = (
        f"WITH m AS MATERIALIZED ({matched}), g AS (SELECT m.id, m.score, {GROUP_KEY} AS k FROM m), "
        "b AS (SELECT k, max(score) AS best FROM g GROUP BY k), "
        "p AS (SELECT k, best, count(*) OVER () AS total FROM b ORDER BY best DESC, k LIMIT :glimit OFFSET :goffset) "
        "SELECT p.total, p.k, p.best, x.id, x.score FROM p JOIN (SELECT k, id, score, row_number() OVER "
        "(PARTITION BY k ORDER BY score DESC, id) AS rn FROM g) x ON x.k = p.k AND x.rn <= :per "
        "ORDER BY p.best DESC, p.k, x.rn"
    )
    rows = session.execute(text(sql), {**params, "glimit": limit, "goffset": offset, "per": per}).all()
    if not rows:  # nothing matched, or the offset is past the end: count the groups
        total = session.scalar(
            text(f"WITH m AS MATERIALIZED ({matched}) SELECT count(DISTINCT {GROUP_KEY}) FROM m"), params
        )
        return total or 0, []
    total = rows[0].total
    page: list[tuple[str, float]] = []
    members: dict[str, list[Match]] = {}
    for _total, k, best, id_, score in rows:
        if k not in members:
            page.append((k, best))
            members[k] = []
        members[k].append(Match(id_, score))
    return total, [Group(best, members.get(k, [])) for k, best in page]


def _where(filters: Filters, params: dict[str, Any]) -> str:
    clauses = []
    aud = []
    for i, a in enumerate(filters.audiences):
        params[f"aud{i}"] = a
        aud.append(f":aud{i}")
    clauses.append(f"e.audience IN ({', '.join(aud) or 'NULL'})")
    if filters.kinds:
        names = []
        for i, k in enumerate(filters.kinds):
            params[f"kind{i}"] = k
            names.append(f":kind{i}")
        clauses.append(f"e.kind IN ({', '.join(names)})")
    if filters.sector:
        params["sector"] = f"%|{filters.sector}|%"
        clauses.append("e.sectors LIKE :sector")
    if filters.language:
        params["language"] = f"%|{filters.language}|%"
        clauses.append("e.languages LIKE :language")
    if filters.year is not None:
        params["year"] = filters.year
        clauses.append("e.year = :year")
    if filters.no_headings:
        clauses.append("e.heading = :false")
        params["false"] = False
    return " AND ".join(clauses)


class SqliteBackend:
    """FTS5. The page is taken from FTS5's own ``bm25`` top-k first (the same order, no join),
    then filtered through the entries; only when too few of those pass the filters is every
    match joined and ranked. Either way the page is the same."""

    name = "sqlite"

    @staticmethod
    def _match(groups: list[list[str]], every: bool) -> str:
        ors = ["(" + " OR ".join(f'"{term}"' for term in g) + ")" for g in groups]
        return (" AND " if every else " OR ").join(ors)

    def ranked(
        self, session: Session, groups: list[list[str]], words: list[str], *, every: bool, filters: Filters,
        limit: int, offset: int = 0, total: int | None = None,
    ) -> list[Match]:  # fmt: skip
        if not groups:
            return []
        params: dict[str, Any] = {"q": self._match(groups, every), "limit": limit, "offset": offset}
        where = _where(filters, params)
        # 1. the best offset+limit (more when filtering by more than the audience) of the whole
        #    match set by bm25 then rowid, filtered afterwards: if enough of them pass (or all the
        #    filtered matches are among them), they are exactly the first offset+limit of the
        #    filtered matches in the same order
        window = offset + limit
        params["window"] = window if filters == Filters(audiences=filters.audiences) else 4 * window + 20
        top = (
            "SELECT e.id, t.score FROM (SELECT rowid, -bm25(search_fts, 4.0, 1.0) AS score FROM search_fts "
            "WHERE search_fts MATCH :q ORDER BY score DESC, rowid LIMIT :window) t "
            f"JOIN {SQLITE_ENTRIES} ON e.id = t.rowid WHERE {where} ORDER BY t.score DESC, e.id"
        )
        rows = session.execute(text(top), params).all()
        if len(rows) >= window or (total is not None and len(rows) >= total):
            return [Match(*row) for row in rows[offset:window]]
        # 2. too few passed: rank every filtered match
        sql = (
            "SELECT e.id, -bm25(search_fts, 4.0, 1.0) AS score "
            f"FROM search_fts JOIN {SQLITE_ENTRIES} ON e.id = search_fts.rowid "
            f"WHERE search_fts MATCH :q AND {where} ORDER BY score DESC, e.id LIMIT :limit OFFSET :offset"
        )
        return [Match(*row) for row in session.execute(text(sql), params)]

    def counts(
        self, session: Session, groups: list[list[str]], words: list[str], *, every: bool, filters: Filters
    ) -> list[Count]:
        if not groups:
            return []
        params: dict[str, Any] = {"q": self._match(groups, every)}
        sql = (
            f"SELECT {FACET_COLUMNS}, count(*) FROM search_fts JOIN {SQLITE_ENTRIES} ON e.id = search_fts.rowid "
            f"WHERE search_fts MATCH :q AND {_where(filters, params)} GROUP BY {FACET_COLUMNS}"
        )
        return [Count(*row) for row in session.execute(text(sql), params)]

    def grouped(
        self, session: Session, groups: list[list[str]], words: list[str], *, every: bool, filters: Filters,
        limit: int, offset: int = 0, per: int = 3,
    ) -> tuple[int, list[Group]]:  # fmt: skip
        if not groups:
            return 0, []
        params: dict[str, Any] = {"q": self._match(groups, every)}
        matched = (
            "SELECT e.id, e.document_id, -bm25(search_fts, 4.0, 1.0) AS score "
            f"FROM search_fts JOIN {SQLITE_ENTRIES} ON e.id = search_fts.rowid "
            f"WHERE search_fts MATCH :q AND {_where(filters, params)}"
        )
        return grouped(session, matched, params, limit=limit, offset=offset, per=per)


class PostgresBackend:
    name = "postgresql"

    @staticmethod
    def _query(words: list[str], every: bool, params: dict[str, Any]) -> str:
        parts = []
        for i, w in enumerate(words):
            params[f"w{i}"] = w
            parts.append(
                f"(plainto_tsquery('indonesian'::regconfig, :w{i}) || plainto_tsquery('english'::regconfig, :w{i})"
                f" || plainto_tsquery('simple'::regconfig, :w{i}))"
            )
        return (" && " if every else " || ").join(parts)

    def ranked(
        self, session: Session, groups: list[list[str]], words: list[str], *, every: bool, filters: Filters,
        limit: int, offset: int = 0, total: int | None = None,
    ) -> list[Match]:  # fmt: skip
        if not words:
            return []
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        query = self._query(words, every, params)
        sql = (
            f"SELECT e.id, ts_rank_cd({PG_TSV}, q.q, 1) AS score "
            f"FROM search_entries e, (SELECT {query} AS q) q "
            f"WHERE {PG_TSV} @@ q.q AND {_where(filters, params)} ORDER BY score DESC, e.id "
            "LIMIT :limit OFFSET :offset"
        )
        return [Match(*row) for row in session.execute(text(sql), params)]

    def counts(
        self, session: Session, groups: list[list[str]], words: list[str], *, every: bool, filters: Filters
    ) -> list[Count]:
        if not words:
            return []
        params: dict[str, Any] = {}
        query = self._query(words, every, params)
        sql = (
            f"SELECT {FACET_COLUMNS}, count(*) FROM search_entries e, (SELECT {query} AS q) q "
            f"WHERE {PG_TSV} @@ q.q AND {_where(filters, params)} GROUP BY {FACET_COLUMNS}"
        )
        return [Count(*row) for row in session.execute(text(sql), params)]

    def grouped(
        self, session: Session, groups: list[list[str]], words: list[str], *, every: bool, filters: Filters,
        limit: int, offset: int = 0, per: int = 3,
    ) -> tuple[int, list[Group]]:  # fmt: skip
        if not words:
            return 0, []
        params: dict[str, Any] = {}
        query = self._query(words, every, params)
        matched = (
            f"SELECT e.id, e.document_id, ts_rank_cd({PG_TSV}, q.q, 1) AS score "
            f"FROM search_entries e, (SELECT {query} AS q) q WHERE {PG_TSV} @@ q.q AND {_where(filters, params)}"
        )
        return grouped(session, matched, params, limit=limit, offset=offset, per=per)


def backend_for(session: Session) -> Backend:
    return PostgresBackend() if session.get_bind().dialect.name == "postgresql" else SqliteBackend()
