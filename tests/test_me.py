"""My work (``/me``, ``/me.json``), on SQLite and PostgreSQL: each role is acted out through the API
and the page lists exactly what waits for that person, stops listing it once done, never shows
another member state's or body's things, and renders in both languages with the header's count."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from ascc.accounts.schemas import Principal, Role
from ascc.app import create_app
from ascc.config import Settings
from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.meetings import cycle
from ascc.monitoring import datacalls, loader
from ascc.monitoring.models import Indicator
from ascc.wiring import session_factory
from tests.conftest import BACKENDS, load, make_user
from tests.monitoring.conftest import DATA, PLAIN_HEADER
from tests.test_disasters import row
from tests.test_disasters_assistance import add_events

TODAY = dt.date.today()


@pytest.fixture(scope="module", params=BACKENDS)
def world(request, new_database, reference, tmp_path_factory):
    url = new_database(request.param)
    load(url, reference)
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        session.add_all(Indicator(**r) for r in loader.indicator_records(DATA) if r["code"] == "SP.POP.TOTL")
    engine.dispose()
    start = (TODAY - dt.timedelta(days=2)).isoformat()
    (event,) = add_events(
        url,
        tmp_path_factory.mktemp("me"),
        row(feed="BNPB", rid="FL-1", hazard="Flood", ms="IDN", start=start, end="", name="Banjir Jakarta"),
    )
    tokens = {
        "secretariat": make_user(url, email="officer@asean.org"),
        "chair": make_user(url, email="chair@asoen.org", role="chair", body_id="asoen"),
        "other_chair": make_user(url, email="chair@acw.org", role="chair", body_id="acw"),
        "partner": make_user(url, email="observer@mofa.go.jp", role="partner", partner_id="JPN"),
        "aha_centre": make_user(url, email="duty@ahacentre.org", role="aha_centre"),
        "IDN": make_user(url, email="fp@bps.go.id", role="focal_point", member_state="IDN"),
        "MYS": make_user(url, email="fp@dosm.gov.my", role="focal_point", member_state="MYS"),
        "LAO": make_user(url, email="fp@lsb.gov.la", role="focal_point", member_state="LAO"),
    }
    with TestClient(create_app(Settings(database_url=url))) as client:
        yield client, tokens, event, url


def auth(tokens, who):
    return {"Authorization": f"Bearer {tokens[who]}"}


def me(client, tokens, who) -> dict:
    r = client.get("/me.json", headers=auth(tokens, who))
    assert r.status_code == 200, r.text
    return r.json()


def ids(page, section):
    return [e["id"] for e in page["sections"][section]]


def etag_of(client, tokens, item):
    return client.get(f"/api/v1/decisions/{item}", headers=auth(tokens, "secretariat")).headers["etag"]


def act(client, tokens, who, path, body=None, *, item=None):
    """A change of a decision item, with the item's current ETag."""
    headers = auth(tokens, who) | ({"If-Match": etag_of(client, tokens, item)} if item else {})
    r = client.post(path, headers=headers, json=body or {})
    assert r.status_code in (200, 201), (path, r.text)
    return r.json()


