"""A small monitoring catalogue (real indicator definitions and areas from ../shared/data) in a
migrated database per backend, shared by the tests of a module."""

from __future__ import annotations

from pathlib import Path

import pytest

from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.monitoring import loader
from ascc.monitoring import service as monitoring_service
from ascc.monitoring.models import Area, Indicator
from ascc.wiring import session_factory
from tests.conftest import BACKENDS, ROOT, load

DATA = ROOT.parent / "shared" / "data"
INDICATORS = {
    "SP.POP.TOTL",
    "SL.UEM.TOTL.ZS",
    "VC_DSR_MORT",
    "GDL.SHDI",
    "BPS.GINI",
    "SE.PRM.ENRR",
    "WPP.POP.1524",
}
AREAS = {"ID-AC", "ID-JB", "IDNr101", "PHLr101"}


def catalogue(url: str, reference, indicators=INDICATORS, areas=AREAS) -> str:
    """A new database with the reference data and the real definitions of ``indicators`` and ``areas``."""
    load(url, reference)
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        session.add_all(Indicator(**r) for r in loader.indicator_records(DATA) if r["code"] in indicators)
        session.add_all(Area(**r) for r in loader.area_records(DATA) if r["code"] in areas)
    engine.dispose()
    return url


@pytest.fixture(scope="module", params=BACKENDS)
def mon_url(request, new_database, reference) -> str:
    """A database of this module's own with the reference data and the small catalogue."""
    return catalogue(new_database(request.param), reference)


def run_import(url: str, path: Path, **kwargs) -> monitoring_service.ImportReport:
    """Import in a unit of work that commits only when the file had no problem."""
    engine = make_engine(url)
    try:
        session = session_factory(engine)()
        session.info["actor"] = "test"
        try:
            report = monitoring_service.import_file(session, path, **kwargs)
            if report.problems:
                session.rollback()
            else:
                session.commit()
            return report
        finally:
            session.close()
    finally:
        engine.dispose()


def query(url: str, fn, **kwargs):
    engine = make_engine(url)
    try:
        with unit_of_work(session_factory(engine)) as session:
            return fn(session, **kwargs)
    finally:
        engine.dispose()


PLAIN_HEADER = "series_code,country_iso3,period,value,unit,source_id,note\n"
SDMX_HEADER = "DATAFLOW,REF_AREA,INDICATOR,TIME_PERIOD,OBS_VALUE,OBS_STATUS,UNIT_MEASURE,SEX,AGE,URBANISATION,SUBNATIONAL\n"
DF = "ASEAN:DF_ASCC_IND(1.0)"


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path
