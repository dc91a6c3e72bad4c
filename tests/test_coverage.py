"""The coverage audit of the seeds (``ascc check --coverage``) and the statements it led to."""

from __future__ import annotations

import shutil

import pytest
import yaml
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ascc.app import create_app
from ascc.cli.main import app
from ascc.config import Settings
from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.knowledge import service as knowledge_service
from ascc.reference import coverage
from ascc.reference.files import DATA_DIR, ReferenceSet
from ascc.reference.schema import Plan, Priority, Source, Statement
from ascc.registry import export as registry_export
from ascc.wiring import session_factory
from tests.conftest import ROOT, SEEDS, load, make_user

runner = CliRunner()
needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside the repository")
SEED = "000_3e512ae5cc0f38a8.txt"
REPORT = ROOT / "docs" / "coverage.md"


# --- the audit on the shipped data ----------------------------------------------------------


@needs_seeds
def test_every_sentence_and_list_item_of_every_seed_is_accounted_for(reference):
    report = coverage.run(reference, SEEDS)
    assert report.problems == []
    assert [(u.seed, u.number, u.text) for u in report.unaccounted()] == []
    assert len(report.units) == 5 and all(len(items) > 20 for items in report.units.values())


@needs_seeds
def test_the_committed_report_is_current(reference):
    """docs/coverage.md is what ``ascc check --coverage --write`` writes today."""
    assert REPORT.read_text(encoding="utf-8") == coverage.render(coverage.run(reference, SEEDS))


@needs_seeds
def test_the_lists_the_issue_names_are_carried_by_records(reference):
    report = coverage.run(reference, SEEDS)

    def carriers(seed: str, fragment: str) -> list[str]:
        hits = [a for a in report.units[seed] if fragment.lower() in a.unit.text.lower()]
        assert hits, fragment
        return [r for a in hits for r in a.records]

    s001, s002, s003, s004 = (f for f in coverage.schema.SEED_FILES[1:])
    assert "statements/social-challenge-systems" in carriers(s001, "Perbedaan sistem politik dan budaya")
    assert "statements/social-recommendation-monitoring" in carriers(
        s001, "mekanisme monitoring dan evaluasi"
    )
    assert "statements/disaster-comparison-shortcomings" in carriers(s001, "Kekurangan |")
    assert "statements/education-highlight-4" in carriers(s003, "Advokasi untuk sekolah yang aman")
    assert "statements/sports-focus-4" in carriers(s003, "partisipasi perempuan dalam olahraga")
    assert "statements/information-channel-2" in carriers(s003, "media penyiaran")
    assert "statements/ammswd-9-attendance-ngo" in carriers(s002, "lembaga nonpemerintah")
    assert "statements/ascc-sp-workshop-attendance" in carriers(s004, "Lokakarya dihadiri oleh")
    assert "statements/ascc-sp-potential-4" in carriers(s004, "kewarganegaraan digital")


# --- the rule, on texts of our own ------------------------------------------------------------


def test_splitting_into_sentences_list_items_and_table_rows():
    text = (
        "Judul Halaman\n\n-\n---|---|\n"
        'Kalimat satu. Kalimat dua? "Tiga" juga… 2025 berakhir.\n'
        "1.    Data dan Statistik Gender;\n"
        "  • Berdaya Tahan dan\n"
        "(ii)    Pekerjaan dan Peluang;\n"
        "Isu | Tujuan | Hasil. Lagi |\n"
    )
    units = coverage.split(SEED, text)
    assert [(u.number, u.kind, u.text) for u in units] == [
        (1, "sentence", "Judul Halaman"),
        (2, "sentence", "Kalimat satu."),
        (3, "sentence", "Kalimat dua?"),
        (4, "sentence", '"Tiga" juga…'),
        (5, "sentence", "2025 berakhir."),
        (6, "item", "1. Data dan Statistik Gender;"),
        (7, "item", "• Berdaya Tahan dan"),
        (8, "item", "(ii)    Pekerjaan dan Peluang;"),
        (9, "row", "Isu | Tujuan | Hasil. Lagi |"),
    ]
    assert units[6].core == "berdaya tahan" and units[5].core == "data dan statistik gender"


def _ref(**records) -> ReferenceSet:
    return ReferenceSet({name: list(items) for name, items in records.items()}, {})


