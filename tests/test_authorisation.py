"""Who reads what, over every GET route of the app: records for member states only (a meeting, a
decision item, a document) never reach a dialogue partner or the public, in any page, JSON, feed,
calendar, export or search; the member-state side (focal point, chair, Secretariat, AHA Centre)
does see them. A meeting for dialogue partners reaches partners and never the public.

The routes are enumerated from the app itself. A path parameter is filled with the member-states-only
record, or with a record related to it (its body, sector, host member state); a route whose
parameter names a kind of record that has no audience is listed in ``NOT_RESTRICTED`` with the
reason. A new route with a parameter neither filled nor listed fails the coverage test.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from ascc.app import create_app
from ascc.config import Settings
from ascc.kit.pagination import MAX_LIMIT
from tests.conftest import BACKENDS, every_item, load, make_user

YEAR = dt.date.today().year
MEETING_ID = "amme-qwzk-closed"
#: every restricted record carries the query word; each has words of its own that no request names
QUERY = "qwzk"
MEETING = {
    "id": MEETING_ID,
    "body": "amme",
    "number": 99,
    "audience": "member_states",
    "title_en": "Qwzk Xylofjord Closed Retreat of Environment Ministers",
    "date_start": f"{YEAR}-06-15",
    "date_end": f"{YEAR}-06-16",
    "host": "IDN",
    "chair": "IDN",
    "venue": "Hotel Zlorptown",
    "city": "Vrenksburg",
    "member_states": ["IDN", "MYS"],
    "partners": ["CHN"],
}
#: for dialogue partners and member states: the public never receives it, a partner does
PARTNERS_MEETING = {
    "id": "asoen-qwzk-partners",
    "body": "asoen",
    "number": 98,
    "audience": "partners",
    "title_en": "Qwzk Pinguinhaus consultation with dialogue partners",
    "date_start": f"{YEAR}-09-01",
    "city": "Plonkville",
}
DECISION = {
    "title_en": "Qwzk Vuurtoren draft declaration on haze",
    "body_id": "amme",
    "audience": "member_states",
    "meetings": [MEETING_ID],
}
#: a public item that names the closed meeting: the reference must not reveal it
PUBLIC_DECISION = {
    "title_en": "Qwzk public statement on haze",
    "body_id": "amme",
    "audience": "public",
    "meetings": [MEETING_ID, "ammswd-9"],
}
DOCUMENT_TITLE = "Qwzk Kwispelhond briefing for ministers"
DOCUMENT_TEXT = (
    "Qwzk Kwispelhond confidential briefing. Transboundary haze pollution, the Qwzk position of the "
    "member states ahead of the Xylofjord retreat, and the draft declaration."
)
#: what a partner and the public must never receive (ids and words of the restricted records);
#: a marker that the request itself names (its URL) is not looked for in the answer
MARKERS = ["Xylofjord", "Zlorptown", "Vrenksburg", "Vuurtoren", "Kwispelhond", MEETING_ID, "Schildpadjes"]
PARTNERS_MARKERS = ["Pinguinhaus", "Plonkville", PARTNERS_MEETING["id"]]

ROLES: dict[str, dict[str, str] | None] = {
    "public": None,
    "partner": {"role": "partner", "partner_id": "CHN"},
    "focal_point": {"role": "focal_point", "member_state": "IDN"},
    "chair": {"role": "chair", "body_id": "amme"},
    "secretariat": {"role": "secretariat"},
    "aha_centre": {"role": "aha_centre"},
}
OUTSIDE = ("public", "partner")
MEMBER_SIDE = ("focal_point", "chair", "secretariat", "aha_centre")

#: routes whose path parameter names a kind of record that has no audience (every such record is
#: readable by all who may read the route): requested with a placeholder, the answer still checked
NOT_RESTRICTED = {
    **dict.fromkeys(
        [
            "/activities/{activity_id}",
            "/activities/{activity_id}.json",
            "/activities/{activity_id}/edit",
            "/activities/{activity_id}/edit.json",
            "/api/v1/activities/{activity_id}",
        ],
        "results-chain activities have no audience",
    ),
    **dict.fromkeys(
        [
            "/api/v1/disasters/events/{event_id}",
            "/api/v1/disasters/events/{event_id}/requests",
            "/api/v1/disasters/events/{event_id}/revisions",
            "/api/v1/disasters/events/{event_id}/footprint.geojson",
            "/api/v1/disasters/events/{event_id}/sitreps",
            "/api/v1/disasters/offers/{offer_id}",
            "/api/v1/disasters/requests/{request_id}",
            "/api/v1/disasters/requests/{request_id}/matching",
            "/api/v1/disasters/sitreps/{sitrep_id}",
            "/disasters/{event_id}",
            "/disasters/{event_id}.json",
            "/disasters/requests/{request_id}",
            "/disasters/requests/{request_id}.json",
            "/disasters/sitreps/{sitrep_id}",
            "/disasters/sitreps/{sitrep_id}.json",
        ],
        "disaster events, requests, offers and situation reports have no audience (access by role only)",
    ),
    **dict.fromkeys(
        [
            "/api/v1/submissions/{submission_id}",
            "/submissions/{submission_id}",
            "/submissions/{submission_id}.json",
        ],
        "data submissions have no audience (a member state's own focal points and the Secretariat)",
    ),
    **dict.fromkeys(
        [
            "/api/v1/data-calls/{call_id}",
            "/data-calls/{call_id}",
            "/data-calls/{call_id}.json",
            "/data-calls/{call_id}/template.csv",
            "/data-calls/{call_id}/template.xlsx",
        ],
        "data calls have no audience (the Secretariat and the asked member states' focal points)",
    ),
    "/api/v1/targets/{target_id}": "progress targets have no audience",
    **dict.fromkeys(
        [
            "/api/v1/national-plans/{national_plan_id}",
            "/national-plans/{national_plan_id}",
            "/national-plans/{national_plan_id}.json",
            "/national-plans/{national_plan_id}/edit",
            "/national-plans/{national_plan_id}/edit.json",
        ],
        "member states' national plans have no audience (public reads; writes by their focal points)",
    ),
    **dict.fromkeys(
        [
            "/indices/{slug}",
            "/indices/{slug}.json",
            "/indices/{slug}/data.csv",
            "/indices/{slug}/definition.yaml",
            "/indices/{slug}/meta.csv",
            "/indices/{slug}/results.csv",
            "/indices/{slug}/trend.csv",
            "/indices/{slug}/trend.svg",
        ],
        "composite indices have no audience (and none is stored here)",
    ),
    **dict.fromkeys(
        [
            "/api/v1/indicators/{code}",
            "/api/v1/indicators/{code}/aggregate",
            "/api/v1/indicators/{code}/observations",
            "/indicators/{code}",
            "/indicators/{code}.json",
            "/indicators/{code}/comparison.svg",
            "/indicators/{code}/data.csv",
            "/indicators/{code}/map",
            "/indicators/{code}/map.json",
            "/indicators/{code}/map.svg",
            "/indicators/{code}/timeseries.svg",
            "/indicators/{code}/map.csv",
            "/indicators/{code}/timeseries.csv",
            "/indicators/{code}/comparison.csv",
            "/indicators/{code}/areas.svg",
            "/indicators/{code}/areas.csv",
            "/indicators/{code}/areas-timeseries.svg",
            "/indicators/{code}/areas-timeseries.csv",
        ],
        "indicators have no audience (only published values are served)",
    ),
}
PLACEHOLDER = "1"
#: query strings that make a route show more (the calendar's year, a search for the records)
QUERIES = {
    "/calendar": {"year": YEAR},
    "/calendar.json": {"year": YEAR},
    "/calendar.ics": {"year": YEAR},
    "/api/v1/meetings/expected": {"year": YEAR, "years": 2, "limit": MAX_LIMIT},
    "/search": {"q": QUERY},
    "/search.json": {"q": QUERY},
    "/api/v1/search": {"q": QUERY},
    "/api/v1/ask": {"q": f"{QUERY} haze declaration"},
}
#: routes whose answer is not text the check could read
OPAQUE = {
    "/plans/{plan_id}/progress.pdf": "a compressed PDF of a plan's indicator progress (no meetings)",
    "/submissions/template.xlsx": "a zipped XLSX of indicator codes (no meetings)",
}


def get_routes(app) -> list[str]:
    """Every GET path of the app (routers included in it, flattened)."""
    paths: set[str] = set()
    for route in app.routes:
        if hasattr(route, "effective_route_contexts"):  # FastAPI's included routers
            paths.update(c.path for c in route.effective_route_contexts() if "GET" in (c.methods or ()))
        elif "GET" in (getattr(route, "methods", None) or ()):
            paths.add(route.path)
    return sorted(paths)


def fill(path: str, ids: dict[str, str]) -> str | None:
    """``path`` with its parameters filled, or None when a parameter has no fixture."""

    def value(m: re.Match) -> str:
        name = m.group(1)
        if path in NOT_RESTRICTED:
            return ids.get(name, PLACEHOLDER)
        if name == "code" and "/member-states/" not in path:
            raise KeyError(name)
        return ids[name]

    try:
        return re.sub(r"\{(\w+)\}", value, path)
    except KeyError:
        return None


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, new_database, reference) -> Iterator[tuple[TestClient, dict, dict[str, str]]]:
    url = new_database(request.param)
    load(url, reference)
    headers: dict[str, dict[str, str]] = {}
    for role, fields in ROLES.items():
        if fields is not None:
            token = make_user(url, email=f"{role.replace('_', '')}@asean.org", **fields)
            headers[role] = {"Authorization": f"Bearer {token}"}
        else:
            headers[role] = {}
    with TestClient(create_app(Settings(database_url=url))) as c:
        sec = headers["secretariat"]
        r = c.put(f"/api/v1/meetings/{MEETING_ID}", json=MEETING, headers=sec)
        assert r.status_code == 200, r.text
        r = c.put(f"/api/v1/meetings/{PARTNERS_MEETING['id']}", json=PARTNERS_MEETING, headers=sec)
        assert r.status_code == 200, r.text
        r = c.post(
            f"/api/v1/meetings/{MEETING_ID}/agenda",
            json={"number": "1", "title": "Xylofjord agenda"},
            headers=sec,
        )
        assert r.status_code == 200, r.text
        etag = c.get(f"/api/v1/meetings/{MEETING_ID}", headers=sec).headers["etag"]
        r = c.put(
            f"/api/v1/meetings/{MEETING_ID}/report",
            json={"text": "Xylofjord report"},
            headers=sec | {"If-Match": etag},
        )
        assert r.status_code == 200, r.text
        r = c.post("/api/v1/decisions", json=DECISION, headers=sec)
        assert r.status_code == 201, r.text
        item_id = str(r.json()["id"])
        r = c.post("/api/v1/decisions", json=PUBLIC_DECISION, headers=sec)
        assert r.status_code == 201, r.text
        public_item = str(r.json()["id"])
        r = c.post(
            "/api/v1/documents",
            headers=sec,
            files={"file": ("briefing.txt", DOCUMENT_TEXT.encode(), "text/plain")},
            data={
                "language": "en",
                "kind": "report",
                "title_en": DOCUMENT_TITLE,
                "audience": "member_states",
                "bodies": ["amme"],
            },
        )
        assert r.status_code == 201, r.text
        slug = r.json()["slug"]
        call_id, proposal_id = _fund_records(c, url, sec, headers["focal_point"])
        ids = {
            "meeting_id": MEETING_ID,
            "item_id": item_id,
            "slug": slug,
            "body_id": "amme",
            "sector_id": "environment",
            "code": "IDN",
            "partner_id": "CHN",
            "plan_id": "asean-community-vision-2045",
            "programme_id": "aathp",
            "flow": "DF_ASCC_IND",
            "key": "all",
            "provider": "ASEAN",  # the 1.x data query's provider segment
            "public_item": public_item,
            "year": "2027",
            # SDMX structure queries: the whole structure of the dataflow
            "resource": "dataflow",
            "context": "dataflow",
            "agency": "ASEAN",
            "resource_id": "DF_ASCC_IND",
            "version": "latest",
            "fund_id": "acf",
            "call_id": call_id,
            "proposal_id": proposal_id,
            "chart": "status",  # the plan progress report's chart of statuses
        }
        yield c, headers, ids


def _fund_records(c: TestClient, url: str, sec: dict, focal_point: dict) -> tuple[str, str]:
    """A public fund call and a proposal under it, read only by the fund's owner side and the
    submitting member state's focal points (``Schildpadjes``)."""
    from ascc.db.engine import make_engine
    from ascc.db.uow import unit_of_work
    from ascc.funds import service as funds_service
    from ascc.wiring import session_factory

    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        funds_service.load_funds(session)
    engine.dispose()
    r = c.post(
        "/api/v1/fund-calls",
        headers=sec,
        json={
            "fund_id": "acf",
            "title_en": "Qwzk call for culture projects",
            "ceiling": "1000",
            "currency": "USD",
            "deadline": f"{YEAR + 1}-01-01T00:00:00Z",
            "criteria": [{"key": "relevance", "name_en": "Relevance", "weight": 1}],
        },
    )
    assert r.status_code == 201, r.text
    call_id = str(r.json()["id"])
    r = c.post(
        "/api/v1/fund-proposals",
        headers=focal_point,
        json={
            "call_id": int(call_id),
            "member_state": "IDN",
            "title_en": "Qwzk Schildpadjes heritage proposal",
            "summary": "Schildpadjes",
            "requested": "500",
        },
    )
    assert r.status_code == 201, r.text
    return call_id, str(r.json()["id"])


