"""SQLite's grouped search from a window of the best matches gives exactly the groups (and each
group's best passages) of ranking every match, on every evaluation question and several pages."""

from __future__ import annotations

import pytest

from ascc.knowledge import backends as b
from ascc.knowledge import text as t
from tests.knowledge.test_evaluation import EVALUATION


def test_window_equals_ranking_every_match(kb_session):
    if kb_session.get_bind().dialect.name != "sqlite":
        pytest.skip("the window is SQLite's (FTS5 ranks its own top-k without the join)")
    backend = b.SqliteBackend()
    used = 0
    for q, _, _ in EVALUATION:
        groups = t.query_groups(q)
        for every in (True, False):
            for filters in (b.Filters(), b.Filters(kinds=("passage", "document")), b.Filters(language="id")):
                params = {"q": backend._match(groups, every)}
                where = b._where(filters, params)
                matched = (
                    "SELECT e.id, e.document_id, -bm25(search_fts, 4.0, 1.0) AS score "
                    f"FROM search_fts JOIN search_entries e ON e.id = search_fts.rowid "
                    f"WHERE search_fts MATCH :q AND {where}"
                )
                for limit, offset in ((10, 0), (5, 5), (3, 12), (20, 40)):
                    args = {"limit": limit, "offset": offset, "per": 3}
                    full = b.grouped(kb_session, matched, dict(params), **args)
                    got = backend.grouped(kb_session, groups, [], every=every, filters=filters, **args)
                    assert got == full, (q, every, filters, limit, offset)
                    used += backend._grouped_window(kb_session, dict(params), where, **args) is not None
    assert used > 100  # the window decided most pages (else this would test only the fallback)
