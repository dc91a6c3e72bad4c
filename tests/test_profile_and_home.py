"""Pages that lead with data (issue 17), both languages, both backends, HTML and its JSON twin.

A member state's profile: the bodies it is expected to chair or host this year and next, its
indicators beside the ASEAN figure (with coverage, totals for counts of persons), its latest
disasters, and its positions on the decisions the reader may see. The home page: headline figures
with their trend over the same member states, disasters under way, decisions open and recently
adopted, the next meetings, then the registry."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient

from ascc.accounts.schemas import PUBLIC
from ascc.app import create_app
from ascc.config import Settings
from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.decisions.models import DecisionItem, Position, ProposalVersion
from ascc.disasters.models import Event
from ascc.meetings import service as meetings_service
from ascc.monitoring import loader
from ascc.monitoring.models import Indicator
from ascc.registry.models import Meeting
from ascc.wiring import session_factory
from tests.conftest import BACKENDS, load
from tests.monitoring.conftest import DATA, PLAIN_HEADER, run_import, write

AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
TODAY = dt.date.today()
#: population (persons: an ASEAN total) and unemployment (a share: an ASEAN mean); 2023 has eight
#: of ten reporting (covered), 2024 only Indonesia and Viet Nam (partial)
ROWS = {
    "SP.POP.TOTL": {
        "2023": {
            "IDN": 277_534_122,
            "PHL": 114_891_199,
            "VNM": 100_352_192,
            "THA": 71_702_435,
            "MYS": 34_308_525,
            "KHM": 17_423_880,
            "LAO": 7_664_993,
            "SGP": 5_917_600,
        }
    },
    "SL.UEM.TOTL.ZS": {
        "2023": {
            "IDN": 3.4,
            "PHL": 2.2,
            "VNM": 1.6,
            "THA": 0.9,
            "MYS": 3.9,
            "KHM": 0.2,
            "LAO": 1.2,
            "SGP": 3.5,
        },
        "2024": {"IDN": 3.3, "VNM": 1.7},
        # seven of the eight reporting 2023 (the rule's count of ten) also reported 2017
        "2017": {"IDN": 4.2, "PHL": 2.6, "VNM": 1.9, "THA": 0.8, "MYS": 3.4, "KHM": 0.3, "LAO": 1.1},
    },
}


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, new_database, reference, tmp_path_factory):
    url = new_database(request.param)
    load(url, reference)
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        session.add_all(Indicator(**r) for r in loader.indicator_records(DATA) if r["code"] in ROWS)
    lines = [
        f"{code},{state},{period},{value},,test,"
        for code, periods in ROWS.items()
        for period, values in periods.items()
        for state, value in values.items()
    ]
    path = write(tmp_path_factory.mktemp("obs"), "obs.csv", PLAIN_HEADER + "\n".join(lines) + "\n")
    report = run_import(url, path, approval="approved")
    assert not report.problems, report.problems
    with unit_of_work(session_factory(engine)) as session:
        session.add_all(
            [
                Event(
                    hazard="FL",
                    name="Jakarta floods",
                    start_date=dt.date(2025, 1, 10),
                    member_states=["IDN"],
                    deaths=12,
                    affected=35_000,
                ),
                Event(
                    hazard="EQ",
                    name="Luzon earthquake",
                    start_date=dt.date(2024, 7, 2),
                    member_states=["PHL"],
                    deaths=3,
                ),
                Event(
                    hazard="TC",
                    name="Typhoon over Sabah",
                    start_date=TODAY - dt.timedelta(days=4),
                    member_states=["MYS"],
                    affected=1_200,
                ),
            ]
        )
        session.add_all(
            [
                Meeting(
                    id="next-asoen",
                    body_id="asoen",
                    title_en="ASOEN meeting ahead",
                    title_id="Rapat ASOEN mendatang",
                    city="Vientiane",
                    date_start=TODAY + dt.timedelta(days=20),
                ),
                Meeting(
                    id="past-asoen",
                    body_id="asoen",
                    title_en="ASOEN meeting held",
                    date_start=dt.date(2024, 5, 1),
                ),
            ]
        )
        public = DecisionItem(
            title_en="Regional haze declaration",
            title_id="Deklarasi kabut asap regional",
            body_id="asoen",
            audience="public",
            created_by="test",
        )
        internal = DecisionItem(
            title_en="Internal budget note", body_id="asoen", audience="member_states", created_by="test"
        )
        adopted = DecisionItem(
            title_en="Adopted youth statement",
            title_id="Pernyataan pemuda yang diadopsi",
            body_id="asoen",
            audience="public",
            status="adopted",
            adopted_on=dt.date(2026, 2, 1),
            adoption_method="consensus",
            stage="implement",
            created_by="test",
        )
        session.add_all([public, internal, adopted])
        session.flush()
        for item in (public, internal):
            for number in (1, 2):
                session.add(
                    ProposalVersion(
                        item_id=item.id, number=number, text_en=f"text {number}", author="t", at=AT
                    )
                )
        # a position on the superseded first version is not the member state's current position
        session.add_all(
            [
                Position(
                    item_id=public.id,
                    version=1,
                    member_state="IDN",
                    kind="object",
                    text="too soon",
                    cast_by="t",
                    at=AT,
                ),
                Position(
                    item_id=public.id,
                    version=2,
                    member_state="IDN",
                    kind="reservation",
                    text="on §3",
                    cast_by="t",
                    at=AT,
                ),
                Position(item_id=internal.id, version=2, member_state="IDN", kind="join", cast_by="t", at=AT),
            ]
        )
    with unit_of_work(session_factory(engine)) as session:
        year = dt.date.today().year
        expected = meetings_service.expected_meetings(session, principal=PUBLIC, start_year=year, years=2)
    engine.dispose()
    with TestClient(create_app(Settings(database_url=url))) as client:
        yield client, expected


def text_of(html: str) -> str:
    main = html.split("<main", 1)[1]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def test_indicators_beside_the_asean_figure(site):
    client, _ = site
    data = client.get("/member-states/IDN.json").json()["indicators"]
    assert (data["reported"], data["available"]) == (2, 2)
    rows = {r["indicator"]["code"]: r for r in data["rows"]}
    pop = rows["SP.POP.TOTL"]
    # persons add up: the ASEAN figure of 2023 is the total of the eight reporting, a covered year
    assert (pop["year"], pop["value"]) == (2023, 277_534_122)
    assert pop["asean"]["additive"] and pop["asean"]["total"] == sum(ROWS["SP.POP.TOTL"]["2023"].values())
    assert pop["asean"]["covered"] and pop["asean"]["coverage"]["reporting"] == 8
    # a share is averaged; Indonesia's latest year, 2024, has two of ten reporting: partial
    uem = rows["SL.UEM.TOTL.ZS"]
    assert (uem["year"], uem["value"]) == (2024, 3.3)
    assert not uem["asean"]["additive"] and uem["asean"]["total"] is None
    assert uem["asean"]["mean"] == pytest.approx(2.5)
    assert not uem["asean"]["covered"]
    assert uem["asean"]["coverage"]["reporting_codes"] == ["IDN", "VNM"]
    # Brunei reports nothing: nothing to compare, said so
    assert client.get("/member-states/BRN.json").json()["indicators"] == {
        "rows": [],
        "reported": 0,
        "available": 2,
    }


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            [
                "Indicators beside the ASEAN figure",
                "2 of 2 indicators with national data",
                "629,794,946 total",
                "8 of 10 member states",
                "2.5 mean",
                "2 of 10 member states partial",
            ],
        ),
        (
            "id",
            [
                "Indikator dibandingkan dengan angka ASEAN",
                "2 dari 2 indikator dengan data nasional",
                "629.794.946 jumlah",
                "8 dari 10 negara anggota",
                "2,5 rata-rata",
                "2 dari 10 negara anggota parsial",
            ],
        ),
    ],
)
def test_indicator_table_in_both_languages(site, lang, expected):
    client, _ = site
    page = client.get(f"/member-states/IDN?lang={lang}")
    assert page.status_code == 200
    text = text_of(page.text)
    for phrase in expected:
        assert phrase in text, (phrase, text[:2000])
    assert 'class="num">277' in page.text  # figures right-aligned
    empty = text_of(client.get(f"/member-states/BRN?lang={lang}").text)
    assert ("No published national values" if lang == "en" else "Belum ada nilai nasional terbitan") in empty


def test_chairs_and_hosts_this_year_and_next(site):
    client, expected = site
    year = dt.date.today().year
    for code in ("IDN", "PHL", "THA", "SGP"):
        data = client.get(f"/member-states/{code}.json").json()
        assert data["years"] == [year, year + 1]
        want = sorted((e.body_id, e.year) for e in expected if code in (e.chair, e.host))
        got = sorted((r["meeting"]["body_id"], r["meeting"]["year"]) for r in data["roles"])
        assert got == want
        html = client.get(f"/member-states/{code}?lang=en").text
        for role in data["roles"]:
            assert f'href="/bodies/{role["meeting"]["body_id"]}"' in html
            assert role["chair"] == (role["meeting"]["chair"] == code)
    assert any(
        client.get(f"/member-states/{code}.json").json()["roles"]
        for code in ("IDN", "PHL", "THA", "SGP", "MYS")
    ), "the rotation gives some member state a chair or a host"


def test_latest_disasters_of_the_member_state(site):
    client, _ = site
    events = client.get("/member-states/IDN.json").json()["disasters"]["items"]
    assert [e["name"] for e in events] == ["Jakarta floods"]
    en = text_of(client.get("/member-states/IDN?lang=en").text)
    assert "Latest disasters" in en and "Flood Jakarta floods 12 35,000" in en
    idn = text_of(client.get("/member-states/IDN?lang=id").text)
    assert "Bencana terbaru" in idn and "Banjir Jakarta floods 12 35.000" in idn
    assert "No disaster events recorded" in text_of(client.get("/member-states/SGP?lang=en").text)


def test_positions_on_the_decisions_the_reader_may_see(site):
    client, _ = site
    public = client.get("/member-states/IDN.json").json()["positions"]
    # the public sees the public item only, and the position on its current version
    assert [(p["item"]["title"]["en"], p["version"], p["kind"]) for p in public] == [
        ("Regional haze declaration", 2, "reservation")
    ]
    en = text_of(client.get("/member-states/IDN?lang=en").text)
    assert "Regional haze declaration" in en and "Joins with a reservation" in en
    assert "Internal budget note" not in en
    idn = text_of(client.get("/member-states/IDN?lang=id").text)
    assert "Deklarasi kabut asap regional" in idn and "Bergabung dengan reservasi" in idn
    assert "No positions of this member state" in text_of(client.get("/member-states/PHL?lang=en").text)


def test_home_headline_has_its_trend_over_the_same_member_states(site):
    client, _ = site
    heads = client.get("/index.json").json()["headlines"]
    # population has no direction and no sector: not a headline; unemployment is labour's
    assert [h["indicator"]["code"] for h in heads] == ["SL.UEM.TOTL.ZS"]
    h = heads[0]
    latest = ROWS["SL.UEM.TOTL.ZS"]["2023"]
    assert (h["year"], h["additive"]) == (2023, False)
    assert h["value"] == pytest.approx(sum(latest.values()) / len(latest))
    assert h["coverage"]["reporting"] == 8 and h["partial"]["period"] == "2024"
    trend = h["trend"]
    panel = sorted(ROWS["SL.UEM.TOTL.ZS"]["2017"])
    assert (trend["year"], sorted(trend["panel"])) == (2017, panel)  # Singapore reported 2023 only
    assert trend["before"] == pytest.approx(sum(ROWS["SL.UEM.TOTL.ZS"]["2017"].values()) / 7)
    assert trend["now"] == pytest.approx(sum(latest[s] for s in panel) / 7)
    assert trend["verdict"] == "better"  # unemployment fell, and lower is better


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            [
                "Headline figures",
                "2.1 mean, 2023 · 8 of 10 member states",
                "Better: 2.0 in 2017, 1.9 in 2023 (mean of the 7 member states reporting both years)",
                "2024: 2 of 10 reported — partial",
                "Under way or begun in the last 60 days:",
                "Tropical cyclone · Typhoon over Sabah · Malaysia",
                "Regional haze declaration",
                "Adopted youth statement · 2026-02-01",
                "ASOEN meeting ahead · Vientiane",
                "Pillars",
            ],
        ),
        (
            "id",
            [
                "Angka utama",
                "2,1 rata-rata, 2023 · 8 dari 10 negara anggota",
                "Membaik: 2,0 pada 2017, 1,9 pada 2023 (rata-rata 7 negara anggota yang melapor pada kedua tahun)",
                "Sedang berlangsung atau dimulai dalam 60 hari terakhir:",
                "Siklon tropis · Typhoon over Sabah · Malaysia",
                "Deklarasi kabut asap regional",
                "Pernyataan pemuda yang diadopsi",
                "Rapat ASOEN mendatang",
                "Pilar",
            ],
        ),
    ],
)
def test_home_leads_with_what_changed(site, lang, expected):
    client, _ = site
    text = text_of(client.get(f"/?lang={lang}").text)
    for phrase in expected:
        assert phrase in text, (phrase, text[text.find("Headline") :][:1500])
    # what changed comes before the registry
    assert text.index(expected[0]) < text.index(expected[-1])
    assert "Internal budget note" not in text and "ASOEN meeting held" not in text and "Luzon" not in text