def test_decisions_wait_for_each_focal_point_until_it_answers(world):
    client, tokens, *_ = world
    item = act(
        client,
        tokens,
        "secretariat",
        "/api/v1/decisions",
        {
            "title_en": "Guidelines on community-based care for older persons",
            "title_id": "Pedoman perawatan lansia berbasis komunitas",
            "body_id": "asoen",
        },
    )["id"]
    identified = act(
        client, tokens, "chair", "/api/v1/decisions", {"title_en": "Ageing data needs", "body_id": "asoen"}
    )["id"]
    for to in ("consult", "formulate"):
        act(client, tokens, "chair", f"/api/v1/decisions/{item}/stage", {"to": to}, item=item)
    # in formulation without a text: nothing to answer yet
    assert me(client, tokens, "IDN")["sections"]["positions_due"] == []
    chair = me(client, tokens, "chair")
    assert [(e["id"], e["stage"]) for e in chair["sections"]["items"]] == [
        (identified, "identify"),
        (item, "formulate"),
    ]
    assert chair["stage_counts"] == {
        "identify": 1,
        "consult": 0,
        "formulate": 1,
        "implement": 0,
        "monitor": 0,
    }
    assert me(client, tokens, "other_chair")["sections"]["items"] == []

    act(
        client,
        tokens,
        "chair",
        f"/api/v1/decisions/{item}/proposals",
        {"text_en": "Member states agree."},
        item=item,
    )
    for code in ("IDN", "MYS", "LAO"):
        page = me(client, tokens, code)
        assert ids(page, "positions_due") == [item], code
        entry = page["sections"]["positions_due"][0]
        assert (
            entry["url"] == f"/decisions/{item}"
            and entry["version"] == 1
            and entry["silence_deadline"] is None
        )
        assert page["sections"]["clearances_due"] == []
    assert me(client, tokens, "partner")["sections"] == {}

    # IDN joins: it no longer waits for IDN, still for Malaysia
    act(
        client,
        tokens,
        "IDN",
        f"/api/v1/decisions/{item}/positions",
        {"member_state": "IDN", "kind": "join"},
        item=item,
    )
    assert me(client, tokens, "IDN")["sections"]["positions_due"] == []
    assert ids(me(client, tokens, "MYS"), "positions_due") == [item]
    # Laos answers ad referendum: now its capital's clearance waits, with its date
    act(
        client,
        tokens,
        "LAO",
        f"/api/v1/decisions/{item}/positions",
        {"member_state": "LAO", "kind": "ad_referendum", "clearance_due": "2030-01-15"},
        item=item,
    )
    lao = me(client, tokens, "LAO")["sections"]
    assert lao["positions_due"] == [] and ids({"sections": lao}, "clearances_due") == [item]
    assert lao["clearances_due"][0]["clearance_due"] == "2030-01-15"
    assert me(client, tokens, "IDN")["sections"]["clearances_due"] == []

    # a silence procedure: its deadline shows to who has not answered, and to the Secretariat
    deadline = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
    act(
        client,
        tokens,
        "secretariat",
        f"/api/v1/decisions/{item}/silence",
        {"deadline": deadline.isoformat()},
        item=item,
    )
    (waiting,) = me(client, tokens, "MYS")["sections"]["positions_due"]
    assert abs(dt.datetime.fromisoformat(waiting["silence_deadline"]) - deadline) < dt.timedelta(seconds=1)
    assert ids(me(client, tokens, "secretariat"), "silences_ending") == [item]

    act(client, tokens, "LAO", f"/api/v1/decisions/{item}/positions/LAO/clearance", item=None)
    assert me(client, tokens, "LAO")["sections"]["clearances_due"] == []

    # the header counts what waits, on every page the person opens, in both languages
    count = me(client, tokens, "MYS")["count"]
    assert count == 1
    for lang, word, title in (
        ("en", "My work", "Guidelines on community-based care"),
        ("id", "Pekerjaan saya", "Pedoman perawatan lansia"),
    ):
        html = client.get("/sectors", params={"lang": lang}, headers=auth(tokens, "MYS")).text
        assert f'{word} <span class="count"' in html and f">{count}</span>" in html
        page = client.get("/me", params={"lang": lang}, headers=auth(tokens, "MYS")).text
        assert f'href="/decisions/{item}"' in page and title in page and f">{count}</span>" in page
    assert (
        "Posisi yang perlu dicatat untuk MYS" in client.get("/me?lang=id", headers=auth(tokens, "MYS")).text
    )


def upload(client, tokens, who, text):
    return client.post(
        "/api/v1/submissions/drafts",
        headers=auth(tokens, who),
        data={"member_state": who},
        files={"file": ("data.csv", text.encode(), "text/csv")},
    )


def submit(client, tokens, who) -> int:
    r = client.post("/api/v1/submissions", headers=auth(tokens, who), json={"member_state": who})
    assert r.status_code in (200, 201), r.text
    return r.json()["id"]


IDN_FILE = (
    PLAIN_HEADER
    + "SP.POP.TOTL,IDN,2020,273500000,persons,BPS,\nSP.POP.TOTL,IDN,2021,276400000,persons,BPS,\n"
)


