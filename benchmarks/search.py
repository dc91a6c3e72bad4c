"""Search latency on 10,000 documents built from real passages, beside the database's own full-text query.

    .venv/bin/python benchmarks/search.py [--backend sqlite|postgresql] [--docs 10000] [--rounds 5] [--db PATH]

Builds a temporary SQLite database with the migrations and the reference data, makes ``--docs``
documents of three to six passages each drawn (with a fixed seed) from the five seed documents and
the registry's texts, indexes them with the real index code, then times, in the same run and on
the same index, ``knowledge.service.search`` (analysis, ranking, facets over every match, the
page of hits with snippets; once as it is, once grouped by document as the page, API and CLI give it)
and the bare FTS5 query on the same index (``MATCH`` of every word, or of any word when no entry
has every word, + ``bm25`` + ``LIMIT 10``, with the query already analysed): the limit of a search
that asks FTS5. The search itself scores from the index's postings in memory
(``knowledge.postings``, FTS5's own scores), built apart after an index write while FTS5 answers:
the first search after the write, and the time until the postings are ready, are shown on their
own.

``--db PATH`` keeps the built database at PATH and, when PATH already holds one, reuses it (to
time changes of the search code without building again).

``--backend postgresql`` starts a throwaway PostgreSQL (pgserver, in a temporary folder deleted at
the end, no fsync), builds the same documents there and times the search beside PostgreSQL's own full-text
query on its GIN index (``@@`` of every word, or of any word when no entry has every word, each word
in the 'indonesian', 'english' and 'simple' configurations as the search's phrase query asks, +
``ts_rank_cd`` + ``LIMIT 10``). The search scores from the same postings in memory on both backends;
a copy is built whole after an index write there, so "first search after a write" waits for it.
With ``--db FOLDER`` the server's files are kept in FOLDER and its database reused.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sqlalchemy import text
from sqlalchemy.orm import Session

from ascc.accounts.schemas import PUBLIC
from ascc.db.engine import make_engine
from ascc.db.migrate import upgrade
from ascc.db.uow import unit_of_work
from ascc.knowledge import columns, extract, postings
from ascc.knowledge import index as search_index
from ascc.knowledge import service as ks
from ascc.knowledge import text as t
from ascc.knowledge.backends import PG_TSV, PostgresBackend
from ascc.knowledge.models import Document, Passage, SearchEntry
from ascc.reference.files import read_reference
from ascc.reference.loader import load_reference
from ascc.wiring import session_factory

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
sys.path.insert(0, str(ROOT))
from tests.knowledge.evaluation_set import EVALUATION  # noqa: E402 - the evaluation set's questions


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument(
        "--db", type=Path, help="keep the database (PostgreSQL: the server's folder) here; reuse it"
    )
    ap.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    args = ap.parse_args()
    if args.backend == "postgresql":
        postgresql(args.docs, args.rounds, args.db)
        return
    path = args.db or Path(tempfile.mkdtemp(prefix="ascc-bench-")) / "bench.db"
    url = f"sqlite:///{path}"
    if path.exists():
        engine, args.docs, counts = reuse(url, path)
    else:
        engine, counts = build(url, args.docs)
    time_queries(engine, args.docs, args.rounds, counts)
    engine.dispose()


def postgresql(docs: int, rounds: int, folder: Path | None) -> None:
    """The same run on a throwaway PostgreSQL server: its files in a temporary folder deleted at
    the end, or kept in ``folder`` (and the database there reused)."""
    import pgserver

    keep = folder is not None
    server = pgserver.get_server(
        folder or tempfile.mkdtemp(prefix="ascc-bench-pg-"), cleanup_mode="stop" if keep else "delete"
    )
    try:
        admin = make_engine(server.get_uri(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for setting in ("fsync = off", "synchronous_commit = off", "full_page_writes = off"):
                conn.execute(text(f"ALTER SYSTEM SET {setting}"))  # a throwaway server: no fsync
            conn.execute(text("SELECT pg_reload_conf()"))
            there = conn.scalar(text("SELECT count(*) FROM pg_database WHERE datname = 'bench'"))
            if not there:
                conn.execute(text("CREATE DATABASE bench"))
        admin.dispose()
        url = server.get_uri().replace("/postgres?", "/bench?")
        if there:
            engine, docs, counts = reuse(url, folder)
        else:
            engine, counts = build(url, docs)
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        time_queries(engine, docs, rounds, counts)
        engine.dispose()
    finally:
        server.cleanup()


def reuse(url: str, where: Path | None):
    """The engine, documents and index entries of a database built before."""
    engine = make_engine(url)
    with Session(engine) as session:
        counts = dict(session.execute(text("SELECT kind, count(*) FROM search_entries GROUP BY kind")).all())
        docs = session.scalar(text("SELECT count(*) FROM documents WHERE slug LIKE 'bench-%'"))
    print(f"reusing {where}: {counts}", file=sys.stderr)
    return engine, docs, counts


def build(url: str, docs: int):
    """A database with the reference data, the seeds and ``docs`` documents, indexed."""
    upgrade(url)
    engine = make_engine(url)
    factory = session_factory(engine)
    with unit_of_work(factory) as session:
        load_reference(session, read_reference())
        ks.load_seeds(session, folder=SEEDS)
    with unit_of_work(factory) as session:
        pool = [p.text for p in session.query(Passage) if not p.heading]
        pool += [
            e.text_en or e.text_id
            for e in session.query(SearchEntry)
            if e.kind != "passage" and (e.text_en or e.text_id)
        ]
    print(f"{len(pool)} real passages to draw from", file=sys.stderr)
    rng = random.Random(7)
    started = time.perf_counter()
    with Session(engine) as plain:  # bulk load without the commit hook; indexed below by reindex
        for i in range(docs):
            body = "\n".join(rng.sample(pool, rng.randint(3, 6)))
            doc = Document(
                slug=f"bench-{i}",
                title_id=f"Dokumen {i}",
                language="id",
                kind="article",
                sectors=[],
                bodies=[],
                media_type="text/plain",
                audience="public",
                text=body,
                created_by="bench",
                digest=hashlib.sha256(f"{i}{body}".encode()).hexdigest(),
            )
            plain.add(doc)
            plain.flush()
            for p in extract.passages(body):
                plain.add(
                    Passage(
                        document_id=doc.id,
                        position=p.position,
                        paragraph=p.paragraph,
                        start=p.start,
                        end=p.end,
                        heading=p.heading,
                        text=p.text,
                    )
                )
        plain.commit()
    with unit_of_work(factory) as session:
        counts = search_index.reindex(session)
    print(f"built and indexed in {time.perf_counter() - started:.0f} s: {counts}", file=sys.stderr)
    return engine, counts


def _fts5_queries(session: Session, queries: list[str]) -> tuple[dict, dict]:
    """Per query the bare FTS5 statement and its parameters: every word; any word when no entry has
    every word, as the search does."""
    sql = (
        "SELECT rowid FROM search_fts WHERE search_fts MATCH :q ORDER BY bm25(search_fts, 4.0, 1.0) LIMIT 10"
    )
    count = text("SELECT count(*) FROM search_fts WHERE search_fts MATCH :q")
    matches = {}
    for q in queries:
        groups = ["(" + " OR ".join(f'"{x}"' for x in g) + ")" for g in t.query_groups(q)]
        matches[q] = {"q": " AND ".join(groups)}
        if not session.scalar(count, matches[q]):
            matches[q] = {"q": " OR ".join(groups)}
    return dict.fromkeys(queries, sql), matches


def _pg_queries(session: Session, queries: list[str]) -> tuple[dict, dict]:
    """Per query PostgreSQL's own full-text statement on the GIN index (the search's phrase query,
    :meth:`ascc.knowledge.backends.PostgresBackend.ranked`, without the expansion) and its
    parameters: every word; any word when no entry has every word."""
    statements, params = {}, {}
    for q in queries:
        words = ks._query(session, q).words
        for every in (True, False):
            values: dict = {}
            query = PostgresBackend._query(words, every, values)
            where = f"FROM search_entries e, (SELECT {query} AS q) q WHERE {PG_TSV} @@ q.q"
            if (
                every
                and not session.connection().exec_driver_sql(f"SELECT count(*) {where}", values).scalar()
            ):
                continue
            statements[q] = f"SELECT e.id {where} ORDER BY ts_rank_cd({PG_TSV}, q.q, 1) DESC LIMIT 10"
            params[q] = values
            break
    return statements, params


def time_queries(engine, docs: int, rounds: int, counts: dict[str, int]) -> None:
    queries = [q for q, _, _ in EVALUATION]
    ours, raw, grouped = [], [], []
    with Session(engine) as session:
        sql, matches = (_pg_queries if engine.dialect.name == "postgresql" else _fts5_queries)(
            session, queries
        )
        # the first search after an index write: FTS5 answers while the postings are built apart
        a = time.perf_counter()
        ks.search(session, principal=PUBLIC, q=queries[0], limit=10)
        cold = (time.perf_counter() - a) * 1000
        held = columns.committed(session, postings.build)  # waits for that build
        ready = time.perf_counter() - a
        size = sum(x.nbytes for x in vars(held).values() if isinstance(x, np.ndarray)) / 2**20
        for q in queries:  # warm caches once
            ks.search(session, principal=PUBLIC, q=q, limit=10)
            ks.search(session, principal=PUBLIC, q=q, limit=10, group=True)
            session.connection().exec_driver_sql(sql[q], matches[q]).all()
        for _ in range(rounds):
            for q in queries:
                a = time.perf_counter()
                ks.search(session, principal=PUBLIC, q=q, limit=10)
                ours.append((time.perf_counter() - a) * 1000)
                a = time.perf_counter()
                session.connection().exec_driver_sql(sql[q], matches[q]).all()
                raw.append((time.perf_counter() - a) * 1000)
                a = time.perf_counter()
                ks.search(session, principal=PUBLIC, q=q, limit=10, group=True)
                grouped.append((time.perf_counter() - a) * 1000)
    entries = sum(counts.values())
    print(f"\n{docs} documents, {entries} index entries, {len(queries)} queries × {rounds} rounds")
    print(f"{'':28}{'p50 ms':>10}{'p95 ms':>10}")
    print(f"{'ascc search (facets, snippets)':28}{statistics.median(ours):10.2f}{pct(ours, 95):10.2f}")
    print(f"{'ascc search, by document':28}{statistics.median(grouped):10.2f}{pct(grouped, 95):10.2f}")
    how = "waits for the " if engine.dialect.name == "postgresql" else "FTS5; "
    peer = (
        "raw PostgreSQL @@+ts_rank_cd"
        if engine.dialect.name == "postgresql"
        else "raw SQLite FTS5 MATCH+bm25"
    )
    print(f"{peer:28}{statistics.median(raw):10.2f}{pct(raw, 95):10.2f}")
    print(
        f"{'first search after a write':28}{cold:10.2f} ({how}postings of {size:.0f} MB ready after {ready:.1f} s)"
    )
    print(
        f"{'ratio':28}{statistics.median(ours) / statistics.median(raw):10.2f}{pct(ours, 95) / pct(raw, 95):10.2f}"
    )


if __name__ == "__main__":
    main()