def _answers(c: TestClient, headers: dict, ids: dict[str, str]) -> Iterator[tuple[str, object]]:
    for path in get_routes(c.app):
        url = fill(path, ids)
        assert url is not None, f"{path}: no fixture for its parameters"
        yield path, url, c.get(url, params=QUERIES.get(path, {}), headers=headers)


def test_every_route_is_filled_or_listed(site):
    c, _, ids = site
    routes = get_routes(c.app)
    assert {"/calendar", "/calendar.json", "/calendar.ics", "/api/v1/meetings/expected"} <= set(routes)
    unfilled = [p for p in routes if fill(p, ids) is None]
    assert not unfilled, (
        f"routes with a parameter that has no fixture (fill it or list it with a reason): {unfilled}"
    )
    stale = sorted((set(NOT_RESTRICTED) | set(OPAQUE)) - set(routes))
    assert not stale, f"listed routes the app no longer has: {stale}"
    assert "/documents/{slug}" not in NOT_RESTRICTED and ids["slug"]


@pytest.mark.parametrize("role", OUTSIDE)
def test_partners_and_the_public_never_receive_member_states_records(site, role):
    c, headers, ids = site
    leaks, errors = [], []
    markers = MARKERS + (PARTNERS_MARKERS if role == "public" else [])
    for path, url, r in _answers(c, headers[role], ids):
        if r.status_code >= 500:
            errors.append(f"{url}: {r.status_code}")
        if path in OPAQUE:
            continue
        body = r.content.decode("utf-8", errors="replace")
        found = [m for m in markers if m in body and m not in url]
        if found:
            leaks.append(f"{url} ({r.status_code}): {found}")
    assert not leaks, f"{role} received records not meant for it:\n" + "\n".join(leaks)
    assert not errors, errors


