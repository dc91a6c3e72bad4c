"""``ascc init`` re-run over a body the Secretariat corrected (issue 16): the correction stays, also
when the reference file changed the same body, and the command names what it kept."""

from __future__ import annotations

import shutil

from ascc.reference.files import DATA_DIR
from tests.loaders.conftest import cli


def test_init_keeps_a_corrected_body_and_names_it(url, people, tmp_path, monkeypatch):
    client, who = people
    etag = client.get("/api/v1/bodies/asoen").headers["etag"]
    r = client.patch(
        "/api/v1/bodies/asoen",
        headers=who["secretariat"] | {"If-Match": etag},
        json={"name_en": "ASEAN Senior Officials on the Environment"},
    )
    assert r.status_code == 200, r.text
    data = tmp_path / "reference"
    shutil.copytree(DATA_DIR, data)
    bodies = data / "bodies.yaml"  # the reference changes the same body, and another one
    text = bodies.read_text().replace(
        "name_en: ASEAN Senior Officials on Environment",
        "name_en: ASEAN Senior Officials on Environment (ASOEN)",
    )
    bodies.write_text(text)

    out = cli(url, "init", "--data-dir", str(data), monkeypatch=monkeypatch)

    assert (
        "kept 1 as they are, not overwritten (records that someone edited): bodies asoen (edited here; the reference changed it too)"
        in out
    )
    assert "conflict bodies asoen" in out
    assert (
        client.get("/api/v1/bodies/asoen").json()["name"]["en"] == "ASEAN Senior Officials on the Environment"
    )
    out = cli(url, "init", monkeypatch=monkeypatch)  # the original reference: the edit is still kept
    assert "bodies asoen (edited since it was loaded)" in out
    assert (
        client.get("/api/v1/bodies/asoen").json()["name"]["en"] == "ASEAN Senior Officials on the Environment"
    )
