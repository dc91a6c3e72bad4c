"""Text out of uploaded files (PDF with pypdf, DOCX with python-docx, HTML with lxml, plain text),
and text into passages that keep their place.

Every failure is a :class:`BadUpload` naming the file and what is wrong with it; nothing is stored.

Uploads are read by :func:`read_document` before the unit of work writes anything: in a child
process (:mod:`ascc.kit.isolate`) with a time and a memory limit, a DOCX only once its parts and
their expanded size are within :data:`DOCX_LIMITS`, and the text no longer than :data:`MAX_TEXT`.
"""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from pathlib import Path

from ascc.kit import clean, isolate
from ascc.kit.archive import ZipLimits, check_zip
from ascc.kit.errors import DomainError, Invalid

MAX_BYTES = 10 * 1024 * 1024  # 10 MiB per upload
#: a DOCX may have this many parts and expand to this many bytes (a real one: tens of parts, a few MiB)
DOCX_LIMITS = ZipLimits(parts=2_000, expanded=64 * 2**20)
#: the most characters of text a document may have (as many as the largest plain-text upload)
MAX_TEXT = MAX_BYTES
#: the time and the memory (address space) that reading one upload may take
EXTRACT_SECONDS = 60.0
EXTRACT_MEMORY = 2 * 2**30
LONG = 1200  # a paragraph longer than this many characters is cut at sentence ends
KINDS = ("declaration", "work_plan", "report", "news", "article")


class TooLarge(DomainError):
    status = 413
    title = "Upload too large"


class Unsupported(DomainError):
    status = 415
    title = "Unsupported file type"


class BadUpload(Invalid):
    """A file that cannot be read (corrupt, encrypted, empty): 422 naming the file."""


@dataclasses.dataclass(frozen=True)
class Piece:
    position: int
    paragraph: int
    start: int
    end: int
    heading: bool
    text: str


MEDIA_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".html": "text/html",
    ".htm": "text/html",
    ".txt": "text/plain",
    ".md": "text/plain",
}


def media_type_of(filename: str, content: bytes) -> str:
    """The file's type from its first bytes, else its name; :class:`Unsupported` otherwise."""
    head = content[:512].lstrip().lower()
    if content.startswith(b"%PDF-"):
        return MEDIA_TYPES[".pdf"]
    if content.startswith(b"PK\x03\x04"):
        if filename.lower().endswith(".docx"):
            return MEDIA_TYPES[".docx"]
        raise Unsupported(
            f"{filename}: a ZIP-based file that is not .docx; upload PDF, DOCX, HTML or text",
            parameter="file",
        )
    if head.startswith((b"<!doctype html", b"<html")) or filename.lower().endswith((".html", ".htm")):
        return MEDIA_TYPES[".html"]
    ext = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext in (".txt", ".md", ""):
        return MEDIA_TYPES[".txt"]
    raise Unsupported(
        f"{filename}: {ext} files are not supported; upload PDF, DOCX, HTML or text", parameter="file"
    )


def read_limited(stream, filename: str) -> tuple[str, bytes]:
    """The upload's name and bytes, refusing more than :data:`MAX_BYTES` without reading it all."""
    name = Path(filename or "upload").name[:300] or "upload"
    content = stream.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise TooLarge(f"{name}: more than the {MAX_BYTES} bytes allowed", parameter="file")
    return name, content


def check_size(filename: str, content: bytes) -> None:
    if len(content) > MAX_BYTES:
        raise TooLarge(
            f"{filename}: {len(content)} bytes, more than the {MAX_BYTES} allowed", parameter="file"
        )
    if not content.strip():
        raise BadUpload(f"{filename}: the file is empty", parameter="file")


@dataclasses.dataclass(frozen=True)
class Extracted:
    """An upload's name, media type and text, read before anything is written."""

    filename: str
    media_type: str
    text: str


def read_document(filename: str, content: bytes) -> Extracted:
    """:func:`extract` in a child process limited to :data:`EXTRACT_SECONDS` and
    :data:`EXTRACT_MEMORY`: a file that takes longer or needs more is refused (422 naming it)."""
    check_size(filename, content)
    media = media_type_of(filename, content)  # an unsupported type is refused without a worker
    if media == MEDIA_TYPES[".docx"]:
        check_zip(filename, content, DOCX_LIMITS)
    try:
        media, text = isolate.run(extract, filename, content, seconds=EXTRACT_SECONDS, memory=EXTRACT_MEMORY)
    except isolate.TimedOut:
        raise BadUpload(
            f"{filename}: reading the file took longer than {EXTRACT_SECONDS:g} seconds; nothing was stored",
            parameter="file",
            limit="seconds",
        ) from None
    except isolate.Failed as exc:
        raise BadUpload(
            f"{filename}: the file could not be read ({exc}); nothing was stored", parameter="file"
        ) from None
    return Extracted(filename, media, text)


