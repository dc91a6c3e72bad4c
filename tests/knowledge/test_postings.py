"""The SQLite backend's postings in memory: the matches and scores FTS5 itself gives, kept only
while the index is unchanged, never for a session with uncommitted index writes."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from ascc.accounts.schemas import PUBLIC, Principal, Role
from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.knowledge import columns, index, postings
from ascc.knowledge import schemas as s
from ascc.knowledge import service as ks
from ascc.knowledge import text as t
from ascc.knowledge.backends import SqliteBackend
from ascc.knowledge.models import Document
from ascc.wiring import session_factory
from tests.conftest import SEEDS, load, migrate
from tests.knowledge.test_evaluation import EVALUATION

#: text as PDFs and other scripts give it: ligatures, full-width letters, super- and subscripts, Greek
#: final sigma and tonos, Cyrillic й and ё, Arabic hamza forms, New Tai Lue (vowel signs SQLite
#: treats as separators), Vietnamese
TRICKY = (
    "The ﬁnancing of ＡＳＥＡＮ: CO₂ per km². Ελλάς and ελλάς. Москва́, ёлка, йод. أحمد إسلام آمن. "
    "ᦅᦳᦐ ᦵᦑ. Hà Nội and Ha Noi."
)
QUERIES = [
    "viet",
    "Việt",
    "VIỆT nam",
    "cafe",
    "CAFÉ culture",
    "kerja sama ASEAN",
    "ﬁnancing",
    "financing",
    "ＡＳＥＡＮ",
    "CO₂",
    "co2 km2",
    "ελλας",
    "Ελλάς",
    "ёлка",
    "елка",
    "йод",
    "أحمد",
    "احمد",
    "ᦅᦳᦐ",
    "Hà Nội",
    "ha noi",
]
#: FTS5 keeps Greek tonos, Cyrillic ё and Arabic hamza forms apart, and so do the postings; the New
#: Tai Lue word is a phrase to FTS5 (the search asks FTS5 for it); every other query finds TRICKY
NOT_FOUND = {"ελλας", "елка", "احمد", "ᦅᦳᦐ"}
OFFICER = Principal(user_id=1, name="officer", role=Role.secretariat)


def fts5(session, groups: list[list[str]], every: bool) -> dict[int, float]:
    """What FTS5 itself answers: every match and its score."""
    sql = "SELECT rowid, -bm25(search_fts, 4.0, 1.0) FROM search_fts WHERE search_fts MATCH :q"
    return dict(session.execute(text(sql), {"q": SqliteBackend._match(groups, every)}).all())


def in_memory(held: postings.Postings, groups: list[list[str]], every: bool) -> dict[int, float]:
    found = held.scored(groups, every=every)
    assert found is not None
    ids, scores = found
    assert list(ids) == sorted(ids)
    return dict(zip(ids.tolist(), scores.tolist(), strict=True))


@pytest.fixture
def url(new_database, reference) -> str:
    url = new_database("sqlite")
    load(url, reference)
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        ks.load_seeds(session, folder=SEEDS)
        add(session, "Việt Nam report", "CAFÉ culture in Việt Nam and in Viet Nam; the Café Việt programme.")
        add(session, "Scripts", TRICKY)
    engine.dispose()
    return url


def add(session, title: str, body: str) -> None:
    data = s.DocumentCreate(title_en=title, language="en", kind="report", sectors=[], audience="public")
    ks.add_document(session, principal=OFFICER, data=data, filename=f"{title}.txt", content=body.encode())


def test_every_evaluation_question_scores_as_fts5_scores_it(factory):
    with factory() as session:
        held = postings.build(session)
        compared = 0
        for question, _, _ in EVALUATION:
            groups = t.query_groups(question)
            for every in (True, False):
                expected = fts5(session, groups, every)
                got = in_memory(held, groups, every)
                assert got.keys() == expected.keys(), (question, every)
                assert got == expected, (question, every)  # the same doubles
                compared += len(got)
        assert compared > 1000  # the questions do match, so the comparison means something


def test_any_script_folds_and_scores_as_in_fts5(factory):
    found_by: set[str] = set()
    with factory() as session:
        held = postings.build(session)
        for query in QUERIES:
            groups = t.query_groups(query)
            for every in (True, False):
                expected = fts5(session, groups, every)
                found = held.scored(groups, every=every)
                if found is None:  # a term FTS5 cuts in several tokens: a phrase, left to FTS5
                    assert any(len(postings.tokens(term)) != 1 for g in groups for term in g), query
                    continue
                found_by |= {query} if expected else set()
                assert dict(zip(found[0].tolist(), found[1].tolist(), strict=True)) == expected, query
    assert set(QUERIES) - found_by == NOT_FOUND


def test_a_search_gives_the_same_on_the_committed_and_the_uncommitted_path(factory):
    with factory() as reader, factory() as writer:
        writer.execute(text("UPDATE documents SET title_en = title_en WHERE id = 0"))  # a write: FTS5 path
        assert columns.committed(writer, postings.build) is None
        for query in QUERIES:
            a = ks.search(reader, principal=PUBLIC, q=query, limit=50)
            b = ks.search(writer, principal=PUBLIC, q=query, limit=50)
            assert a.model_dump() == b.model_dump(), query
            assert a.total or query in NOT_FOUND - {"ᦅᦳᦐ"}, query


def test_terms_no_entry_holds_and_empty_queries_find_nothing(factory):
    with factory() as session:
        held = postings.build(session)
        assert in_memory(held, [["zyxwvutsrqpon"]], True) == {} == fts5(session, [["zyxwvutsrqpon"]], True)
        assert in_memory(held, [], False) == {}
        # one known and one unknown word: every word → nothing; any word → the known word's matches
        groups = [["asean"], ["zyxwvutsrqpon"]]
        assert in_memory(held, groups, True) == {}
        assert in_memory(held, groups, False) == fts5(session, groups, False)


def test_an_empty_index_has_empty_postings(new_database):
    url = new_database("sqlite")
    migrate(url)
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            held = postings.build(session)
            assert len(held.ids) == 0 and in_memory(held, [["asean"]], False) == {}
    finally:
        engine.dispose()


def test_postings_are_kept_while_the_index_stays_and_rebuilt_after_a_write(factory):
    with factory() as reader:
        first = columns.committed(reader, postings.build)
        assert first is not None and columns.committed(reader, postings.build) is first
    with unit_of_work(factory) as writer:
        add(writer, "Zyxwvutsrqpon brief", "Zyxwvutsrqpon for the youth of ASEAN.")
        doc = writer.scalar(select(Document).where(Document.slug == "zyxwvutsrqpon-brief"))
        index.refresh(writer, "document", str(doc.id))  # as the commit does, before it
        # uncommitted index writes: no postings for this session; its search asks FTS5 and sees them
        assert columns.committed(writer, postings.build) is None
        assert ks.search(writer, principal=PUBLIC, q="zyxwvutsrqpon").total == 2  # document and passage
    with factory() as reader:
        second = columns.committed(reader, postings.build)
        assert second is not None and second is not first
        assert len(in_memory(second, [["zyxwvutsrqpon"]], True)) == 2
        assert ks.search(reader, principal=PUBLIC, q="zyxwvutsrqpon").total == 2


def test_after_writes_the_kept_postings_are_patched_and_score_as_fts5_scores(factory, monkeypatch):
    """A write of a few entries patches the process's postings (the entries gone or stamped since
    are replaced) instead of reading every entry again; the patched copy scores every evaluation
    question exactly as FTS5 does on the index as it is now, and as a whole build does."""
    from ascc.registry import service as registry

    patches: list[bool] = []  # whether each patch made a copy (None: a whole build instead)
    for builder in (postings.build, columns._build):

        def counted(session, old, counter, real=builder.patch):
            made = real(session, old, counter)
            patches.append(made is not None)
            return made

        monkeypatch.setattr(builder, "patch", counted)
    monkeypatch.setattr(columns, "PATCH_SHARE", 1.0)  # the rename below rewrites half the entries
    with factory() as reader:
        first = columns.committed(reader, postings.build)
        assert first is not None
        first_columns = columns.committed(reader, columns._build)
    with unit_of_work(factory) as writer:  # new entries
        add(writer, "Zyxwvutsrqpon brief", "Zyxwvutsrqpon for the youth of ASEAN and disaster risk.")
    with unit_of_work(factory) as writer:  # entries changed: the texts naming a renamed body
        registry.update_body(
            writer,
            body_id="asoen",
            changes={"name_en": "ASEAN Senior Officials on Zyxwvutsrqpon"},
            if_match="*",
        )
    with unit_of_work(factory) as writer:  # entries gone
        writer.delete(writer.scalar(select(Document).where(Document.slug == "scripts")))
    with factory() as reader:
        held = columns.committed(reader, postings.build)
        assert patches[0] and held is not first
        whole = postings.build(reader)
        assert held.ids.tolist() == whole.ids.tolist()
        compared = 0
        for question, _, _ in [
            *EVALUATION,
            ("zyxwvutsrqpon senior officials", None, None),
            (TRICKY[:40], None, None),
        ]:
            groups = t.query_groups(question)
            for every in (True, False):
                expected = fts5(reader, groups, every)
                assert in_memory(held, groups, every) == expected, (question, every)  # the same doubles
                assert in_memory(whole, groups, every) == expected, (question, every)
                compared += len(expected)
        assert compared > 1000
        # the facet columns are patched too, to what a whole read gives
        kept, read = columns.committed(reader, columns._build), columns._build(reader)
        assert kept is not first_columns and patches == [True, True]

        def decoded(c: columns.Columns) -> list[tuple]:
            return list(
                zip(
                    c.ids.tolist(),
                    [c.kinds[i] for i in c.kind],
                    [c.audiences[i] for i in c.audience],
                    c.year.tolist(),
                    c.heading.tolist(),
                    c.document.tolist(),
                    [c.language_sets[i] for i in c.languages],
                    [c.sector_sets[i] for i in c.sectors],
                    strict=True,
                )
            )

        assert decoded(kept) == decoded(read)
        assert ks.search(reader, principal=PUBLIC, q="zyxwvutsrqpon").total >= 3
        assert ks.search(reader, principal=PUBLIC, q="ёлка").total == 0  # the deleted document's
