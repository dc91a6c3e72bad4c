"""Providers: what each kind of record contributes to the search index.

A provider lists its keys (for a full rebuild), gives the entries of one key (none when the record
is gone), and says which tables it watches: when a row of such a table is written, the provider's
key for that row is refreshed at commit. A new kind of record (the monitoring domain's indicators,
say) joins the search by calling :func:`register` with its own provider; nothing else changes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ascc.accounts.schemas import Principal, Role
from ascc.decisions import service as decisions_service
from ascc.disasters import service as disasters_service
from ascc.kit.errors import NotFound
from ascc.knowledge import text as t
from ascc.knowledge.models import Document, Passage
from ascc.monitoring import published, terms
from ascc.registry import service as registry_service
from ascc.results import service as results_service

#: the index reads every record whatever its audience; each entry keeps the audience for the search
INDEXER = Principal(name="search index", role=Role.secretariat)


@dataclasses.dataclass
class Entry:
    kind: str
    ref: str
    url: str
    title: dict[str, str | None]
    text: dict[str, str | None]
    sectors: list[str] = dataclasses.field(default_factory=list)
    languages: list[str] = dataclasses.field(default_factory=lambda: ["en", "id"])
    year: int | None = None
    audience: str = "public"
    document_id: int | None = None
    position: int | None = None
    heading: bool = False


@dataclasses.dataclass(frozen=True)
class Provider:
    name: str
    keys: Callable[[Session], Iterable[str]]
    entries: Callable[[Session, str], list[Entry]]
    #: table name → function of a written ORM instance giving this provider's key (or None)
    watches: dict[str, Callable[[Any], str | None]]


PROVIDERS: dict[str, Provider] = {}


def register(provider: Provider) -> Provider:
    PROVIDERS[provider.name] = provider
    return provider


def _get(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except NotFound:
        return None


def _join(*parts: str | None) -> str:
    return "\n".join(p for p in parts if p)


# --- registry ---------------------------------------------------------------------------------


def _stated(session: Session, subject: str) -> dict[str, str]:
    """What the seeds state about ``subject`` (goals, challenges, priorities …), one per line."""
    items = registry_service.list_statements(session, subject=subject)
    return {lang: "\n".join(x for st in items if (x := getattr(st.text, lang))) for lang in ("en", "id")}


def _on(table: str) -> Callable[[Any], str | None]:
    """The key of a statement's subject when it is a record of ``table`` (what a write of it refreshes)."""
    return lambda o: o.subject_id if o.subject_type == table else None


def _body_entries(session: Session, key: str) -> list[Entry]:
    b = _get(lambda: registry_service.get_body(session, body_id=key))
    if b is None:
        return []
    title_en = f"{b.acronym} — {b.name.en}" if b.acronym else b.name.en
    title_id = f"{b.acronym} — {b.name.id}" if b.acronym and b.name.id else b.name.id
    st = _stated(session, f"bodies/{b.id}")
    return [
        Entry(
            "body",
            b.id,
            f"/bodies/{b.id}",
            {"en": title_en, "id": title_id},
            {"en": _join(b.mandate.en, st["en"]), "id": _join(b.mandate.id, b.composition_id, st["id"])},
            sectors=[b.sector] if b.sector else [],
            year=b.established,
        )
    ]


register(
    Provider(
        "body",
        lambda s: [b.id for b in registry_service.list_bodies(s, limit=500).items],
        _body_entries,
        {"bodies": lambda o: o.id, "reporting_lines": lambda o: o.body_id, "statements": _on("bodies")},
    )
)


def _pillar_entries(session: Session, key: str) -> list[Entry]:
    x = next((p for p in registry_service.list_pillars(session) if p.id == key), None)
    if x is None:
        return []
    st = _stated(session, f"pillars/{x.id}")
    text = {"en": _join(x.description.en, st["en"]), "id": _join(x.description.id, st["id"])}
    return [Entry("pillar", x.id, f"/sectors#pillar-{x.id}", x.name.model_dump(), text)]


register(
    Provider(
        "pillar",
        lambda s: [x.id for x in registry_service.list_pillars(s)],
        _pillar_entries,
        {"pillars": lambda o: o.id, "statements": _on("pillars")},
    )
)


def _sector_entries(session: Session, key: str) -> list[Entry]:
    x = _get(lambda: registry_service.get_sector(session, sector_id=key))
    if x is None:
        return []
    st = _stated(session, f"sectors/{x.id}")
    text = {"en": _join(x.summary.en, st["en"]), "id": _join(x.summary.id, st["id"])}
    return [Entry("sector", x.id, f"/sectors/{x.id}", x.name.model_dump(), text, sectors=[x.id])]


register(
    Provider(
        "sector",
        lambda s: [x.id for x in registry_service.list_sectors(s)],
        _sector_entries,
        {"sectors": lambda o: o.id, "statements": _on("sectors")},
    )
)


