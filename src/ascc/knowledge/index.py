"""Keeping the search index in step: entries from providers, refreshed per record at commit.

Index writes are Core statements on ``search_entries`` (the FTS5 triggers or the PostgreSQL
expression index follow), so they are not ORM changes: the audit trail records the documents and
records themselves, not the derived index.

Acronyms are expanded both ways when an entry is built: a text naming "AMMSWD" also gets the
body's full names, a text giving the full name also gets the acronym. The table (the lexicon) comes
from the registry's bodies and programmes; it is kept per engine for a minute and rebuilt at once
when this process writes a body or programme. A commit that writes a body or programme also
rebuilds the entries of every record whose texts name it, by what it was called (the mention kept on
each entry that expanded it) or by what it is called now (every word of the acronym or name found
in the index), so renaming needs no reindex.

At commit only the records written in the transaction are refreshed, and of those only the entries
whose texts or facet values changed are analysed and written again (an unchanged entry costs one
comparison, no stemming and no full-text index write).
"""

from __future__ import annotations

import dataclasses
import time
import weakref
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Engine, String, cast, delete, insert, inspect, select, text, update
from sqlalchemy.orm import Session

from ascc.db import version
from ascc.knowledge import backends, columns
from ascc.knowledge import text as t
from ascc.knowledge.glossary import Parallel
from ascc.knowledge.models import SearchEntry
from ascc.knowledge.providers import PROVIDERS, Entry
from ascc.registry import service as registry_service

TOUCHED = "ascc_search_touched"
LEXICON = "ascc_search_lexicon"
NAMED_WRITTEN = "ascc_search_names_written"
RENAMED = "ascc_search_renamed"  # bodies and programmes whose acronym or names this transaction wrote
ENTRIES = SearchEntry.__table__
_COUNTERS = version.DataVersion.__table__
#: an entry's ``stamp``: one more than the index counter as the writing statement reads it. On
#: SQLite a write holds the write lock to its commit, so no other commit comes between: every copy
#: of the postings and columns built before this commit is at a lower counter, and finds the entry
#: stamped after it (``postings.patched``); one built after it has the entry already. (PostgreSQL's
#: writers do not exclude each other: its copies are built whole.)
STAMP = select(_COUNTERS.c.version + 1).where(_COUNTERS.c.id == version.SEARCH_INDEX).scalar_subquery()
#: tables whose rows make the lexicon, and the kind of record each row is mentioned as
MENTION_KIND = {"bodies": "body", "programmes": "programme"}
NAMED = frozenset(MENTION_KIND)
LEXICON_TTL = 60.0  # seconds a lexicon is reused (another process may rename bodies)
_lexicons: weakref.WeakKeyDictionary[Engine, tuple[float, Lexicon]] = weakref.WeakKeyDictionary()
#: the columns an entry takes from its record as is; when none changed, the entry is left alone
RAW = (
    "title_en",
    "title_id",
    "text_en",
    "text_id",
    "url",
    "sectors",
    "languages",
    "year",
    "audience",
    "document_id",
    "position",
    "heading",
)


@dataclasses.dataclass
class Name:
    """A registry record's acronym and names, as token tuples for matching inside texts."""

    mention: str  # "body:ammswd"
    acronym: str | None
    names: list[tuple[str, ...]]
    name_en: str
    name_id: str


@dataclasses.dataclass
class Lexicon:
    by_acronym: dict[str, list[Name]]
    by_first: dict[str, list[tuple[tuple[str, ...], Name]]]
    #: the registry's names as a parallel lexicon (the English and Indonesian names of each body and
    #: programme, titles of each plan, names of each sector, member state and partner), for query expansion
    parallel: Parallel = dataclasses.field(default_factory=lambda: Parallel([]))

    def find(self, toks: list[str]) -> list[Name]:
        found: dict[str, Name] = {}
        for tok in dict.fromkeys(toks):  # in text order: the expansions are too (PostgreSQL ranks positions)
            for n in self.by_acronym.get(tok, ()):
                found[n.mention] = n
        for i, tok in enumerate(toks):
            for seq, n in self.by_first.get(tok, ()):
                if tuple(toks[i : i + len(seq)]) == seq:
                    found[n.mention] = n
        return list(found.values())


