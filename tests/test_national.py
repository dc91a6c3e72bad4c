"""National plans and programmes of action, on SQLite and PostgreSQL: the seeded plans of Viet Nam
(every value quoted from seed 004, loaded idempotently), a focal point's path through the API
(measures aligned to regional outcomes, results, consultation, comments and their handling,
adoption locking the text), who may write (the authorisation matrix), If-Match, the alignment
matrix and the coverage with their CSV exports, and the pages in both languages."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from ascc.accounts.schemas import Principal, Role
from ascc.app import create_app
from ascc.config import Settings
from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.national import demo, service
from ascc.national import schemas as s
from ascc.national.models import NationalPlan
from ascc.reference.quotes import normalise
from ascc.results import framework
from ascc.wiring import session_factory
from tests.conftest import SEEDS, load_built, make_user
from tests.test_notifications import notes_of
from tests.test_positions_form import PASSWORD, form_of, hidden, signed_in

REGIONAL = "ascc-strategic-plan-2026-2035"
OUTCOME = f"{REGIONAL}/G1.O1"
SEED = "004_78eb73488eeb3ca3.txt"
DEADLINE = (dt.date.today() + dt.timedelta(days=30)).isoformat()
PLAN = {
    "member_state": "VNM",
    "title_en": "National programme of action on social protection",
    "title_id": "Program aksi nasional perlindungan sosial",
    "period_start": 2026,
    "period_end": 2030,
    "ministries": ["Ministry of Home Affairs"],
    "regional_plan_id": REGIONAL,
}
MEASURE = {
    "code": "M1",
    "title_en": "Extend the monthly social allowance",
    "ministry": "Ministry of Home Affairs",
    "section": "II.1",
}
RESULT = {
    "measure": "M1",
    "label_en": "Localities paying the monthly allowance",
    "value": 87.5,
    "unit": "%",
    "year": 2027,
    "target": 100,
    "source_url": "https://example.gov.vn/report-2027",
}


def load_frameworks(url: str) -> None:
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        framework.load_frameworks(session, elements=framework.read_frameworks(session))
    engine.dispose()


def frameworks_and_accounts(url: str) -> dict[str, str]:
    """The results frameworks and the accounts the tests act as on ``url``: their API tokens."""
    load_frameworks(url)
    return {
        "secretariat": make_user(url, email="officer@asean.org", password=PASSWORD),
        "VNM": make_user(
            url, email="fp@vnm.example", role="focal_point", member_state="VNM", password=PASSWORD
        ),
        "VNM2": make_user(url, email="fp2@vnm.example", role="focal_point", member_state="VNM"),
        "IDN": make_user(url, email="fp@idn.example", role="focal_point", member_state="IDN"),
        "chair": make_user(url, email="chair@asoen.org", role="chair", body_id="asoen"),
        "partner": make_user(url, email="observer@mofa.go.jp", role="partner", partner_id="JPN"),
    }


@pytest.fixture
def world(fresh_url, reference):
    """A loaded database of its own with :func:`frameworks_and_accounts` (a copy of one built once
    per backend)."""
    tokens = load_built(fresh_url, reference, "national-world", frameworks_and_accounts)
    app = create_app(Settings(database_url=fresh_url))
    with TestClient(app) as client:
        yield app, client, tokens, fresh_url


def auth(tokens, who):
    return {} if who == "public" else {"Authorization": f"Bearer {tokens[who]}"}


def fresh(client, tokens, who, plan_id):
    etag = client.get(f"/api/v1/national-plans/{plan_id}").headers["etag"]
    return auth(tokens, who) | {"If-Match": etag}


def new_plan(client, tokens, who="VNM", **extra) -> int:
    r = client.post("/api/v1/national-plans", json=PLAN | extra, headers=auth(tokens, who))
    assert r.status_code == 201, r.text
    return r.json()["id"]


def audit_count(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        n = conn.execute(sa.text("SELECT count(*) FROM audit_entries")).scalar()
    engine.dispose()
    return n


def test_the_seeded_plans_quote_seed_004_and_load_once_without_reverting_edits(world):
    _, client, tokens, url = world
    seed = normalise((SEEDS / SEED).read_text(encoding="utf-8"))
    for entry in demo.read():
        quotes = [
            x
            for part in [entry, *entry.get("measures", []), *entry.get("results", [])]
            for x in part.get("sources", [])
            if "quote" in x
        ]
        assert quotes, entry["key"]
        for q in quotes:
            assert q["file"] == SEED and normalise(q["quote"]) in seed, q["quote"]
    engine = make_engine(url)
    factory = session_factory(engine)
    with unit_of_work(factory) as session:
        session.info["actor"] = "cli:test"
        assert demo.load_demo(session) == (2, 0)
    listed = client.get("/api/v1/national-plans?member_state=VNM").json()["items"]
    # by period, a plan without one last (on both backends)
    assert [p["registry_plan_id"] for p in listed] == ["vnm-project-161", "vnm-vision-2045-action-programme"]
    plans = {p["registry_plan_id"]: p for p in listed}
    p161 = client.get(f"/api/v1/national-plans/{plans['vnm-project-161']['id']}").json()
    assert (p161["period_start"], p161["period_end"], p161["status"]) == (2016, 2025, "adopted")
    assert p161["ministries"] == []  # the seed names none
    [measure] = p161["measures"]
    assert measure["alignments"] == []  # the seed states none
    assert [(r["value"], r["unit"], r["target"], r["year"]) for r in measure["results"]] == [
        (100, "%", None, None),
        (100, "%", None, None),
        (None, None, None, None),
    ]
    programme = client.get(f"/api/v1/national-plans/{plans['vnm-vision-2045-action-programme']['id']}").json()
    assert programme["status"] == "in_consultation" and programme["period_start"] is None
    assert programme["consultation"]["deadline"] is None and programme["measures"] == []
    assert "Ministry of Public Security" in programme["consultation"]["ministries"]
    # a person edits one and deletes the other: loading again changes neither
    r = client.put(
        f"/api/v1/national-plans/{programme['id']}",
        headers=fresh(client, tokens, "VNM", programme["id"]),
        json={"member_state": "VNM", "title_en": "Edited by the focal point"},
    )
    assert r.status_code == 200, r.text
    with unit_of_work(factory) as session:
        session.info["actor"] = "user:1"
        session.delete(session.get(NationalPlan, p161["id"]))
    with unit_of_work(factory) as session:
        session.info["actor"] = "cli:test"
        assert demo.load_demo(session) == (0, 1)
    items = client.get("/api/v1/national-plans").json()["items"]
    assert [(p["id"], p["title"]["en"]) for p in items] == [(programme["id"], "Edited by the focal point")]
    engine.dispose()


def test_a_focal_points_path_from_draft_to_adopted(world):
    _, client, tokens, url = world
    plan = new_plan(client, tokens)
    r = client.post(
        f"/api/v1/national-plans/{plan}/measures", json=MEASURE, headers=fresh(client, tokens, "VNM", plan)
    )
    assert r.status_code == 200, r.text
    r = client.post(
        f"/api/v1/national-plans/{plan}/measures/M1/alignments",
        headers=fresh(client, tokens, "VNM", plan),
        json={"element": OUTCOME, "kind": "implements"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["measures"][0]["alignments"][0]["element"]["key"] == OUTCOME
    r = client.post(
        f"/api/v1/national-plans/{plan}/results", json=RESULT, headers=fresh(client, tokens, "VNM", plan)
    )
    assert r.status_code == 200, r.text
    # consultation: the draft circulates, the member state's focal points are told (in their language)
    r = client.post(
        f"/api/v1/national-plans/{plan}/consultation",
        headers=fresh(client, tokens, "VNM", plan),
        json={"ministries": ["Ministry of Finance", "Ministry of Health"], "deadline": DEADLINE},
    )
    assert r.status_code == 200, r.text
    notes = notes_of(url, "national_consultation_opened")
    assert sorted(n[0] for n in notes) == ["fp2@vnm.example", "fp@vnm.example"]
    assert all(
        f"/national-plans/{plan}" == n[3] and "Ministry of Health" in n[2] and DEADLINE in n[2] for n in notes
    )
    r = client.post(
        f"/api/v1/national-plans/{plan}/comments",
        headers=fresh(client, tokens, "VNM", plan),
        json={"ministry": "Ministry of Defence", "section": "II", "text": "Add veterans."},
    )
    assert r.status_code == 422 and "was not consulted" in r.json()["detail"]
    r = client.post(
        f"/api/v1/national-plans/{plan}/comments",
        headers=fresh(client, tokens, "VNM", plan),
        json={"ministry": "Ministry of Finance", "section": "II.1", "text": "Cost the allowance."},
    )
    assert r.status_code == 200, r.text
    comment = r.json()["comments"][0]["id"]
    r = client.post(f"/api/v1/national-plans/{plan}/adopt", headers=fresh(client, tokens, "VNM", plan))
    assert r.status_code == 409 and f"comments {comment}" in r.json()["detail"]
    r = client.put(
        f"/api/v1/national-plans/{plan}/comments/{comment}/handling",
        headers=fresh(client, tokens, "VNM", plan),
        json={"handling": "partly"},
    )
    assert r.status_code == 422 and r.json()["parameter"] == "note"
    r = client.put(
        f"/api/v1/national-plans/{plan}/comments/{comment}/handling",
        headers=fresh(client, tokens, "VNM", plan),
        json={"handling": "partly", "note": "Costed for 2026-2027 only."},
    )
    assert r.status_code == 200 and r.json()["comments"][0]["handling"] == "partly"
    r = client.post(f"/api/v1/national-plans/{plan}/adopt", headers=fresh(client, tokens, "VNM", plan))
    assert r.status_code == 200 and r.json()["status"] == "adopted"
    # adopted: the text is locked, results are still reported
    for method, path, body in (
        ("put", "", PLAN | {"title_en": "Changed"}),
        ("post", "/measures", MEASURE | {"code": "M2"}),
        ("post", "/measures/M1/alignments", {"element": OUTCOME, "kind": "adapts"}),
        ("post", "/comments", {"ministry": "Ministry of Finance", "text": "Late."}),
        ("post", "/adopt", None),
    ):
        r = client.request(
            method.upper(),
            f"/api/v1/national-plans/{plan}{path}",
            json=body,
            headers=fresh(client, tokens, "VNM", plan),
        )
        assert r.status_code == 409 and "locked" in r.json()["detail"], (path, r.status_code, r.text)
    r = client.post(
        f"/api/v1/national-plans/{plan}/results",
        headers=fresh(client, tokens, "VNM", plan),
        json=RESULT | {"year": 2028, "value": 93},
    )
    assert r.status_code == 200
    assert [x["value"] for x in r.json()["measures"][0]["results"]] == [87.5, 93]


def test_a_focal_point_of_another_member_state_is_refused_and_nothing_is_written(world):
    _, client, tokens, url = world
    plan = new_plan(client, tokens)
    before = audit_count(url)
    r = client.post("/api/v1/national-plans", json=PLAN, headers=auth(tokens, "IDN"))
    assert r.status_code == 403 and "cannot act for VNM" in r.json()["detail"]
    r = client.put(f"/api/v1/national-plans/{plan}", json=PLAN, headers=fresh(client, tokens, "IDN", plan))
    assert r.status_code == 403
    r = client.post(
        f"/api/v1/national-plans/{plan}/measures", json=MEASURE, headers=fresh(client, tokens, "IDN", plan)
    )
    assert r.status_code == 403
    assert audit_count(url) == before
    # the Secretariat may act for any member state
    assert new_plan(client, tokens, "secretariat", member_state="IDN")


def test_if_match_is_required_and_a_stale_one_is_refused(world):
    _, client, tokens, _ = world
    plan = new_plan(client, tokens)
    stale = fresh(client, tokens, "VNM", plan)
    r = client.post(f"/api/v1/national-plans/{plan}/measures", json=MEASURE, headers=auth(tokens, "VNM"))
    assert r.status_code == 428
    # someone else (the other focal point) adds a measure first
    r = client.post(
        f"/api/v1/national-plans/{plan}/measures", json=MEASURE, headers=fresh(client, tokens, "VNM2", plan)
    )
    assert r.status_code == 200
    r = client.post(f"/api/v1/national-plans/{plan}/measures", json=MEASURE | {"code": "M2"}, headers=stale)
    assert r.status_code == 412
    assert [m["code"] for m in client.get(f"/api/v1/national-plans/{plan}").json()["measures"]] == ["M1"]


def test_bad_input_is_refused_naming_the_field(world):
    _, client, tokens, _ = world
    h = auth(tokens, "VNM")
    r = client.post(
        "/api/v1/national-plans", json=PLAN | {"period_start": 2030, "period_end": 2026}, headers=h
    )
    assert r.status_code == 422 and r.json()["parameter"] == "period_end"
    r = client.post("/api/v1/national-plans", json=PLAN | {"regional_plan_id": "no-such-plan"}, headers=h)
    assert r.status_code == 422 and "no plan 'no-such-plan'" in r.json()["detail"]
    r = client.post("/api/v1/national-plans", json={"member_state": "VNM"}, headers=h)
    assert r.status_code == 422 and r.json()["parameter"] == "title_en"
    plan = new_plan(client, tokens)
    client.post(
        f"/api/v1/national-plans/{plan}/measures", json=MEASURE, headers=fresh(client, tokens, "VNM", plan)
    )
    r = client.post(
        f"/api/v1/national-plans/{plan}/measures", json=MEASURE, headers=fresh(client, tokens, "VNM", plan)
    )
    assert r.status_code == 422 and "already has a measure M1" in r.json()["detail"]
    r = client.post(
        f"/api/v1/national-plans/{plan}/measures/M1/alignments",
        headers=fresh(client, tokens, "VNM", plan),
        json={"element": f"{REGIONAL}/G9", "kind": "implements"},
    )
    assert r.status_code == 422 and r.json()["parameter"] == "element"
    r = client.post(
        f"/api/v1/national-plans/{plan}/results",
        headers=fresh(client, tokens, "VNM", plan),
        json={k: v for k, v in RESULT.items() if k != "source_url"},
    )
    assert r.status_code == 422 and r.json()["parameter"] == "source_url"
    r = client.post(
        f"/api/v1/national-plans/{plan}/consultation",
        headers=fresh(client, tokens, "VNM", plan),
        json={"ministries": ["Ministry of Finance"], "deadline": "2001-01-01"},
    )
    assert r.status_code == 422 and r.json()["parameter"] == "deadline"
    r = client.post(
        f"/api/v1/national-plans/{plan}/comments",
        headers=fresh(client, tokens, "VNM", plan),
        json={"ministry": "Ministry of Finance", "text": "Too early."},
    )
    assert r.status_code == 409 and "not in consultation" in r.json()["detail"]
    # a measure aligns to a regional plan, not to the framework of the national plan it belongs to
    own = new_plan(client, tokens, registry_plan_id="vnm-project-161")
    client.post(
        f"/api/v1/national-plans/{own}/measures", json=MEASURE, headers=fresh(client, tokens, "VNM", own)
    )
    r = client.post(
        f"/api/v1/national-plans/{own}/measures/M1/alignments",
        headers=fresh(client, tokens, "VNM", own),
        json={"element": "vnm-project-161/G1.O2", "kind": "implements"},
    )
    assert r.status_code == 422 and "not to the national plan's own framework" in r.json()["detail"]


def _aligned_plan(client, tokens) -> int:
    plan = new_plan(client, tokens)
    client.post(
        f"/api/v1/national-plans/{plan}/measures", json=MEASURE, headers=fresh(client, tokens, "VNM", plan)
    )
    client.post(
        f"/api/v1/national-plans/{plan}/measures/M1/alignments",
        headers=fresh(client, tokens, "VNM", plan),
        json={"element": OUTCOME, "kind": "contributes_to"},
    )
    r = client.post(
        f"/api/v1/national-plans/{plan}/results", json=RESULT, headers=fresh(client, tokens, "VNM", plan)
    )
    assert r.status_code == 200
    return plan


def test_the_matrix_and_the_coverage_with_their_csv(world):
    _, client, tokens, _ = world
    plan = _aligned_plan(client, tokens)
    m = client.get(f"/api/v1/plans/{REGIONAL}/alignment").json()
    [row] = [x for x in m["rows"] if x["element"]["code"] == "G1.O1"]
    assert row["member_states"] == ["VNM"] and row["cells"]["IDN"] == []
    [cell] = row["cells"]["VNM"]
    assert (cell["plan"]["id"], cell["measure"]["code"], cell["kind"]) == (plan, "M1", "contributes_to")
    assert [(r["value"], r["target"]) for r in cell["results"]] == [(87.5, 100)]
    assert [p["id"] for p in m["national_plans"]["VNM"]] == [plan]
    for path in (f"/api/v1/plans/{REGIONAL}/alignment.csv", f"/plans/{REGIONAL}/alignment.csv"):
        r = client.get(path)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(r.text)))
        assert len({x["member_state"] for x in rows}) == 11  # every member state, gaps as empty lines
        vnm = [x for x in rows if x["member_state"] == "VNM" and x["element"] == "G1.O1"]
        assert [
            (x["measure"], x["alignment"], x["value"], x["unit"], x["target"], x["source"]) for x in vnm
        ] == [("M1", "contributes_to", "87.5", "%", "100", RESULT["source_url"])]
        idn = [x for x in rows if x["member_state"] == "IDN" and x["element"] == "G1.O1"]
        assert [(x["measure"], x["value"]) for x in idn] == [("", "")]
    vnm = client.get("/api/v1/member-states/VNM/alignment").json()
    assert (vnm["covered"], vnm["gaps"]) == (1, [])
    idn = client.get("/api/v1/member-states/idn/alignment").json()
    assert (idn["covered"], idn["gaps"]) == (0, ["G1.O1"])
    rows = list(csv.DictReader(io.StringIO(client.get("/member-states/VNM/alignment.csv").text)))
    assert [(x["outcome"], x["coverage"], x["measure"], x["value"]) for x in rows] == [
        ("G1.O1", "covered", "M1", "87.5")
    ]
    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/member-states/IDN/alignment.csv").text)))
    assert [(x["outcome"], x["coverage"], x["measure"]) for x in rows] == [("G1.O1", "gap", "")]
    assert client.get("/api/v1/plans/no-such-plan/alignment").status_code == 404


def test_a_formula_in_a_measure_title_is_neutralised_in_the_csv(world):
    _, client, tokens, _ = world
    plan = new_plan(client, tokens)
    client.post(
        f"/api/v1/national-plans/{plan}/measures",
        json=MEASURE | {"title_en": "=HYPERLINK(1)"},
        headers=fresh(client, tokens, "VNM", plan),
    )
    client.post(
        f"/api/v1/national-plans/{plan}/measures/M1/alignments",
        headers=fresh(client, tokens, "VNM", plan),
        json={"element": OUTCOME, "kind": "adapts"},
    )
    text = client.get(f"/api/v1/plans/{REGIONAL}/alignment.csv").text
    assert "'=HYPERLINK(1)" in text and ",=HYPERLINK" not in text


WRITES = {
    # name: (method, path, json) — {plan} is a VNM draft with measure M1; {comment} a comment on it
    "create_vnm": ("post", "/api/v1/national-plans", PLAN),
    "update": ("put", "/api/v1/national-plans/{plan}", PLAN | {"title_en": "Renamed"}),
    "measure": ("post", "/api/v1/national-plans/{plan}/measures", MEASURE | {"code": "M2"}),
    "align": (
        "post",
        "/api/v1/national-plans/{plan}/measures/M1/alignments",
        {"element": OUTCOME, "kind": "adapts"},
    ),
    "unalign": ("delete", "/api/v1/national-plans/{plan}/measures/M1/alignments?element=" + OUTCOME, None),
    "result": ("post", "/api/v1/national-plans/{plan}/results", RESULT),
    "consultation": (
        "post",
        "/api/v1/national-plans/{plan}/consultation",
        {"ministries": ["Ministry of Finance"], "deadline": DEADLINE},
    ),
    "comment": (
        "post",
        "/api/v1/national-plans/{plan}/comments",
        {"ministry": "Ministry of Finance", "text": "Ok."},
    ),
    "handling": (
        "put",
        "/api/v1/national-plans/{plan}/comments/{comment}/handling",
        {"handling": "accepted"},
    ),
    "adopt": ("post", "/api/v1/national-plans/{plan}/adopt", None),
}
ROLES = ["public", "secretariat", "VNM", "IDN", "chair", "partner"]
ALLOWED = {"secretariat", "VNM"}


def test_authorisation_matrix(world):
    """Every write × every role: the member state's own focal point and the Secretariat pass, the
    others get 401/403 and write nothing (not even an audit entry)."""
    _, client, tokens, url = world
    for name, (method, path, body) in WRITES.items():
        for role in ROLES:
            plan = new_plan(client, tokens)
            client.post(
                f"/api/v1/national-plans/{plan}/measures",
                json=MEASURE,
                headers=fresh(client, tokens, "VNM", plan),
            )
            client.post(
                f"/api/v1/national-plans/{plan}/measures/M1/alignments",
                headers=fresh(client, tokens, "VNM", plan),
                json={"element": OUTCOME, "kind": "implements"},
            )
            comment = None
            if name in ("comment", "handling"):
                client.post(
                    f"/api/v1/national-plans/{plan}/consultation",
                    json=WRITES["consultation"][2],
                    headers=fresh(client, tokens, "VNM", plan),
                )
            if name == "handling":
                r = client.post(
                    f"/api/v1/national-plans/{plan}/comments",
                    json=WRITES["comment"][2],
                    headers=fresh(client, tokens, "VNM", plan),
                )
                comment = r.json()["comments"][0]["id"]
            before = audit_count(url)
            headers = auth(tokens, role) if name == "create_vnm" else fresh(client, tokens, role, plan)
            r = client.request(
                method.upper(), path.format(plan=plan, comment=comment), json=body, headers=headers
            )
            if role in ALLOWED:
                assert r.status_code in (200, 201), (name, role, r.status_code, r.text)
            else:
                assert r.status_code == (401 if role == "public" else 403), (
                    name,
                    role,
                    r.status_code,
                    r.text,
                )
                assert audit_count(url) == before, (name, role, "wrote something")


def test_the_pages_in_both_languages_and_a_focal_point_using_the_forms(world):
    app, client, tokens, _ = world
    plan = _aligned_plan(client, tokens)
    for lang, words in (
        ("en", ("National results", "Alignment matrix")),
        ("id", ("Hasil nasional", "Matriks keselarasan")),
    ):
        page = client.get(f"/national-plans/{plan}?lang={lang}")
        assert (
            page.status_code == 200
            and words[0] in page.text
            and f'href="/plans/{REGIONAL}/alignment"' in page.text
        )
        matrix = client.get(f"/plans/{REGIONAL}/alignment?lang={lang}")
        assert (
            matrix.status_code == 200
            and words[1] in matrix.text
            and f'href="/national-plans/{plan}#m-M1"' in matrix.text
        )
        assert "87.5" in matrix.text or "87,5" in matrix.text
        profile = client.get(f"/member-states/VNM?lang={lang}").text
        assert (
            f'href="/national-plans/{plan}"' in profile and 'href="/member-states/VNM/alignment"' in profile
        )
        coverage = client.get(f"/member-states/IDN/alignment?lang={lang}")
        assert coverage.status_code == 200 and ("gap" if lang == "en" else "celah") in coverage.text
        assert client.get(f"/plans/{REGIONAL}?lang={lang}").text.count(f"/plans/{REGIONAL}/alignment") == 1
        assert client.get(f"/national-plans?lang={lang}").status_code == 200
    assert client.get(f"/national-plans/{plan}.json").json()["plan"]["measures"][0]["code"] == "M1"
    # the public sees no form; a focal point of the member state circulates the draft through the page
    assert "/consultation" not in client.get(f"/national-plans/{plan}").text
    vnm = signed_in(app, "fp@vnm.example")
    page = vnm.get(f"/national-plans/{plan}").text
    action = f"/national-plans/{plan}/consultation"
    r = vnm.post(
        action,
        data=hidden(page, action)
        | {"ministries": "Ministry of Finance\nMinistry of Health", "deadline": DEADLINE},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    page = vnm.get(f"/national-plans/{plan}?lang=id").text
    assert "Ministry of Health" in page and "Catat komentar kementerian" in page
    action = f"/national-plans/{plan}/comments"
    assert form_of(page, action)
    r = vnm.post(action, data=hidden(page, action) | {"ministry": "Ministry of Finance", "text": ""})
    assert r.status_code == 422
    # a focal point of another member state sees no form and is refused the edit form
    idn = signed_in(app, "fp@idn.example")
    assert "/comments" not in idn.get(f"/national-plans/{plan}").text
    assert idn.get(f"/national-plans/{plan}/edit").status_code == 403
    r = vnm.post(
        action,
        data=hidden(page, action) | {"ministry": "Ministry of Finance", "section": "II", "text": "Cost it."},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert client.get(f"/api/v1/national-plans/{plan}").json()["comments"][0]["text"] == "Cost it."
    # a new plan through the form
    page = vnm.get("/national-plans/new").text
    action = "/national-plans/new"
    r = vnm.post(
        action,
        data=hidden(page, action)
        | {
            "member_state": "VNM",
            "title_en": "Second programme",
            "period_start": "2026",
            "period_end": "2024",
        },
    )
    assert r.status_code == 422 and "before it starts" in r.text and 'value="Second programme"' in r.text
    r = vnm.post(
        action,
        data=hidden(page, action)
        | {"member_state": "VNM", "title_en": "Second programme", "ministries": "Ministry of Home Affairs"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/national-plans/")


def test_the_service_refuses_a_principal_without_an_account(world):
    _, _, _, url = world
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        with pytest.raises(Exception) as exc:
            service.create_plan(session, principal=Principal(), data=s.PlanWrite(**PLAN))
        assert exc.value.status == 401
        other = Principal(user_id=99, name="x", role=Role.focal_point, member_state="IDN")
        with pytest.raises(Exception) as exc:
            service.create_plan(session, principal=other, data=s.PlanWrite(**PLAN))
        assert exc.value.status == 403
        session.rollback()
    engine.dispose()
