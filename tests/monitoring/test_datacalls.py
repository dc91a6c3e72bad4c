"""Data calls on SQLite and PostgreSQL: the Secretariat asks IDN and MYS for 2 indicators × 2 years;
each member state's pre-filled template (CSV, XLSX) has its expected rows with the published values
and goes back through the ordinary draft upload; completeness follows submission and approval; only
the Secretariat opens a call, a focal point sees its own member state's template only, and bad input
is a 422 naming the field with nothing stored."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from ascc.app import create_app
from ascc.config import Settings
from ascc.db.engine import make_engine
from tests.conftest import if_match, make_user
from tests.monitoring.conftest import PLAIN_HEADER, run_import, write
from tests.monitoring.test_signoff_workflow import count

PASSWORD = "a long enough password"
CODES = ["SE.PRM.ENRR", "SP.POP.TOTL"]
PERIODS = ["2021", "2022"]
#: values published before the call: all four of IDN's, one of MYS's (it must not count as an answer)
PUBLISHED = {
    ("SP.POP.TOTL", "IDN", "2021"): 276000000,
    ("SP.POP.TOTL", "IDN", "2022"): 278000000,
    ("SE.PRM.ENRR", "IDN", "2021"): 104.5,
    ("SE.PRM.ENRR", "IDN", "2022"): 105.25,
    ("SP.POP.TOTL", "MYS", "2021"): 33500000,
}
UNITS = {"SP.POP.TOTL": "persons", "SE.PRM.ENRR": "% gross"}


@pytest.fixture(scope="module")
def world(mon_url, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("datacalls")
    rows = "".join(f"{c},{ms},{p},{v},{UNITS[c]},WDI,\n" for (c, ms, p), v in PUBLISHED.items())
    report = run_import(mon_url, write(tmp, "published.csv", PLAIN_HEADER + rows), approval="approved")
    assert report.ok, report.problems
    tokens = {
        "secretariat": make_user(mon_url, email="officer@asean.org", password=PASSWORD),
        "IDN": make_user(
            mon_url, email="fp@bps.go.id", role="focal_point", member_state="IDN", password=PASSWORD
        ),
        "MYS": make_user(mon_url, email="fp@dosm.gov.my", role="focal_point", member_state="MYS"),
        "PHL": make_user(mon_url, email="fp@psa.gov.ph", role="focal_point", member_state="PHL"),
    }
    with TestClient(create_app(Settings(database_url=mon_url))) as client:
        yield client, tokens, mon_url


def auth(tokens, who):
    return {"Authorization": f"Bearer {tokens[who]}"}


def deadline(days=30):
    return (dt.date.today() + dt.timedelta(days=days)).isoformat()


def body(**changes):
    return {
        "title": "Education and population 2021–2022",
        "indicators": CODES,
        "periods": PERIODS,
        "member_states": ["IDN", "MYS"],
        "deadline": deadline(),
        "message_en": "Please send your national values.",
        "message_id": "Mohon kirim nilai nasional.",
    } | changes


def cells_of(completeness, ms):
    row = next(m for m in completeness["member_states"] if m["member_state"] == ms)
    return {k: row[k] for k in ("expected", "submitted", "approved", "missing")}, row


def test_a_data_call_from_opening_to_approval(world):
    client, tokens, url = world
    # only the Secretariat opens a call; bad input names the field and stores nothing
    before = count(url, "data_calls"), count(url, "audit_entries")
    assert client.post("/api/v1/data-calls", headers=auth(tokens, "IDN"), json=body()).status_code == 403
    assert client.post("/api/v1/data-calls", json=body()).status_code == 401
    for bad, field in (
        (body(indicators=["SP.POP.TOTL", "NO.SUCH"]), "indicators"),
        (body(deadline=(dt.date.today() - dt.timedelta(days=1)).isoformat()), "deadline"),
        (body(member_states=["IDN", "XXX"]), "member_states"),
        (body(periods=["2021", "21"]), "periods"),
    ):
        r = client.post("/api/v1/data-calls", headers=auth(tokens, "secretariat"), json=bad)
        assert r.status_code == 422, r.text
        assert r.json()["parameter"] == field and field in r.json()["detail"]
    assert (count(url, "data_calls"), count(url, "audit_entries")) == before

    r = client.post("/api/v1/data-calls", headers=auth(tokens, "secretariat"), json=body())
    assert r.status_code == 201, r.text
    call = r.json()
    cid = call["id"]
    assert (call["expected"], call["open"], call["member_states"]) == (8, True, ["IDN", "MYS"])

    # who sees the call: the Secretariat and the focal points of the member states asked
    assert [
        c["id"] for c in client.get("/api/v1/data-calls", headers=auth(tokens, "MYS")).json()["items"]
    ] == [cid]
    assert client.get("/api/v1/data-calls", headers=auth(tokens, "PHL")).json()["items"] == []
    assert client.get(f"/api/v1/data-calls/{cid}", headers=auth(tokens, "PHL")).status_code == 403
    assert (
        client.get(
            f"/data-calls/{cid}/template.csv", headers=auth(tokens, "MYS"), params={"member_state": "IDN"}
        ).status_code
        == 403
    )
    assert (
        client.get(
            f"/data-calls/{cid}/template.xlsx", headers=auth(tokens, "MYS"), params={"member_state": "IDN"}
        ).status_code
        == 403
    )
    assert client.get(f"/data-calls/{cid}/template.csv", params={"member_state": "IDN"}).status_code == 401

    # IDN's template: one row per expected value with names, units and the published value
    got = client.get(
        f"/data-calls/{cid}/template.csv", headers=auth(tokens, "IDN"), params={"member_state": "IDN"}
    )
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(got.text)))
    assert [
        (r["series_code"], r["period"], r["country_iso3"], r["unit"], float(r["published_value"]), r["value"])
        for r in rows
    ] == [(c, p, "IDN", UNITS[c], PUBLISHED[(c, "IDN", p)], "") for c in CODES for p in PERIODS]
    assert rows[-1]["indicator_name"].startswith("Population")
    xlsx = client.get(
        f"/data-calls/{cid}/template.xlsx",
        headers=auth(tokens, "secretariat"),
        params={"member_state": "IDN"},
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    table = list(sheet.iter_rows(values_only=True))
    assert table[0] == tuple(rows[0]) and len(table) == 5
    assert [(t[0], t[5], t[10]) for t in table[1:]] == [
        (r["series_code"], r["period"], float(r["published_value"])) for r in rows
    ]

    # nothing answered yet: MYS's value published before the call does not count, even when its
    # timestamp is no earlier than the call's (SQLite's bulk imports stamp rows to the second)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE observations SET recorded_at = :at WHERE member_state = 'MYS'"),
            {"at": dt.datetime.fromisoformat(call["created_at"]) + dt.timedelta(seconds=1)},
        )
    engine.dispose()
    detail = client.get(f"/api/v1/data-calls/{cid}", headers=auth(tokens, "secretariat")).json()
    assert cells_of(detail["completeness"], "MYS")[0] == {
        "expected": 4,
        "submitted": 0,
        "approved": 0,
        "missing": 4,
    }
    assert detail["completeness"]["total"]["missing"] == 8

    # IDN fills the values in and uploads the template through the ordinary draft upload, then submits
    for r in rows:
        r["value"] = str(float(r["published_value"]) * 1.01)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    up = client.post(
        "/api/v1/submissions/drafts",
        headers=auth(tokens, "IDN"),
        data={"member_state": "IDN"},
        files={"file": ("filled.csv", out.getvalue().encode(), "text/csv")},
    )
    assert up.status_code == 201, up.text
    assert up.json()["revised"] == 4
    half = cells_of(
        client.get(f"/api/v1/data-calls/{cid}", headers=auth(tokens, "secretariat")).json()["completeness"],
        "IDN",
    )
    assert half[0]["missing"] == 4 and {c["status"] for i in half[1]["indicators"] for c in i["cells"]} == {
        "draft"
    }
    sub = client.post("/api/v1/submissions", headers=auth(tokens, "IDN"), json={"member_state": "IDN"})
    assert sub.status_code == 201, sub.text

    detail = client.get(f"/api/v1/data-calls/{cid}", headers=auth(tokens, "secretariat")).json()
    idn, idn_row = cells_of(detail["completeness"], "IDN")
    assert idn == {"expected": 4, "submitted": 4, "approved": 0, "missing": 0}
    assert idn_row["on_time"] == 4 and idn_row["late"] == 0
    assert cells_of(detail["completeness"], "MYS")[0] == {
        "expected": 4,
        "submitted": 0,
        "approved": 0,
        "missing": 4,
    }
    assert {i["indicator"]: i["submitted"] for i in detail["completeness"]["indicators"]} == {
        c: 2 for c in CODES
    }

    sid = sub.json()["id"]
    review = client.post(
        f"/api/v1/submissions/{sid}/review",
        headers=if_match(client, f"/api/v1/submissions/{sid}", auth(tokens, "secretariat")),
        json={"decision": "approved"},
    )
    assert review.status_code == 200, review.text
    detail = client.get(f"/api/v1/data-calls/{cid}", headers=auth(tokens, "secretariat")).json()
    assert cells_of(detail["completeness"], "IDN")[0] == {
        "expected": 4,
        "submitted": 0,
        "approved": 4,
        "missing": 0,
    }
    assert detail["completeness"]["total"] == {
        "expected": 8,
        "submitted": 0,
        "approved": 4,
        "missing": 4,
        "on_time": 4,
        "late": 0,
    }
    # the template now shows the newly published values
    again = client.get(f"/data-calls/{cid}/template.csv", headers=auth(tokens, "IDN"))
    assert [float(r["published_value"]) for r in csv.DictReader(io.StringIO(again.text))] == [
        float(r["value"]) for r in rows
    ]

    # a focal point sees its own member state's completeness only
    mys = client.get(f"/api/v1/data-calls/{cid}", headers=auth(tokens, "MYS")).json()
    assert [m["member_state"] for m in mys["completeness"]["member_states"]] == ["MYS"]


def signed_in(url: str, email: str) -> TestClient:
    c = TestClient(create_app(Settings(database_url=url)))
    c.__enter__()
    token = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text).group(1)
    assert c.post("/login", data={"email": email, "password": PASSWORD, "csrf": token}).is_success
    return c


@pytest.mark.parametrize("lang", ["en", "id"])
def test_pages_and_form(world, lang):
    _, _, url = world
    officer = signed_in(url, "officer@asean.org")
    try:
        form = officer.get("/data-calls/new", params={"lang": lang})
        assert form.status_code == 200
        token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        fields = {
            "title": f"Call in {lang}",
            "indicators": CODES,
            "periods": "2021, 2022",
            "member_states": ["IDN", "MYS"],
            "deadline": deadline(10),
        }
        before = count(url, "data_calls")
        assert officer.post("/data-calls", data=fields | {"csrf": "wrong"}).status_code == 403
        bad = officer.post("/data-calls", data=fields | {"csrf": token, "indicators": ["NO.SUCH"]})
        assert bad.status_code == 422 and "NO.SUCH" in bad.text and 'value="2021, 2022"' in bad.text
        assert count(url, "data_calls") == before
        made = officer.post("/data-calls", data=fields | {"csrf": token}, follow_redirects=False)
        assert made.status_code == 303
        page = officer.get(made.headers["location"], params={"lang": lang})
        words = {"en": ("Completeness", "Missing"), "id": ("Kelengkapan", "Belum ada")}[lang]
        assert page.status_code == 200 and all(w in page.text for w in words)
        assert 'class="table-scroll"' in page.text and "template.xlsx?member_state=MYS" in page.text
        twin = officer.get(made.headers["location"] + ".json").json()
        assert twin["call"]["completeness"]["total"]["expected"] == 8
        assert f"Call in {lang}" in officer.get("/data-calls", params={"lang": lang}).text
    finally:
        officer.__exit__(None, None, None)
    fp = signed_in(url, "fp@bps.go.id")
    try:
        assert fp.get("/data-calls/new").status_code == 403
        listing = fp.get("/data-calls.json").json()
        assert listing["calls"] and not listing["can_open"]
        page = fp.get(f"/data-calls/{listing['calls'][0]['id']}", params={"lang": lang}).text
        assert "template.csv?member_state=IDN" in page and "member_state=MYS" not in page
    finally:
        fp.__exit__(None, None, None)


def test_the_xlsx_template_goes_back_through_the_upload(world):
    client, tokens, _ = world
    r = client.post(
        "/api/v1/data-calls",
        headers=auth(tokens, "secretariat"),
        json=body(
            title='=HYPERLINK("http://x","y")',
            indicators=["SE.PRM.ENRR"],
            periods=["2023"],
            member_states=["IDN"],
        ),
    )
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    got = client.get(f"/data-calls/{cid}/template.xlsx", headers=auth(tokens, "IDN"))
    assert got.status_code == 200
    book = load_workbook(io.BytesIO(got.content))
    assert book.worksheets[1]["B1"].value == '\'=HYPERLINK("http://x","y")'  # neutralised for spreadsheets
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=header.index("value") + 1, value=106.5)
    buf = io.BytesIO()
    book.save(buf)
    up = client.post(
        "/api/v1/submissions/drafts",
        headers=auth(tokens, "IDN"),
        data={"member_state": "IDN"},
        files={"file": ("filled.xlsx", buf.getvalue(), "application/octet-stream")},
    )
    assert up.status_code == 201, up.text
    assert up.json()["inserted"] == 1
    detail = client.get(f"/api/v1/data-calls/{cid}", headers=auth(tokens, "IDN")).json()
    [cell] = detail["completeness"]["member_states"][0]["indicators"][0]["cells"]
    assert (cell["period"], cell["status"]) == ("2023", "draft")
