"""Results chain: frameworks from the seeds with provenance, activities with their links and
validation, who may write, the IATI 2.03 export (validated against the official XSD, with the
GLIDE humanitarian scope), the CLI and the pages in both languages. Both backends."""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lxml import etree
from sqlalchemy import func, select
from typer.testing import CliRunner

from ascc.app import create_app
from ascc.cli.main import app as cli
from ascc.config import Settings
from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.kit.errors import Conflict
from ascc.reference.quotes import normalise
from ascc.results import demo, framework
from ascc.results.models import Activity, FrameworkElement
from ascc.wiring import session_factory
from tests.conftest import BACKENDS, SEEDS, if_match, load, make_user
from tests.test_disasters import row
from tests.test_disasters_assistance import add_events

XSD = Path(__file__).resolve().parent.parent / "data" / "iati" / "iati-activities-schema.xsd"
GLIDE = "FL-2016-000107-PHL"


def _now():
    return dt.datetime.now(dt.UTC)


def _unit(url):
    engine = make_engine(url)
    return engine, unit_of_work(session_factory(engine))


def load_results(url: str) -> None:
    engine, uow = _unit(url)
    with uow as session:
        framework.load_frameworks(session, elements=framework.read_frameworks(session))
        demo.load_demo(session)
    engine.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def world(request, new_database, reference, tmp_path_factory):
    url = new_database(request.param)
    load(url, reference)
    load_results(url)
    tmp = tmp_path_factory.mktemp("events")
    flood, quake = add_events(
        url,
        tmp,
        row(rid="FL-1", start="2016-10-01", end="2016-10-05", name="Karen", glide=GLIDE),
        row(
            feed="NOAA-NCEI-SIGEQ",
            rid="EQ-1",
            hazard="Earthquake",
            ms="IDN",
            start="2018-09-28",
            end="2018-09-28",
            name="Palu",
        ),
    )
    tokens = {
        "secretariat": make_user(url, email="officer@asean.org"),
        "chair": make_user(url, email="chair@acdm.org", role="chair", body_id="acdm"),
        "other_chair": make_user(url, email="chair@amca.org", role="chair", body_id="amca"),
        "focal_point": make_user(url, email="fp@bnpb.go.id", role="focal_point", member_state="IDN"),
        "partner": make_user(url, email="observer@mofa.go.jp", role="partner", partner_id="JPN"),
    }
    with TestClient(create_app(Settings(database_url=url))) as client:
        yield {"client": client, "url": url, "tokens": tokens, "flood": flood, "quake": quake}


def auth(world, who):
    return {} if who == "public" else {"Authorization": f"Bearer {world['tokens'][who]}"}


def count(url) -> int:
    engine, uow = _unit(url)
    with uow as session:
        n = session.scalar(select(func.count()).select_from(Activity))
    engine.dispose()
    return n


def complete(world, **changes):
    body = {
        "reporting_org_ref": "XM-DAC-00000",
        "reporting_org_type": "40",
        "reporting_org_name": "Test publisher",
        "local_id": "FLOOD-RESPONSE-1",
        "title_en": "Flood recovery in Eastern Visayas",
        "title_id": "Pemulihan banjir di Visayas Timur",
        "description_en": "A test activity.",
        "description_id": "Kegiatan uji.",
        "sector": "disaster-management",
        "responsible_body": "acdm",
        "partners": [{"partner": "JPN", "role": 1}],
        "budget": "250000.00",
        "currency": "USD",
        "budget_value_date": "2016-11-01",
        "planned_start": "2016-11-01",
        "planned_end": "2017-10-31",
        "status": 2,
        "member_states": ["PHL"],
        "outcomes": ["aadmer-work-programme-2021-2025/G1.O2"],
        "events": [world["flood"], world["quake"]],
    }
    return body | changes


# --- frameworks --------------------------------------------------------------------------------


def test_frameworks_carry_their_seed_quote_and_reload_changes_nothing(world):
    r = world["client"].get("/api/v1/plans/vnm-project-161/framework")
    assert r.status_code == 200
    (goal,) = r.json()
    outcome = next(o for o in goal["outcomes"] if o["code"] == "G1.O2")
    assert outcome["indicators"] == ["SI_COV_BENFTS"]
    assert [p["code"] for p in outcome["outputs"]] == ["G1.O2.P1", "G1.O2.P2", "G1.O2.P3"]
    seeds = {p.name: normalise(p.read_text(encoding="utf-8")) for p in SEEDS.glob("*.txt")}
    engine, uow = _unit(world["url"])
    with uow as session:
        rows = list(session.scalars(select(FrameworkElement)))
        assert rows and all(r.sources for r in rows)
        for r in rows:
            for src in r.sources:
                assert normalise(src["quote"]) in seeds[src["file"]], (r.plan_id, r.code)
        accsm = next(r for r in rows if r.plan_id == "accsm-work-plan-2016-2020" and r.code == "G1")
        assert accsm.priorities == ["a", "b", "c", "d", "e"]
        report = framework.load_frameworks(session, elements=framework.read_frameworks(session, seeds=SEEDS))
        assert (report.created, report.updated, report.removed, report.unchanged) == (0, 0, 0, len(rows))
        assert demo.load_demo(session)[0] == 0
    engine.dispose()


