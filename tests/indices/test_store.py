"""Stored index results on SQLite and PostgreSQL: provenance, rank intervals, idempotence, all-or-nothing."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import func, select

from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.indices import service
from ascc.indices import store as index_store
from ascc.indices.errors import IndexInputError
from ascc.indices.models import IndexDefinitionRecord, IndexResult, IndexRun
from ascc.wiring import session_factory
from tests.conftest import migrate
from tests.indices.conftest import ASEM, EXAMPLES, STORE, needs_asem, needs_store

pytestmark = needs_store


@pytest.fixture
def factory(fresh_url):
    migrate(fresh_url)
    engine = make_engine(fresh_url)
    yield session_factory(engine)
    engine.dispose()


def _counts(factory) -> tuple[int, int, int]:
    with unit_of_work(factory) as s:
        return tuple(
            s.scalar(select(func.count()).select_from(m))
            for m in (IndexDefinitionRecord, IndexRun, IndexResult)
        )


def test_store_ydi_with_provenance_and_rank_intervals_then_idempotent(factory):
    path = EXAMPLES / "ydi-2022.yaml"
    with unit_of_work(factory) as s:
        report = index_store.store_run(s, definition=path, data=STORE, uncertainty_n=20, seed=7)
    assert report.created and report.slug == "ydi-2022"
    with unit_of_work(factory) as s:
        stored = index_store.latest(s, slug="ydi-2022")
        assert stored.record.yaml_text == path.read_text(encoding="utf-8")
        assert stored.record.version == "2.0-demo" and stored.record.edition == "2 (2022)"
        assert stored.run.data_description["file_sha256"] is not None
        assert stored.run.data_description["years"] == list(range(2013, 2020))
        assert stored.run.parameters["uncertainty"]["n"] == 20
        # the scores are the engine's, for every unit, year and aggregate
        nominal = service.compute(definition=path, data=STORE)
        frame = nominal.aggregated
        by_key = {(r.unit_code, r.year, r.code): r for r in stored.results}
        assert len(by_key) == len(frame.units) * (1 + 7)
        for i, unit in enumerate(frame.units):
            for code in ("YDI", "PekerjaanPeluang"):
                row = by_key[(str(unit), int(frame.times[i]), code)]
                assert row.score == pytest.approx(frame.column(code)[i], abs=1e-12)
                assert row.rank == int(nominal.ranks.column(code)[i])
        index_rows = [r for r in stored.results if r.code == "YDI"]
        assert all(r.rank_low is not None and r.rank_low <= r.rank_high for r in index_rows)
        assert all(r.rank_low >= 1 and r.rank_high <= 11 for r in index_rows)
        assert all(r.rank_low is None for r in stored.results if r.code != "YDI")
        # the snapshot rebuilds the same index through the what-if service
        again = service.what_if(definition_text=stored.record.yaml_text, data_text=stored.run.data_csv)
        scores = {(r["uCode"], r["Time"]): r["score"] for r in again["results"]}
        for r in index_rows:
            assert scores[(r.unit_code, r.year)] == pytest.approx(r.score, abs=1e-12)
    before = _counts(factory)
    with unit_of_work(factory) as s:
        second = index_store.store_run(s, definition=path, data=STORE, uncertainty_n=20, seed=7)
    assert not second.created and second.run_id == report.run_id
    assert _counts(factory) == before
    # other settings are another run of the same definition version
    with unit_of_work(factory) as s:
        third = index_store.store_run(s, definition=path, data=STORE, uncertainty_n=0)
    assert third.created and third.definition_id == report.definition_id
    assert _counts(factory) == (1, 2, 2 * before[2])
    with unit_of_work(factory) as s:
        csv_text = index_store.results_csv(index_store.latest(s, slug="ydi-2022"))
    assert csv_text.splitlines()[0].startswith("uCode,uName,Time,Code,Level,Score,Rank")


@needs_asem
def test_store_asem_cross_section_with_meta(factory):
    with unit_of_work(factory) as s:
        report = index_store.store_run(
            s, definition=EXAMPLES / "asem.yaml", data=ASEM / "asem_idata.csv", meta=ASEM / "asem_imeta.csv"
        )
    with unit_of_work(factory) as s:
        stored = index_store.latest(s, slug="asem")
        assert stored.run.meta_csv == (ASEM / "asem_imeta.csv").read_text(encoding="utf-8")
        index_rows = {r.unit_code: r for r in stored.results if r.code == "Index"}
        build = service.compute(
            definition=EXAMPLES / "asem.yaml", data=ASEM / "asem_idata.csv", meta=ASEM / "asem_imeta.csv"
        )
        scores = build.aggregated.column("Index")
        for i, unit in enumerate(build.aggregated.units):
            assert index_rows[str(unit)].score == pytest.approx(scores[i], abs=1e-12)
            assert index_rows[str(unit)].year == 2018
        assert np.isfinite(scores).all() and report.results == len(stored.results)


def test_bad_definition_writes_nothing(factory, tmp_path):
    text = (EXAMPLES / "ydi-2022.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("parent: IdentitasASEAN", "parent: NoSuchDomain"), encoding="utf-8")
    with pytest.raises(IndexInputError) as info, unit_of_work(factory) as s:
        index_store.store_run(s, definition=bad, data=STORE)
    assert "NoSuchDomain" in str(info.value.problems[0])
    assert _counts(factory) == (0, 0, 0)


def test_unknown_slug_is_not_found(factory):
    from ascc.kit.errors import NotFound

    with pytest.raises(NotFound), unit_of_work(factory) as s:
        index_store.latest(s, slug="nope")


def test_a_run_keeps_its_weights_so_pca_pages_need_no_build(factory, tmp_path, monkeypatch):
    """Data-driven (PCA) weights are recorded with the run; the page's effective weights come from
    there, and without them (a run stored before they were recorded) from one build."""
    text = (EXAMPLES / "ydi-2022.yaml").read_text(encoding="utf-8")
    assert "weights: {method: metadata}" in text
    path = tmp_path / "ydi-pca.yaml"
    path.write_text(text.replace("weights: {method: metadata}", "weights: {method: pca}"), encoding="utf-8")
    with unit_of_work(factory) as s:
        index_store.store_run(s, definition=path, data=STORE, uncertainty_n=0)
    with unit_of_work(factory) as s:
        stored = index_store.latest(s, slug="ydi-pca")
        recorded = stored.run.parameters["weights"]
        assert "weights" not in stored.read()["run"]["parameters"]
        texts = index_store.texts(stored)
    nominal = service.compute(definition=path, data=STORE)
    assert recorded == nominal.weights and recorded != {n.code: n.weight for n in nominal.definition.nodes}
    service.clear_cache()
    builds = []
    real = service.build
    monkeypatch.setattr(service, "build", lambda *a, **k: builds.append(1) or real(*a, **k))
    assert service.nominal_weights_of(texts, stored=recorded) == recorded and builds == []
    assert service.nominal_weights_of(texts) == recorded and builds == [1]
    service.clear_cache()
