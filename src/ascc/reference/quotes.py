"""Check that every quoted source really appears in its seed document."""

from __future__ import annotations

import re
from pathlib import Path

from ascc.reference.files import Problem, ReferenceSet


def normalise(text: str) -> str:
    """Collapse whitespace (the seeds are scraped pages with odd spacing) and unify quote marks."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", text).strip().lower()


def check_quotes(ref: ReferenceSet, seeds_dir: Path) -> list[Problem]:
    texts = {p.name: normalise(p.read_text(encoding="utf-8")) for p in seeds_dir.glob("*.txt")}
    problems = []
    for name, records in ref.records.items():
        for index, rec in enumerate(records):
            # a dated event may be sourced by a seed quote too (``Dated``: file + quote)
            for source in [*rec.sources, *getattr(rec, "dates", []), *rec.corrections]:
                if source.file is None:
                    continue
                if source.file not in texts:
                    problems.append(
                        Problem(
                            file=f"{name}.yaml",
                            line=ref.lines.get((name, index)),
                            field="sources",
                            reason=f"seed file {source.file} not found in {seeds_dir}",
                        )
                    )
                elif normalise(source.quote or "") not in texts[source.file]:
                    problems.append(
                        Problem(
                            file=f"{name}.yaml",
                            line=ref.lines.get((name, index)),
                            field="sources",
                            reason=f"quote not found in {source.file}: {source.quote!r}",
                        )
                    )
    return problems