def _statement(id_: str, *quotes: str) -> Statement:
    return Statement(
        id=id_,
        kind="goal",
        subject="pillars/socio-cultural",
        text_id=quotes[0],
        sources=[Source(file=SEED, quote=q) for q in quotes],
    )


def test_quotes_carry_their_sentences_reasons_account_for_others_and_the_rest_is_unaccounted():
    texts = {
        SEED: "Berita\nASEAN membentuk sebuah komite baru. Komite itu bertemu setiap tahun sekali. "
        "Cuaca cerah hari ini.\nASEAN membentuk sebuah komite baru.\n"
    }
    entries = [coverage.Entry(seed=SEED, reason="navigation", note="the site's label", fragments=["Berita"])]
    report = coverage.audit(
        _ref(statements=[_statement("x", "membentuk sebuah komite baru")]), texts, entries
    )
    units = report.units[SEED]
    # a quote carries every place it occurs (the repeated sentence too); the reason covers "Berita"
    assert [a.records for a in units] == [[], ["statements/x"], [], [], ["statements/x"]]
    assert units[0].reasons == entries
    assert [u.number for u in report.unaccounted()] == [3, 4]
    assert "**UNACCOUNTED**" in coverage.render(report)


def test_a_quote_over_a_sentence_boundary_carries_both_sentences():
    texts = {SEED: "Komite itu dibentuk pada tahun 2021. Komite itu bertemu setiap tahun sekali.\n"}
    quote = "dibentuk pada tahun 2021. Komite itu bertemu"
    report = coverage.audit(_ref(statements=[_statement("x", quote)]), texts, [])
    assert report.unaccounted() == []


def test_a_plans_priorities_carry_the_seeds_list_of_them():
    texts = {
        SEED: "Prioritas rencana kerja:\n1.    Data dan Statistik Gender;\n2.    Pengarusutamaan Gender;\n"
    }
    plan = Plan(
        id="p",
        title_en="A plan",
        kind="work_plan",
        priorities=[Priority(number="1", title_id="Data dan Statistik Gender")],
        sources=[Source(file=SEED, quote="Prioritas rencana kerja")],
    )
    report = coverage.audit(_ref(plans=[plan]), texts, [])
    assert [u.number for u in report.unaccounted()] == [3]


def test_a_name_inside_a_sentence_does_not_carry_the_sentence_but_a_corrected_wording_does():
    texts = {
        SEED: "Kerja sama ketenagakerjaan dan kesejahteraan masyarakat.\n1.    Konservasi pengelolaan hutan;\n"
        "Rencana kerja ini.\n"
    }
    plan = Plan(
        id="p",
        title_en="A plan",
        title_id="Kesejahteraan Masyarakat",
        kind="work_plan",
        priorities=[Priority(number="1", title_id="Konservasi dan pengelolaan hutan")],
        corrections=[
            {
                "field": "priorities.1.title_id",
                "seed_text": "Konservasi pengelolaan hutan",
                "value": "Konservasi dan pengelolaan hutan",
                "note": "the seed drops dan",
                "url": "https://example.org/the-plan",
            }
        ],
        sources=[Source(file=SEED, quote="Rencana kerja ini")],
    )
    report = coverage.audit(_ref(plans=[plan]), texts, [])
    assert [u.number for u in report.unaccounted()] == [1]
    assert report.units[SEED][1].records == ["plans/p"]


def test_a_short_fragment_names_only_a_unit_that_is_exactly_it_and_a_stale_one_is_a_problem():
    texts = {SEED: "A\nA la carte adalah istilah.\n"}
    entries = [
        coverage.Entry(seed=SEED, reason="navigation", note="font size buttons", fragments=["A", "Tidak ada"])
    ]
    report = coverage.audit(_ref(), texts, entries)
    assert [u.number for u in report.unaccounted()] == [2]
    assert len(report.problems) == 1 and "Tidak ada" in str(report.problems[0])


# --- the command ------------------------------------------------------------------------------


@needs_seeds
def test_check_coverage_passes_on_the_shipped_data_and_writes_the_report(tmp_path):
    out = tmp_path / "coverage.md"
    r = runner.invoke(app, ["check", "--coverage", "--write", "--report", str(out), "--seeds", str(SEEDS)])
    assert r.exit_code == 0, r.output
    assert out.read_text(encoding="utf-8") == REPORT.read_text(encoding="utf-8")


