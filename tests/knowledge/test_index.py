"""The index follows every committed write, and ``ascc search reindex`` rebuilds the same index."""

from __future__ import annotations

from typer.testing import CliRunner

from ascc.accounts.schemas import PUBLIC
from ascc.cli.main import app
from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.knowledge import index as search_index
from ascc.knowledge import service as ks
from ascc.registry import service as registry_service
from ascc.wiring import session_factory
from tests.conftest import SEEDS, load


def test_writes_are_indexed_at_commit_and_reindex_rebuilds(fresh_url, reference, monkeypatch):
    load(fresh_url, reference)
    engine = make_engine(fresh_url)
    factory = session_factory(engine)
    with unit_of_work(factory) as session:
        ks.load_seeds(session, folder=SEEDS)
    with unit_of_work(factory) as session:
        assert ks.search(session, principal=PUBLIC, q="zebrafish").total == 0
        registry_service.update_body(
            session, if_match="*", body_id="asoen", changes={"mandate_en": "Studies zebrafish habitats."}
        )
    with unit_of_work(factory) as session:
        hits = ks.search(session, principal=PUBLIC, q="zebrafish")
        assert [h.id for h in hits.items] == ["asoen"] and "<mark>zebrafish</mark>" in hits.items[0].snippet
        before = ks.entry_count(session)
    try:  # a write that rolls back leaves the index as it was
        with unit_of_work(factory) as session:
            registry_service.update_body(
                session, if_match="*", body_id="asoen", changes={"mandate_en": "Studies quokkas."}
            )
            raise RuntimeError("abort")
    except RuntimeError:
        pass
    with unit_of_work(factory) as session:
        assert ks.search(session, principal=PUBLIC, q="quokkas").total == 0
        search_index.reindex(session)
    with unit_of_work(factory) as session:
        assert ks.entry_count(session) == before
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", fresh_url)
    runner = CliRunner()
    r = runner.invoke(app, ["search", "reindex"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["search", "--json", "zebrafish"])
    assert r.exit_code == 0 and '"/bodies/asoen"' in r.stdout
    r = runner.invoke(app, ["search", "--ask", "Apa tujuan dilakukan kerjasama ASEAN pada bidang sosial"])
    assert r.exit_code == 0 and "/documents/seed-001#p" in r.stdout


def test_a_commit_rebuilds_only_the_entries_it_changed(fresh_url, reference, monkeypatch):
    from sqlalchemy import select

    from ascc.accounts.schemas import Principal, Role
    from ascc.knowledge import schemas as s
    from ascc.knowledge.models import Passage, SearchEntry

    load(fresh_url, reference)
    engine = make_engine(fresh_url)
    factory = session_factory(engine)
    with unit_of_work(factory) as session:
        ks.load_seeds(session, folder=SEEDS)
    built: list[str] = []
    real = search_index.build_row
    monkeypatch.setattr(
        search_index,
        "build_row",
        lambda e, root, lex: built.append(f"{e.kind}:{e.ref}") or real(e, root, lex),
    )

    def entry_id(session, ref):
        return session.scalar(select(SearchEntry.id).where(SearchEntry.ref == ref))

    with unit_of_work(factory) as session:
        before = entry_id(session, "asoen")
        registry_service.update_body(
            session, if_match="*", body_id="asoen", changes={"meeting_interval": "biennial"}
        )
    assert built == []  # a field the index does not hold: nothing analysed or written
    with unit_of_work(factory) as session:
        registry_service.update_body(
            session, if_match="*", body_id="asoen", changes={"mandate_en": "Studies zebrafish."}
        )
    assert built == ["body:asoen"]
    with unit_of_work(factory) as session:
        assert entry_id(session, "asoen") == before
        assert [h.id for h in ks.search(session, principal=PUBLIC, q="zebrafish").items] == ["asoen"]
        count = ks.entry_count(session)
        doc = session.scalar(select(Passage).where(Passage.position == 20, Passage.text.contains("ASEAN")))
        doc.text += " Komodo juga."
    assert built[1:] == [f"passage:{ks_slug(session, doc.document_id)}#p20"]  # one passage of the document
    with unit_of_work(factory) as session:
        assert ks.search(session, principal=PUBLIC, q="komodo").items[0].id.endswith("#p20")
        assert ks.entry_count(session) == count
        # a renamed body: entries written afterwards expand its acronym to the new name at once
        registry_service.update_body(
            session, if_match="*", body_id="asoen", changes={"name_en": "ASEAN Axolotl Officials Council"}
        )
    with unit_of_work(factory) as session:
        data = s.DocumentCreate(language="en", kind="report", title_en="Haze meeting")
        ks.add_document(
            session,
            principal=Principal(user_id=1, name="officer", role=Role.secretariat),
            data=data,
            filename="m.txt",
            content=b"ASOEN met on haze.",
        )
    with unit_of_work(factory) as session:
        hits = ks.search(session, principal=PUBLIC, q="axolotl", types=("passage",), limit=50)
        # the new minutes, and the seed passages naming ASOEN, re-expanded by the rename's commit
        assert {h.document for h in hits.items} == {"haze-meeting", "seed-003"}
    engine.dispose()


def ks_slug(session, document_id: int) -> str:
    from ascc.knowledge.models import Document

    return session.get(Document, document_id).slug


def test_renaming_a_body_expands_the_texts_naming_it_anew_without_a_reindex(fresh_url, reference):
    from ascc.accounts.schemas import Principal, Role
    from ascc.knowledge import schemas as s

    load(fresh_url, reference)
    engine = make_engine(fresh_url)
    factory = session_factory(engine)
    officer = Principal(user_id=1, name="officer", role=Role.secretariat)
    data = s.DocumentCreate(
        title_en="Forum minutes", language="en", kind="report", sectors=[], audience="public"
    )

    def found(q: str) -> list[str]:
        with factory() as session:
            return sorted(
                f"{h.type}:{h.id}" for h in ks.search(session, principal=PUBLIC, q=q, limit=50).items
            )

    with unit_of_work(factory) as session:
        ks.add_document(
            session,
            principal=officer,
            data=data,
            filename="minutes.txt",
            content=b"The Zyxw Youth Forum Council met in Jakarta.",
        )
    assert found("ZYFC") == []
    with unit_of_work(factory) as session:  # a body takes that name: the minutes now name it
        registry_service.update_body(
            session,
            if_match="*",
            body_id="asoen",
            changes={"acronym": "ZYFC", "name_en": "Zyxw Youth Forum Council"},
        )
    assert found("ZYFC") == ["body:asoen", "document:forum-minutes", "passage:forum-minutes#p1"]
    with unit_of_work(factory) as session:  # a new acronym: the old one no longer finds the minutes
        registry_service.update_body(session, if_match="*", body_id="asoen", changes={"acronym": "ZYFQ"})
    assert found("ZYFC") == []
    assert found("ZYFQ") == ["body:asoen", "document:forum-minutes", "passage:forum-minutes#p1"]
    with unit_of_work(factory) as session:  # renamed again: the minutes no longer name it
        registry_service.update_body(
            session, if_match="*", body_id="asoen", changes={"name_en": "Another Body Entirely Named"}
        )
    assert found("ZYFQ") == ["body:asoen"]
    engine.dispose()
