"""Setup steps the browser tests share (through the API: the pages under test are walked by clicking)."""

from __future__ import annotations

import httpx


def item_with_text(api: httpx.Client, title_en: str, *, title_id: str | None = None) -> int:
    """A chair (``api`` carries its token) opens an item for ASOEN and takes it to formulation with a
    text, so that the member states' positions are requested; returns the item's id."""
    r = api.post(
        "/api/v1/decisions",
        json={"title_en": title_en, "body_id": "asoen"} | ({"title_id": title_id} if title_id else {}),
    )
    assert r.status_code == 201, r.text
    item = r.json()["id"]

    def change(path, body):
        etag = api.get(f"/api/v1/decisions/{item}").headers["etag"]
        assert api.post(path, json=body, headers={"If-Match": etag}).status_code == 200

    for to in ("consult", "formulate"):
        change(f"/api/v1/decisions/{item}/stage", {"to": to})
    change(f"/api/v1/decisions/{item}/proposals", {"text_en": "Member states agree on green jobs."})
    return item