def test_a_bad_framework_file_names_line_and_field_and_loads_nothing(world, tmp_path):
    bad = tmp_path / "frameworks.yaml"
    bad.write_text(
        """\
- plan: no-such-plan
  goals: []
- plan: accsm-work-plan-2016-2020
  goals:
    - code: G1
      title_id: Tujuan
      priorities: [z]
      sources:
        - file: 003_7591d795653bab0c.txt
          quote: "a sentence that is not in the seed"
    - code: G1
      title_en: Twice
      indicators: [SP.POP.TOTL]
""",
        encoding="utf-8",
    )
    engine, uow = _unit(world["url"])
    with uow as session:
        with pytest.raises(framework.FrameworkError) as caught:
            framework.read_frameworks(session, path=bad, seeds=SEEDS)
        found = {(p.line, p.field) for p in caught.value.problems}
        session.rollback()
    engine.dispose()
    assert {
        (1, "plan"),
        (5, "priorities"),
        (5, "sources"),
        (11, "code"),
        (11, "sources"),
        (11, "indicators"),
    } <= found


def test_reloading_an_edited_file_updates_and_removes_but_keeps_linked_outcomes(world, tmp_path):
    original = framework.FRAMEWORKS.read_text(encoding="utf-8")
    edited = tmp_path / "frameworks.yaml"
    edited.write_text(
        original.replace(
            "title_en: Achieve the ASCC goals by 2025", "title_en: Reach the ASCC goals by 2025"
        ),
        encoding="utf-8",
    )
    without = tmp_path / "without.yaml"
    start = original.index("        - code: G1.O2\n          title_id: kawasan ASEAN")
    end = original.index("- plan: accsm-work-plan-2016-2020")
    without.write_text(original[:start] + original[end:], encoding="utf-8")
    engine, uow = _unit(world["url"])
    with uow as session:
        report = framework.load_frameworks(session, elements=framework.read_frameworks(session, path=edited))
        assert (report.updated, report.created, report.removed) == (1, 0, 0)
        session.rollback()
    with unit_of_work(session_factory(engine)) as session:
        session.add(
            Activity(
                revision=1,
                created_at=_now(),
                updated_at=_now(),
                title_en="Linked",
                outcomes=["aadmer-work-programme-2021-2025/G1.O2"],
            )
        )
        session.flush()
        with pytest.raises(Conflict, match=r"G1\.O2"):
            framework.load_frameworks(session, elements=framework.read_frameworks(session, path=without))
        session.rollback()
    with unit_of_work(session_factory(engine)) as session:
        report = framework.load_frameworks(session, elements=framework.read_frameworks(session, path=without))
        assert report.removed == 1  # nothing links to it now
        session.rollback()
    engine.dispose()


