"""Two full-text backends behind one interface: SQLite FTS5 (default) and PostgreSQL.

Both take the same analysed query (:func:`ascc.knowledge.text.query_groups`: one group of
alternative terms per query word) and the same filters, and return ``(entry id, score)`` best
first, higher score better.

- SQLite: FTS5 over the Python-stemmed terms (Sastrawi for Indonesian, Snowball for English),
  ranked by BM25 with the title weighted 4:1 over the text.
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
CAP = 5000  # matches ranked per query; facets and totals count within them


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
    kind: str
    sectors: str
    languages: str
    year: int | None


class Backend(Protocol):
    name: str

    def match(
        self, session: Session, groups: list[list[str]], words: list[str], *, every: bool, filters: Filters
    ) -> list[Match]: ...


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
    name = "sqlite"

    def match(
        self, session: Session, groups: list[list[str]], words: list[str], *, every: bool, filters: Filters
    ) -> list[Match]:
        if not groups:
            return []
        ors = ["(" + " OR ".join(f'"{term}"' for term in g) + ")" for g in groups]
        params: dict[str, Any] = {"q": (" AND " if every else " OR ").join(ors), "cap": CAP}
        sql = (
            "SELECT e.id, -bm25(search_fts, 4.0, 1.0) AS score, e.kind, e.sectors, e.languages, e.year "
            "FROM search_fts JOIN search_entries e ON e.id = search_fts.rowid "
            f"WHERE search_fts MATCH :q AND {_where(filters, params)} ORDER BY score DESC, e.id LIMIT :cap"
        )
        return [Match(*row) for row in session.execute(text(sql), params)]


class PostgresBackend:
    name = "postgresql"

    def match(
        self, session: Session, groups: list[list[str]], words: list[str], *, every: bool, filters: Filters
    ) -> list[Match]:
        if not words:
            return []
        params: dict[str, Any] = {"cap": CAP}
        parts = []
        for i, w in enumerate(words):
            params[f"w{i}"] = w
            parts.append(
                f"(plainto_tsquery('indonesian'::regconfig, :w{i}) || plainto_tsquery('english'::regconfig, :w{i})"
                f" || plainto_tsquery('simple'::regconfig, :w{i}))"
            )
        query = (" && " if every else " || ").join(parts)
        sql = (
            f"SELECT e.id, ts_rank_cd({PG_TSV}, q.q, 1) AS score, e.kind, e.sectors, e.languages, e.year "
            f"FROM search_entries e, (SELECT {query} AS q) q "
            f"WHERE {PG_TSV} @@ q.q AND {_where(filters, params)} ORDER BY score DESC, e.id LIMIT :cap"
        )
        return [Match(*row) for row in session.execute(text(sql), params)]


def backend_for(session: Session) -> Backend:
    return PostgresBackend() if session.get_bind().dialect.name == "postgresql" else SqliteBackend()