@needs_seeds
def test_check_coverage_fails_on_an_unaccounted_sentence_and_names_it(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    entries = yaml.safe_load((data / "coverage.yaml").read_text(encoding="utf-8"))
    entries = [e for e in entries if "Komentar (0)" not in e["fragments"]]
    (data / "coverage.yaml").write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    r = runner.invoke(app, ["check", "--coverage", "--data-dir", str(data), "--seeds", str(SEEDS)])
    assert r.exit_code == 1
    assert "004_78eb73488eeb3ca3.txt §24 unaccounted" in r.output and "Komentar (0)" in r.output


# --- statements in the database, on the pages, in the search, in the export -----------------


def test_statements_show_on_the_pages_where_users_look(client):
    html = client.get("/sectors/education", params={"lang": "en"}).text
    assert "Highlights" in html and "Advocacy for safe and resilient schools." in html
    assert "Advokasi untuk sekolah yang aman dan tangguh" in html  # the source quote
    html_id = client.get("/sectors/education", params={"lang": "id"}).text
    assert "Sorotan" in html_id and "Advokasi untuk sekolah yang aman dan tangguh" in html_id
    plan = client.get("/plans/ascc-strategic-plan-2026-2035", params={"lang": "en"}).text
    assert "Trends and emerging challenges" in plan and "Rapid population ageing." in plan
    assert "Also called the ASCC Strategic Plan post-2025." in plan
    meeting = client.get("/meetings/ammswd-9", params={"lang": "en"}).text
    assert "Speakers" in meeting and "Khofifah Indar Parawansa" in meeting
    sectors = client.get("/sectors", params={"lang": "en"}).text
    assert "Challenges" in sectors and "Different political systems and cultures" in sectors
    ordered = client.get("/sectors/education.json").json()["statements"]
    assert [s["id"] for s in ordered if s["kind"] == "priority"] == [
        f"education-priority-{i}" for i in range(1, 5)
    ]


def test_statements_are_searched_with_their_subject(client):
    assert "/sectors/sports" in client.get("/search", params={"q": "ofisial olahraga"}).text
    assert "/sectors/information" in client.get("/search", params={"q": "media luar ruang"}).text
    # what the seeds state about the pillar itself is found as the pillar, on the sectors page
    found = client.get("/search.json", params={"q": "caring and sharing community"}).json()
    assert "/sectors#pillar-socio-cultural" in [r["url"] for r in found["result"]["items"]]


def test_statements_are_exported_with_their_sources(session):
    rows = {s["id"]: s for s in registry_export.registry_json(session)["statements"]}
    channel = rows["information-channel-1"]
    assert channel["subject"] == "sectors/information" and channel["kind"] == "channel"
    assert channel["sources"][0]["file"] == "003_7591d795653bab0c.txt"


@needs_seeds
def test_the_secretariat_reads_the_audit_on_its_page(fresh_url, reference):
    load(fresh_url, reference)
    engine = make_engine(fresh_url)
    with unit_of_work(session_factory(engine)) as session:
        knowledge_service.load_seeds(session, folder=SEEDS)
    engine.dispose()
    token = make_user(fresh_url, email="auditor@asean.org")
    focal = make_user(
        fresh_url, email="fp@example.org", role="focal_point", member_state="IDN", sectors=["youth"]
    )
    with TestClient(create_app(Settings(database_url=fresh_url))) as client:
        assert client.get("/coverage.json").status_code == 401
        assert client.get("/coverage.json", headers={"Authorization": f"Bearer {focal}"}).status_code == 403
        page = client.get("/coverage.json", headers={"Authorization": f"Bearer {token}"}).json()
        assert page["missing"] == [] and page["unaccounted"] == 0
        assert [row["unaccounted"] for row in page["summary"]] == [0, 0, 0, 0, 0]
        unit = next(u for u in page["seeds"][4]["units"] if u["text"] == "Komentar (0)")
        assert unit["reasons"] == [{"reason": "navigation", "note": "the comment counter under the article"}]
        html = client.get(
            "/coverage", params={"lang": "id"}, headers={"Authorization": f"Bearer {token}"}
        ).text
        assert (
            "Cakupan dokumen sumber" in html and 'href="/sectors/education#st-education-highlight-1"' in html
        )