def lexicon(session: Session) -> Lexicon:
    """The lexicon for this session: its own if it wrote names, else the engine's recent one."""
    cached = session.info.get(LEXICON)
    if cached is not None:
        return cached
    engine = session.get_bind().engine
    shared = _lexicons.get(engine)
    if shared is not None and time.monotonic() - shared[0] < LEXICON_TTL:
        session.info[LEXICON] = shared[1]
        return shared[1]
    lex = _build_lexicon(session)
    if not session.info.get(NAMED_WRITTEN):  # names written here are not committed yet: not shared
        _lexicons[engine] = (time.monotonic(), lex)
    session.info[LEXICON] = lex
    return lex


def _build_lexicon(session: Session) -> Lexicon:
    names: list[Name] = []
    for b in registry_service.list_bodies(session, limit=500).items:
        names.append(_name(f"body:{b.id}", b.acronym, b.name.en, b.name.id))
    for p in registry_service.list_programmes(session):
        names.append(_name(f"programme:{p.id}", p.acronym, p.name.en, p.name.id))
    # (an acronym needs no expansion in a query: entries naming a body hold its names in both languages)
    pairs = [([n.name_id], [n.name_en]) for n in names if n.name_id and n.name_en]
    pairs += [([p.title.id or ""], [p.title.en or ""]) for p in registry_service.list_plans(session)]
    pairs += [([x.name.id or ""], [x.name.en or ""]) for x in registry_service.list_sectors(session)]
    pairs += [([x.name.id or ""], [x.name.en or ""]) for x in registry_service.list_member_states(session)]
    pairs += [([x.name.id or ""], [x.name.en or ""]) for x in registry_service.list_partners(session)]
    lex = Lexicon({}, {}, Parallel(pairs))
    for n in names:
        if n.acronym:
            lex.by_acronym.setdefault(n.acronym, []).append(n)
        for seq in n.names:
            if len(seq) >= 3:  # two-word names ("ASEAN Foundation") are matched as words anyway
                lex.by_first.setdefault(seq[0], []).append((seq, n))
    return lex


def _name(mention: str, acronym: str | None, en: str | None, id_: str | None) -> Name:
    acr = t.tokens(acronym) if acronym else []
    single = acr[0] if len(acr) == 1 and len(acr[0]) >= 3 else None
    seqs = [tuple(t.tokens(x)) for x in (en, id_) if x]
    return Name(mention, single, [s for s in seqs if s], en or "", id_ or "")


def raw_row(entry: Entry, root: str) -> dict[str, Any]:
    """The columns an entry takes from its record without analysis."""
    return {
        "kind": entry.kind,
        "ref": entry.ref,
        "root": root,
        "title_en": entry.title.get("en"),
        "title_id": entry.title.get("id"),
        "text_en": entry.text.get("en"),
        "text_id": entry.text.get("id"),
        "url": entry.url,
        "sectors": "|" + "".join(f"{s}|" for s in t.unique(entry.sectors)),
        "languages": "|" + "".join(f"{x}|" for x in t.unique(entry.languages)),
        "year": entry.year,
        "audience": entry.audience,
        "document_id": entry.document_id,
        "position": entry.position,
        "heading": entry.heading,
    }


def build_row(entry: Entry, root: str, lex: Lexicon) -> dict[str, Any]:
    """Every column of an entry: its record's values, the records it names, the analysed terms."""
    title_en, title_id = entry.title.get("en") or "", entry.title.get("id") or ""
    text_en, text_id = entry.text.get("en") or "", entry.text.get("id") or ""
    toks = t.tokens(" ".join((title_en, title_id, text_en, text_id)))
    named = lex.find(toks)
    own = f"{entry.kind}:{entry.ref}"
    exp_en = " ".join(f"{n.acronym or ''} {n.name_en}" for n in named)
    exp_id = " ".join(f"{n.acronym or ''} {n.name_id}" for n in named)
    return {
        **raw_row(entry, root),
        "mentions": sorted(n.mention for n in named if n.mention != own),
        "title_terms": " ".join(x for x in (t.analyse(title_en, "en"), t.analyse(title_id, "id")) if x),
        "terms": " ".join(
            x
            for x in (
                t.analyse(text_en, "en"),
                t.analyse(text_id, "id"),
                t.analyse(exp_en, "en"),
                t.analyse(exp_id, "id"),
            )
            if x
        ),
        "title_norm_en": t.fold_split(title_en),
        "title_norm_id": t.fold_split(title_id),
        "norm_en": (t.fold_split(text_en) + " " + t.fold_split(exp_en)).strip(),
        "norm_id": (t.fold_split(text_id) + " " + t.fold_split(exp_id)).strip(),
    }


