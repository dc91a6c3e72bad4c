"""Knowledge-base tables: documents, their passages, and the derived search entries.

The full-text structures are dialect-specific and live only in the migration (0011), outside the
ORM metadata: on SQLite the FTS5 table ``search_fts`` (external content over ``search_entries``,
kept in step by triggers); on PostgreSQL the GIN expression index ``ix_search_entries_tsv``.
``DIALECT_ONLY`` names them so the migrations-equal-models check can leave exactly them out.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from ascc.db.base import Base

#: full-text objects made per dialect by the migration and not part of Base.metadata
DIALECT_ONLY = frozenset(
    {
        "search_fts",
        "search_fts_data",
        "search_fts_idx",
        "search_fts_docsize",
        "search_fts_config",
        "search_fts_content",
        "ix_search_entries_tsv",
        "ix_search_entries_facets",
    }
)


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic filter: everything except the dialect-only full-text objects above."""
    return name not in DIALECT_ONLY


class Document(Base):
    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title_en: Mapped[str | None] = mapped_column(String(500))
    title_id: Mapped[str | None] = mapped_column(String(500))
    language: Mapped[str] = mapped_column(String(2))
    kind: Mapped[str] = mapped_column(String(20))
    date: Mapped[dt.date | None] = mapped_column(Date)
    sectors: Mapped[list[str]] = mapped_column(JSON, default=list)
    bodies: Mapped[list[str]] = mapped_column(JSON, default=list)
    source_url: Mapped[str | None] = mapped_column(String(1000))
    source_file: Mapped[str | None] = mapped_column(String(300))
    media_type: Mapped[str] = mapped_column(String(100))
    audience: Mapped[str] = mapped_column(String(20), default="public")
    digest: Mapped[str] = mapped_column(String(64), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Passage(Base):
    """A paragraph (or a piece of a long one) of a document, where it stands in the text."""

    __tablename__ = "document_passages"
    __table_args__ = (UniqueConstraint("document_id", "position"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # 1-based, in reading order
    paragraph: Mapped[int] = mapped_column(Integer)  # 1-based paragraph number
    start: Mapped[int] = mapped_column(Integer)  # character offsets in Document.text
    end: Mapped[int] = mapped_column(Integer)
    heading: Mapped[bool] = mapped_column(Boolean, default=False)
    text: Mapped[str] = mapped_column(Text)


class SearchEntry(Base):
    """One searchable thing (a document, a passage, a registry record), derived and rebuildable.

    ``title_terms``/``terms`` hold Python-stemmed terms (SQLite FTS5 indexes them); ``*_norm``
    hold the folded, acronym-expanded but unstemmed text (PostgreSQL stems it with its
    'indonesian' and 'english' configurations). ``sectors`` and ``languages`` are ``|a|b|``.
    """

    __tablename__ = "search_entries"
    __table_args__ = (UniqueConstraint("kind", "ref"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    ref: Mapped[str] = mapped_column(String(160))
    root: Mapped[str] = mapped_column(String(160), index=True)  # provider:key, the unit of refresh
    title_en: Mapped[str | None] = mapped_column(Text)
    title_id: Mapped[str | None] = mapped_column(Text)
    text_en: Mapped[str | None] = mapped_column(Text)
    text_id: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str] = mapped_column(String(500))
    sectors: Mapped[str] = mapped_column(String(1000), default="|")
    languages: Mapped[str] = mapped_column(String(20), default="|")
    year: Mapped[int | None] = mapped_column(Integer, index=True)
    audience: Mapped[str] = mapped_column(String(20), default="public")
    document_id: Mapped[int | None] = mapped_column(Integer, index=True)
    position: Mapped[int | None] = mapped_column(Integer)
    heading: Mapped[bool] = mapped_column(Boolean, default=False)
    mentions: Mapped[list[str]] = mapped_column(JSON, default=list)  # "kind:ref" of records named
    title_terms: Mapped[str] = mapped_column(Text, default="")
    terms: Mapped[str] = mapped_column(Text, default="")
    title_norm_en: Mapped[str] = mapped_column(Text, default="")
    title_norm_id: Mapped[str] = mapped_column(Text, default="")
    norm_en: Mapped[str] = mapped_column(Text, default="")
    norm_id: Mapped[str] = mapped_column(Text, default="")
    #: the search index counter this entry's last insert or change committed at (migration 0026)
    stamp: Mapped[int] = mapped_column(Integer, default=0, server_default="0", index=True)
