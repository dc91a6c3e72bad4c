"""Upload and review without friction, on SQLite and PostgreSQL: a file's unit is matched by its code
and common spellings ("per 100000" is "per 100,000"), an unknown one is a problem listing the
accepted spellings; the reviewer's page (and its JSON twin) names the member state and indicator,
puts the value published before beside the new one with the change, flags large jumps, asks for a
confirmation before approving or rejecting, and shows the new published values at once."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from ascc.app import create_app
from ascc.config import Settings
from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.monitoring import units
from ascc.monitoring.models import Indicator
from ascc.wiring import session_factory
from tests.conftest import make_user
from tests.monitoring.conftest import PLAIN_HEADER, run_import, write
from tests.monitoring.test_pages_monitoring import csrf_of, signed_in
from tests.monitoring.test_signoff_workflow import count

RATE = "TEST.RATE"


@pytest.fixture(scope="module")
def world(mon_url, tmp_path_factory):
    engine = make_engine(mon_url)
    with unit_of_work(session_factory(engine)) as session:
        session.add(
            Indicator(
                code=RATE,
                name_en="Test incidence rate",
                name_id="Laju insiden uji",
                unit="per 100,000",
                level="national",
            )
        )
    engine.dispose()
    tmp = tmp_path_factory.mktemp("units")
    approved = PLAIN_HEADER + f"{RATE},IDN,2019,100,per 100,000,MoH,\n{RATE},IDN,2020,50,per 100,000,MoH,\n"
    assert run_import(
        mon_url,
        write(tmp, "approved.csv", approved.replace("per 100,000", '"per 100,000"')),
        approval="approved",
    ).ok
    tokens = {
        "secretariat": make_user(mon_url, email="officer@asean.org"),
        "IDN": make_user(mon_url, email="fp@bps.go.id", role="focal_point", member_state="IDN"),
    }
    with TestClient(create_app(Settings(database_url=mon_url))) as client:
        yield client, tokens, mon_url


def bearer(tokens, who):
    return {"Authorization": f"Bearer {tokens[who]}"}


def upload(client, tokens, text, name="idn.csv"):
    return client.post(
        "/api/v1/submissions/drafts",
        headers=bearer(tokens, "IDN"),
        data={"member_state": "IDN"},
        files={"file": (name, text.encode(), "text/csv")},
    )


def test_unit_codes():
    same = ["per 100,000", "per 100000", "per 100 000", "Per 100\u00a0000", "PER_100000", " per  100,000 "]
    assert {units.code(u) for u in same} == {"PER_100000"}
    assert units.code("% of GDP") == units.code("percent of GDP") == units.code("Per cent of GDP")
    assert units.code("%") == units.code("percent") == "PT"
    assert units.code("per 1000 people") != units.code("per 100,000")
    assert units.code("per 1,000 live births") != units.code("per 1,000 live birth")
    assert units.spellings("per 100,000") == ["per 100,000", "per 100000", "per 100 000", "PER_100000"]


def test_unit_spellings_accepted_and_unknown_unit_refused(world):
    client, tokens, url = world
    before = count(url, "observations")
    bad = PLAIN_HEADER + f'{RATE},IDN,2021,12,per 1000 people,MoH,\n{RATE},IDN,2022,13,"per 100,000",MoH,\n'
    r = upload(client, tokens, bad)
    assert r.status_code == 422, r.text
    problems = r.json()["problems"]
    assert [(p["file"], p["line"], p["column"]) for p in problems] == [("idn.csv", 2, "unit")]
    reason = problems[0]["reason"]
    assert "'per 1000 people'" in reason and "'per 100,000', 'per 100000', 'per 100 000'" in reason
    assert count(url, "observations") == before  # nothing stored

    good = PLAIN_HEADER + (
        f"{RATE},IDN,2019,110,per 100000,MoH,\n"  # +10 %
        f"{RATE},IDN,2020,80,per 100 000,MoH,\n"  # +60 %: a large jump
        f"{RATE},IDN,2021,5,PER 100000,MoH,\n"  # never published before
    )
    r = upload(client, tokens, good)
    assert r.status_code == 201, r.text
    assert (r.json()["rows"], r.json()["inserted"], r.json()["revised"]) == (3, 1, 2)
    sub = client.post("/api/v1/submissions", headers=bearer(tokens, "IDN"), json={"member_state": "IDN"})
    assert sub.status_code == 201, sub.text
    detail = client.get(f"/api/v1/submissions/{sub.json()['id']}", headers=bearer(tokens, "IDN")).json()
    # stored under the indicator's own unit, whatever the file's spelling
    assert {o["period"]: (o["value"], o["unit"]) for o in detail["observations"]["items"]} == {
        "2019": (110.0, "per 100,000"),
        "2020": (80.0, "per 100,000"),
        "2021": (5.0, "per 100,000"),
    }


def test_review_sees_names_previous_change_flags_and_confirms(world):
    client, tokens, url = world
    queue = client.get(
        "/api/v1/submissions", headers=bearer(tokens, "secretariat"), params={"state": "submitted"}
    )
    sid = queue.json()["items"][0]["id"]
    page = f"/submissions/{sid}"
    twin = client.get(page + ".json", headers=bearer(tokens, "secretariat")).json()
    detail = twin["submission"]
    assert detail["member_state_name"]["en"] == "Indonesia"
    assert detail["flags"] == {"threshold": 0.2, "large_changes": 1, "new_values": 1}
    rows = {o["period"]: o for o in detail["observations"]["items"]}
    assert rows["2019"]["indicator_name"] == {"en": "Test incidence rate", "id": "Laju insiden uji"}
    got = {
        p: (o["previous_value"], o["change"], o["change_share"], o["large_change"], o["published_value"])
        for p, o in rows.items()
    }
    assert got["2019"][:2] == (100.0, 10.0) and got["2019"][2] == pytest.approx(0.1)
    assert got["2019"][3:] == (False, 100.0)
    assert got["2020"][:2] == (50.0, 30.0) and got["2020"][2] == pytest.approx(0.6)
    assert got["2020"][3:] == (True, 50.0)
    assert got["2021"] == (None, None, None, False, None)

    officer = signed_in(url, "officer@asean.org")
    try:
        view = officer.get(page, params={"lang": "id"}).text
        assert "Laju insiden uji" in view and "Indonesia" in view and "perubahan besar" in view
        table = view.split('id="submission-observations"')[1].split("</table>")[0]
        assert "+60 %" in table and "+10 %" in table and '"large-change"' in table
        revision = html.unescape(re.search(r'name="revision" value="([^"]+)"', view).group(1))
        token = csrf_of(view)
        # a rejection needs a comment, already at the first step
        r = officer.post(page + "/review", data={"csrf": token, "decision": "rejected", "revision": revision})
        assert r.status_code == 422 and 'id="review-confirm"' not in r.text
        # the first step only asks: nothing is written
        audit = count(url, "audit_entries")
        r = officer.post(
            page + "/review",
            data={"csrf": token, "decision": "approved", "revision": revision},
            params={"lang": "en"},
        )
        assert r.status_code == 200 and 'id="review-confirm"' in r.text
        assert "Approve and publish 3 observations of Indonesia?" in r.text
        assert "1 value changes by more than 20 %" in r.text
        assert count(url, "audit_entries") == audit
        assert client.get(page + ".json", headers=bearer(tokens, "secretariat")).json()["submission"][
            "state"
        ] == ("submitted")
        confirm = re.search(r'id="review-confirm".*?</form>', r.text, re.S).group(0)
        fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', confirm))
        assert fields["decision"] == "approved" and fields["confirmed"] == "yes"
        r = officer.post(
            page + "/review", data={k: html.unescape(v) for k, v in fields.items()}, params={"lang": "en"}
        )
        assert r.status_code == 200 and r.url.path == page  # followed the redirect to the submission
        # "published now" is the approved value at once; "published before" keeps the old one
        table = r.text.split('id="submission-observations"')[1].split("</table>")[0]
        assert re.search(r'class="num published-now">80<', table) and re.search(r">50<", table)
        after = client.get(page + ".json", headers=bearer(tokens, "secretariat")).json()["submission"]
        now = {
            o["period"]: (o["previous_value"], o["published_value"]) for o in after["observations"]["items"]
        }
        assert now == {"2019": (100.0, 110.0), "2020": (50.0, 80.0), "2021": (None, 5.0)}
        public = client.get(f"/api/v1/indicators/{RATE}/observations", params={"member_state": "IDN"}).json()
        assert {o["period"]: o["value"] for o in public["items"]} == {
            "2019": 110.0,
            "2020": 80.0,
            "2021": 5.0,
        }
    finally:
        officer.__exit__(None, None, None)
