"""Grouped results: one result per document with its best passages under it, in the service, the
API, the search page (both languages) and the CLI, on both backends."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from ascc.accounts.schemas import PUBLIC
from ascc.cli.main import app
from ascc.knowledge import service as ks

Q1 = "Tulislah bentuk kerjasama ASEAN dalam bidang sosial"


def test_one_result_per_document_with_its_best_passages(kb_session):
    flat = ks.search(kb_session, principal=PUBLIC, q=Q1, types=("passage",), limit=100)
    grouped = ks.search(kb_session, principal=PUBLIC, q=Q1, types=("passage",), limit=100, group=True)
    assert grouped.grouped and not flat.grouped
    docs = [h.document for h in grouped.items]
    assert len(docs) == len(set(docs)) == grouped.total
    assert set(docs) == {h.document for h in flat.items} and grouped.total < flat.total
    top = grouped.items[0]
    assert top.document == flat.items[0].document == "seed-000" and top.score == flat.items[0].score
    assert top.passages[0].id == top.id and 2 <= len(top.passages) <= 3
    assert all(p.id.startswith("seed-000#p") and p.url.endswith(f"#p{p.position}") for p in top.passages)
    scores = [p.score for p in top.passages]
    assert scores == sorted(scores, reverse=True)
    best_of_doc = [h.score for h in flat.items if h.document == "seed-000"][: len(scores)]
    assert scores == best_of_doc  # the document's best passages, as the flat ranking has them
    assert all("<mark>" in p.snippet for p in top.passages)
    results = [h.score for h in grouped.items]
    assert results == sorted(results, reverse=True)
    pages = [
        ks.search(kb_session, principal=PUBLIC, q=Q1, types=("passage",), limit=2, offset=o, group=True)
        for o in range(0, grouped.total, 2)
    ]
    assert [h.id for p in pages for h in p.items] == [h.id for h in grouped.items]
    # records stay results of their own, next to documents
    mixed = ks.search(kb_session, principal=PUBLIC, q="AMMSWD", group=True, limit=50)
    assert "body" in {h.type for h in mixed.items} and all(
        h.passages == [] for h in mixed.items if h.type == "body"
    )
    keys = [h.document or f"{h.type}:{h.id}" for h in mixed.items]
    assert len(keys) == len(set(keys))


def test_api_groups_by_default(kb_client):
    body = kb_client.get("/api/v1/search", params={"q": Q1, "type": "passage", "limit": 50}).json()
    assert body["grouped"] is True
    docs = [h["document"] for h in body["items"]]
    assert len(docs) == len(set(docs)) and len(body["items"][0]["passages"]) >= 2
    flat = kb_client.get(
        "/api/v1/search", params={"q": Q1, "type": "passage", "limit": 50, "group": "false"}
    ).json()
    assert flat["grouped"] is False and len({h["document"] for h in flat["items"]}) < len(flat["items"])


@pytest.mark.parametrize("lang,words", [("en", "Also in this document:"), ("id", "Juga dalam dokumen ini:")])
def test_search_page_lists_the_other_passages_under_the_document(kb_client, lang, words):
    r = kb_client.get("/search", params={"q": Q1, "type": "passage", "lang": lang})
    assert r.status_code == 200 and words in r.text
    main = r.text.split("<main")[1]
    first = main.split('class="hit"')[1]
    assert first.count('href="/documents/seed-000#p') >= 3  # the result and its other passages


def test_cli_groups_and_can_list_each_passage(kb_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", kb_url)
    runner = CliRunner()
    r = runner.invoke(app, ["search", "--type", "passage", Q1])
    assert r.exit_code == 0, r.output
    assert "¶" in r.stdout and r.stdout.count("/documents/seed-000#p") >= 3
    r = runner.invoke(app, ["search", "--json", "--no-group", "--type", "passage", Q1])
    assert r.exit_code == 0 and '"grouped": false' in r.stdout
