"""``ascc disasters import`` and ``import-areas`` re-run over an event (and an area list) that a
person corrected (issue 16). No page or API edits events yet; the correction is written as a signed-in
person's request writes it (an audited session whose actor is ``user:<id>``)."""

from __future__ import annotations

from sqlalchemy import select

from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.disasters.models import Event, EventArea
from ascc.wiring import session_factory
from tests.loaders.conftest import DATA, cli

RECORD = "TropicalCyclone_1997-10-25_TyphoonNarsing"


def as_person(url: str, change) -> None:
    engine = make_engine(url)
    try:
        with unit_of_work(session_factory(engine)) as session:
            session.info["actor"] = "user:1"
            change(session)
    finally:
        engine.dispose()


def read(url: str, fn):
    engine = make_engine(url)
    try:
        with unit_of_work(session_factory(engine)) as session:
            return fn(session)
    finally:
        engine.dispose()


def files(tmp_path, *, deaths: str = "14", affected: str = "5640") -> tuple:
    events = (DATA / "disaster_events.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    line = next(x for x in events if RECORD in x)
    assert ",14,2,8," in line
    (tmp_path / "events.csv").write_text(events[0] + line.replace(",14,2,8,", f",{deaths},2,8,"))
    areas = (
        (DATA / "disaster_impacts_phl_subnational.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    )
    rows = [x for x in areas if RECORD in x]
    rows = [x.replace(",1128,5640,", f",1128,{affected},") for x in rows]
    (tmp_path / "areas.csv").write_text(areas[0] + "".join(rows))
    return tmp_path / "events.csv", tmp_path / "areas.csv"


def test_disaster_imports_keep_what_a_person_corrected(url, tmp_path, monkeypatch):
    events, areas = files(tmp_path)
    assert "1 new events" in cli(url, "disasters", "import", str(events), monkeypatch=monkeypatch)
    assert "5 new" in cli(url, "disasters", "import-areas", str(areas), monkeypatch=monkeypatch)

    def correct(session):
        session.scalar(select(Event)).deaths = 15
        kalinga = session.scalar(select(EventArea).where(EventArea.name == "Kalinga"))
        kalinga.impacts = {**kalinga.impacts, "dead": 1}

    as_person(url, correct)
    events, areas = files(tmp_path, deaths="16", affected="5641")  # the feed changes both

    out = cli(url, "disasters", "import", str(events), monkeypatch=monkeypatch)
    assert "0 updated, 0 unchanged" in out
    assert (
        f"kept 1 as they are, not overwritten (events that people edited): event 1 (PHIL-DIS {RECORD}) (edited by user:1)"
        in out
    )
    out = cli(url, "disasters", "import-areas", str(areas), monkeypatch=monkeypatch)
    assert "0 new, 0 replaced" in out
    assert f"areas of PHIL-DIS {RECORD} (edited by user:1)" in out
    assert read(url, lambda s: s.scalar(select(Event.deaths))) == 15
    impacts = read(url, lambda s: s.scalar(select(EventArea.impacts).where(EventArea.name == "Kalinga")))
    assert impacts["dead"] == 1
