"""SQLite joins the matches to their entries through the covering index of migration 0015."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text

from ascc.accounts.schemas import PUBLIC
from ascc.knowledge import service as ks


def test_sqlite_search_reads_the_covering_index_not_the_rows(kb_session):
    if kb_session.get_bind().dialect.name != "sqlite":
        pytest.skip("the covering index is SQLite's (PostgreSQL reads its GIN index and the heap)")
    statements: list[tuple[str, dict]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if "search_fts MATCH" in statement and "search_entries e" in statement:
            statements.append((statement, parameters))

    engine = kb_session.get_bind().engine
    event.listen(engine, "before_cursor_execute", capture)
    try:
        ks.search(kb_session, principal=PUBLIC, q="kerjasama sosial", limit=5)
        ks.search(kb_session, principal=PUBLIC, q="kerjasama sosial", limit=5, group=True)
        ks.search(kb_session, principal=PUBLIC, q="kerjasama sosial", types=("passage",), sector="x", limit=5)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert len(statements) >= 4  # counts, ranked (and its fallback), grouped
    conn = kb_session.connection().connection.driver_connection
    for statement, parameters in statements:
        plan = " | ".join(row[-1] for row in conn.execute("EXPLAIN QUERY PLAN " + statement, parameters))
        assert "COVERING INDEX ix_search_entries_facets" in plan, plan
        assert "INTEGER PRIMARY KEY" not in plan, plan
    assert (
        kb_session.scalar(text("SELECT count(*) FROM sqlite_master WHERE name = 'ix_search_entries_facets'"))
        == 1
    )