def refresh(session: Session, provider: str, key: str) -> int:
    """Bring the entries of one record up to date; returns how many it has now.

    Entries that are gone are deleted; entries whose record values (:data:`RAW`) are unchanged are
    left as they are; only new or changed ones are analysed and written.
    """
    count, wrote = _refresh(session, provider, key)
    if wrote:
        columns.moved(session)
    return count


def _refresh(session: Session, provider: str, key: str, *, force: bool = False) -> tuple[int, bool]:
    """:func:`refresh` without moving the index counter; also says whether it wrote. ``force``:
    analyse every entry again, changed or not (the names it expands changed)."""
    root = f"{provider}:{key}"
    entries = PROVIDERS[provider].entries(session, key)
    stored = {
        (row.kind, row.ref): row
        for row in session.execute(
            select(ENTRIES.c.id, ENTRIES.c.kind, ENTRIES.c.ref, *(ENTRIES.c[c] for c in RAW)).where(
                ENTRIES.c.root == root
            )
        )
    }
    wanted = {(e.kind, e.ref) for e in entries}
    gone = [row.id for k, row in stored.items() if k not in wanted]
    if gone:
        session.execute(delete(ENTRIES).where(ENTRIES.c.id.in_(gone)))
    new: list[dict[str, Any]] = []
    changed = 0
    for e in entries:
        old = stored.get((e.kind, e.ref))
        raw = raw_row(e, root)
        if not force and old is not None and all(getattr(old, c) == raw[c] for c in RAW):
            continue
        row = build_row(e, root, lexicon(session))
        if old is None:
            new.append(row)
        else:
            session.execute(update(ENTRIES).where(ENTRIES.c.id == old.id).values(**row, stamp=STAMP))
            changed += 1
    if new:
        session.execute(insert(ENTRIES).values(stamp=STAMP), new)
    return len(entries), bool(gone or new or changed)


def refresh_all(session: Session, provider: str) -> int:
    """Bring every record of one provider up to date (after a bulk load that wrote its tables
    without the ORM, so without the commit hook); entries of records that are gone are deleted.
    Unchanged entries are left alone, so this is cheap to call after every load."""
    keys = list(PROVIDERS[provider].keys(session))
    roots = {f"{provider}:{key}" for key in keys}
    stale = [
        root
        for root in session.scalars(
            select(ENTRIES.c.root).where(ENTRIES.c.root.like(f"{provider}:%")).distinct()
        )
        if root not in roots
    ]
    if stale:
        session.execute(delete(ENTRIES).where(ENTRIES.c.root.in_(stale)))
    done = [_refresh(session, provider, key) for key in keys]
    if stale or any(wrote for _, wrote in done):
        columns.moved(session)  # once, at the end: the counter's row stays locked until the commit
    return sum(count for count, _ in done)


def reindex(session: Session, *, progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Rebuild the whole index in the caller's transaction; ``progress(done, total)`` per record."""
    session.info.pop(LEXICON, None)
    _lexicons.pop(session.get_bind().engine, None)
    work = [(name, key) for name, p in PROVIDERS.items() for key in p.keys(session)]
    session.execute(delete(ENTRIES))
    counts: dict[str, int] = {}
    for i, (name, key) in enumerate(work, 1):
        counts[name] = counts.get(name, 0) + _refresh(session, name, key)[0]
        if progress:
            progress(i, len(work))
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("INSERT INTO search_fts(search_fts) VALUES ('optimize')"))
    columns.moved(session)
    return counts


# --- the commit hook (installed by ascc.wiring) -----------------------------------------------


