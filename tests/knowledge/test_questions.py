"""Questions as people type them: question and function words, title echoes, both languages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from ascc.accounts.schemas import PUBLIC
from ascc.knowledge import columns, glossary, postings
from ascc.knowledge import service as ks
from ascc.knowledge import text as t
from tests.conftest import SEEDS

DATA = Path(glossary.__file__).parent.parent / "reference" / "data"
QUESTION = "Apa tujuan dilakukan kerjasama ASEAN pada bidang sosial"
#: seed 001's paragraphs that say what the cooperation is for ("… bertujuan untuk …", "Tujuan utamanya")
PURPOSE = {f"passage:seed-001#p{n}" for n in (19, 20, 22, 24, 38, 56, 76, 92, 93)}


def ids(result) -> list[str]:
    return [f"{h.type}:{h.id}" for h in result.items]


def search(session, q: str, **kw):
    return ks.search(session, principal=PUBLIC, q=q, **kw)


@pytest.fixture
def kb(kb_session):
    """The shared knowledge base with (on SQLite) its postings built: FTS5, which answers while they
    are built, cannot weigh a translation less than the user's own word."""
    if kb_session.get_bind().dialect.name == "sqlite":
        columns.committed(kb_session, postings.build)
    return kb_session


def test_question_words_are_not_required():
    for asked, words in [
        (QUESTION, "tujuan kerjasama asean bidang sosial"),
        ("Sebutkan dan jelaskan siapa yang melakukan kerja sama", "kerjasama"),
        ("What is the purpose of the ASEAN social cooperation?", "purpose asean social cooperation"),
        ("Bagaimanakah peran ASEAN dalam bencana? Tulislah!", "peran asean bencana"),
        ("how and why", "how and why"),  # nothing but question words: they are kept
    ]:
        assert t.query_groups(asked) == t.query_groups(words, keep_stopwords=True), asked


def test_question_words_do_not_decide_what_matches(kb):
    asked = search(kb, QUESTION, limit=100)
    keywords = search(kb, "tujuan kerjasama ASEAN bidang sosial", limit=100)
    assert asked.match == "all" and ids(asked) == ids(keywords)
    # the paragraphs that answer, not the title: the first three hits are seed 001's purpose paragraphs
    passages = [i for i in ids(asked) if i.startswith("passage:")]
    assert passages[0] in PURPOSE and len(PURPOSE & set(passages[:5])) >= 3
    assert len(PURPOSE & set(passages[:10])) >= 6
    english = search(kb, "What is the ASEAN Committee on Women?", limit=10)
    assert english.match == "all" and ids(english) == ids(search(kb, "ASEAN Committee Women", limit=10))
    assert "body:acw" in ids(english)[:5]


def test_a_repeated_heading_is_one_passage(kb):
    title = "Tujuan Kerjasama ASEAN di Bidang Sosial: Apa Tujuan Dilakukan Kerjasama Asean Pada Bidang Sosial"
    doc = ks.get_document(kb, principal=PUBLIC, slug="seed-001")
    echoes = [p for p in doc.passages if t.tokens(p.text) == t.tokens(title)]
    assert len(echoes) >= 10  # the seed repeats its title as a heading before each section
    hits = search(kb, title, types=("passage",), limit=100)
    found = {h.id for h in hits.items}
    assert sum(1 for p in echoes if f"seed-001#p{p.position}" in found) == 1
    assert f"seed-001#p{echoes[0].position}" in found  # the first one stands for them all


def test_a_heading_ranks_below_a_paragraph_with_the_same_words_and_more(kb):
    doc = ks.get_document(kb, principal=PUBLIC, slug="seed-001")
    texts = {f"seed-001#p{p.position}": p for p in doc.passages}
    for q in (
        QUESTION,
        "proses pengambilan keputusan kerjasama sosial",
        "penanggulangan bencana ASEAN",
        "peran dialog dan konsultasi",
        "kesejahteraan rakyat",
    ):
        hits = search(kb, q, types=("passage",), limit=100).items
        groups = t.query_groups(q)
        held = {}
        for h in hits:
            p = texts.get(h.id)
            if p is not None:
                words = set(t.tokens(p.text)) | {t.stem_id(w) for w in t.tokens(p.text)}
                held[h.id] = {i for i, g in enumerate(groups) if words & set(g)}
        for i, h in enumerate(hits):
            if h.id in texts and texts[h.id].heading and held[h.id]:
                for para in hits[i + 1 :]:
                    p = texts.get(para.id)
                    assert not (p and not p.heading and held[para.id] >= held[h.id]), (q, h.id, para.id)


# --- across the two languages ------------------------------------------------------------------