@pytest.mark.parametrize("role", MEMBER_SIDE)
def test_the_member_state_side_reads_them(site, role):
    """The check above is only as good as its fixtures: the member-state side sees the records."""
    c, headers, ids = site
    h = headers[role]
    answers = {path: r for path, _, r in _answers(c, h, ids)}
    assert not [f"{p}: {r.status_code}" for p, r in answers.items() if r.status_code >= 500]
    for path in (
        "/calendar",
        "/calendar.json",
        "/calendar.ics",
        "/api/v1/meetings",
        "/meetings/{meeting_id}",
        "/api/v1/meetings/{meeting_id}",
        "/bodies/{body_id}",
    ):
        assert "Xylofjord" in answers[path].text, path
    assert "Vrenksburg" in answers["/calendar.json"].text and "Vrenksburg" in answers["/calendar.ics"].text
    expected = answers["/api/v1/meetings/expected"].json()
    assert expected["total"] == len(expected["items"])  # the whole calendar was checked
    expected = expected["items"]
    assert {e["recorded_meeting"] for e in expected if e["body_id"] == "amme"} >= {MEETING_ID}
    for path in ("/decisions", "/api/v1/decisions", "/decisions/{item_id}", "/api/v1/decisions/{item_id}"):
        assert "Vuurtoren" in answers[path].text, path
    for path in ("/documents", "/api/v1/documents", "/documents/{slug}", "/api/v1/documents/{slug}"):
        assert "Kwispelhond" in answers[path].text, path
    for path in ("/search", "/api/v1/search"):
        assert all(m in answers[path].text for m in ("Xylofjord", "Vuurtoren", "Kwispelhond")), path


