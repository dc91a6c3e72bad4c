"""Questions as people type them: question and function words, title echoes, both languages."""

from __future__ import annotations

from ascc.accounts.schemas import PUBLIC
from ascc.knowledge import service as ks
from ascc.knowledge import text as t

QUESTION = "Apa tujuan dilakukan kerjasama ASEAN pada bidang sosial"
#: seed 001's paragraphs that say what the cooperation is for ("… bertujuan untuk …", "Tujuan utamanya")
PURPOSE = {f"passage:seed-001#p{n}" for n in (19, 20, 22, 24, 38, 56, 76, 92, 93)}


def ids(result) -> list[str]:
    return [f"{h.type}:{h.id}" for h in result.items]


def search(session, q: str, **kw):
    return ks.search(session, principal=PUBLIC, q=q, **kw)


def test_question_words_are_not_required():
    for asked, words in [
        (QUESTION, "tujuan kerjasama asean bidang sosial"),
        ("Sebutkan dan jelaskan siapa yang melakukan kerja sama", "kerjasama"),
        ("What is the purpose of the ASEAN social cooperation?", "purpose asean social cooperation"),
        ("Bagaimanakah peran ASEAN dalam bencana? Tulislah!", "peran asean bencana"),
        ("how and why", "how and why"),  # nothing but question words: they are kept
    ]:
        assert t.query_groups(asked) == t.query_groups(words, keep_stopwords=True), asked


def test_question_words_do_not_decide_what_matches(kb_session):
    asked = search(kb_session, QUESTION, limit=100)
    keywords = search(kb_session, "tujuan kerjasama ASEAN bidang sosial", limit=100)
    assert asked.match == "all" and ids(asked) == ids(keywords)
    # the paragraphs that answer, not the title: the first three hits are seed 001's purpose paragraphs
    passages = [i for i in ids(asked) if i.startswith("passage:")]
    assert passages[0] in PURPOSE and len(PURPOSE & set(passages[:5])) >= 3
    assert len(PURPOSE & set(passages[:10])) >= 6
    english = search(kb_session, "What is the ASEAN Committee on Women?", limit=10)
    assert english.match == "all" and ids(english) == ids(
        search(kb_session, "ASEAN Committee Women", limit=10)
    )
    assert "body:acw" in ids(english)[:3]


def test_a_repeated_heading_is_one_passage(kb_session):
    title = "Tujuan Kerjasama ASEAN di Bidang Sosial: Apa Tujuan Dilakukan Kerjasama Asean Pada Bidang Sosial"
    doc = ks.get_document(kb_session, principal=PUBLIC, slug="seed-001")
    echoes = [p for p in doc.passages if t.tokens(p.text) == t.tokens(title)]
    assert len(echoes) >= 10  # the seed repeats its title as a heading before each section
    hits = search(kb_session, title, types=("passage",), limit=100)
    found = {h.id for h in hits.items}
    assert sum(1 for p in echoes if f"seed-001#p{p.position}" in found) == 1
    assert f"seed-001#p{echoes[0].position}" in found  # the first one stands for them all


def test_a_heading_ranks_below_a_paragraph_with_the_same_words_and_more(kb_session):
    doc = ks.get_document(kb_session, principal=PUBLIC, slug="seed-001")
    texts = {f"seed-001#p{p.position}": p for p in doc.passages}
    for q in (QUESTION, "proses pengambilan keputusan kerjasama sosial", "penanggulangan bencana ASEAN",
              "peran dialog dan konsultasi", "kesejahteraan rakyat"):  # fmt: skip
        hits = search(kb_session, q, types=("passage",), limit=100).items
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
