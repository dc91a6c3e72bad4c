"""Documents in, search and answers out.

Writes only flush; the request or CLI command commits, and the search index follows at commit
(the ``wiring`` hook calls :func:`ascc.knowledge.index.sync`).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter, namedtuple
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError
from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import Session

from ascc.accounts import permissions
from ascc.accounts.schemas import Principal
from ascc.audit.provenance import Kept, is_person, last_actors
from ascc.db import version
from ascc.kit.errors import Conflict, Invalid, NotFound
from ascc.knowledge import columns as c
from ascc.knowledge import extract as x
from ascc.knowledge import glossary, index
from ascc.knowledge import ranking as r
from ascc.knowledge import schemas as s
from ascc.knowledge import text as t
from ascc.knowledge.backends import Expansion, backend_for
from ascc.knowledge.models import Document, Passage, SearchEntry
from ascc.knowledge.providers import PROVIDERS
from ascc.knowledge.ranking import Filters
from ascc.knowledge.seeds import SEEDS
from ascc.registry import service as registry_service
from ascc.registry.schemas import Text

MAX_PAGE = 100
#: what a hit shows of its entry
HIT_COLUMNS = (
    "kind",
    "ref",
    "title_en",
    "title_id",
    "text_en",
    "text_id",
    "url",
    "position",
    "year",
    "sectors",
    "languages",
)
#: what ask weighs and cites of a passage's entry
ASK_COLUMNS = (
    "text_id",
    "text_en",
    "terms",
    "title_id",
    "title_en",
    "title_terms",
    "document_id",
    "position",
    "url",
    "mentions",
)
#: what a result can be: the providers' kinds plus passages of documents
TYPES = ("passage", *PROVIDERS)


# --- documents --------------------------------------------------------------------------------


def _slugify(title: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")[:80] or "document"


def _unique_slug(session: Session, base: str) -> str:
    slug, n = base, 1
    while session.scalar(select(Document.id).where(Document.slug == slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def _write_passages(session: Session, doc: Document) -> None:
    for old in session.scalars(select(Passage).where(Passage.document_id == doc.id)):
        session.delete(old)
    session.flush()
    for p in x.passages(doc.text):
        session.add(
            Passage(
                document_id=doc.id,
                position=p.position,
                paragraph=p.paragraph,
                start=p.start,
                end=p.end,
                heading=p.heading,
                text=p.text,
            )
        )
    session.flush()


def _check_refs(session: Session, data: s.DocumentCreate) -> None:
    for sector in data.sectors:
        try:
            registry_service.get_sector(session, sector_id=sector)
        except NotFound:
            raise Invalid(f"unknown sector {sector!r}", parameter="sectors") from None
    for body in data.bodies:
        try:
            registry_service.get_body(session, body_id=body)
        except NotFound:
            raise Invalid(f"unknown body {body!r}", parameter="bodies") from None


def document_form(**fields: Any) -> s.DocumentCreate:
    """Form fields (empty ones left out) as a :class:`DocumentCreate`, or a 422 naming the field."""
    fields["sectors"] = [v for v in (fields.get("sectors") or []) if v]
    fields["bodies"] = [v for v in (fields.get("bodies") or []) if v]
    clean = {k: v for k, v in fields.items() if v not in (None, "")}
    try:
        return s.DocumentCreate(**clean)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = str(err["loc"][0]) if err.get("loc") else "title_en"
        raise Invalid(f"{field}: {err['msg'].removeprefix('Value error, ')}", parameter=field) from None


def add_document(
    session: Session,
    *,
    principal: Principal,
    data: s.DocumentCreate,
    filename: str,
    content: bytes | None = None,
    extracted: x.Extracted | None = None,
) -> s.DocumentDetail:
    """Store an uploaded file as a document (ASEAN Secretariat only); a bad file stores nothing.

    Uploads come ``extracted`` (:func:`ascc.knowledge.extract.read_document`, before the unit of
    work writes anything, so no write lock is held while a file is read); ``content`` is read here,
    in this process (trusted files: the CLI, tests)."""
    permissions.require_secretariat(principal)
    if extracted is None:
        if content is None:
            raise TypeError("add_document needs content or extracted")
        media, text = x.extract(filename, content)
    else:
        media, text = extracted.media_type, extracted.text
    _check_refs(session, data)
    digest = hashlib.sha256(text.encode()).hexdigest()
    same = session.scalar(select(Document.slug).where(Document.digest == digest))
    if same is not None:
        raise Conflict(f"{filename}: the same text is already the document {same!r}", document=same)
    doc = Document(
        slug=_unique_slug(session, _slugify(data.title_id or data.title_en or filename)),
        title_en=data.title_en,
        title_id=data.title_id,
        language=data.language,
        kind=data.kind,
        date=data.date,
        sectors=data.sectors,
        bodies=data.bodies,
        source_url=data.source_url,
        source_file=Path(filename).name[:300],
        media_type=media,
        audience=data.audience,
        digest=digest,
        text=text,
        created_by=principal.actor,
    )
    session.add(doc)
    session.flush()
    _write_passages(session, doc)
    return get_document(session, principal=principal, slug=doc.slug)


def load_seeds(session: Session, *, folder: Path, kept: Kept | None = None) -> dict[str, int]:
    """Load (or refresh) the five seed documents from ``folder``; repeatable, unchanged ones stay. A
    document a person added under a seed's slug, or edited last, is never changed (counted in
    ``kept``, with the reason)."""
    report = {"created": 0, "updated": 0, "unchanged": 0}
    kept = kept if kept is not None else Kept()
    for seed in SEEDS:
        path = folder / seed["file"]
        _media, text = x.extract(seed["file"], path.read_bytes())
        digest = hashlib.sha256(text.encode()).hexdigest()
        doc = session.scalar(select(Document).where(Document.slug == seed["slug"]))
        if doc is not None and doc.digest == digest:
            report["unchanged"] += 1
            continue
        if doc is not None and doc.created_by != "seed":
            kept.add(f"document {doc.slug}", f"added by {doc.created_by}, not a seed")
            continue
        editor = (
            last_actors(session, entity=Document.__tablename__, ids=[doc.id]).get(str(doc.id))
            if doc
            else None
        )
        if is_person(editor):
            kept.add(f"document {seed['slug']}", f"edited by {editor}")
            continue
        if doc is None:
            doc = Document(slug=seed["slug"], created_by="seed")
            session.add(doc)
            report["created"] += 1
        else:
            report["updated"] += 1
        doc.title_en, doc.title_id, doc.language, doc.kind = None, seed["title_id"], "id", seed["kind"]
        doc.sectors, doc.bodies, doc.source_file, doc.media_type = (
            seed["sectors"],
            seed["bodies"],
            seed["file"],
            "text/plain",
        )
        doc.audience, doc.digest, doc.text = "public", digest, text
        session.flush()
        _write_passages(session, doc)
    return report


def _read(doc: Document, count: int) -> s.DocumentRead:
    return s.DocumentRead(
        id=doc.id,
        slug=doc.slug,
        title=Text(en=doc.title_en, id=doc.title_id),
        language=doc.language,
        kind=doc.kind,
        date=doc.date,
        sectors=doc.sectors,
        bodies=doc.bodies,
        source_url=doc.source_url,
        source_file=doc.source_file,
        media_type=doc.media_type,
        audience=doc.audience,
        url=f"/documents/{doc.slug}",
        passage_count=count,
    )


def list_documents(
    session: Session, *, principal: Principal, limit: int = 50, offset: int = 0
) -> s.DocumentPage:
    if not 1 <= limit <= 500 or offset < 0:
        raise Invalid(
            "limit must be 1–500 and offset at least 0", parameter="limit" if offset >= 0 else "offset"
        )
    visible = Document.audience.in_(permissions.visible_audiences(principal))
    total = session.scalar(select(func.count()).select_from(Document).where(visible)) or 0
    rows = list(
        session.scalars(select(Document).where(visible).order_by(Document.slug).limit(limit).offset(offset))
    )
    counts = dict(
        session.execute(
            select(Passage.document_id, func.count())
            .where(Passage.document_id.in_([d.id for d in rows]))
            .group_by(Passage.document_id)
        ).all()
    )
    return s.DocumentPage(
        items=[_read(d, counts.get(d.id, 0)) for d in rows], total=total, limit=limit, offset=offset
    )


def seed_texts(session: Session, *, principal: Principal) -> dict[str, str]:
    """The text of each seed document the knowledge base holds (``ascc documents seed``) and
    ``principal`` may read, by the seed file it was loaded from (the file reference sources quote)."""
    files = {seed["slug"]: seed["file"] for seed in SEEDS}
    rows = session.execute(
        select(Document.slug, Document.text, Document.audience).where(Document.slug.in_(files))
    )
    return {files[slug]: text for slug, text, audience in rows if permissions.can_read(principal, audience)}


def get_document(session: Session, *, principal: Principal, slug: str) -> s.DocumentDetail:
    doc = session.scalar(select(Document).where(Document.slug == slug))
    if doc is None or not permissions.can_read(principal, doc.audience):
        raise NotFound(f"no document {slug!r}")
    rows = list(
        session.scalars(select(Passage).where(Passage.document_id == doc.id).order_by(Passage.position))
    )
    passages = [
        s.PassageRead(
            position=p.position,
            paragraph=p.paragraph,
            start=p.start,
            end=p.end,
            heading=p.heading,
            text=p.text,
            anchor=f"p{p.position}",
        )
        for p in rows
    ]
    return s.DocumentDetail(**_read(doc, len(rows)).model_dump(), passages=passages)


# --- search -----------------------------------------------------------------------------------


def _split(value: str) -> list[str]:
    return [v for v in value.split("|") if v]


def _facets(counts: dict[str, Counter]) -> s.Facets:
    """Facet values by count (years by value), from :func:`ascc.knowledge.ranking.facets`."""

    def values(c: Counter, by_value: bool = False) -> list[s.FacetValue]:
        items = (
            sorted(c.items(), reverse=True) if by_value else sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))
        )
        return [s.FacetValue(value=k, count=n) for k, n in items]

    return s.Facets(
        type=values(counts["type"]),
        sector=values(counts["sector"]),
        language=values(counts["language"]),
        year=values(counts["year"], by_value=True),
    )


def _check(types: tuple[str, ...], limit: int, offset: int, year: int | None) -> None:
    for kind in types:
        if kind not in TYPES:
            raise Invalid(f"unknown type {kind!r}; one of {', '.join(TYPES)}", parameter="type")
    if not 1 <= limit <= MAX_PAGE:
        raise Invalid(f"limit must be between 1 and {MAX_PAGE}", parameter="limit")
    if not 0 <= offset <= 10_000:
        raise Invalid("offset must be between 0 and 10000", parameter="offset")
    if year is not None and not 1900 <= year <= 2200:
        raise Invalid("year must be between 1900 and 2200", parameter="year")


def _columns_of(columns: tuple[str, ...]) -> Any:
    table = SearchEntry.__table__
    sql = text(
        f"SELECT id, {', '.join(columns)} FROM search_entries WHERE id IN :ids AND audience IN :audiences"
    )
    params = (bindparam("ids", expanding=True), bindparam("audiences", expanding=True))
    return sql.bindparams(*params).columns(*(table.c[c] for c in ("id", *columns)))


#: what an answer reads of its entries (a statement made once)
_ENTRY_SQL = {ASK_COLUMNS: _columns_of(ASK_COLUMNS)}


def _entries(
    session: Session, ids: list[int], audiences: tuple[str, ...], columns: tuple[str, ...] = HIT_COLUMNS
) -> dict[int, Any]:
    """The named columns of these entries (plain rows, not ORM objects: a page is read-only), of
    those the reader may see as they are now (their audience may have changed since the columns
    the search filtered with were read). A hit's columns are plain strings and numbers, read with
    the DB-API cursor (:func:`_rows`: no statement to compile per search); an answer's through
    SQLAlchemy (``mentions`` is JSON)."""
    if not ids:
        return {}
    if columns == HIT_COLUMNS:
        return {row[0]: _HitRow(*row) for row in _rows(session, ("id", *HIT_COLUMNS), ids, audiences)}
    params = {"ids": ids, "audiences": list(audiences)}
    return {row.id: row for row in session.execute(_ENTRY_SQL[columns], params)}


_HitRow = namedtuple("_HitRow", ("id", *HIT_COLUMNS))


def _rows(
    session: Session, columns: tuple[str, ...], ids: list[int], audiences: tuple[str, ...] | None = None
) -> list[tuple]:
    """``columns`` of the entries ``ids`` (of those with one of ``audiences``), through the DB-API
    cursor: ids and strings, no result objects."""
    mark = "%s" if session.get_bind().dialect.name == "postgresql" else "?"
    sql = f"SELECT {', '.join(columns)} FROM search_entries WHERE id IN ({', '.join([mark] * len(ids))})"
    params = list(ids)
    if audiences is not None:
        sql += f" AND audience IN ({', '.join([mark] * len(audiences))})"
        params += audiences
    cursor = session.connection().connection.cursor()
    version.reading(sql)  # a response cache records the tables, as it does for engine statements
    try:
        cursor.execute(sql, params)
        return cursor.fetchall()
    finally:
        cursor.close()


def _query(session: Session, q: str) -> glossary.Query:
    """``q`` analysed and expanded across the two languages (the glossary and the registry's names)."""
    return glossary.expand(q, [glossary.glossary(), index.lexicon(session).parallel])


def _expansion(query: glossary.Query) -> Expansion | None:
    if not query.lesser:
        return None
    return Expansion(extra=query.extra, lesser=query.lesser, weight=glossary.EXPANSION_WEIGHT)


def _own_words(
    session: Session, cols: c.Columns, hits: r.Found, query: glossary.Query, audiences: tuple[str, ...]
) -> r.Found:
    """The best matches ranked again by which of the query's words a passage's own text holds
    (:func:`ascc.knowledge.ranking.weighed_by_own_words`); the passages' terms are read with the
    DB-API cursor (ids and strings, no result objects)."""
    n = min(len(hits), r.OWN_WINDOW)
    if not n:
        return hits
    passage = np.isin(cols.kind[hits.rows[:n]], cols.codes(cols.kinds, lambda k: k == "passage"))
    wanted_ids = hits.ids[:n].tolist()
    wanted = [i for i, p in zip(wanted_ids, passage.tolist(), strict=True) if p]
    terms: dict[int, str] = dict(_rows(session, ("id", "terms"), wanted)) if wanted else {}
    slots = min(len(query.flat), 62)
    # per index term, the query's words (bits) it is a form of: any form, and the user's own forms
    any_bits: dict[str, int] = {}
    own_bits: dict[str, int] = {}
    for k, g in enumerate(query.flat[:slots]):
        for term in g:
            any_bits[term] = any_bits.get(term, 0) | 1 << k
            if term not in query.lesser:
                own_bits[term] = own_bits.get(term, 0) | 1 << k
    held = [0] * n
    translated = [0] * n
    for i in np.flatnonzero(passage).tolist():
        found = own = 0
        for term in any_bits.keys() & set((terms.get(wanted_ids[i]) or "").split()):
            found |= any_bits[term]
            own |= own_bits.get(term, 0)
        held[i], translated[i] = found, found & ~own  # held only in translation: no own form of it
    return r.weighed_by_own_words(
        cols, hits, np.array(held, dtype=np.int64), np.array(translated, dtype=np.int64), passage, slots
    )


def _hit(e: Any, score: float, groups: list[list[str]], lang: str, marks: dict[str, bool]) -> s.SearchHit:
    other = "id" if lang == "en" else "en"
    body = getattr(e, f"text_{lang}") or getattr(e, f"text_{other}") or ""
    title = getattr(e, f"title_{lang}") or getattr(e, f"title_{other}") or ""
    snippet = t.snippet(body or title, groups, marks=marks)
    if "<mark>" not in snippet:  # matched in the title, the other language or an expanded acronym
        for alt in (getattr(e, f"text_{other}"), title, getattr(e, f"title_{other}")):
            if alt and "<mark>" in (candidate := t.snippet(alt, groups, marks=marks)):
                snippet = candidate
                break
    return s.SearchHit(
        type=e.kind,
        id=e.ref,
        title=Text(en=e.title_en, id=e.title_id),
        url=e.url,
        snippet=snippet,
        score=round(score, 4),
        document=e.ref.split("#")[0] if e.kind in ("passage", "document") else None,
        position=e.position,
        year=e.year,
        sectors=_split(e.sectors),
        languages=_split(e.languages),
    )


def search(
    session: Session,
    *,
    principal: Principal,
    q: str,
    types: tuple[str, ...] = (),
    sector: str | None = None,
    language: str | None = None,
    year: int | None = None,
    limit: int = 20,
    offset: int = 0,
    lang: str = "en",
    group: bool = False,
) -> s.SearchResult:
    """Every word must match (stemmed, variants folded, acronyms expanded); if that finds
    nothing, any word may. Only what ``principal`` may read is found.

    With ``group``, a document's entry and passages make one result, ranked by the best of them,
    with its best passages (up to three) listed under it; ``total`` then counts results."""
    _check(types, limit, offset, year)
    if language is not None and language not in ("en", "id"):
        raise Invalid("language must be en or id", parameter="language")
    query = _query(session, q)
    groups, words, expansion = query.groups, query.words, _expansion(query)
    filters = Filters(
        kinds=types,
        sector=sector or None,
        language=language,
        year=year,
        audiences=permissions.visible_audiences(principal),
    )
    backend, cols = backend_for(session), c.columns(session)
    every = True
    hits = r.found(cols, *backend.scored(session, groups, words, every=True, expansion=expansion), filters)
    if not len(hits) and len(groups) > 1:
        every = False
        hits = r.found(
            cols, *backend.scored(session, groups, words, every=False, expansion=expansion), filters
        )
    mode = ("all" if every else "any") if len(hits) else "none"
    groups = query.flat  # every single term, for marking
    hits = _own_words(session, cols, hits, query, filters.audiences)
    facets = _facets(r.facets(cols, hits))
    if group:
        total, page = r.grouped(cols, hits, limit=limit, offset=offset)
        result = _grouped_result(
            session,
            q,
            groups,
            total,
            page,
            mode=mode,
            facets=facets,
            limit=limit,
            offset=offset,
            lang=lang,
            audiences=filters.audiences,
        )
        return result.model_copy(update={"also": query.also})
    matches = r.page(hits, limit=limit, offset=offset)
    rows = _entries(session, [m.id for m in matches], filters.audiences)
    marks: dict[str, bool] = {}  # which words match, for every snippet of this query
    items = [_hit(rows[m.id], m.score, groups, lang, marks) for m in matches if m.id in rows]
    return s.SearchResult(
        q=q,
        match=mode,
        total=len(hits),
        limit=limit,
        offset=offset,
        items=items,
        facets=facets,
        also=query.also,
    )


def _grouped_result(
    session: Session,
    q: str,
    groups: list[list[str]],
    total: int,
    page: list[r.Group],
    *,
    mode: str,
    facets: s.Facets,
    limit: int,
    offset: int,
    lang: str,
    audiences: tuple[str, ...],
) -> s.SearchResult:
    rows = _entries(session, [m.id for g in page for m in g.matches], audiences)
    marks: dict[str, bool] = {}  # which words match, for every snippet of this query
    items = []
    for g in page:
        members = [m for m in g.matches if m.id in rows]
        if not members:
            continue
        hit = _hit(rows[members[0].id], members[0].score, groups, lang, marks)
        passages = []
        for m in members:
            e = rows[m.id]
            if e.kind == "passage":
                h = hit if m is members[0] else _hit(e, m.score, groups, lang, marks)
                passages.append(
                    s.PassageHit(
                        id=h.id, url=h.url, position=h.position or 0, snippet=h.snippet, score=h.score
                    )
                )
        items.append(hit.model_copy(update={"passages": passages}))
    return s.SearchResult(
        q=q, match=mode, grouped=True, total=total, limit=limit, offset=offset, items=items, facets=facets
    )


# --- ask: extractive answers ------------------------------------------------------------------


def _coverage(texts: list[str | None], terms: str, groups: list[list[str]]) -> float:
    """Share of the question's words that ``texts`` contain (the word or either of its stems)."""
    present = set(t.tokens(" ".join(x for x in texts if x)))
    present |= {t.stem_id(w) for w in present} | {t.stem_en(w) for w in present} | set(terms.split())
    return sum(1 for g in groups if present & set(g)) / len(groups) if groups else 0.0


def _links(session: Session, mentions: list[str], principal: Principal) -> list[s.RecordLink]:
    keys = [m.split(":", 1) for m in mentions if ":" in m]
    if not keys:
        return []
    audiences = permissions.visible_audiences(principal)
    rows = {
        (e.kind, e.ref): e
        for e in session.scalars(
            select(SearchEntry).where(
                SearchEntry.ref.in_([k[1] for k in keys]), SearchEntry.audience.in_(audiences)
            )
        )
    }
    return [
        s.RecordLink(
            type=k, id=r, title=Text(en=rows[(k, r)].title_en, id=rows[(k, r)].title_id), url=rows[(k, r)].url
        )
        for k, r in keys
        if (k, r) in rows
    ]


def ask(session: Session, *, principal: Principal, q: str, limit: int = 3, lang: str = "en") -> s.Answer:
    """The passages that best answer ``q``, quoted verbatim with where they stand, and the
    registry records they mention. Extractive only: nothing is generated.

    Candidates are body passages (not headings) matching any content word; they are ranked by
    the backend's score weighted by the share of the question's words the passage contains and,
    less, the share its document's title contains (a document about the question answers it).
    """
    if not 1 <= limit <= 20:
        raise Invalid("limit must be between 1 and 20", parameter="limit")
    query = _query(session, q)
    groups = query.flat
    filters = Filters(
        kinds=("passage",), audiences=permissions.visible_audiences(principal), no_headings=True
    )
    scored = backend_for(session).scored(
        session, query.groups, query.words, every=False, expansion=_expansion(query)
    )
    matches = r.page(r.found(c.columns(session), *scored, filters), limit=200, offset=0)
    rows = _entries(session, [m.id for m in matches], filters.audiences, ASK_COLUMNS)
    top = max((m.score for m in matches), default=1.0) or 1.0
    ranked: list[tuple[float, Any]] = []
    for m in matches:
        e = rows.get(m.id)
        if e is None:  # no longer visible to this reader
            continue
        body = _coverage([e.text_id, e.text_en], e.terms, groups)
        title = _coverage([e.title_id, e.title_en], e.title_terms, groups)
        ranked.append(((m.score / top) * body**2 * (0.1 + 0.9 * title**4), e))
    ranked.sort(key=lambda pair: (-pair[0], pair[1].id))
    passages: list[s.AnswerPassage] = []
    records: dict[str, s.RecordLink] = {}
    for score, e in ranked[:limit]:
        passage = session.scalar(
            select(Passage).where(Passage.document_id == e.document_id, Passage.position == e.position)
        )
        doc = session.get(Document, e.document_id)
        if passage is None or doc is None:
            continue
        mentions = _links(session, e.mentions, principal)
        for link in mentions:
            records.setdefault(f"{link.type}:{link.id}", link)
        citation = s.Citation(
            document=doc.slug,
            title=Text(en=doc.title_en, id=doc.title_id),
            position=passage.position,
            paragraph=passage.paragraph,
            start=passage.start,
            end=passage.end,
            url=e.url,
            source_file=doc.source_file,
            source_url=doc.source_url,
        )
        passages.append(
            s.AnswerPassage(
                text=passage.text,
                snippet=t.snippet(passage.text, groups, width=60),
                score=round(score, 4),
                citation=citation,
                mentions=mentions,
            )
        )
    return s.Answer(q=q, passages=passages, records=list(records.values()), also=query.also)


def entry_count(session: Session) -> dict[str, Any]:
    return dict(session.execute(select(SearchEntry.kind, func.count()).group_by(SearchEntry.kind)).all())


def seed_index(session: Session) -> dict[str, dict[str, Any]]:
    """The public seed documents the knowledge base holds, by seed file (what reference sources
    cite): ``{file: {"slug", "title", "passages": [(position, text with single spaces)]}}``; kept
    per process while the documents and passages stay."""

    def build() -> dict[str, dict[str, Any]]:
        files = {seed["slug"]: seed["file"] for seed in SEEDS}
        docs = session.execute(
            select(Document.id, Document.slug, Document.title_en, Document.title_id).where(
                Document.slug.in_(sorted(files)), Document.audience == "public"
            )
        ).all()
        out: dict[str, dict[str, Any]] = {}
        for doc_id, slug, title_en, title_id in docs:
            rows = session.execute(
                select(Passage.position, Passage.text)
                .where(Passage.document_id == doc_id)
                .order_by(Passage.position)
            ).all()
            out[files[slug]] = {
                "slug": slug,
                "title": {"en": title_en, "id": title_id},
                "passages": [(position, " ".join(text.split())) for position, text in rows],
            }
        return out

    return version.kept(session, "knowledge.seed_index", build)


def citation(index: dict[str, dict[str, Any]], file: str | None, quote: str | None) -> dict[str, Any] | None:
    """Where a source ``(file, quote)`` points in the knowledge base: the seed document's title and
    the address of the passage holding the quote (the document itself when no one passage holds
    it whole); None when the knowledge base does not hold that seed."""
    seed = index.get(file or "")
    if seed is None:
        return None
    wanted = " ".join((quote or "").split())
    position = next((p for p, text in seed["passages"] if wanted and wanted in text), None)
    href = f"/documents/{seed['slug']}" + (f"#p{position}" if position is not None else "")
    return {"title": seed["title"], "href": href, "position": position}