# --- activities ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"status": 9}, "status"),
        ({"planned_start": "2017-01-01", "planned_end": "2016-01-01"}, "planned_end"),
        ({"actual_start": "2017-01-02", "actual_end": "2017-01-01"}, "actual_end"),
        ({"responsible_body": "nobody"}, "responsible_body"),
        ({"implementing_bodies": ["acdm", "nobody"]}, "implementing_bodies[1]"),
        ({"partners": [{"partner": "XYZ", "role": 1}]}, "partners[0].partner"),
        ({"member_states": ["PHL", "AUS"]}, "member_states[1]"),
        ({"decisions": [999999]}, "decisions[0]"),
        ({"events": [999999]}, "events[0]"),
        ({"outcomes": ["vnm-project-161/G1"]}, "outcomes[0]"),
        ({"funding_fund": "supa"}, "funding_fund"),
        ({"programme_id": "nothing"}, "programme_id"),
        ({"reporting_org_type": "99"}, "reporting_org_type"),
        ({"currency": None}, "currency"),
    ],
)
def test_bad_activities_are_refused_naming_the_field_and_nothing_is_stored(world, changes, field):
    before = count(world["url"])
    r = world["client"].post(
        "/api/v1/activities",
        json=complete(world, local_id=None, **changes),
        headers=auth(world, "secretariat"),
    )
    assert r.status_code == 422, r.text
    assert field in [e["parameter"] for e in r.json()["errors"]], r.json()
    assert count(world["url"]) == before


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("public", 401),
        ("focal_point", 403),
        ("partner", 403),
        ("other_chair", 403),
        ("chair", 201),
        ("secretariat", 201),
    ],
)
def test_only_the_secretariat_or_the_responsible_bodys_chair_writes(world, who, status):
    before = count(world["url"])
    r = world["client"].post(
        "/api/v1/activities", json=complete(world, local_id=None), headers=auth(world, who)
    )
    assert r.status_code == status, r.text
    assert count(world["url"]) == before + (status == 201)
    if status == 201:
        aid = r.json()["id"]
        assert world["client"].get(f"/api/v1/activities/{aid}").status_code == 200  # reads are public
        other = "focal_point" if who == "chair" else "public"
        assert world["client"].delete(
            f"/api/v1/activities/{aid}",
            headers=if_match(world["client"], f"/api/v1/activities/{aid}", auth(world, other)),
        ).status_code in (401, 403)
        assert (
            world["client"]
            .delete(
                f"/api/v1/activities/{aid}",
                headers=if_match(world["client"], f"/api/v1/activities/{aid}", auth(world, who)),
            )
            .status_code
            == 204
        )


def test_update_needs_a_fresh_etag_and_keeps_the_identifier_unique(world):
    client, h = world["client"], auth(world, "secretariat")
    a = client.post("/api/v1/activities", json=complete(world, local_id="ETAG-1"), headers=h)
    assert a.status_code == 201, a.text
    aid, tag = a.json()["id"], a.headers["etag"]
    assert a.json()["iati_identifier"] == "XM-DAC-00000-ETAG-1"
    dup = client.post("/api/v1/activities", json=complete(world, local_id="ETAG-1"), headers=h)
    assert dup.status_code == 422 and dup.json()["errors"][0]["parameter"] == "local_id"
    ok = client.put(
        f"/api/v1/activities/{aid}",
        json=complete(world, local_id="ETAG-1", status=3),
        headers=h | {"If-Match": tag},
    )
    assert ok.status_code == 200 and ok.json()["status"] == 3
    stale = client.put(
        f"/api/v1/activities/{aid}", json=complete(world, local_id="ETAG-1"), headers=h | {"If-Match": tag}
    )
    assert stale.status_code == 412
    missing = client.put(f"/api/v1/activities/{aid}", json=complete(world, local_id="ETAG-1"), headers=h)
    assert missing.status_code == 428
    assert (
        client.delete(
            f"/api/v1/activities/{aid}", headers=if_match(client, f"/api/v1/activities/{aid}", h)
        ).status_code
        == 204
    )


# --- IATI export ---------------------------------------------------------------------------------


def test_the_iati_export_validates_and_carries_the_glide_scope(world):
    client = world["client"]
    created = client.post(
        "/api/v1/activities", json=complete(world, local_id="XSD-1"), headers=auth(world, "secretariat")
    )
    assert created.status_code == 201, created.text
    aid = created.json()["id"]
    r = client.get(f"/api/v1/activities.xml?id={aid}")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/xml")
    doc = etree.fromstring(r.content)
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    assert schema.validate(doc), schema.error_log
    (activity,) = doc.findall("iati-activity")
    assert activity.get("humanitarian") == "1"
    scopes = activity.findall("humanitarian-scope")  # the earthquake has no GLIDE number: no scope
    assert [(s.get("type"), s.get("vocabulary"), s.get("code")) for s in scopes] == [("1", "1-2", GLIDE)]
    assert activity.findtext("iati-identifier") == "XM-DAC-00000-XSD-1"
    assert activity.find("recipient-country").get("code") == "PH"
    assert {p.get("role") for p in activity.findall("participating-org")} == {"1", "2"}
    assert activity.find("budget/value").text == "250000.00"
    # a mutated export no longer validates: the test can fail
    activity.remove(activity.find("activity-status"))
    assert not schema.validate(doc)
    # the event page lists the linked programme
    page = client.get(f"/disasters/{world['flood']}?lang=en").text
    assert f'href="/activities/{aid}"' in page and "Linked programmes and projects" in page
    assert client.get(f"/api/v1/activities?event={world['flood']}").json()["items"][0]["id"] == aid
    client.delete(
        f"/api/v1/activities/{aid}",
        headers=if_match(client, f"/api/v1/activities/{aid}", auth(world, "secretariat")),
    )


