"""Facts from the seeds, as a reviewer would check them in the reference data."""

from __future__ import annotations

import datetime as dt

import pytest

from ascc.reference.quotes import check_quotes
from ascc.registry import service as registry_service
from tests.conftest import SEEDS


def body(reference, body_id: str):
    return next(b for b in reference["bodies"] if b.id == body_id)


def test_every_quote_is_in_its_seed(reference):
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not beside the repository")
    assert check_quotes(reference, SEEDS) == []


def test_every_record_has_a_source(reference):
    for name, records in reference.records.items():
        for rec in records:
            assert rec.sources, f"{name}: {rec} has no source"


@pytest.mark.parametrize(
    ("body_id", "target"),
    [
        ("acw", "ammw"),
        ("acwc", "ammswd"),
        ("scc", "coci"),
        ("sci", "coci"),
        ("asoen", "amme"),
        ("com-aathp", "cop-aathp"),
        ("atfp", "com-aathp"),
        ("acdm", "ammdm"),
        ("somswd", "ammswd"),
        ("slom", "almm"),
        ("acmw", "slom"),
        ("somrdpe", "ammrdpe"),
        ("soms", "amms"),
        ("soca", "ascc-council"),
    ],
)
def test_reporting_lines_from_the_seeds(reference, body_id, target):
    b = body(reference, body_id)
    assert target in b.reports_to
    assert ("reports_to", target) not in {(i.field, i.value) for i in b.inferences}


@pytest.mark.parametrize(
    ("body_id", "target"),
    [
        ("som-ed", "ased"),
        ("somca", "amca"),
        ("somri", "amri"),
        ("somhd", "ahmm"),
        ("somri-wg-cp", "somri"),
        ("aha-centre", "aha-centre-governing-board"),
        ("dmha", "asean-secretariat"),
    ],
)
def test_reporting_lines_the_seeds_do_not_state_are_inferences_with_reasoning(reference, body_id, target):
    b = body(reference, body_id)
    assert target in b.reports_to
    (inference,) = [i for i in b.inferences if (i.field, i.value) == ("reports_to", target)]
    assert len(inference.reasoning) > 40


@pytest.mark.parametrize(
    ("body_id", "level"),
    [
        ("acwc", "commission"),
        ("aichr", "commission"),
        ("scc", "sub_committee"),
        ("sci", "sub_committee"),
        ("com-aathp", "senior_officials"),
        ("cop-aathp", "ministerial"),
        ("aha-centre-governing-board", "board"),
        ("asean-health-clusters", "cluster"),
        ("aswc", "consortium"),
        ("ajdec", "dialogue"),
        ("soc-com", "platform"),
        ("alicom", "network"),
        ("asean-oshnet", "network"),
        ("ooscy", "working_group"),
    ],
)
def test_levels_as_the_seed_names_them(reference, body_id, level):
    assert body(reference, body_id).level == level
    assert level in registry_service.BODY_LEVELS


def test_the_culture_and_information_committee_serves_both_sectors(session):
    for sector in ("culture", "information"):
        ids = {b.id for b in registry_service.list_bodies(session, sector=sector).items}
        assert {"coci", "acf"} <= ids, sector
    assert registry_service.get_body(session, body_id="coci").sectors == ["culture", "information"]
    assert "coci" not in {b.id for b in registry_service.list_bodies(session, sector="education").items}
    chart = registry_service.org_chart(session, sector_id="information")
    assert "sci" in {c.body.id for n in chart if n.body.id == "coci" for c in n.children}


def test_acdm_reports_to_ministers_and_to_the_aadmer_cop(reference):
    assert {"ammdm", "cop-aadmer"} <= set(body(reference, "acdm").reports_to)


def test_environment_working_groups_report_to_asoen_and_rotate_by_interest(reference):
    wgs = [b for b in reference["bodies"] if b.sector == "environment" and b.level == "working_group"]
    assert len(wgs) == 7
    for wg in wgs:
        assert "asoen" in wg.reports_to
        assert wg.chair_rotation.rule == "expression_of_interest"
        assert wg.chair_rotation.term_years == 3


