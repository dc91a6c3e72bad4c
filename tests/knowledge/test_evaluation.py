"""The evaluation set: 46 questions (23 Indonesian, 23 English; six of them about indicators) with the documents or records that
answer them. recall@10 and MRR are computed on each backend and must stay above the floors, which
are set just below what this implementation measured (printed with ``pytest -s``)."""

from __future__ import annotations

from ascc.accounts.schemas import PUBLIC
from ascc.knowledge import service as ks

# (question, language, expected) — "doc:<slug>" is any hit from that document, else "<type>:<id>"
EVALUATION = [
    ("Tulislah bentuk kerjasama ASEAN dalam bidang sosial", "id", "doc:seed-000"),
    ("Apa tujuan dilakukan kerjasama ASEAN pada bidang sosial", "id", "doc:seed-001"),
    ("kerja sama pendidikan ASEAN Work Plan on Education", "id", "doc:seed-000"),
    ("penyakit menular ASEAN Health Cluster 2", "id", "doc:seed-000"),
    ("perlindungan sosial yang inklusif", "id", "doc:seed-000"),
    ("pengentasan kemiskinan dan penanggulangan bencana", "id", "doc:seed-001"),
    ("proses pengambilan keputusan konsensus", "id", "doc:seed-001"),
    ("Mensos Khofifah pertemuan menteri sosial", "id", "doc:seed-002"),
    ("lanjut usia dan penyandang disabilitas", "id", "doc:seed-002"),
    ("Hotel Borobudur Jakarta", "id", "doc:seed-002"),
    ("lima karakteristik Masyarakat Sosial Budaya", "id", "doc:seed-003"),
    ("Instansi Penjuru Kementerian Pemberdayaan Perempuan", "id", "doc:seed-003"),
    ("Lokakarya Rencana Strategis di Vietnam", "id", "doc:seed-004"),
    ("Deklarasi Kuala Lumpur ASEAN 2045", "id", "doc:seed-004"),
    ("Yayasan ASEAN", "id", "body:asean-foundation"),
    ("Komite Perempuan ASEAN", "id", "body:acw"),
    ("Pertemuan Menteri Pendidikan ASEAN", "id", "body:ased"),
    ("kabut asap lintas batas", "id", "programme:aathp"),
    ("negara anggota Brunei Darusalam", "id", "member_state:BRN"),
    ("kesetaraan gender dan pemberdayaan perempuan", "id", "doc:seed-003"),
    ("angka kematian ibu", "id", "indicator:SH.STA.MMRT"),
    ("pengangguran terbuka", "id", "indicator:BPS.TPT"),
    ("angka harapan hidup saat lahir", "id", "indicator:SP.DYN.LE00.IN"),
    ("AMMSWD", "en", "body:ammswd"),
    ("ASEAN Ministerial Meeting on Social Welfare and Development", "en", "body:ammswd"),
    ("ASEAN Committee on Women", "en", "body:acw"),
    ("rights of women and children commission", "en", "body:acwc"),
    ("education ministers meeting", "en", "body:ased"),
    ("senior officials on environment", "en", "body:asoen"),
    ("working group on climate change", "en", "body:awgcc"),
    ("water resources management", "en", "body:awgwrm"),
    ("ASEAN Centre for Biodiversity", "en", "body:acb"),
    ("culture and arts ministers", "en", "body:amca"),
    ("transboundary haze pollution agreement", "en", "programme:aathp"),
    ("disaster management and emergency response", "en", "programme:aadmer"),
    ("rights of migrant workers declaration", "en", "programme:cebu-declaration"),
    ("Sendai framework disaster risk reduction", "en", "programme:sfdrr"),
    ("ASEAN Community Vision 2045", "en", "plan:asean-community-vision-2045"),
    ("ASCC Blueprint 2025", "en", "plan:ascc-blueprint-2025"),
    ("youth development index", "en", "plan:asean-ydi-2017"),
    ("Hanoi Plan of Action", "en", "plan:hanoi-plan-of-action"),
    ("Timor-Leste member state", "en", "member_state:TLS"),
    ("ACWC work plan", "en", "plan:acwc-work-plan-2021-2025"),
    ("maternal mortality ratio", "en", "indicator:SH.STA.MMRT"),
    ("youth unemployment", "en", "indicator:SL.UEM.1524.FE.ZS"),
    ("prevalence of stunting", "en", "indicator:SH.STA.STNT.ZS"),
]


def _key(h) -> list[str]:
    keys = [f"{h.type}:{h.id}"]
    if h.document:
        keys.append(f"doc:{h.document}")
    return keys


def rank_of(session, q: str, expected: str) -> int | None:
    result = ks.search(session, principal=PUBLIC, q=q, limit=10)
    for i, h in enumerate(result.items, 1):
        if expected in _key(h):
            return i
    return None


# measured: 0.957/0.703 and 0.957/0.772 (the first 40 questions alone: 0.950/0.659 and 0.950/0.738, unchanged
# by the indicators; the six indicator questions are all at rank 1 on both backends)
FLOORS = {"sqlite": (0.93, 0.68), "postgresql": (0.93, 0.75)}


def test_evaluation_set_recall_and_mrr(kb_session):
    assert len(EVALUATION) >= 40
    assert sum(1 for _, lang, _ in EVALUATION if lang == "id") == sum(
        1 for _, lang, _ in EVALUATION if lang == "en"
    )
    ranks = {q: rank_of(kb_session, q, exp) for q, _, exp in EVALUATION}
    recall = sum(1 for r in ranks.values() if r) / len(ranks)
    mrr = sum(1 / r for r in ranks.values() if r) / len(ranks)
    backend = kb_session.get_bind().dialect.name
    print(f"\n{backend}: recall@10 {recall:.3f}  MRR {mrr:.3f}")
    for q, r in ranks.items():
        if r != 1:
            print(f"  rank {r}: {q}")
    floor_recall, floor_mrr = FLOORS[backend]
    assert recall >= floor_recall and mrr >= floor_mrr