def test_the_export_writes_the_complete_activities_and_lists_what_the_others_lack(
    world, tmp_path, monkeypatch
):
    client = world["client"]
    multi_year = client.post(
        "/api/v1/activities",
        headers=auth(world, "secretariat"),
        json=complete(world, local_id="MULTI-1", planned_end="2019-10-31"),
    )
    one_year = client.post(
        "/api/v1/activities", headers=auth(world, "secretariat"), json=complete(world, local_id="ONE-1")
    )
    ids = {multi_year.json()["id"], one_year.json()["id"]}
    r = client.get("/api/v1/activities.xml")
    assert r.status_code == 200
    doc = etree.fromstring(r.content)
    assert etree.XMLSchema(etree.parse(str(XSD))).validate(doc)
    exported = {a.findtext("iati-identifier") for a in doc.iter("iati-activity")}
    assert exported == {"XM-DAC-00000-MULTI-1", "XM-DAC-00000-ONE-1"}
    # the incomplete ones are named in the document and the header, with what each lacks
    left = {int(i) for i in r.headers["IATI-Left-Out"].split(",")}
    assert left and not left & ids
    supa = next(c.text for c in doc.iter(etree.Comment) if "partners[0].role" in c.text)
    assert {"reporting_org_ref", "local_id", "status"} <= {
        f.strip() for f in supa.split("lacks")[1].split(",")
    }
    # a budget over more than a year is not split into made-up years: left out, said so
    budgets = {a.findtext("iati-identifier"): a.find("budget") is not None for a in doc.iter("iati-activity")}
    assert budgets == {"XM-DAC-00000-MULTI-1": False, "XM-DAC-00000-ONE-1": True}
    # asked for by id, an incomplete activity is refused with what it lacks
    r = client.get("/api/v1/activities.xml", params={"id": sorted(left)[0]})
    assert r.status_code == 409 and r.json()["activities"][0]["missing"]
    monkeypatch.setenv("DATABASE_URL", world["url"])
    out = tmp_path / "activities.xml"
    result = CliRunner().invoke(cli, ["results", "export-iati", "-o", str(out)])
    said = " ".join(result.output.split())  # the console wraps long lines
    assert result.exit_code == 0 and "partners[0].role" in said and "over one year" in said
    assert {a.findtext("iati-identifier") for a in etree.parse(str(out)).iter("iati-activity")} == exported
    refused = tmp_path / "refused.xml"
    result = CliRunner().invoke(
        cli, ["results", "export-iati", "--id", str(sorted(left)[0]), "-o", str(refused)]
    )
    assert result.exit_code == 1 and not refused.exists()
    for aid in ids:
        client.delete(
            f"/api/v1/activities/{aid}",
            headers=if_match(client, f"/api/v1/activities/{aid}", auth(world, "secretariat")),
        )


def test_cli_load_is_idempotent_and_exports_a_complete_activity(world, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", world["url"])
    runner = CliRunner()
    result = runner.invoke(cli, ["results", "load"])
    assert result.exit_code == 0, result.output
    assert re.search(
        r"frameworks: 0 new, 0 updated, \d+ unchanged, 0 removed; demo activities: 0 new", result.output
    )
    assert runner.invoke(cli, ["results", "check"]).exit_code == 0
    created = world["client"].post(
        "/api/v1/activities", json=complete(world, local_id="CLI-1"), headers=auth(world, "secretariat")
    )
    aid = created.json()["id"]
    out = tmp_path / "one.xml"
    result = runner.invoke(cli, ["results", "export-iati", "--id", str(aid), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert etree.XMLSchema(etree.parse(str(XSD))).validate(etree.parse(str(out)))
    world["client"].delete(
        f"/api/v1/activities/{aid}",
        headers=if_match(world["client"], f"/api/v1/activities/{aid}", auth(world, "secretariat")),
    )


# --- pages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ("Results framework", "Outcome", "Programmes and projects")),
        ("id", ("Kerangka hasil", "Hasil antara", "Program dan proyek")),
    ],
)
def test_pages_in_both_languages(world, lang, words):
    client = world["client"]
    plan = client.get(f"/plans/vnm-project-161?lang={lang}")
    assert plan.status_code == 200 and words[0] in plan.text and words[1] in plan.text
    assert "100% rumah tangga miskin" in plan.text and "004_78eb73488eeb3ca3.txt" in plan.text
    listing = client.get(f"/activities?lang={lang}")
    assert listing.status_code == 200 and words[2] in listing.text
    aid = client.get("/api/v1/activities?programme=supa").json()["items"][0]["id"]
    page = client.get(f"/activities/{aid}?lang={lang}")
    assert page.status_code == 200 and "reporting_org_ref" in page.text
    assert client.get(f"/activities/{aid}.json").json()["activity"]["programme_id"] == "supa"
    assert client.get(f"/activities/nope?lang={lang}").status_code == 422
    programme = client.get(f"/programmes/supa?lang={lang}")
    assert programme.status_code == 200 and f'href="/activities/{aid}"' in programme.text


def test_activities_are_in_the_unified_search_and_leave_it_when_deleted(world):
    client = world["client"]
    found = client.get("/api/v1/search", params={"q": "Mekong peatlands", "type": "activity"}).json()
    assert [i["url"] for i in found["items"]][:1] == [
        f"/activities/{client.get('/api/v1/activities?programme=mekong-peatlands-project').json()['items'][0]['id']}"
    ]
    created = client.post(
        "/api/v1/activities",
        json=complete(world, local_id="SEARCH-1", title_en="Zanzibarian drill"),
        headers=auth(world, "secretariat"),
    )
    aid = created.json()["id"]
    hits = client.get("/api/v1/search", params={"q": "Zanzibarian", "type": "activity"}).json()["items"]
    assert [h["url"] for h in hits] == [f"/activities/{aid}"]
    client.delete(
        f"/api/v1/activities/{aid}",
        headers=if_match(client, f"/api/v1/activities/{aid}", auth(world, "secretariat")),
    )
    assert client.get("/api/v1/search", params={"q": "Zanzibarian", "type": "activity"}).json()["items"] == []


def _signed_in(url: str, email: str) -> TestClient:
    c = TestClient(create_app(Settings(database_url=url)))
    c.__enter__()
    token = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text).group(1)
    assert c.post(
        "/login", data={"email": email, "password": "a long enough password", "csrf": token}
    ).is_success
    return c