def _plan_entries(session: Session, key: str) -> list[Entry]:
    p = _get(lambda: registry_service.get_plan(session, plan_id=key))
    if p is None:
        return []
    prio_en = "\n".join(f"{x.number}. {x.title.en}" for x in p.priorities if x.title.en)
    prio_id = "\n".join(f"{x.number}. {x.title.id}" for x in p.priorities if x.title.id)
    year = p.adopted.year if p.adopted else p.period_start
    st = _stated(session, f"plans/{p.id}")
    return [
        Entry(
            "plan",
            p.id,
            f"/plans/{p.id}",
            p.title.model_dump(),
            {"en": _join(p.summary.en, prio_en, st["en"]), "id": _join(p.summary.id, prio_id, st["id"])},
            sectors=p.sectors,
            year=year,
        )
    ]


register(
    Provider(
        "plan",
        lambda s: [p.id for p in registry_service.list_plans(s)],
        _plan_entries,
        {"plans": lambda o: o.id, "statements": _on("plans")},
    )
)


def _programme_entries(session: Session, key: str) -> list[Entry]:
    p = _get(lambda: registry_service.get_programme(session, programme_id=key))
    if p is None:
        return []
    title = {k: (f"{p.acronym} — {v}" if p.acronym and v else v) for k, v in p.name.model_dump().items()}
    st = _stated(session, f"programmes/{p.id}")
    text = {"en": _join(p.description.en, st["en"]), "id": _join(p.description.id, st["id"])}
    return [
        Entry("programme", p.id, f"/programmes/{p.id}", title, text, sectors=p.sectors, year=p.period_start)
    ]


register(
    Provider(
        "programme",
        lambda s: [p.id for p in registry_service.list_programmes(s)],
        _programme_entries,
        {"programmes": lambda o: o.id, "statements": _on("programmes")},
    )
)


def _member_state_entries(session: Session, key: str) -> list[Entry]:
    m = _get(lambda: registry_service.get_member_state(session, code=key))
    if m is None:
        return []
    return [
        Entry(
            "member_state",
            m.code,
            f"/member-states/{m.code}",
            m.name.model_dump(),
            {"en": m.code, "id": m.code},
            year=m.joined.year,
        )
    ]


register(
    Provider(
        "member_state",
        lambda s: [m.code for m in registry_service.list_member_states(s)],
        _member_state_entries,
        {"member_states": lambda o: o.code},
    )
)


def _meeting_entries(session: Session, key: str) -> list[Entry]:
    m = _get(lambda: registry_service.get_meeting(session, meeting_id=key))
    if m is None:
        return []
    out_en = "\n".join(o.text.en for o in m.outcomes if o.text.en)
    out_id = "\n".join(o.text.id for o in m.outcomes if o.text.id)
    st = _stated(session, f"meetings/{m.id}")
    return [
        Entry(
            "meeting",
            m.id,
            f"/meetings/{m.id}",
            m.title.model_dump(),
            {"en": _join(m.venue, m.city, out_en, st["en"]), "id": _join(out_id, st["id"])},
            year=m.date_start.year if m.date_start else None,
            audience=m.audience,
        )
    ]


register(
    Provider(
        "meeting",
        lambda s: [m.id for m in registry_service.list_meetings(s)],
        _meeting_entries,
        {"meetings": lambda o: o.id, "statements": _on("meetings")},
    )
)


# --- decisions and disasters ------------------------------------------------------------------


def _decision_entries(session: Session, key: str) -> list[Entry]:
    d = _get(lambda: decisions_service.get_item(session, principal=INDEXER, item_id=int(key)))
    if d is None:
        return []
    last = d.proposals[-1] if d.proposals else None
    return [
        Entry(
            "decision",
            str(d.id),
            f"/decisions/{d.id}",
            {"en": d.title_en, "id": d.title_id},
            {"en": _join(d.summary, last.text_en if last else None), "id": last.text_id if last else None},
            sectors=[d.sector_id] if d.sector_id else [],
            year=(d.adopted_on or d.created_at).year,
            audience=d.audience.value,
        )
    ]


def _item_id(o: Any) -> str | None:
    return str(o.item_id) if getattr(o, "item_id", None) is not None else None


register(
    Provider(
        "decision",
        lambda s: [str(i.id) for i in decisions_service.list_items(s, principal=INDEXER)],
        _decision_entries,
        {"decision_items": lambda o: str(o.id) if o.id is not None else None, "decision_proposals": _item_id},
    )
)


