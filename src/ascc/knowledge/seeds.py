"""The five seed documents as documents of the knowledge base (``make run`` loads them).

Titles are the seeds' own headlines where they have one (000, 001, 002); 003 and 004 have none,
so their Indonesian title is a phrase taken verbatim from their first paragraph. No English
titles, dates or authors are given by the seeds, so none are stored.
"""

from __future__ import annotations

SEEDS: list[dict] = [
    {
        "file": "000_3e512ae5cc0f38a8.txt",
        "slug": "seed-000",
        "kind": "article",
        "title_id": "Tulislah Bentuk Kerjasama ASEAN dalam Bidang Sosial",
        "sectors": ["education", "health", "human-rights", "social-protection"],
        "bodies": [],
    },
    {
        "file": "001_d33e6d815b66a0f8.txt",
        "slug": "seed-001",
        "kind": "article",
        "title_id": "Tujuan Kerjasama ASEAN di Bidang Sosial: Apa Tujuan Dilakukan Kerjasama Asean Pada Bidang Sosial",
        "sectors": [],
        "bodies": [],
    },
    {
        "file": "002_eab9d6f4c0f00047.txt",
        "slug": "seed-002",
        "kind": "news",
        "title_id": "Mensos se-ASEAN Sepakat Kerja Sama Perbaikan Kualitas Manusia",
        "sectors": ["social-welfare"],
        "bodies": ["ammswd"],
    },
    {
        "file": "003_7591d795653bab0c.txt",
        "slug": "seed-003",
        "kind": "article",
        "title_id": "Pilar Masyarakat Sosial Budaya ASEAN",
        "sectors": [],
        "bodies": [],
    },
    {
        "file": "004_78eb73488eeb3ca3.txt",
        "slug": "seed-004",
        "kind": "news",
        "title_id": "Rencana Strategis Komunitas Sosial Budaya ASEAN pasca 2025 di Vietnam",
        "sectors": ["ascc-coordination"],
        "bodies": [],
    },
]
