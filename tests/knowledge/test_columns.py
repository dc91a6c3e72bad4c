"""The search's in-memory facet columns: never stale across sessions, engines (processes) and
rollbacks, on both backends; on SQLite they are read from the covering index of migration 0015."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select

from ascc.accounts.schemas import PUBLIC, Principal, Role
from ascc.db import version
from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.knowledge import columns, index
from ascc.knowledge import schemas as s
from ascc.knowledge import service as ks
from ascc.knowledge.models import Document, SearchEntry
from ascc.wiring import session_factory
from tests.conftest import load

OFFICER = Principal(user_id=1, name="officer", role=Role.secretariat)
WORD = "Zyxwvutsrqpon"  # in no seed


def ids(result) -> list[str]:
    return [f"{h.type}:{h.id}" for h in result.items]


def add(session, title: str, text: str, *, sectors: tuple[str, ...] = (), audience: str = "public") -> None:
    data = s.DocumentCreate(
        title_en=title, language="en", kind="report", sectors=list(sectors), audience=audience
    )
    ks.add_document(session, principal=OFFICER, data=data, filename=f"{title}.txt", content=text.encode())


@pytest.fixture
def url(fresh_url, reference) -> str:
    load(fresh_url, reference)
    return fresh_url


def test_committed_index_writes_reach_every_engine(url):
    # two engines stand for two server processes sharing the database: each caches its columns
    one, two = make_engine(url), make_engine(url)
    try:
        for engine in (one, two):
            with session_factory(engine)() as reader:
                assert ks.search(reader, principal=PUBLIC, q=WORD).total == 0
        with unit_of_work(session_factory(one)) as writer:
            add(writer, "Report one", f"The {WORD} programme for youth.", sectors=("education",))
        for engine in (one, two):
            with session_factory(engine)() as reader:
                found = ks.search(reader, principal=PUBLIC, q=WORD, group=True)
                assert found.total == 1 and found.items[0].id == "report-one"
                sectors = {f.value: f.count for f in found.facets.sector}
                assert sectors == {"education": 2}  # the document and its passage
        with unit_of_work(session_factory(two)) as writer:  # the audience changes: the public loses it
            writer.scalar(select(Document).where(Document.slug == "report-one")).audience = "member_states"
        for engine in (one, two):
            with session_factory(engine)() as reader:
                assert ks.search(reader, principal=PUBLIC, q=WORD).total == 0
                focal = Principal(user_id=2, name="fp", role=Role.focal_point, member_state="IDN")
                assert ks.search(reader, principal=focal, q=WORD).total == 2
    finally:
        one.dispose()
        two.dispose()


def test_a_transaction_sees_its_own_index_writes_and_a_rollback_leaves_no_trace(factory):
    with factory() as reader:
        assert ks.search(reader, principal=PUBLIC, q=WORD).total == 0  # columns cached
    with factory() as writer:
        add(writer, "Draft", f"A {WORD} draft.")
        doc = writer.scalar(select(Document).where(Document.slug == "draft"))
        index.refresh(writer, "document", str(doc.id))  # as the commit would, but not committed
        assert ks.search(writer, principal=PUBLIC, q=WORD).total == 2
        writer.rollback()
    with factory() as reader:
        assert ks.search(reader, principal=PUBLIC, q=WORD).total == 0


def test_savepoints_never_put_uncommitted_columns_in_the_cache(factory):
    with factory() as writer:
        add(writer, "Outer", f"A {WORD} outer draft.")
        with writer.begin_nested():  # its release indexes what it wrote (the commit hook runs for it)
            add(writer, "Inner", f"A {WORD} inner draft.")
        assert ks.search(writer, principal=PUBLIC, q=WORD).total == 4  # both drafts, indexed at the release
        writer.rollback()
    with unit_of_work(factory) as other:  # the counter moves again, to where the rolled-back one had it
        add(other, "Memo", f"A {WORD} memo.", audience="member_states")
    with factory() as reader:
        assert ks.search(reader, principal=PUBLIC, q=WORD).total == 0
        focal = Principal(user_id=2, name="fp", role=Role.focal_point, member_state="IDN")
        assert [h.id for h in ks.search(reader, principal=focal, q=WORD, group=True).items] == ["memo"]


def test_index_writes_move_the_search_counter_once_per_commit(factory):
    with factory() as session:
        before = version.read(session, version.SEARCH_INDEX)
    with unit_of_work(factory) as writer:
        add(writer, "First", f"{WORD} one.")
        add(writer, "Second", f"{WORD} two.")
    with factory() as session:
        assert version.read(session, version.SEARCH_INDEX) == before + 1
        first = session.scalar(select(Document).where(Document.slug == "first"))
        first.kind = "report"  # the value it has: nothing to index
        session.commit()
        assert version.read(session, version.SEARCH_INDEX) == before + 1


def test_sqlite_columns_are_read_from_the_covering_index(kb_session):
    if kb_session.get_bind().dialect.name != "sqlite":
        pytest.skip("the covering index is SQLite's")
    conn = kb_session.connection().connection.driver_connection
    plan = " | ".join(row[-1] for row in conn.execute("EXPLAIN QUERY PLAN " + columns.load_sql("sqlite")))
    assert "COVERING INDEX ix_search_entries_facets" in plan, plan
    loaded = columns.columns(kb_session)
    assert len(loaded.ids) == kb_session.scalar(select(func.count()).select_from(SearchEntry))
    assert set(loaded.kinds) >= {"document", "passage", "body", "sector", "indicator"}


def test_readers_that_arrive_together_build_once_and_share_it(factory):
    built: list[int] = []

    def build(session):
        built.append(1)
        time.sleep(0.2)  # long enough for the other readers to arrive meanwhile
        return object()

    got: list[object] = []

    def read() -> None:
        with factory() as session:
            got.append(columns.committed(session, build))

    readers = [threading.Thread(target=read) for _ in range(4)]
    for r in readers:
        r.start()
    for r in readers:
        r.join()
    assert len(built) == 1 and len(got) == 4 and all(g is got[0] for g in got)


def test_without_waiting_the_copy_is_built_apart_once_and_then_used(factory):
    builders: list[str] = []
    go = threading.Event()

    def build(session):
        builders.append(threading.current_thread().name)
        go.wait(10)
        return object()

    with factory() as session:
        assert columns.committed(session, build, wait=False) is None  # a thread of its own builds it
        assert columns.committed(session, build, wait=False) is None  # still building: not a second one
        go.set()
        got = columns.committed(session, build)  # waits for that build, does not build again
        assert got is not None and columns.committed(session, build, wait=False) is got
    assert len(builders) == 1 and builders[0] != threading.current_thread().name
