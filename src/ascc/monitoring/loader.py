"""Load the real series in ``../shared/data`` as demo data: indicator definitions with their sources,
subnational areas, and the national and subnational observations.

The observations are official published statistics, so they are stored as approved; a value the
source calls a projection (UN WPP medium variant) is provisional, every other one final. They go
through the same checked, all-or-nothing import as any file, so loading again changes nothing.

Loading again never changes what people wrote: a value whose current revision is a focal point's
draft or pending submission, or was approved by the Secretariat (or written by anyone but this
loader), and an indicator or area a person edited last, are left alone and listed in ``kept``.
"""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from ascc.audit.provenance import Kept, is_person, last_actors
from ascc.monitoring import service, terms
from ascc.monitoring.imports.importer import Catalogue, Problem
from ascc.monitoring.models import Area, Indicator

DATA = Path("../shared/data")

#: sector tags of the data → registry sector ids (src/ascc/reference/data/sectors.yaml); population
#: has no sector of its own in the registry, so it maps to none
SECTORS = {
    "population": None,
    "health": "health",
    "education": "education",
    "youth": "youth",
    "women_children": "women-children",
    "labour": "labour",
    "social_welfare": "social-welfare",
    "poverty_rural_development": "rural-development",
    "environment": "environment",
    "disasters": "disaster-management",
    "culture": "culture",
}

#: which way is better, only where the indicator's definition settles it: deaths, poverty, inequality,
#: unemployment, pollution and disaster losses are to be reduced; survival, coverage, access,
#: schooling, literacy and human development are to be raised. Size and structure (population,
#: fertility, rural share, gross enrolment ratios that may pass 100, spending or trade shares,
#: subscriptions) have no better direction and stay None.
LOWER = {
    "SH.DYN.MORT",
    "SH.DYN.NMRT",
    "SH.STA.MMRT",
    "SH.STA.STNT.ZS",
    "SP.ADO.TFRT",
    "SI.POV.DDAY",
    "SI.POV.NAHC",
    "SI.POV.GINI",
    "SL.UEM.TOTL.ZS",
    "SL.UEM.1524.FE.ZS",
    "SL.UEM.1524.MA.ZS",
    "SL_TLF_NEET",
    "SL.EMP.VULN.FE.ZS",
    "EN.ATM.PM25.MC.M3",
    "EN.ATM.CO2E.PC",
    "GCB.CO2.TERR",
    "VC_DSR_MORT",
    "VC_DSR_AFFCT",
    "GDL.U5MORT",
    "GDL.STUNTING",
    "GDL.IWIPOV70",
    "BPS.POV.P0",
    "BPS.TPT",
    "BPS.GINI",
}
HIGHER = {
    "SP.DYN.LE00.IN",
    "SH.IMM.MEAS",
    "SH.IMM.IDPT",
    "SH.STA.BRTC.ZS",
    "SH_H2O_SAFE",
    "SE.PRM.CMPT.ZS",
    "SE.ADT.LITR.ZS",
    "SE.ADT.1524.LT.ZS",
    "SG.GEN.PARL.ZS",
    "EG.ELC.ACCS.ZS",
    "IT_USE_II99",
    "SI_COV_BENFTS",
    "AG.LND.FRST.ZS",
    "GDL.SHDI",
    "GDL.LIFEXP",
    "GDL.LIFEXP.FE",
    "GDL.ESCH",
    "GDL.MSCH",
    "GDL.MEASLES",
    "GDL.ELECTR",
    "GDL.PIPEDWATER",
    "GDL.FLUSHTOILET",
    "GDL.INTERNET",
    "GDL.ATTEND.1517",
    "GDL.WORKWOM",
    "BPS.IPM",
    "BPS.IPM.OLDMETHOD",
}
#: Indonesian names and definitions of every demo series (``data/indicators_id.yaml``, via ``terms``)
ID_TERMS = terms.series()
#: Indonesian names that the sources themselves give (the series name, or the BPS source file's name)
NAMES_ID = {code: t["name"] for code, t in ID_TERMS.items() if not t["name_translated"]}
#: Indonesian names the sources do NOT give: the platform's translations of the English series names
#: into the usual Indonesian (BPS) terms, so that the pages and the search have them in Indonesian.
#: Each such record says so in its ``sources`` (``kind: translation``), as does a translated definition.
NAMES_ID_TRANSLATED = {code: t["name"] for code, t in ID_TERMS.items() if t["name_translated"]}
TRANSLATION_NOTES = {
    "name_id": "Indonesian name translated by the platform; the source gives the English name only",
    "definition_id": "Indonesian definition translated by the platform; the source gives the English definition only",
}
#: where the GDL region names come from (README of the data)
GDL_NAMES = "github.com/open-numbers/ddf--gdl--shdi @ 044b3e07d16d : ddf--entities--level--subnat.csv"


