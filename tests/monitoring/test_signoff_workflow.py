"""Member-state sign-off through the API, on SQLite and PostgreSQL: focal points upload drafts for
their own member state and submit them; only the Secretariat reviews; only approved values are
public (API, SDMX-REST, pages, downloads); coverage of the ASEAN aggregate; concurrent reviews.
A refusal writes nothing, not even an audit entry."""

from __future__ import annotations

import io
import json
import threading

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from ascc.accounts.schemas import Principal, Role
from ascc.app import create_app
from ascc.config import Settings
from ascc.db.engine import make_engine
from ascc.kit.errors import Conflict
from ascc.monitoring import signoff
from ascc.wiring import session_factory
from tests.conftest import if_match, make_user
from tests.monitoring.conftest import PLAIN_HEADER, run_import, write

#: approved 2020 population of eight member states (BRN, SGP missing): "8 of 10" (Timor-Leste joined in 2025)
EIGHT = {
    "IDN": 273523621,
    "MYS": 33199993,
    "PHL": 112081264,
    "THA": 71475664,
    "VNM": 96648685,
    "KHM": 16396860,
    "LAO": 7319399,
    "MMR": 53423198,
}


@pytest.fixture(scope="module")
def world(mon_url, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("signoff")
    rows = "".join(f"SP.POP.TOTL,{ms},2020,{v},persons,WDI,\n" for ms, v in EIGHT.items())
    report = run_import(mon_url, write(tmp, "approved.csv", PLAIN_HEADER + rows), approval="approved")
    assert report.ok, report.problems
    tokens = {
        "secretariat": make_user(mon_url, email="officer@asean.org"),
        "IDN": make_user(mon_url, email="fp@bps.go.id", role="focal_point", member_state="IDN"),
        "MYS": make_user(mon_url, email="fp@dosm.gov.my", role="focal_point", member_state="MYS"),
        "IDN_education": make_user(
            mon_url,
            email="edu@kemdikbud.go.id",
            role="focal_point",
            member_state="IDN",
            sectors=["education"],
        ),
        "partner": make_user(mon_url, email="observer@mofa.go.jp", role="partner", partner_id="JPN"),
        "chair": make_user(mon_url, email="chair@asoen.org", role="chair", body_id="asoen"),
    }
    with TestClient(create_app(Settings(database_url=mon_url))) as client:
        yield client, tokens, mon_url


def auth(tokens, who):
    return {} if who == "public" else {"Authorization": f"Bearer {tokens[who]}"}


def upload(client, tokens, who, text, *, member_state="IDN", name="idn.csv"):
    return client.post(
        "/api/v1/submissions/drafts",
        headers=auth(tokens, who),
        data={"member_state": member_state},
        files={"file": (name, text.encode(), "text/csv")},
    )


def count(url, table):
    engine = make_engine(url)
    with engine.connect() as conn:
        n = conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
    engine.dispose()
    return n


def public_idn(client, period="2020"):
    items = client.get("/api/v1/indicators/SP.POP.TOTL/observations", params={"member_state": "IDN"}).json()[
        "items"
    ]
    return {o["period"]: o["value"] for o in items}


IDN_FILE = (
    PLAIN_HEADER
    + "SP.POP.TOTL,IDN,2020,273500000,persons,BPS,revised by BPS\nSP.POP.TOTL,IDN,2021,276400000,persons,BPS,\n"
)


def test_authorisation_matrix_and_refusals_write_nothing(world):
    client, tokens, url = world
    tables = ("observations", "observation_submissions", "observation_batches", "audit_entries")
    before = {t: count(url, t) for t in tables}
    refused = [
        (upload(client, tokens, "public", IDN_FILE), 401),
        (
            upload(client, tokens, "secretariat", IDN_FILE),
            403,
        ),  # the Secretariat never speaks for a member state
        (upload(client, tokens, "partner", IDN_FILE), 403),
        (upload(client, tokens, "chair", IDN_FILE), 403),
        (upload(client, tokens, "MYS", IDN_FILE), 403),  # Malaysia's focal point for Indonesia
        (
            upload(client, tokens, "MYS", IDN_FILE, member_state="MYS"),
            422,
        ),  # Indonesian rows in Malaysia's file
        (upload(client, tokens, "IDN_education", IDN_FILE), 422),  # population is outside its sectors
        (client.post("/api/v1/submissions", headers=auth(tokens, "MYS"), json={"member_state": "IDN"}), 403),
        (
            client.post(
                "/api/v1/submissions", headers=auth(tokens, "secretariat"), json={"member_state": "IDN"}
            ),
            403,
        ),
        (
            client.post("/api/v1/submissions", headers=auth(tokens, "public"), json={"member_state": "IDN"}),
            401,
        ),
        (
            client.post("/api/v1/submissions", headers=auth(tokens, "IDN"), json={"member_state": "IDN"}),
            409,
        ),  # no drafts
        (
            client.get(
                "/api/v1/submissions/drafts", headers=auth(tokens, "MYS"), params={"member_state": "IDN"}
            ),
            403,
        ),
        (
            client.get(
                "/api/v1/submissions/drafts", headers=auth(tokens, "partner"), params={"member_state": "IDN"}
            ),
            403,
        ),
        (client.get("/api/v1/submissions", headers=auth(tokens, "public")), 401),
    ]
    for response, status in refused:
        assert response.status_code == status, (response.request.url, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    foreign = refused[5][0].json()
    assert [(p["line"], p["column"]) for p in foreign["problems"]] == [
        (2, "country_iso3"),
        (3, "country_iso3"),
    ]
    assert "nothing was stored" in foreign["detail"]
    assert {t: count(url, t) for t in tables} == before

    r = upload(client, tokens, "IDN", IDN_FILE)
    assert r.status_code == 201, r.text
    assert (r.json()["revised"], r.json()["inserted"]) == (1, 1)
    drafts = client.get(
        "/api/v1/submissions/drafts", headers=auth(tokens, "IDN"), params={"member_state": "IDN"}
    )
    assert drafts.json()["draft"] == 2
    sub = client.post(
        "/api/v1/submissions", headers=auth(tokens, "IDN"), json={"member_state": "IDN", "note": "BPS"}
    )
    assert sub.status_code == 201, sub.text
    sid = sub.json()["id"]
    assert sub.json()["counts"]["observations"] == 2 and sub.json()["state"] == "submitted"
    # Malaysia neither sees nor reviews Indonesia's submission; focal points never review
    assert client.get(f"/api/v1/submissions/{sid}", headers=auth(tokens, "MYS")).status_code == 403
    assert [
        s["id"] for s in client.get("/api/v1/submissions", headers=auth(tokens, "MYS")).json()["items"]
    ] == []
    read = if_match(client, f"/api/v1/submissions/{sid}", auth(tokens, "secretariat"))  # the officer's ETag
    etag = {"If-Match": read["If-Match"]}
    for who in ("IDN", "MYS", "partner", "chair"):
        r = client.post(
            f"/api/v1/submissions/{sid}/review",
            headers=auth(tokens, who) | etag,
            json={"decision": "approved"},
        )
        assert r.status_code == 403, who
    assert (
        client.post(
            f"/api/v1/submissions/{sid}/review", headers=etag, json={"decision": "approved"}
        ).status_code
        == 401
    )
    queue = client.get(
        "/api/v1/submissions", headers=auth(tokens, "secretariat"), params={"state": "submitted"}
    )
    assert sid in [s["id"] for s in queue.json()["items"]]
    detail = client.get(f"/api/v1/submissions/{sid}", headers=auth(tokens, "IDN")).json()
    assert {o["period"]: o["published_value"] for o in detail["observations"]["items"]} == {
        "2020": 273523621.0,
        "2021": None,
    }
    # a rejection needs a comment; then the values stay unpublished
    r = client.post(
        f"/api/v1/submissions/{sid}/review",
        headers=read,
        json={"decision": "rejected"},
    )
    assert r.status_code == 422 and r.json()["parameter"] == "comment"
    r = client.post(
        f"/api/v1/submissions/{sid}/review",
        headers=auth(tokens, "secretariat"),
        json={"decision": "rejected", "comment": "2020 differs from the census; explain"},
    )
    assert r.status_code == 428  # a review needs the ETag of the submission as the officer read it
    r = client.post(
        f"/api/v1/submissions/{sid}/review",
        headers=read,
        json={"decision": "rejected", "comment": "2020 differs from the census; explain"},
    )
    assert r.status_code == 200 and r.json()["state"] == "rejected"
    assert public_idn(client) == {"2020": 273523621.0}
    engine = make_engine(url)
    with engine.connect() as conn:
        trail = conn.execute(
            sa.text(
                "SELECT action, actor, after FROM audit_entries WHERE entity = 'observation_submissions' "
                "AND entity_id = :id ORDER BY seq"
            ),
            {"id": str(sid)},
        ).all()
    engine.dispose()
    assert [a for a, _, _ in trail] == ["create", "update"] and trail[0][1] != trail[1][
        1
    ]  # focal point, then officer
    after = trail[1][2] if isinstance(trail[1][2], dict) else json.loads(trail[1][2])
    assert (after["state"], after["comment"]) == ("rejected", "2020 differs from the census; explain")
    again = client.post(
        f"/api/v1/submissions/{sid}/review",
        headers=if_match(client, f"/api/v1/submissions/{sid}", auth(tokens, "secretariat")),
        json={"decision": "approved"},
    )
    assert again.status_code == 409


def _approve_flow(client, tokens, text):
    assert upload(client, tokens, "IDN", text).status_code == 201
    sub = client.post("/api/v1/submissions", headers=auth(tokens, "IDN"), json={"member_state": "IDN"}).json()
    return sub


def test_only_approved_values_are_public_everywhere(world):
    client, tokens, _ = world
    text = (
        PLAIN_HEADER
        + "SP.POP.TOTL,IDN,2020,273600000,persons,BPS,\nSP.POP.TOTL,IDN,2022,279000000,persons,BPS,\n"
    )
    assert upload(client, tokens, "IDN", text).status_code == 201

    def everywhere():
        api = public_idn(client)
        csv = client.get("/sdmx/data/DF_ASCC_IND/IDN._Z.SP.POP.TOTL...", params={"format": "csv"}).text
        page = client.get("/indicators/SP.POP.TOTL", params={"lang": "en"}).text
        download = client.get("/indicators/SP.POP.TOTL/data.csv").text
        twin = client.get("/indicators/SP.POP.TOTL.json").json()["series"]["IDN"]
        return api, csv, page, download, twin

    api, csv, page, download, twin = everywhere()
    assert api == {"2020": 273523621.0}
    for text_ in (csv, download):
        assert "273523621" in text_ and "273600000" not in text_ and "279000000" not in text_
    assert (
        "273,523,621" in page
        and "273,600,000" not in page
        and "2022" not in page.split('id="values-table"')[1]
    )
    assert twin == [{"period": "2020", "value": 273523621.0}]
    sub = client.post("/api/v1/submissions", headers=auth(tokens, "IDN"), json={"member_state": "IDN"}).json()
    assert everywhere()[0] == {"2020": 273523621.0}  # submitted is not public either
    # the new 2020 revision, 2022, and 2021 (rejected before, unchanged since) go back for review together
    assert sub["counts"]["observations"] == 3 and sub["counts"]["periods"] == ["2020", "2022"]
    etag = client.get(f"/api/v1/submissions/{sub['id']}", headers=auth(tokens, "secretariat")).headers["etag"]
    r = client.post(
        f"/api/v1/submissions/{sub['id']}/review",
        headers=auth(tokens, "secretariat") | {"If-Match": etag},
        json={"decision": "approved", "comment": "checked against BPS"},
    )
    assert r.status_code == 200, r.text
    api, csv, page, download, _ = everywhere()
    assert api == {"2020": 273600000.0, "2021": 276400000.0, "2022": 279000000.0}
    assert "273600000" in csv and "279000000" in download and "279,000,000" in page
    # a stale If-Match (the submission is approved now) is a 412
    r = client.post(
        f"/api/v1/submissions/{sub['id']}/review",
        headers=auth(tokens, "secretariat") | {"If-Match": etag},
        json={"decision": "rejected", "comment": "x"},
    )
    assert r.status_code == 412


def test_aggregate_states_its_coverage(world):
    client, _, _ = world
    detail = client.get("/api/v1/indicators/SP.POP.TOTL/aggregate", params={"period": "2020"}).json()
    cov = detail["coverage"]
    assert (cov["reporting"], cov["member_states"], cov["text"]) == (8, 10, "8 of 10 member states")
    assert cov["missing_codes"] == ["BRN", "SGP"]
    assert detail["total"] == sum(EIGHT.values()) - EIGHT["IDN"] + 273600000  # IDN revised and approved above
    assert detail["mean"] == pytest.approx(detail["total"] / 8)
    assert (
        "8 dari 10 negara anggota"
        in client.get("/indicators/SP.POP.TOTL", params={"lang": "id", "period": "2020"}).text
    )
    assert (
        "8 of 10 member states"
        in client.get("/indicators/SP.POP.TOTL", params={"lang": "en", "period": "2020"}).text
    )


def test_concurrent_reviews_apply_once(world, mon_url):
    """Two officers review the same submission at once: the row lock queues the second, which finds
    it reviewed (409); never both applied. PostgreSQL holds the lock; SQLite serialises writers.
    The second sends ``If-Match: *`` (any version), so what refuses it is the state check under
    the lock; with the ETag it read it gets 412 before that."""
    client, tokens, url = world
    text = PLAIN_HEADER + "SP.POP.TOTL,IDN,2023,281000000,persons,BPS,\n"
    sid = _approve_flow(client, tokens, text)["id"]
    if not url.startswith("postgresql"):
        read = if_match(client, f"/api/v1/submissions/{sid}", auth(tokens, "secretariat"))
        first = client.post(f"/api/v1/submissions/{sid}/review", headers=read, json={"decision": "approved"})
        stale = client.post(
            f"/api/v1/submissions/{sid}/review",
            headers=read,
            json={"decision": "rejected", "comment": "late"},
        )
        second = client.post(
            f"/api/v1/submissions/{sid}/review",
            headers=auth(tokens, "secretariat") | {"If-Match": "*"},
            json={"decision": "rejected", "comment": "late"},
        )
        assert (first.status_code, stale.status_code, second.status_code) == (200, 412, 409)
        return
    engine = make_engine(url)
    factory = session_factory(engine)
    officer = Principal(user_id=1, name="officer", role=Role.secretariat)
    a = factory()
    signoff.review(
        a, principal=officer, submission_id=sid, decision="approved", if_match="*"
    )  # holds the row lock
    outcome: list[object] = []

    def other():
        b = factory()
        try:
            signoff.review(
                b, principal=officer, submission_id=sid, decision="rejected", comment="no", if_match="*"
            )
            b.commit()
            outcome.append("applied")
        except Conflict as exc:
            b.rollback()
            outcome.append(exc)
        finally:
            b.close()

    t = threading.Thread(target=other)
    t.start()
    t.join(timeout=1.0)
    # b now waits for a's row lock (or has not reached it yet); either way it runs after a commits
    a.commit()
    a.close()
    t.join(timeout=30)
    engine.dispose()
    assert len(outcome) == 1 and isinstance(outcome[0], Conflict)
    assert (
        client.get(f"/api/v1/submissions/{sid}", headers=auth(tokens, "secretariat")).json()["state"]
        == "approved"
    )


def test_templates_and_download_import_back(world):
    """The XLSX template, filled in, imports as drafts; the CSV download imports back unchanged."""
    from openpyxl import load_workbook

    client, tokens, _ = world
    wb = load_workbook(io.BytesIO(client.get("/submissions/template.xlsx").content))
    header = [c.value for c in wb["observations"][1]]
    row = dict.fromkeys(header, None) | {
        "series_code": "SP.POP.TOTL",
        "country_iso3": "IDN",
        "period": "2024",
        "value": 283000000,
        "unit": "persons",
        "source_id": "BPS",
    }
    wb["observations"].append([row[h] for h in header])
    buf = io.BytesIO()
    wb.save(buf)
    r = client.post(
        "/api/v1/submissions/drafts",
        headers=auth(tokens, "IDN"),
        data={"member_state": "IDN"},
        files={"file": ("idn.xlsx", buf.getvalue(), "application/octet-stream")},
    )
    assert r.status_code == 201 and r.json()["inserted"] == 1, r.text
    download = client.get("/indicators/SP.POP.TOTL/data.csv").text
    idn = "".join(line + "\n" for line in download.splitlines()[1:] if ",IDN," in line)
    r = upload(client, tokens, "IDN", download.splitlines()[0] + "\n" + idn)
    assert r.status_code == 201, r.text
    assert (r.json()["inserted"], r.json()["revised"]) == (0, 0) and r.json()["unchanged"] == idn.count("\n")


def test_the_workflow_leaves_rows_that_match_the_audit_trail(world):
    """After drafts, submissions, rejections, resubmissions and approvals (the tests above), every
    observation is what the trail says: its batch's digest, its approval, the current revision."""
    from ascc.audit import service as audit_service

    _, _, url = world
    engine = make_engine(url)
    with session_factory(engine)() as session:
        result = audit_service.verify(session, rows=True)
    engine.dispose()
    assert result.ok, result
