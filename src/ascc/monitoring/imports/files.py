"""One observation file read and checked: the format found from its name and first bytes, its
text read in chunks (:mod:`reading`), a producer's layout translated (:mod:`profiles`), an SDMX-ML
message read (:mod:`sdmx_ml`), and every row checked (:mod:`importer`)."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from ascc.kit.problems import Problem
from ascc.monitoring.imports import profiles, sdmx_ml
from ascc.monitoring.imports.importer import FORMATS, Catalogue, Parsed, check_frames, known_codes
from ascc.monitoring.imports.reading import (
    Progress,
    csv_chunks,
    encoding_problems,
    header_of,
    semicolons,
    to_commas,
    xlsx_chunks,
)


def detect_format(path: Path, head: bytes) -> str:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm") or head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if suffix == ".xml" or head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return "sdmx-ml"
    header = head.split(b"\n", 1)[0]
    if profiles.recognise(header_of(to_commas(header) if semicolons(header) else header)):
        return "csv"  # a UN SDG or ILOSTAT download (ILOSTAT's obs_value too)
    first = head.split(b"\n", 1)[0].lstrip(b"\xef\xbb\xbf").upper()
    if b"DATAFLOW" in first or b"STRUCTURE" in first or b"OBS_VALUE" in first:
        return "sdmx-csv"
    return "csv"


def parse(
    path: Path,
    cat: Catalogue,
    *,
    fmt: str | None = None,
    name: str | None = None,
    data: bytes | None = None,
    progress: Progress | None = None,
    today: dt.date | None = None,
    profile: str | profiles.Profile | None = None,
) -> Parsed:
    """Read and check one file; ``Parsed.problems`` lists everything wrong with it. ``profile``: the
    layout of a CSV file (``sdmx-csv``, a built-in profile's name or a mapping file's profile; by
    default recognised from the header)."""
    name = name or path.name
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            return Parsed(
                name,
                fmt or "?",
                "",
                None,
                [Problem(file=name, reason=f"cannot read the file: {exc.strerror}")],
            )
    digest = hashlib.sha256(data).hexdigest()
    fmt = fmt or detect_format(path, data[:4096])
    if fmt not in FORMATS:
        return Parsed(
            name,
            fmt,
            digest,
            None,
            [Problem(file=name, reason=f"unknown format {fmt!r} ({', '.join(FORMATS)})")],
        )
    if fmt == "xlsx":
        frame, problems = check_frames(
            name, fmt, xlsx_chunks(name, data, progress), cat, unit="row", today=today
        )
        return Parsed(name, fmt, digest, frame, problems)
    problems = encoding_problems(name, data)
    if problems:
        return Parsed(name, fmt, digest, None, problems)
    if fmt == "sdmx-ml":
        frame, problems = sdmx_ml.parse_message(name, data, cat, today=today)
        return Parsed(name, fmt, digest, frame, problems)
    notes = []
    if semicolons(data):  # a spreadsheet's export where the comma is the decimal separator's neighbour
        data = to_commas(data)
        notes.append("semicolon-separated file")
    if profile == "sdmx-csv":
        fmt, profile = "sdmx-csv", None
    elif profile is None and fmt == "csv":
        profile = profiles.recognise(header_of(data))
    if profile is not None:
        chosen = profile if isinstance(profile, profiles.Profile) else profiles.BUILT_IN.get(profile)
        if chosen is None:
            known = ", ".join(profiles.PROFILES)
            return Parsed(
                name, fmt, digest, None, [Problem(file=name, reason=f"unknown profile {profile!r} ({known})")]
            )
        chunks = profiles.translate(
            name, chosen, csv_chunks(name, data, progress), set(cat.indicators), cat.sdmx_ids
        )
        del data
        frame, problems = check_frames(name, chosen.name, chunks, cat, today=today, notes=notes)
        return Parsed(name, chosen.name, digest, frame, problems)
    chunks = csv_chunks(name, data, progress, known_codes(fmt, cat, today))
    del data  # held by the reader only as long as it needs the bytes
    frame, problems = check_frames(name, fmt, chunks, cat, today=today, notes=notes)
    return Parsed(name, fmt, digest, frame, problems)