def test_submissions_wait_for_the_focal_point_and_the_secretariat(world):
    client, tokens, *_ = world
    assert upload(client, tokens, "IDN", IDN_FILE).status_code in (200, 201)
    drafts = me(client, tokens, "IDN")["sections"]["drafts"]
    assert [(d["indicator"], d["drafts"], d["url"]) for d in drafts] == [
        ("SP.POP.TOTL", 2, "/submissions/new")
    ]
    assert me(client, tokens, "MYS")["sections"]["drafts"] == []

    sub = submit(client, tokens, "IDN")
    assert me(client, tokens, "IDN")["sections"]["drafts"] == []
    queue = me(client, tokens, "secretariat")["sections"]["signoff_queue"]
    assert [(q["id"], q["member_state"], q["url"]) for q in queue] == [(sub, "IDN", f"/submissions/{sub}")]

    etag = client.get(f"/api/v1/submissions/{sub}", headers=auth(tokens, "secretariat")).headers["etag"]
    r = client.post(
        f"/api/v1/submissions/{sub}/review",
        headers=auth(tokens, "secretariat") | {"If-Match": etag},
        json={"decision": "rejected", "comment": "2021 is a projection, not a census value"},
    )
    assert r.status_code == 200, r.text
    assert me(client, tokens, "secretariat")["sections"]["signoff_queue"] == []
    (returned,) = me(client, tokens, "IDN")["sections"]["rejected_submissions"]
    assert returned["id"] == sub and returned["comment"] == "2021 is a projection, not a census value"
    assert returned["url"] == f"/submissions/{sub}"
    # Malaysia's focal point sees nothing of Indonesia's rejection, on the page or in its JSON
    mys = client.get("/me.json", headers=auth(tokens, "MYS")).text
    assert "projection" not in mys and mys.count('"rejected_submissions":[]') == 1
    assert "projection" not in client.get("/me", headers=auth(tokens, "MYS")).text
    html = client.get("/me?lang=id", headers=auth(tokens, "IDN")).text
    assert "2021 is a projection" in html and "Pengajuan yang dikembalikan untuk diperbaiki" in html

    # the corrected 2021 value is a draft; the unchanged 2020 value stays rejected until it goes
    # back with the correction: submitting again answers the rejection, and the Secretariat waits
    fixed = IDN_FILE.replace("276400000", "275000000")
    assert upload(client, tokens, "IDN", fixed).status_code in (200, 201)
    page = me(client, tokens, "IDN")["sections"]
    assert ids({"sections": page}, "rejected_submissions") == [sub] and [
        d["drafts"] for d in page["drafts"]
    ] == [1]
    again = submit(client, tokens, "IDN")
    page = me(client, tokens, "IDN")["sections"]
    assert page["rejected_submissions"] == [] and page["drafts"] == []
    assert ids(me(client, tokens, "secretariat"), "signoff_queue") == [again]


def test_assistance_and_situation_reports_wait_for_the_secretariat_and_the_aha_centre(world):
    client, tokens, event, _ = world
    aha = me(client, tokens, "aha_centre")["sections"]
    assert aha["open_requests"] == [] and ids({"sections": aha}, "events_without_sitrep") == [event]
    assert aha["events_without_sitrep"][0]["url"] == f"/disasters/{event}"
    r = client.post(
        f"/api/v1/disasters/events/{event}/requests",
        headers=auth(tokens, "IDN"),
        json={
            "member_state": "IDN",
            "title": "Jakarta floods: boats and tents",
            "needs": [
                {"category": "shelter", "description": "Family tents", "quantity": 200, "unit": "tents"}
            ],
        },
    )
    assert r.status_code == 201, r.text
    req = r.json()
    assert ids(me(client, tokens, "secretariat"), "requests_without_offers") == [req["id"]]
    (listed,) = me(client, tokens, "aha_centre")["sections"]["open_requests"]
    assert (listed["id"], listed["offers"], listed["url"]) == (
        req["id"],
        0,
        f"/disasters/requests/{req['id']}",
    )

    body = {
        "lines": [
            {"need_id": req["needs"][0]["id"], "kind": "relief_items", "description": "tents", "quantity": 50}
        ]
    }
    r = client.post(f"/api/v1/disasters/requests/{req['id']}/offers", headers=auth(tokens, "MYS"), json=body)
    assert r.status_code == 201, r.text
    assert me(client, tokens, "secretariat")["sections"]["requests_without_offers"] == []
    assert [e["offers"] for e in me(client, tokens, "aha_centre")["sections"]["open_requests"]] == [1]

    r = client.post(
        f"/api/v1/disasters/events/{event}/sitreps",
        headers=auth(tokens, "aha_centre"),
        json={"title_en": "Jakarta floods, update", "body_en": "Water receding.", "as_of": TODAY.isoformat()},
    )
    assert r.status_code == 201, r.text
    assert me(client, tokens, "aha_centre")["sections"]["events_without_sitrep"] == []
    # focal points and chairs are not handed the AHA Centre's work
    assert "open_requests" not in me(client, tokens, "IDN")["sections"]