@pytest.mark.parametrize("lang", ["en", "id"])
def test_the_secretariat_records_edits_and_deletes_an_activity_with_the_form(world, lang):
    c = _signed_in(world["url"], "officer@asean.org")
    try:
        form = c.get(f"/activities/new?lang={lang}")
        assert form.status_code == 200
        assert ("Record a programme or project" if lang == "en" else "Catat program atau proyek") in form.text
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        data = {
            "csrf": csrf,
            "title_en": "Form-made activity",
            "planned_start": "2020-01-02",
            "planned_end": "2020-01-01",
            "member_states": ["PHL", "IDN"],
            "partner": ["JPN", ""],
            "partner_role": ["1", ""],
            "outcomes": "vnm-project-161/G1.O2",
            "events": str(world["flood"]),
        }
        before = count(world["url"])
        bad = c.post("/activities/new", data=data, follow_redirects=False)
        assert (
            bad.status_code == 422 and "planned_end" in bad.text and 'value="Form-made activity"' in bad.text
        )
        assert count(world["url"]) == before
        ok = c.post(
            "/activities/new",
            data=data | {"planned_end": "2021-01-01", "status": "2"},
            follow_redirects=False,
        )
        assert ok.status_code == 303, ok.text
        target = ok.headers["location"]
        aid = int(target.rsplit("/", 1)[1])
        stored = c.get(f"/api/v1/activities/{aid}").json()
        assert (stored["status"], stored["member_states"], stored["partners"][0]["role"]) == (
            2,
            ["PHL", "IDN"],
            1,
        )
        assert stored["events"][0]["glide"] == GLIDE
        edit = c.get(f"/activities/{aid}/edit")
        revision = html.unescape(re.search(r'name="revision" value="([^"]+)"', edit.text).group(1))
        changed = data | {"planned_end": "2021-01-01", "status": "4", "revision": revision}
        assert c.post(f"/activities/{aid}/edit", data=changed, follow_redirects=False).status_code == 303
        assert (
            c.post(f"/activities/{aid}/edit", data=changed, follow_redirects=False).status_code == 412
        )  # stale
        assert c.get(f"/api/v1/activities/{aid}").json()["status"] == 4
        page = c.get(f"/activities/{aid}", params={"lang": "en"}).text  # its delete form carries the revision
        revision = html.unescape(re.search(r'name="revision" value="([^"]+)"', page).group(1))
        assert (
            c.post(f"/activities/{aid}/delete", data={"csrf": csrf}, follow_redirects=False).status_code
            == 428
        )
        assert (
            c.post(
                f"/activities/{aid}/delete", data={"csrf": csrf, "revision": revision}, follow_redirects=False
            ).status_code
            == 303
        )
        assert c.get(f"/api/v1/activities/{aid}").status_code == 404
    finally:
        c.__exit__(None, None, None)
    public = world["client"].get("/activities/new")
    assert public.status_code == 401