def test_meeting_cycles(reference):
    assert body(reference, "amme").meeting_interval == "biennial"
    assert body(reference, "asoen").meeting_interval == "annual"
    assert body(reference, "ammswd").meeting_interval == "triennial"
    assert body(reference, "somswd").meeting_interval == "annual"
    assert body(reference, "cop-aathp").meeting_interval == "at_least_annual"
    assert body(reference, "ahmm").meeting_interval == "biennial"
    assert body(reference, "almm").meeting_interval == "biennial"


def test_chair_rotations(reference):
    asoen = body(reference, "asoen").chair_rotation
    assert (asoen.rule, asoen.term_years, asoen.host_follows_asean_chair) == ("alphabetical", 3, True)
    acdm = body(reference, "acdm").chair_rotation
    assert (acdm.rule, acdm.term_years) == ("alphabetical", 1)


def test_years_established(reference):
    assert body(reference, "amme").established == 1981
    assert body(reference, "ahmm").established == 1980
    assert body(reference, "acdm").established == 2003
    assert body(reference, "ammrdpe").established == 1988
    assert body(reference, "alicom").established == 2021
    assert body(reference, "ased").established is None  # the seeds don't say


def test_a_first_meeting_is_not_a_founding_date(reference):
    # the seeds date the first ALMM (April 1975) and the first COP of the haze agreement
    # (11 November 2004), not their founding
    assert body(reference, "almm").established is None
    assert body(reference, "cop-aathp").established is None