def test_english_words_find_the_indonesian_paragraph(kb):
    result = search(kb, "consensus decision making ASEAN social cooperation")
    # seed 001: "Proses pengambilan keputusan dalam kerjasama sosial ASEAN umumnya bersifat konsensus."
    assert result.match == "all" and ids(result)[0] == "passage:seed-001#p105"
    assert {"konsensus", "pengambilan keputusan", "kerjasama", "sosial"} <= set(result.also)
    assert "<mark>konsensus</mark>" in result.items[0].snippet


def test_indonesian_words_find_the_english_names(kb):
    aichr = search(kb, "komisi HAM antar pemerintah ASEAN")
    assert aichr.match == "all" and "body:aichr" in ids(aichr)[:5]
    assert {"commission", "human rights", "intergovernmental"} <= set(aichr.also)
    ooscy = search(kb, "anak putus sekolah")
    assert ids(ooscy)[0] == "body:ooscy"  # ASEAN Working Group on … Out-of-School Children and Youth
    assert "passage:seed-003#p63" in ids(ooscy)  # "anak-anak dan remaja putus sekolah" itself
    assert "out of school children" in ooscy.also
    elderly = search(kb, "lansia", types=("passage",), limit=20)  # seed 002 writes "lanjut usia"
    assert any(h.document == "seed-002" for h in elderly.items)


def test_the_users_own_words_weigh_more_than_their_translations(kb):
    english = search(kb, "disaster", types=("passage",), limit=100)
    indonesian = search(kb, "bencana", types=("passage",), limit=100)
    assert english.also == ["bencana"] and indonesian.also == ["disaster", "disasters"]
    # seed 001's passages on disasters are Indonesian: "disaster" finds them through "bencana", and
    # each scores less than when asked for by its own word
    by_en = {h.id: h.score for h in english.items}
    by_id = {h.id: h.score for h in indonesian.items}
    texts = {
        f"seed-001#p{p.position}": p.text.lower()
        for p in ks.get_document(kb, principal=PUBLIC, slug="seed-001").passages
    }
    only_bencana = [i for i in by_id if i in texts and i in by_en and "disaster" not in texts[i]]
    assert len(only_bencana) >= 5
    assert all(by_en[i] < by_id[i] for i in only_bencana)
    assert "<mark>disaster</mark>" in english.items[0].snippet.lower()  # the own word first


def test_the_expansion_is_shown(kb_client):
    body = kb_client.get("/api/v1/search", params={"q": "anak putus sekolah"}).json()
    assert "out of school children" in body["also"]
    page = kb_client.get("/search", params={"q": "anak putus sekolah", "lang": "id"}).text
    assert "Juga dicari:" in page and "<q>out of school children</q>" in page
    page = kb_client.get("/search", params={"q": "lansia", "mode": "ask", "lang": "en"}).text
    assert "Also searched:" in page and "<q>older persons</q>" in page
    assert kb_client.get("/api/v1/ask", params={"q": "lansia"}).json()["also"][:1] == ["older persons"]
    assert "also" not in kb_client.get("/search", params={"q": "ASEAN", "lang": "en"}).text.split("<main")[1]


def test_the_glossary_has_the_fields_terms_with_their_sources():
    entries = glossary.entries()
    assert len(entries) >= 60
    assert all(e["id"] and e["en"] and e["source"] for e in entries)
    records = {}
    for f in ("bodies", "programmes", "plans", "sectors", "pillars", "meetings", "member_states"):
        records[f"{f}.yaml"] = {
            str(r.get("id", r.get("code"))) for r in yaml.safe_load((DATA / f"{f}.yaml").read_text())
        }
    seeds = {
        p.name[:3]: " ".join(p.read_text(encoding="utf-8").split()).casefold() for p in SEEDS.glob("*.txt")
    }
    for e in entries:  # a source naming a registry record or quoting a seed says what is there
        for file, key in re.findall(r"registry (\w+\.yaml): ([\w-]+)", e["source"]):
            assert key in records[file], e
        for seed, quotes in re.findall(r"seed (\d{3}) ((?:'[^']*'(?:, |; )?)+)", e["source"]):
            for quote in re.findall(r"'([^']*)'", quotes):
                assert " ".join(quote.split()).casefold() in seeds[seed], (e, quote)
    pairs = {(i, en) for e in entries for i in e["id"] for en in e["en"]}
    for pair in [
        ("kerja sama", "cooperation"),
        ("bencana", "disaster"),
        ("pemuda", "youth"),
        ("lansia", "older persons"),
        ("ham", "human rights"),
        ("konsensus", "consensus"),
        ("anak putus sekolah", "out of school children"),
        ("pengambilan keputusan", "decision making"),
    ]:
        assert pair in pairs, pair
