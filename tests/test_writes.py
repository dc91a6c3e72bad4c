"""Writes: the Secretariat corrects a body; the change is visible at once and the ETag moves."""

from __future__ import annotations

from fastapi.testclient import TestClient

from ascc.app import create_app
from ascc.config import Settings
from tests.conftest import if_match, load, make_user


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_patch_body_changes_it_and_its_etag(fresh_url, reference):
    load(fresh_url, reference)
    auth = bearer(make_user(fresh_url, email="officer@asean.org"))
    with TestClient(create_app(Settings(database_url=fresh_url))) as c:
        before = c.get("/api/v1/bodies/acw")
        change = {"name_id": "Komite ASEAN untuk Perempuan"}
        assert c.patch("/api/v1/bodies/acw", json=change, headers=auth).status_code == 428  # needs If-Match
        r = c.patch("/api/v1/bodies/acw", json=change, headers=auth | {"If-Match": before.headers["etag"]})
        assert r.status_code == 200, r.text
        assert r.json()["name"]["id"] == "Komite ASEAN untuk Perempuan"
        after = c.get("/api/v1/bodies/acw", headers={"If-None-Match": before.headers["etag"]})
        assert after.status_code == 200
        assert after.json()["name"]["id"] == "Komite ASEAN untuk Perempuan"
        assert after.headers["etag"] != before.headers["etag"]
        stale = c.patch(
            "/api/v1/bodies/acw", json={"name_id": "x"}, headers=auth | {"If-Match": before.headers["etag"]}
        )
        assert (
            stale.status_code == 412 and c.get("/api/v1/bodies/acw").json()["name"]["id"] == change["name_id"]
        )


def test_bad_write_changes_nothing(fresh_url, reference):
    load(fresh_url, reference)
    auth = bearer(make_user(fresh_url, email="officer@asean.org"))
    focal = bearer(make_user(fresh_url, email="fp@kemlu.go.id", role="focal_point", member_state="IDN"))
    with TestClient(create_app(Settings(database_url=fresh_url))) as c:
        before = c.get("/api/v1/bodies/acw").json()
        r = c.patch(
            "/api/v1/bodies/acw",
            json={"level": "ministerial"},
            headers=if_match(c, "/api/v1/bodies/acw", auth),
        )
        assert r.status_code == 422 and "level" in r.text
        r = c.patch(
            "/api/v1/bodies/acw", json={"established": 1066}, headers=if_match(c, "/api/v1/bodies/acw", auth)
        )
        assert r.status_code == 422
        assert c.patch("/api/v1/bodies/nope", json={"name_en": "x"}, headers=auth).status_code == 404
        etag = {"If-Match": c.get("/api/v1/bodies/acw").headers["etag"]}
        wrong = c.patch(
            "/api/v1/bodies/acw", json={"name_en": "x"}, headers={"Authorization": "Bearer no"} | etag
        )
        assert wrong.status_code == 401
        assert c.patch("/api/v1/bodies/acw", json={"name_en": "x"}, headers=focal | etag).status_code == 403
        assert c.get("/api/v1/bodies/acw").json() == before