def _disaster_entries(session: Session, key: str) -> list[Entry]:
    e = _get(lambda: disasters_service.get_event(session, event_id=int(key)))
    if e is None:
        return []
    where = ", ".join(e["member_states"])
    title_en = e["name"] or f"{e['hazard_name']['en']}, {where}"
    title_id = e["name"] or f"{e['hazard_name']['id']}, {where}"
    when = e["start_date"].isoformat()
    detail = _join(e["hazard_name"]["en"], e["location"], e["glide"], when)
    return [
        Entry(
            "disaster",
            key,
            f"/disasters/{key}",
            {"en": title_en, "id": title_id},
            {"en": detail, "id": _join(e["hazard_name"]["id"], e["location"], when)},
            year=e["start_date"].year,
        )
    ]


def _disaster_keys(session: Session) -> list[str]:
    keys: list[str] = []
    while True:
        page = disasters_service.list_events(session, limit=500, offset=len(keys))
        keys += [str(e["id"]) for e in page.items]
        if not page.items or len(keys) >= page.total:
            return keys


register(
    Provider(
        "disaster",
        _disaster_keys,
        _disaster_entries,
        {
            "disaster_events": lambda o: str(o.id) if o.id is not None else None,
            "disaster_event_sources": lambda o: str(o.event_id) if o.event_id else None,
        },
    )
)


# --- results chain ------------------------------------------------------------------------------


def _activity_entries(session: Session, key: str) -> list[Entry]:
    a = _get(lambda: results_service.get_activity(session, activity_id=int(key)))
    if a is None:
        return []
    detail_en = _join(
        a["description"]["en"], a["iati_identifier"], *(o["title"]["en"] for o in a["outcomes"])
    )
    detail_id = _join(
        a["description"]["id"], a["iati_identifier"], *(o["title"]["id"] for o in a["outcomes"])
    )
    start = a["actual_start"] or a["planned_start"]
    return [
        Entry(
            "activity",
            key,
            f"/activities/{key}",
            a["title"],
            {"en": detail_en, "id": detail_id},
            sectors=[a["sector"]] if a["sector"] else [],
            year=start.year if start else None,
        )
    ]


register(
    Provider(
        "activity",
        lambda s: [str(a.id) for a in results_service.rows(s)],
        _activity_entries,
        {"results_activities": lambda o: str(o.id) if o.id is not None else None},
    )
)


# --- documents and their passages -------------------------------------------------------------


def _document_entries(session: Session, key: str) -> list[Entry]:

    doc = session.get(Document, int(key))
    if doc is None:
        return []
    lang = doc.language
    title = {"en": doc.title_en, "id": doc.title_id}
    common = {
        "sectors": doc.sectors,
        "languages": [lang],
        "year": doc.date.year if doc.date else None,
        "audience": doc.audience,
        "document_id": doc.id,
    }
    base = f"/documents/{doc.slug}"
    lead = doc.text[:1500]
    out = [Entry("document", doc.slug, base, title, {lang: lead}, **common)]
    passages = session.scalars(
        select(Passage).where(Passage.document_id == doc.id).order_by(Passage.position)
    )
    seen: set[tuple[str, ...]] = set()  # headings already indexed, as their words
    for p in passages:
        words = tuple(t.tokens(p.text))
        if not words:  # a rule ("-", "---|---|"): nothing to find but the title every passage has
            continue
        if p.heading:  # a heading repeated (a title echoed before each section) is one passage: the first
            if words in seen:
                continue
            seen.add(words)
        out.append(
            Entry(
                "passage",
                f"{doc.slug}#p{p.position}",
                f"{base}#p{p.position}",
                title,
                {lang: p.text},
                position=p.position,
                heading=p.heading,
                **common,
            )
        )
    return out


def _document_keys(session: Session) -> list[str]:

    return [str(i) for i in session.scalars(select(Document.id).order_by(Document.id))]


register(
    Provider(
        "document",
        _document_keys,
        _document_entries,
        {
            "documents": lambda o: str(o.id) if o.id is not None else None,
            "document_passages": lambda o: str(o.document_id) if o.document_id else None,
        },
    )
)


# --- monitoring -------------------------------------------------------------------------------


def _indicator_entries(session: Session, key: str) -> list[Entry]:
    i = published.find_indicator(session, key)
    if i is None:
        return []
    source = _join(i["source"]["organisation"], i["source"]["dataset"])
    unit = i["unit"]
    return [
        Entry(
            "indicator",
            i["code"],
            f"/indicators/{i['code']}",
            {
                "en": f"{i['code']} — {i['name']['en']}",
                "id": f"{i['code']} — {i['name']['id']}" if i["name"]["id"] else None,
            },
            {
                "en": _join(i["definition"]["en"], unit, source),
                "id": _join(
                    i["definition"]["id"],
                    terms.unit_name(unit, "id") if i["name"]["id"] or i["definition"]["id"] else None,
                ),
            },
            sectors=[i["sector"]] if i["sector"] else [],
        )
    ]


register(
    Provider("indicator", published.all_indicator_codes, _indicator_entries, {"indicators": lambda o: o.code})
)
