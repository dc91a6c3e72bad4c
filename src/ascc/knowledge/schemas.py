"""Shapes of documents, search results and answers."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ascc.registry.schemas import Text

Kind = Literal["declaration", "work_plan", "report", "news", "article"]
AudienceName = Literal["member_states", "partners", "public"]


class DocumentCreate(BaseModel):
    """What the uploader says about a document; the text comes from the file."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    title_en: str | None = Field(default=None, max_length=500)
    title_id: str | None = Field(default=None, max_length=500)
    language: Literal["en", "id"]
    kind: Kind
    date: dt.date | None = None
    sectors: list[str] = []
    bodies: list[str] = []
    source_url: str | None = Field(default=None, max_length=1000, pattern=r"^https?://\S+$")
    audience: AudienceName = "public"

    @model_validator(mode="after")
    def _title(self) -> DocumentCreate:
        if not (self.title_en or self.title_id):
            raise ValueError("give a title (title_en or title_id)")
        return self


class PassageRead(BaseModel):
    position: int
    paragraph: int
    start: int
    end: int
    heading: bool
    text: str
    anchor: str


class DocumentRead(BaseModel):
    id: int
    slug: str
    title: Text
    language: str
    kind: str
    date: dt.date | None
    sectors: list[str]
    bodies: list[str]
    source_url: str | None
    source_file: str | None
    media_type: str
    audience: str
    url: str
    passage_count: int


class DocumentDetail(DocumentRead):
    passages: list[PassageRead]


class DocumentPage(BaseModel):
    items: list[DocumentRead]
    total: int
    limit: int
    offset: int


class RecordLink(BaseModel):
    type: str
    id: str
    title: Text
    url: str


class PassageHit(BaseModel):
    """One of a document's best passages for the query, under the document's result."""

    id: str
    url: str
    position: int
    snippet: str
    score: float


class SearchHit(RecordLink):
    snippet: str  # HTML: escaped text with the matching words in <mark>
    score: float
    document: str | None = None
    position: int | None = None
    year: int | None = None
    sectors: list[str] = []
    languages: list[str] = []
    #: in grouped results, the document's best matching passages (best first; the hit's own too)
    passages: list[PassageHit] = []


class FacetValue(BaseModel):
    value: str
    count: int


class Facets(BaseModel):
    type: list[FacetValue]
    sector: list[FacetValue]
    language: list[FacetValue]
    year: list[FacetValue]


class SearchResult(BaseModel):
    q: str
    match: Literal["all", "any", "none"]  # every word matched, or (none did) any word
    grouped: bool = False  # one result per document (total counts results; facets count entries)
    total: int
    limit: int
    offset: int
    items: list[SearchHit]
    facets: Facets
    also: list[str] = []  # what the query was also searched as, in the other language (expansions)


class Citation(BaseModel):
    document: str
    title: Text
    position: int
    paragraph: int
    start: int
    end: int
    url: str
    source_file: str | None
    source_url: str | None


class AnswerPassage(BaseModel):
    text: str  # the passage verbatim
    snippet: str
    score: float
    citation: Citation
    mentions: list[RecordLink]


class Answer(BaseModel):
    q: str
    passages: list[AnswerPassage]
    records: list[RecordLink]  # the registry records the passages mention, best passage first
    also: list[str] = []  # what the question was also searched as, in the other language