def test_acronyms_are_the_ones_the_seeds_give(reference):
    text = " ".join(p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")) if SEEDS.is_dir() else ""
    if not text:
        pytest.skip("../shared/seeds is not beside the repository")
    for b in reference["bodies"]:
        assert b.acronym is None or b.acronym in text, b.id


def test_same_acronym_different_bodies(reference):
    education = body(reference, "apt-emm-education")
    environment = body(reference, "apt-emm-environment")
    assert education.acronym == environment.acronym == "APT EMM"
    assert (education.sector, environment.sector) == ("education", "environment")


def test_partner_formats_of_culture_ministers(reference):
    formats = {f.name: f.format for f in body(reference, "amca").formats}
    assert formats["AMCA+3"] == "asean-plus-three"
    assert formats["AMCA+Japan"] == "asean-japan"
    apt = next(f for f in reference["formats"] if f.id == "asean-plus-three")
    assert sorted(apt.partners) == ["CHN", "JPN", "KOR"]


def test_seed_errors_are_corrected_with_a_note(reference):
    acdm = body(reference, "acdm")
    seed_texts = " ".join(c.seed_text for c in acdm.corrections)
    assert "20215" in seed_texts
    assert "2025" in " ".join(c.value for c in acdm.corrections)
    assert "20215" not in (acdm.mandate_id or "")


def test_indonesian_focal_points_exactly_as_given(reference):
    idn = [f for f in reference["focal_points"] if f.member_state == "IDN"]
    health = sorted(f.agency_name_id for f in idn if f.sector == "health")
    assert health == ["Badan Pengawas Obat dan Makanan (BPOM)", "Kementerian Kesehatan"]
    assert "asean-foundation" not in {f.sector for f in idn}  # the seed names no focal point there
    by_sector = {f.sector: f.agency_name_id for f in idn}
    assert by_sector["disaster-management"].startswith("Badan Nasional Penanggulangan Bencana")
    assert by_sector["social-welfare"] == "Kementerian Sosial"
    assert by_sector["ascc-coordination"] == "Kemenko PMK"
    assert by_sector["environment"] == by_sector["haze"]
    assert by_sector["education"] == by_sector["culture"]


def test_timor_leste_is_the_eleventh_member_from_26_october_2025(session):
    assert len(registry_service.list_member_states(session, on=dt.date(2024, 12, 31))) == 10
    members = registry_service.list_member_states(session, on=dt.date(2025, 10, 26))
    assert len(members) == 11
    assert registry_service.get_member_state(session, code="TLS").joined == dt.date(2025, 10, 26)
    assert len(registry_service.list_member_states(session, on=dt.date(1967, 8, 8))) == 5


def test_plans_and_priorities(reference):
    plans = {p.id: p for p in reference["plans"]}
    assert len(plans["asean-ydi-2022"].priorities) == 7
    assert len(plans["asean-ydi-2017"].priorities) == 5
    acw = next(p for p in plans.values() if "acw" in p.bodies and p.period_start == 2021)
    assert len(acw.priorities) == 7


def test_ninth_ammswd_meeting(reference):
    meeting = next(m for m in reference["meetings"] if m.body == "ammswd" and m.number == 9)
    assert meeting.host == "IDN"
    assert sorted(meeting.partners) == ["CHN", "JPN", "KOR"]
    assert len(meeting.outcomes) == 3
    assert meeting.date_start is None  # the seed gives no date, and no source found does
    assert meeting.dates_note and "No source found" in meeting.dates_note


def test_statistics_carry_units_and_scale(reference):
    stats = {(s.value, s.unit) for s in reference["statistics"]}
    assert (5_600_000, "people") in stats


def test_every_date_has_a_url_or_a_seed_quote(session):
    dated = [(f"programme {p.id}", d) for p in registry_service.list_programmes(session) for d in p.dates] + [
        (f"body {b.id}", d) for b in registry_service.list_bodies(session, limit=500).items for d in b.dates
    ]
    assert len(dated) >= 12
    for what, d in dated:
        assert (d.url or "").startswith(("https://", "http://")) or (d.file and d.quote), what


def test_agreements_and_centres_dated_from_public_sources(session):
    def when(record, event):
        return next(d.date for d in record.dates if d.event == event)

    aathp = registry_service.get_programme(session, programme_id="aathp")
    assert (when(aathp, "signed"), when(aathp, "entered_into_force")) == (
        dt.date(2002, 6, 10),
        dt.date(2003, 11, 25),
    )
    aadmer = registry_service.get_programme(session, programme_id="aadmer")
    assert (when(aadmer, "signed"), when(aadmer, "entered_into_force")) == (
        dt.date(2005, 7, 26),
        dt.date(2009, 12, 24),
    )
    charter = registry_service.get_programme(session, programme_id="asean-charter")
    assert when(charter, "signed") == dt.date(2007, 11, 20)  # the seed's 27 November is corrected
    foundation = registry_service.get_body(session, body_id="asean-foundation")
    assert when(foundation, "established") == dt.date(1997, 12, 15)
    assert when(registry_service.get_body(session, body_id="aha-centre"), "launched") == dt.date(2011, 11, 17)
    acb = registry_service.get_body(session, body_id="acb")
    assert acb.established == 2005 and any(
        (s.url or "").startswith("https://www.aseanbiodiversity.org") for s in acb.sources
    )


def test_every_agreement_declaration_centre_foundation_and_fund_is_dated_or_says_why_not(session):
    for p in registry_service.list_programmes(session):
        if p.kind in ("agreement", "declaration", "fund"):
            assert p.dates or p.dates_note, p.id
    for b in registry_service.list_bodies(session, limit=500).items:
        if b.level in ("centre", "foundation", "fund"):
            assert b.dates or b.dates_note, b.id


def test_every_correction_cites_where_the_correct_value_comes_from(session):
    corrected = [
        (f"body {b.id}", c)
        for b in registry_service.list_bodies(session, limit=500).items
        for c in b.corrections
    ] + [(f"programme {p.id}", c) for p in registry_service.list_programmes(session) for c in p.corrections]
    assert len(corrected) >= 12
    for what, c in corrected:
        assert (c.url or "").startswith(("https://", "http://")) or (c.file and c.quote), what
    charter = registry_service.get_programme(session, programme_id="asean-charter").corrections[0]
    assert charter.url == "https://en.wikipedia.org/wiki/ASEAN_Charter"


def test_every_numbered_meeting_the_seeds_mention_is_dated_from_a_source_or_says_why_not(session, reference):
    """A meeting's dates come from its `date_url` or from a seed quote naming the year; where
    neither exists the record says so (`dates_note`), on every backend as loaded."""
    meetings = {m.id: m for m in registry_service.list_meetings(session)}
    seed_quotes = {r.id: [s.quote for s in r.sources if s.file] for r in reference["meetings"]}
    assert {"ammswd-9", "cop-aathp-1", "almm-1", "amm-30", "asean-informal-summit-2"} <= set(meetings)
    for mid, m in meetings.items():
        if mid not in seed_quotes:
            continue
        if m.date_start is None:
            assert m.dates_note, mid
        else:
            assert (m.date_url or "").startswith(("https://", "http://")) or any(
                str(m.date_start.year) in q for q in seed_quotes[mid]
            ), mid
    almm = meetings["almm-1"]
    assert (almm.date_start, almm.date_end) == (dt.date(1975, 4, 1), dt.date(1975, 4, 3))
    assert almm.date_url.startswith("https://asean.org/")
    cop = meetings["cop-aathp-1"]
    assert cop.date_start == dt.date(2004, 11, 11) and cop.date_url.startswith("https://haze.asean.org/")
    summit = meetings["asean-informal-summit-2"]
    assert (summit.city, summit.date_start, summit.date_end) == (
        "Kuala Lumpur",
        dt.date(1997, 12, 14),
        dt.date(1997, 12, 16),
    )
    assert summit.corrections[0].seed_text.endswith("di Selangor, Malaysia")


def test_the_seeds_31st_foreign_ministers_meeting_is_corrected_to_the_30th(session):
    amm = registry_service.get_meeting(session, meeting_id="amm-30")
    assert (amm.number, amm.city, amm.date_start, amm.date_end) == (
        30,
        "Subang Jaya",
        dt.date(1997, 7, 24),
        dt.date(1997, 7, 25),
    )
    (fix,) = amm.corrections
    assert (fix.field, fix.seed_text, fix.value) == ("number", "pertemuan ke-31", "30")
    assert fix.url and fix.url.startswith("http")
    sector = next(c for c in registry_service.get_sector(session, sector_id="asean-foundation").corrections)
    assert sector.seed_text == "pertemuan ke-31" and sector.url == fix.url


def test_plan_periods_the_seeds_leave_out_come_from_cited_pages(reference):
    plans = {p.id: p for p in reference["plans"]}

    def cited(plan, prefix):
        return any((s.url or "").startswith(prefix) for s in plan.sources)

    haze = plans["haze-roadmap-2016"]
    assert (haze.period_start, haze.period_end, haze.adopted) == (2016, 2020, dt.date(2016, 8, 11))
    assert cited(haze, "https://hazeportal.asean.org/")
    aphda = plans["aphda"]
    assert (aphda.period_start, aphda.period_end) == (2016, 2020) and cited(aphda, "https://asean-phe.org/")
    aec = plans["aec-strategic-plan-2045"]
    assert (aec.period_start, aec.period_end) == (2026, 2030) and cited(aec, "https://en.vietnamplus.vn/")
    vap = plans["vientiane-action-programme"]
    assert vap.adopted == dt.date(2004, 11, 29) and cited(vap, "https://aseanplusthree.asean.org/")
    for pid in ("ascc-blueprint-2025", "asean-community-vision-2025"):
        assert plans[pid].adopted == dt.date(2015, 11, 22) and cited(plans[pid], "https://asean.org/")
    for pid in ("apsc-strategic-plan-2045", "connectivity-strategic-plan-2045"):
        # no source found states their periods: left empty and said so
        assert plans[pid].period_start is None and "no public source found" in plans[pid].summary_en


def test_a_meeting_page_shows_its_dates_with_their_source_or_why_there_are_none(client):
    page = client.get("/meetings/almm-1", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert '<time datetime="1975-04-01">' in page.text and '<time datetime="1975-04-03">' in page.text
    assert 'href="https://asean.org/?static_post=joint-communique-of-the-first-meeting' in page.text
    undated = client.get("/meetings/ammswd-9", headers={"Accept-Language": "en"}).text
    assert "Dates not found" in undated and "No source found states its date" in undated