@dataclasses.dataclass
class DemoReport:
    indicators_created: int = 0
    indicators_updated: int = 0
    areas_created: int = 0
    areas_updated: int = 0
    #: indicators and areas a person edited last: left as they are
    kept: Kept = dataclasses.field(default_factory=Kept)
    imports: list[service.ImportReport] = dataclasses.field(default_factory=list)
    problems: list[Problem] = dataclasses.field(default_factory=list)


def upstream_url(upstream: str) -> str | None:
    """``github.com/owner/repo @ commit : path`` → the file's address at that commit (its folder when
    the path is a pattern such as ``…-<M49>-….csv``)."""
    try:
        repo, rest = (p.strip() for p in upstream.split("@", 1))
        commit, path = (p.strip() for p in rest.split(":", 1))
    except ValueError:
        return None
    if "<" in path:
        return f"https://{repo}/tree/{commit}/{quote(path.rsplit('/', 1)[0])}"
    return f"https://{repo}/blob/{commit}/{quote(path)}"


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def indicator_records(data: Path = DATA) -> list[dict]:
    out = []
    for file, level in (
        ("series_metadata.csv", "national"),
        ("subnational_series_metadata.csv", "subnational"),
    ):
        for r in _read(data / file):
            code = r["series_code"]
            url = upstream_url(r["upstream"])
            idn = ID_TERMS.get(code, {})
            # an Indonesian definition only where there is an English one to translate
            definition_id = idn.get("definition") if r["definition"] else None
            translated = [
                f
                for f, text, flag in (
                    ("name_id", idn.get("name"), "name_translated"),
                    ("definition_id", definition_id, "definition_translated"),
                )
                if text and idn[flag]
            ]
            out.append(
                {
                    "code": code,
                    "name_en": r["name"],
                    "name_id": idn.get("name"),
                    "definition_en": r["definition"] or None,
                    "definition_id": definition_id,
                    "unit": r["unit"] or None,
                    "direction": "lower" if code in LOWER else "higher" if code in HIGHER else None,
                    "sector": SECTORS.get(r["sector"]),
                    "sector_tag": r["sector"] or None,
                    "level": level,
                    "frequency": "annual",
                    "disaggregations": ["area"] if level == "subnational" else [],
                    "numerator": None,
                    "denominator": None,
                    "source_org": r["source_org"] or None,
                    "source_dataset": r["source_dataset"] or None,
                    "source_url": url,
                    "licence": r["licence"] or None,
                    "sources": [{"file": file, "quote": r["upstream"], "url": url}]
                    + [{"kind": "translation", "field": f, "note": TRANSLATION_NOTES[f]} for f in translated],
                }
            )
    return out


def area_records(data: Path = DATA) -> list[dict]:
    out = []
    for r in _read(data / "subnational_regions.csv"):
        gdl = r["region_scheme"] == "GDL"
        source = {"file": "subnational_regions.csv"}
        if gdl:
            source |= {"quote": GDL_NAMES, "url": upstream_url(GDL_NAMES)}
        out.append(
            {
                "code": r["region_code"],
                "scheme": r["region_scheme"],
                "member_state": r["country_iso3"],
                "name": r["region_name"],
                "iso_3166_2": r["iso_3166_2"] or None,
                "bps_code": r["bps_code"] or None,
                "sources": [source],
            }
        )
    return out


def _upsert(session: Session, model, key: str, records: list[dict], kept: Kept) -> tuple[int, int]:
    """Create the missing rows, update the loader's own; a row a person edited last stays (``kept``)."""
    existing = {getattr(r, key): r for r in session.scalars(select(model))}
    created = updated = 0
    edited: dict[str, str] | None = None
    for rec in records:
        row = existing.get(rec[key])
        if row is None:
            session.add(model(**rec))
            created += 1
            continue
        changes = {f: v for f, v in rec.items() if getattr(row, f) != v}
        if not changes:
            continue
        if edited is None:  # looked up once, when the first update is due
            edited = last_actors(session, entity=model.__tablename__, ids=existing)
        if is_person(edited.get(rec[key])):
            kept.add(f"{model.__tablename__} {rec[key]}", f"edited by {edited[rec[key]]}")
            continue
        for field, value in changes.items():
            setattr(row, field, value)
        updated += 1
    return created, updated


def load_demo(session: Session, data: Path = DATA, *, progress=None) -> DemoReport:
    """Indicators, areas and observations from ``data``; all or nothing, idempotent."""
    report = DemoReport()
    report.indicators_created, report.indicators_updated = _upsert(
        session, Indicator, "code", indicator_records(data), report.kept
    )
    report.areas_created, report.areas_updated = _upsert(
        session, Area, "code", area_records(data), report.kept
    )
    session.flush()
    cat = Catalogue.load(session)
    for name in ("indicators_country_year.csv", "subnational_region_year.csv"):
        imp = service.import_file(
            session,
            data / name,
            fmt="csv",
            approval="approved",
            catalogue=cat,
            progress=progress,
            only_own=True,
        )
        report.imports.append(imp)
        report.problems += imp.problems
    return report
