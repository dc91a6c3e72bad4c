"""A small deterministic monitoring dataset for the progress tests: three indicators, a few member
states, approved and unapproved observations, and one superseded revision."""

from __future__ import annotations

import pytest

from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.monitoring import models as m
from ascc.wiring import session_factory
from tests.conftest import BACKENDS, load

INDICATORS = [
    # code, name_en, name_id, unit, direction, sector, level
    (
        "T.LIFE",
        "Life expectancy at birth",
        "Angka harapan hidup saat lahir",
        "years",
        "higher",
        "health",
        "national",
    ),
    (
        "T.MMR",
        "Maternal mortality ratio",
        "Angka kematian ibu",
        "per 100,000 live births",
        "lower",
        "women-children",
        "national",
    ),
    ("T.NODIR", "Population", "Penduduk", "persons", None, "health", "national"),
    (
        "T.HDI",
        "Subnational human development index",
        "Indeks pembangunan manusia subnasional",
        "index",
        "higher",
        "health",
        "subnational",
    ),
]

# (indicator, member state, year, value, approval, is_current)
OBSERVATIONS = [
    # IDN life expectancy: 70 → 71.4 over 5 years = 0.40 % a year → limited progress
    ("T.LIFE", "IDN", "2015", 70.0, "approved", True),
    ("T.LIFE", "IDN", "2020", 71.4, "approved", True),
    # a draft that would make IDN look much better: must not count
    ("T.LIFE", "IDN", "2022", 90.0, "draft", True),
    # an approved projection for a future year: not a latest value, not progress
    ("T.LIFE", "IDN", "2099", 99.0, "approved", True),
    # PHL: 2015 66 → 2020 72 (+1.76 % a year → substantial)
    ("T.LIFE", "PHL", "2015", 66.0, "approved", True),
    # superseded earlier revision of PHL 2020 (not current; revision 1, the next one is 2): must not count
    ("T.LIFE", "PHL", "2020", 50.0, "approved", False),
    ("T.LIFE", "PHL", "2020", 72.0, "approved", True),
    # THA: only submitted, never approved → insufficient data
    ("T.LIFE", "THA", "2015", 75.0, "submitted", True),
    ("T.LIFE", "THA", "2020", 77.0, "submitted", True),
    # MMR (maternal mortality), IDN: 200 → 180 (lower is better)
    ("T.MMR", "IDN", "2015", 200.0, "approved", True),
    ("T.MMR", "IDN", "2020", 180.0, "approved", True),
    ("T.NODIR", "IDN", "2015", 250.0, "approved", True),
    ("T.NODIR", "IDN", "2020", 270.0, "approved", True),
]

# (indicator, member state, area, scheme, year, value, approval)
AREA_OBSERVATIONS = [
    ("T.HDI", "IDN", "ID-JB", "ISO3166-2", "2019", 0.72, "approved"),
    ("T.HDI", "IDN", "ID-JT", "ISO3166-2", "2019", 0.71, "approved"),
    ("T.HDI", "IDN", "ID-JI", "ISO3166-2", "2019", 0.73, "approved"),
    ("T.HDI", "IDN", "ID-AC", "ISO3166-2", "2019", 0.70, "draft"),
]


def seed(url: str) -> None:
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as s:
        s.info["actor"] = "test"
        for code, en, id_, unit, direction, sector, level in INDICATORS:
            s.add(
                m.Indicator(
                    code=code,
                    name_en=en,
                    name_id=id_,
                    unit=unit,
                    direction=direction,
                    sector=sector,
                    level=level,
                    frequency="annual",
                    disaggregations=[],
                    sources=[],
                    source_org="Test organisation",
                    source_url=f"https://example.org/{code}",
                )
            )
        s.flush()
        revisions: dict[tuple, int] = {}
        for code, state, period, value, approval, current in OBSERVATIONS:
            key = (code, state, period)
            revisions[key] = revisions.get(key, 0) + 1
            s.add(
                m.Observation(
                    indicator_code=code,
                    member_state=state,
                    period=period,
                    value=value,
                    approval=approval,
                    is_current=current,
                    revision=revisions[key],
                )
            )
        for code, state, area, scheme, period, value, approval in AREA_OBSERVATIONS:
            if s.get(m.Area, area) is None:
                s.add(m.Area(code=area, scheme=scheme, member_state=state, name=area, sources=[]))
                s.flush()
            s.add(
                m.Observation(
                    indicator_code=code,
                    member_state=state,
                    area_code=area,
                    period=period,
                    value=value,
                    approval=approval,
                    is_current=True,
                    revision=1,
                )
            )
    engine.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def progress_url(request: pytest.FixtureRequest, new_database, reference) -> str:
    """A database of its own per module and backend: reference data plus the dataset above."""
    url = new_database(request.param)
    load(url, reference)
    seed(url)
    return url


@pytest.fixture(scope="module")
def progress_site(progress_url):
    """The site on the database above, for a module's page tests."""
    from fastapi.testclient import TestClient

    from ascc.app import create_app
    from ascc.config import Settings

    with TestClient(create_app(Settings(database_url=progress_url))) as c:
        yield c