def test_a_chair_sees_its_bodys_next_meetings_with_paper_deadlines(world):
    client, tokens, *_ = world
    day = TODAY + dt.timedelta(days=60)
    record = {
        "id": "asoen-next",
        "body": "asoen",
        "title_en": "Next Meeting of ASOEN",
        "date_start": day.isoformat(),
        "date_end": day.isoformat(),
        "member_states": [],
        "partners": [],
    }
    r = client.put("/api/v1/meetings/asoen-next", json=record, headers=auth(tokens, "chair"))
    assert r.status_code == 200, r.text
    meetings = me(client, tokens, "chair")["sections"]["meetings"]
    recorded = [m for m in meetings if m["kind"] == "recorded"]
    assert [(m["meeting_id"], m["url"]) for m in recorded] == [("asoen-next", "/meetings/asoen-next")]
    assert (
        recorded[0]["deadlines"]["papers_due"] == cycle.preparatory_deadlines(day)["papers_due"].isoformat()
    )
    # ASOEN meets every year: the next years' meetings are expected, each once
    assert all(m["body_id"] == "asoen" for m in meetings)
    years = [m["year"] for m in meetings]
    assert len(years) == len(set(years)) and day.year in years
    other = me(client, tokens, "other_chair")["sections"]["meetings"]
    assert all(m["body_id"] == "acw" for m in other)
    html = client.get("/me?lang=id", headers=auth(tokens, "chair")).text
    assert 'href="/meetings/asoen-next"' in html and "Rapat berikutnya dan tenggat makalah" in html


def test_partners_have_nothing_to_act_on_and_the_public_signs_in(world):
    client, tokens, *_ = world
    page = me(client, tokens, "partner")
    assert page["sections"] == {} and page["count"] == 0
    for lang, text in (
        ("en", "There is nothing for you to act on here."),
        ("id", "Tidak ada yang perlu Anda tindak lanjuti di sini."),
    ):
        html = client.get("/me", params={"lang": lang}, headers=auth(tokens, "partner")).text
        assert text in html and '<span class="count"' in html
    assert client.get("/me.json").status_code == 401
    assert client.get("/me").status_code == 401
    assert 'href="/me"' not in client.get("/sectors").text


