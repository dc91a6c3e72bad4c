"""The JSON API on SQLite and PostgreSQL: lists, filters, detail, ETags, problem+json."""

from __future__ import annotations

import pytest


def test_member_states_are_time_aware(client):
    assert client.get("/api/v1/member-states", params={"on": "2024-06-30"}).json()["total"] == 10
    now = client.get("/api/v1/member-states").json()
    assert now["total"] == 11
    assert "TLS" in [m["code"] for m in now["items"]]


def test_body_record_shape(client):
    acw = client.get("/api/v1/bodies/acw").json()
    assert acw["acronym"] == "ACW"
    assert acw["name"]["en"] == "ASEAN Committee on Women"
    assert acw["level"] == "committee"
    assert acw["sector"] == "women-children"
    assert acw["reports_to"] == ["AMMW"]
    for key in ("established", "meeting_interval", "chair_rotation", "formats", "sources"):
        assert key in acw
    assert acw["sources"][0]["file"].startswith("003_")


def test_body_filters_and_pagination(client):
    env = client.get("/api/v1/bodies", params={"sector": "environment", "level": "working_group"}).json()
    assert env["total"] == 7
    assert all(b["level"] == "working_group" for b in env["items"])
    page = client.get("/api/v1/bodies", params={"limit": 5, "offset": 5}).json()
    assert len(page["items"]) == 5 and page["offset"] == 5 and page["total"] > 10
    first = client.get("/api/v1/bodies", params={"limit": 5}).json()["items"]
    assert {b["id"] for b in first}.isdisjoint({b["id"] for b in page["items"]})
    assert client.get("/api/v1/bodies", params={"q": "ammswd"}).json()["items"][0]["id"].startswith("ammswd")


def test_focal_points_by_member_state(client):
    idn = client.get("/api/v1/focal-points", params={"member_state": "IDN"}).json()
    assert idn["total"] >= 16
    assert any(f["agency"]["id"] == "Kementerian Sosial" for f in idn["items"])
    assert client.get("/api/v1/focal-points", params={"member_state": "VNM"}).json()["total"] == 0


def test_other_lists(client):
    assert client.get("/api/v1/sectors").json()["total"] == 18
    partners = client.get("/api/v1/partners", params={"kind": "dialogue_partner"}).json()["items"]
    assert {"CHN", "JPN", "KOR"} <= {p["id"] for p in partners}
    plan = client.get("/api/v1/plans/asean-ydi-2022").json()
    assert len(plan["priorities"]) == 7
    assert client.get("/api/v1/programmes", params={"partner": "EU"}).json()["total"] >= 1
    assert [m["id"] for m in client.get("/api/v1/meetings", params={"body": "ammswd"}).json()["items"]] == [
        "ammswd-9"
    ]
    chart = client.get("/api/v1/sectors/environment/org-chart").json()
    assert chart[0]["body"]["id"] == "amme"


def test_unknown_id_is_404_problem(client):
    r = client.get("/api/v1/bodies/no-such-body")
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["status"] == 404 and "no-such-body" in r.json()["detail"]


@pytest.mark.parametrize(
    ("url", "params", "parameter"),
    [
        ("/api/v1/member-states", {"on": "2025-02-30"}, "on"),
        ("/api/v1/bodies", {"limit": 0}, "limit"),
        ("/api/v1/bodies", {"level": "emperor"}, "level"),
        ("/api/v1/focal-points", {"member_state": "IDNX"}, "member_state"),
    ],
)
def test_bad_parameter_is_422_naming_it(client, url, params, parameter):
    r = client.get(url, params=params)
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert parameter in [e["parameter"] for e in r.json()["errors"]]


def test_etag_and_conditional_get(client):
    r = client.get("/api/v1/bodies/asoen")
    etag = r.headers["etag"]
    again = client.get("/api/v1/bodies/asoen", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    other = client.get("/api/v1/bodies/acw", headers={"If-None-Match": etag})
    assert other.status_code == 200


def test_write_needs_a_secretariat_account(client):
    etag = {"If-Match": client.get("/api/v1/bodies/acw").headers["etag"]}
    r = client.patch("/api/v1/bodies/acw", json={"name_id": "Komite ASEAN untuk Perempuan"}, headers=etag)
    assert r.status_code == 401
    r = client.patch(
        "/api/v1/bodies/acw", json={"name_id": "x"}, headers={"Authorization": "Bearer ascc_forged"} | etag
    )
    assert r.status_code == 401
    assert client.get("/api/v1/bodies/acw").json()["name"]["id"] != "Komite ASEAN untuk Perempuan"


def test_openapi_lists_the_registry(client):
    paths = client.get("/openapi.json").json()["paths"]
    for p in ("/api/v1/member-states", "/api/v1/bodies/{body_id}", "/api/v1/focal-points", "/api/v1/plans"):
        assert p in paths


def _raising(exc: Exception):
    def route():
        raise exc

    return route


def test_the_domains_own_errors_are_problems_not_500s(db_url):
    """Each domain's own error class (a record not found by the monitoring service, a computed
    indicator's definition, an import mapping file, the reference data, a results framework) is a
    domain error: the one handler answers with its status and the problems, never a 500."""
    from fastapi.testclient import TestClient

    from ascc.app import create_app
    from ascc.config import Settings
    from ascc.indices.errors import DataError
    from ascc.kit.problems import Problem
    from ascc.monitoring import computed
    from ascc.monitoring import service as monitoring_service
    from ascc.monitoring.imports import profiles
    from ascc.monitoring.targets.service import TargetFileError
    from ascc.reference.files import ReferenceDataError
    from ascc.results import framework

    problem = Problem(file="bodies.yaml", line=12, field="reporting_to", reason="no body 'x'")
    raised = {
        "not-found": (monitoring_service.NotFound("no indicator 'XX'"), 404, None),
        "definition": (computed.DefinitionError([problem]), 422, 1),
        "mapping": (profiles.MappingError("map.yaml: column 'x' is not in the file"), 422, None),
        "reference": (ReferenceDataError([problem, problem]), 422, 2),
        "framework": (framework.FrameworkError([problem]), 422, 1),
        "targets": (TargetFileError([problem]), 422, 1),
        "index-data": (DataError([problem]), 422, 1),
    }
    app = create_app(Settings(database_url=db_url))
    for name, (exc, _, _) in raised.items():
        app.add_api_route(f"/api/v1/test-raises/{name}", _raising(exc))
    with TestClient(app, raise_server_exceptions=False) as c:
        for name, (exc, status, problems) in raised.items():
            r = c.get(f"/api/v1/test-raises/{name}")
            assert r.status_code == status, (name, r.text)
            assert r.headers["content-type"].startswith("application/problem+json")
            assert r.json()["detail"] == str(exc)
            if problems:
                # one shape everywhere: every key present, null when unknown
                assert len(r.json()["problems"]) == problems
                assert r.json()["problems"][0] == {
                    "file": "bodies.yaml",
                    "line": 12,
                    "unit": "line",
                    "column": None,
                    "field": "reporting_to",
                    "reason": "no body 'x'",
                }
