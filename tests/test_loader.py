"""``ascc init`` semantics on both backends: idempotent, keeps user edits, reports conflicts."""

from __future__ import annotations

import dataclasses

from sqlalchemy import func, select

from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.reference.files import ReferenceSet
from ascc.reference.loader import load_reference
from ascc.registry import models as m
from ascc.registry import service as registry_service
from ascc.wiring import session_factory
from tests.conftest import migrate


def run(url: str, ref: ReferenceSet):
    engine = make_engine(url)
    try:
        with unit_of_work(session_factory(engine)) as session:
            return load_reference(session, ref)
    finally:
        engine.dispose()


def with_body(ref: ReferenceSet, body_id: str, **changes) -> ReferenceSet:
    bodies = [b.model_copy(update=changes) if b.id == body_id else b for b in ref["bodies"]]
    return dataclasses.replace(ref, records={**ref.records, "bodies": bodies})


def test_load_twice_changes_nothing(fresh_url, reference):
    migrate(fresh_url)
    first = run(fresh_url, reference)
    assert first.created["bodies"] == len(reference["bodies"])
    second = run(fresh_url, reference)
    assert second.created == {} and second.updated == {} and second.conflicts == []
    assert second.unchanged["bodies"] == len(reference["bodies"])


def test_user_edit_is_kept_and_conflict_reported(fresh_url, reference):
    migrate(fresh_url)
    run(fresh_url, reference)
    engine = make_engine(fresh_url)
    with unit_of_work(session_factory(engine)) as session:
        registry_service.update_body(
            session, if_match="*", body_id="acw", changes={"name_en": "Edited by the Secretariat"}
        )
    # reference unchanged: the edit stays, no conflict
    report = run(fresh_url, reference)
    assert report.kept_edits.get("bodies") == 1 and report.conflicts == []
    # reference changed on the same record: the edit stays, and the conflict is reported
    changed = with_body(reference, "acw", name_en="ASEAN Committee on Women (renamed upstream)")
    report = run(fresh_url, changed)
    assert [(c.table, c.key) for c in report.conflicts] == [("bodies", "acw")]
    assert "name_en" in report.conflicts[0].fields
    with unit_of_work(session_factory(engine)) as session:
        assert registry_service.get_body(session, body_id="acw").name.en == "Edited by the Secretariat"
    engine.dispose()


def test_reference_change_updates_unedited_record(fresh_url, reference):
    migrate(fresh_url)
    run(fresh_url, reference)
    report = run(fresh_url, with_body(reference, "asoen", reports_to=["amme", "ascc-council"]))
    assert report.updated == {"bodies": 1}
    engine = make_engine(fresh_url)
    with unit_of_work(session_factory(engine)) as session:
        assert registry_service.get_body(session, body_id="asoen").reports_to_ids == ["amme", "ascc-council"]
    engine.dispose()


def test_failed_load_leaves_nothing(fresh_url, reference):
    migrate(fresh_url)
    broken = with_body(reference, "acw", reports_to=["does-not-exist"])  # violates a foreign key
    engine = make_engine(fresh_url)
    try:
        with unit_of_work(session_factory(engine)) as session:
            load_reference(session, broken)
    except Exception:
        pass
    else:  # pragma: no cover
        raise AssertionError("loading an unknown reporting target must fail")
    with unit_of_work(session_factory(engine)) as session:
        assert session.scalar(select(func.count()).select_from(m.Body)) == 0
        assert session.scalar(select(func.count()).select_from(m.MemberState)) == 0
    engine.dispose()


def test_a_body_loaded_before_migration_0030_is_updated_not_kept_as_an_edit(fresh_url, reference):
    from sqlalchemy import update

    from ascc.kit.digest import digest
    from ascc.reference import loader

    migrate(fresh_url)
    run(fresh_url, reference)
    coci = next(b for b in reference["bodies"] if b.id == "coci")
    before = {k: v for k, v in loader._body(coci).items() if k not in loader._ADDED_LATER}
    engine = make_engine(fresh_url)
    with unit_of_work(session_factory(engine)) as session:  # as the loader before 0030 left it
        session.execute(
            update(m.Body)
            .where(m.Body.id == "coci")
            .values(other_sectors=None, inferences=None, ref_digest=digest(before))
        )
    report = run(fresh_url, reference)
    assert report.updated == {"bodies": 1} and report.conflicts == [] and report.kept_edits == {}
    with unit_of_work(session_factory(engine)) as session:
        assert registry_service.get_body(session, body_id="coci").sectors == ["culture", "information"]
    engine.dispose()
