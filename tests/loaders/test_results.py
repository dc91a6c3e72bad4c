"""``ascc results load`` re-run over activities the Secretariat edited or deleted (issue 16)."""

from __future__ import annotations

from tests.loaders.conftest import cli


def test_results_load_keeps_edited_and_deleted_activities(url, people, monkeypatch):
    client, who = people
    out = cli(url, "results", "load", monkeypatch=monkeypatch)
    assert "demo activities:" in out
    items = client.get("/api/v1/activities", params={"limit": 500}).json()["items"]
    first, second = items[0], items[1]
    r = client.put(
        f"/api/v1/activities/{first['id']}",
        headers=who["secretariat"] | {"If-Match": first["etag"]},
        json={
            "programme_id": first["programme_id"],
            "title_en": "Renamed by the Secretariat",
            "title_id": first["title"]["id"],
        },
    )
    assert r.status_code == 200, r.text
    r = client.delete(
        f"/api/v1/activities/{second['id']}", headers=who["secretariat"] | {"If-Match": second["etag"]}
    )
    assert r.status_code == 204, r.text

    out = cli(url, "results", "load", monkeypatch=monkeypatch)

    assert "demo activities: 0 new" in out
    assert (
        f"kept 1 as they are, not overwritten (deleted activities): programme {second['programme_id']} (its activity was deleted by a person)"
        in out
    )
    after = {a["id"]: a for a in client.get("/api/v1/activities", params={"limit": 500}).json()["items"]}
    assert second["id"] not in after and len(after) == len(items) - 1
    assert after[first["id"]]["title"]["en"] == "Renamed by the Secretariat"