def test_partners_read_records_for_partners(site):
    c, headers, _ = site
    for path in ("/calendar", "/calendar.json", "/calendar.ics", "/api/v1/meetings", "/search.json"):
        assert "Pinguinhaus" in c.get(path, params=QUERIES.get(path, {}), headers=headers["partner"]).text, (
            path
        )
    assert c.get(f"/meetings/{PARTNERS_MEETING['id']}", headers=headers["partner"]).status_code == 200


def test_outside_reads_of_the_records_are_not_found(site):
    c, headers, ids = site
    for role in OUTSIDE:
        h = headers[role]
        for url in (
            f"/api/v1/meetings/{MEETING_ID}",
            f"/meetings/{MEETING_ID}",
            f"/api/v1/decisions/{ids['item_id']}",
            f"/decisions/{ids['item_id']}",
            f"/documents/{ids['slug']}",
            f"/api/v1/documents/{ids['slug']}",
        ):
            assert c.get(url, headers=h).status_code in (401, 404), (role, url)
        for url in (f"/api/v1/decisions/{ids['public_item']}", f"/decisions/{ids['public_item']}.json"):
            r = c.get(url, headers=h)
            assert r.status_code == 200 and "ammswd-9" in r.text and MEETING_ID not in r.text, (role, url)
    expected = every_item(c, "/api/v1/meetings/expected", params={"year": YEAR})
    amme = [e for e in expected if e["body_id"] == "amme" and e["year"] == YEAR]
    assert amme and amme[0]["recorded_meeting"] is None  # the cycle is public, the closed record is not
