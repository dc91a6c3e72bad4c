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
            session, body_id="asoen", changes={"mandate_en": "Studies zebrafish habitats."}
        )
    with unit_of_work(factory) as session:
        hits = ks.search(session, principal=PUBLIC, q="zebrafish")
        assert [h.id for h in hits.items] == ["asoen"] and "<mark>zebrafish</mark>" in hits.items[0].snippet
        before = ks.entry_count(session)
    try:  # a write that rolls back leaves the index as it was
        with unit_of_work(factory) as session:
            registry_service.update_body(session, body_id="asoen", changes={"mandate_en": "Studies quokkas."})
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