def _watchers() -> dict[str, list[tuple[str, Callable[[Any], str | None]]]]:
    out: dict[str, list[tuple[str, Callable[[Any], str | None]]]] = {}
    for p in PROVIDERS.values():
        for table, fn in p.watches.items():
            out.setdefault(table, []).append((p.name, fn))
    return out


def touch(session: Session, instances: Iterable[Any]) -> None:
    """Remember written ORM instances of watched tables (called before each flush)."""
    watched = _watchers()
    pending = session.info.setdefault(TOUCHED, [])
    for obj in instances:
        table = getattr(type(obj), "__tablename__", None)
        if table in watched:
            pending.append((table, obj))
        if table in NAMED and _renamed(obj):
            session.info.setdefault(RENAMED, []).append((table, obj))


def _renamed(obj: Any) -> bool:
    """Is this body or programme new, deleted, or are its acronym or names changing?"""
    state = inspect(obj)
    if state.identity is None or state.deleted or obj in state.session.deleted:
        return True
    return any(state.attrs[name].history.has_changes() for name in ("acronym", "name_en", "name_id"))


def sync(session: Session) -> int:
    """Refresh the entries of every record written in this transaction (called before commit)."""
    pending = session.info.pop(TOUCHED, [])
    if not pending:
        session.info.pop(RENAMED, None)
        return 0
    watched = _watchers()
    keys: dict[tuple[str, str], None] = {}
    for table, obj in pending:
        state = inspect(obj)
        if state.transient:
            continue
        for provider, fn in watched[table]:
            key = fn(obj)
            if key is not None:
                keys[(provider, key)] = None
    forced: set[tuple[str, str]] = set()
    named = session.info.pop(RENAMED, [])
    if named:  # names changed: a lexicon of this transaction's own, and the texts naming them again
        session.info[NAMED_WRITTEN] = True
        session.info.pop(LEXICON, None)
        _lexicons.pop(session.get_bind().engine, None)
        forced = _naming(session, named)
    for provider_key in forced:
        keys[provider_key] = None
    wrote = [_refresh(session, provider, key, force=(provider, key) in forced)[1] for provider, key in keys]
    if any(wrote):
        columns.moved(session)
    return len(keys)


def _naming(session: Session, named: list[tuple[str, Any]]) -> set[tuple[str, str]]:
    """The records (provider, key) whose entries name one of these bodies or programmes, by the
    acronym or a name it had (its mention, kept on each entry that expanded it) or has now (found
    in the index, every word of it): their expansions are built again with the new names."""
    backend = backends.backend_for(session)
    mentions: set[str] = set()
    found: set[int] = set()
    for table, obj in named:
        state = inspect(obj)
        if state.identity is None:  # never stored
            continue
        mention = f"{MENTION_KIND[table]}:{state.identity[0]}"
        mentions.add(mention)
        if state.deleted or state.was_deleted:
            continue
        name = _name(mention, obj.acronym, obj.name_en, obj.name_id)
        for words in ([name.acronym] if name.acronym else []) + [
            " ".join(seq) for seq in name.names if len(seq) >= 3
        ]:
            groups = t.query_groups(words)
            ids, _ = backend.scored(session, groups, [g[-1] for g in groups], every=True)
            found.update(ids.tolist())
    as_text = cast(ENTRIES.c.mentions, String)
    roots: set[str] = set()
    for mention in mentions:
        roots.update(session.scalars(select(ENTRIES.c.root).where(as_text.like(f'%"{mention}"%')).distinct()))
    ids = sorted(found)
    for at in range(0, len(ids), 500):
        roots.update(
            session.scalars(select(ENTRIES.c.root).where(ENTRIES.c.id.in_(ids[at : at + 500])).distinct())
        )
    pairs = (root.split(":", 1) for root in roots)
    return {(provider, key) for provider, key in pairs if provider in PROVIDERS}


def done(session: Session) -> None:
    """After a commit or rollback: nothing pending, and this transaction's lexicon dropped."""
    session.info.pop(TOUCHED, None)
    session.info.pop(LEXICON, None)
    session.info.pop(NAMED_WRITTEN, None)
    session.info.pop(RENAMED, None)