def extract(filename: str, content: bytes) -> tuple[str, str]:
    """``(media type, text)``; the text has ``\\n`` line ends and is never empty."""
    check_size(filename, content)
    media = media_type_of(filename, content)
    if media == MEDIA_TYPES[".pdf"]:
        text = _pdf(filename, content)
    elif media == MEDIA_TYPES[".docx"]:
        check_zip(filename, content, DOCX_LIMITS)
        text = _docx(filename, content)
    elif media == MEDIA_TYPES[".html"]:
        text = _html(filename, content)
    else:
        text = _plain(filename, content)
    if len(text) > MAX_TEXT:
        raise TooLarge(
            f"{filename}: more than the {MAX_TEXT} characters of text allowed; nothing was stored",
            parameter="file",
            limit="characters",
        )
    # NUL and the invisible bidirectional controls go (ascc.kit.clean): no text field holds them
    text = clean.strip(text.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not text:
        raise BadUpload(
            f"{filename}: no text could be extracted (a scanned PDF or an empty document?)", parameter="file"
        )
    return media, text


def _pdf(filename: str, content: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            raise BadUpload(
                f"{filename}: the PDF is encrypted; upload it without a password", parameter="file"
            )
        pages = [page.extract_text() or "" for page in reader.pages]
    except BadUpload:
        raise
    except (
        PyPdfError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        zipfile.BadZipFile,
        OSError,
        RecursionError,
    ) as exc:
        raise BadUpload(
            f"{filename}: not a readable PDF ({type(exc).__name__}: {exc})", parameter="file"
        ) from None
    # pypdf breaks lines inside paragraphs; a line ending a sentence ends a paragraph
    out = []
    for page in pages:
        out.append(re.sub(r"(?<![.!?:;])\n(?=\S)", " ", page))
    return "\n\n".join(out)


def _docx(filename: str, content: bytes) -> str:
    import docx

    try:
        document = docx.Document(io.BytesIO(content))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise BadUpload(
            f"{filename}: not a readable DOCX ({type(exc).__name__}: {exc})", parameter="file"
        ) from None
    except Exception as exc:  # python-docx raises its own PackageNotFoundError and lxml errors
        raise BadUpload(f"{filename}: not a readable DOCX ({type(exc).__name__})", parameter="file") from None
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(lines)


BLOCKS = {
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "td",
    "th",
    "blockquote",
    "pre",
    "dt",
    "dd",
    "figcaption",
    "caption",
}


def _html(filename: str, content: bytes) -> str:
    import lxml.etree
    import lxml.html

    try:
        root = lxml.html.document_fromstring(content)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise BadUpload(f"{filename}: not readable HTML ({exc})", parameter="file") from None
    for bad in root.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    blocks = [el for el in root.iter() if isinstance(el.tag, str) and el.tag in BLOCKS]
    outer = [el for el in blocks if not any(a.tag in BLOCKS for a in el.iterancestors())]
    if not outer:
        return root.text_content()
    return "\n".join(" ".join(el.text_content().split()) for el in outer)


def _plain(filename: str, content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise BadUpload(
            f"{filename}: not UTF-8 text (line {line}, byte {exc.start})", parameter="file"
        ) from None


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def passages(text: str) -> list[Piece]:
    """Each non-empty line is a paragraph (numbered from 1); long ones are cut at sentence ends.

    Offsets are into ``text``; a short line that does not end a sentence is a heading.
    """
    out: list[Piece] = []
    paragraph = 0
    for m in re.finditer(r"[^\n]+", text):
        raw = m.group(0)
        if not raw.strip():
            continue
        paragraph += 1
        lead = len(raw) - len(raw.lstrip())
        start, body = m.start() + lead, raw.strip()
        heading = len(body.split()) < 20 and not body.endswith((".", "!", "?", ";", ":", "|"))
        chunks = [(0, len(body))]
        if len(body) > LONG:
            chunks, begin = [], 0
            for end in [s.start() for s in _SENTENCE_END.finditer(body)] + [len(body)]:
                if end - begin >= LONG // 2 or end == len(body):
                    chunks.append((begin, end))
                    begin = end + len(body[end:]) - len(body[end:].lstrip())
        for a, b in chunks:
            piece = body[a:b]
            if piece.strip():
                out.append(Piece(len(out) + 1, paragraph, start + a, start + b, heading, piece))
    return out