def test_data_calls_wait_for_the_focal_points_asked_and_the_secretariat_sees_overdue_ones(world):
    client, tokens, _, url = world
    before = {who: me(client, tokens, who)["count"] for who in ("MYS", "LAO", "IDN", "secretariat")}
    deadline = TODAY + dt.timedelta(days=20)
    r = client.post(
        "/api/v1/data-calls",
        headers=auth(tokens, "secretariat"),
        json={
            "title": "Population 2022–2023",
            "indicators": ["SP.POP.TOTL"],
            "periods": ["2022", "2023"],
            "member_states": ["MYS", "LAO"],
            "deadline": deadline.isoformat(),
        },
    )
    assert r.status_code == 201, r.text
    call = r.json()["id"]
    (mys,) = me(client, tokens, "MYS")["sections"]["data_calls"]
    assert (mys["id"], mys["deadline"], mys["days_left"], mys["expected"], mys["missing"]) == (
        call,
        deadline.isoformat(),
        20,
        2,
        2,
    )
    assert [(m["indicator"], m["periods"]) for m in mys["missing_values"]] == [
        ("SP.POP.TOTL", ["2022", "2023"])
    ]
    assert (mys["url"], mys["template_xlsx"], mys["template_csv"]) == (
        f"/data-calls/{call}",
        f"/data-calls/{call}/template.xlsx",
        f"/data-calls/{call}/template.csv",
    )
    assert me(client, tokens, "IDN")["sections"]["data_calls"] == []  # Indonesia is not asked
    assert me(client, tokens, "MYS")["count"] == before["MYS"] + 1
    sec = me(client, tokens, "secretariat")
    (open_,) = sec["sections"]["open_data_calls"]
    assert (open_["id"], open_["expected"], open_["missing"], open_["percent"]) == (call, 4, 4, 0)
    assert sec["sections"]["overdue_data_calls"] == [] and sec["count"] == before["secretariat"]

    # Malaysia submits both values: nothing waits for it any more; Laos one of two
    rows = "SP.POP.TOTL,{ms},2022,{v},persons,NSO,\nSP.POP.TOTL,{ms},2023,{w},persons,NSO,\n"
    assert upload(
        client, tokens, "MYS", PLAIN_HEADER + rows.format(ms="MYS", v=34000000, w=34300000)
    ).is_success
    submit(client, tokens, "MYS")
    assert upload(
        client, tokens, "LAO", PLAIN_HEADER + "SP.POP.TOTL,LAO,2022,7500000,persons,LSB,\n"
    ).is_success
    submit(client, tokens, "LAO")
    assert me(client, tokens, "MYS")["sections"]["data_calls"] == []
    assert me(client, tokens, "MYS")["count"] == before["MYS"]
    (lao,) = me(client, tokens, "LAO")["sections"]["data_calls"]
    assert (lao["missing"], lao["missing_values"][0]["periods"]) == (1, ["2023"])
    (open_,) = me(client, tokens, "secretariat")["sections"]["open_data_calls"]
    assert (open_["submitted"], open_["missing"], open_["percent"]) == (3, 1, 75)

    # a call whose deadline has passed with a value missing is overdue for the Secretariat; the
    # focal point's list keeps the open calls
    waiting = me(client, tokens, "secretariat")["count"]  # the two submissions wait for sign-off
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        officer = Principal(user_id=1, name="officer@asean.org", role=Role.secretariat)
        late = datacalls.create(
            session,
            principal=officer,
            title="Population 2022 (late)",
            indicators=["SP.POP.TOTL"],
            periods=["2022"],
            member_states=["LAO", "MYS"],
            deadline=TODAY - dt.timedelta(days=10),
            today=TODAY - dt.timedelta(days=40),
        )["id"]
    engine.dispose()
    sec = me(client, tokens, "secretariat")
    (overdue,) = sec["sections"]["overdue_data_calls"]
    assert (overdue["id"], overdue["missing"], overdue["expected"]) == (late, 2, 2)
    assert overdue["member_states_missing"] == [
        {"member_state": "LAO", "missing": 1},
        {"member_state": "MYS", "missing": 1},
    ]
    assert [c["id"] for c in sec["sections"]["open_data_calls"]] == [call]
    assert sec["count"] == waiting + 1
    assert [c["id"] for c in me(client, tokens, "LAO")["sections"]["data_calls"]] == [call]

    # both languages, with links to the call and its templates
    for lang, heading, missing in (
        ("en", "Data calls waiting for values from LAO", "1 of 2 values missing"),
        ("id", "Permintaan data yang menunggu nilai dari LAO", "1 dari 2 nilai belum ada"),
    ):
        html = client.get("/me", params={"lang": lang}, headers=auth(tokens, "LAO")).text
        assert heading in html and missing in html and f'href="/data-calls/{call}/template.xlsx"' in html
    for lang, words in (
        ("en", ("Overdue data calls", "Open data calls: completeness", "75%")),
        ("id", ("Permintaan data yang lewat batas waktu", "Permintaan data yang terbuka: kelengkapan")),
    ):
        html = client.get("/me", params={"lang": lang}, headers=auth(tokens, "secretariat")).text
        assert all(w in html for w in words) and f'href="/data-calls/{late}"' in html
