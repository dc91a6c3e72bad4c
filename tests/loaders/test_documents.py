"""``ascc documents seed`` re-run over a document the Secretariat added under a seed's address
(issue 16): the person's document stays, the command says so."""

from __future__ import annotations

from tests.conftest import SEEDS
from tests.loaders.conftest import cli


def test_seed_keeps_a_document_a_person_added_under_a_seed_slug(url, people, monkeypatch):
    client, who = people
    r = client.post(
        "/api/v1/documents",
        headers=who["secretariat"],
        data={"language": "en", "kind": "report", "title_en": "Seed 000"},
        files={"file": ("minutes.txt", b"Minutes of the officers' meeting on data sharing.", "text/plain")},
    )
    assert r.status_code == 201, r.text
    assert r.json()["slug"] == "seed-000"

    out = cli(url, "documents", "seed", "--folder", str(SEEDS), monkeypatch=monkeypatch)

    assert "seed documents: created 4, updated 0, unchanged 0" in out
    assert (
        "kept 1 as they are, not overwritten (documents that people added or edited): document seed-000 (added by user:"
        in out
    )
    doc = client.get("/api/v1/documents/seed-000", headers=who["secretariat"]).json()
    assert (doc["title"]["en"], doc["kind"]) == ("Seed 000", "report")
    assert "data sharing" in str(doc["passages"])
    again = cli(url, "documents", "seed", "--folder", str(SEEDS), monkeypatch=monkeypatch)
    assert "created 0, updated 0, unchanged 4" in again and "document seed-000 (added by user:" in again
