"""COINr's indicator metadata table (``iMeta``) as a source of the hierarchy.

Columns as in COINr: ``Level, iCode, iName, Direction, Weight, Unit, Target, Denominator, Parent,
Type`` where ``Type`` is ``Indicator``, ``Aggregate``, ``Group``, ``Denominator`` or ``Other``.
A definition may leave its hierarchy to the iMeta file; when it declares one as well, the two
must agree entry by entry, so that a stale metadata file can never silently change an index.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path

from ascc.indices.definition import IndexDefinition, Node, finalise
from ascc.indices.errors import DefinitionError, Problem
from ascc.kit.table import decode, read_table

REQUIRED = ("Level", "iCode", "Parent", "Direction", "Type", "Weight")
TYPES = ("Indicator", "Aggregate", "Group", "Denominator", "Other")


@dataclass(frozen=True)
class IMeta:
    file: str
    nodes: tuple[Node, ...]
    groups: tuple[str, ...]
    denominators: tuple[str, ...]
    others: tuple[str, ...]


def _number(value: str, *, file: str, line: int, column: str, problems: list[Problem]) -> float | None:
    value = value.strip()
    if value in ("", "NA"):
        return None
    try:
        number = float(value)
    except ValueError:
        problems.append(
            Problem(reason=f"{column} must be a number, not {value!r}", file=file, line=line, column=column)
        )
        return None
    if not math.isfinite(number):
        problems.append(
            Problem(reason=f"{column} must be finite, not {value!r}", file=file, line=line, column=column)
        )
        return None
    return number


def read_imeta(path: Path | str) -> IMeta:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DefinitionError(Problem(reason=f"cannot read iMeta: {exc.strerror}", file=str(path))) from None
    text, problems = decode(data, file=str(path))
    if text is None:
        raise DefinitionError(problems)
    return _read(text, str(path))


def imeta_from_text(text: str, *, file: str = "imeta.csv") -> IMeta:
    """iMeta given as text (a request's field, a stored run's copy): no file is involved."""
    return _read(text, file)


def _read(text: str, file: str) -> IMeta:
    nodes: list[Node] = []
    groups: list[str] = []
    denoms: list[str] = []
    others: list[str] = []
    table, problems = read_table(text, file=file, required=REQUIRED, short_rows=True)
    if table is None:
        raise DefinitionError(problems)
    for line, row in table:
        code = (row.get("iCode") or "").strip()
        kind = (row.get("Type") or "").strip()
        if not code:
            problems.append(Problem(reason="empty iCode", file=file, line=line, column="iCode"))
            continue
        if kind not in TYPES:
            problems.append(
                Problem(
                    reason=f"iCode {code!r}: Type {kind!r} is not one of {', '.join(TYPES)}",
                    file=file,
                    line=line,
                )
            )
            continue
        if kind == "Group":
            groups.append(code)
            continue
        if kind == "Denominator":
            denoms.append(code)
            continue
        if kind == "Other":
            others.append(code)
            continue
        level = _number(row["Level"], file=file, line=line, column="Level", problems=problems)
        weight = _number(row["Weight"], file=file, line=line, column="Weight", problems=problems)
        direction = _number(row["Direction"], file=file, line=line, column="Direction", problems=problems)
        target = _number(row.get("Target") or "", file=file, line=line, column="Target", problems=problems)
        if weight is None:
            problems.append(
                Problem(reason=f"iCode {code!r}: Weight is missing", file=file, line=line, column="Weight")
            )
        elif weight < 0:
            problems.append(
                Problem(
                    reason=f"iCode {code!r}: Weight must not be negative ({weight:g})",
                    file=file,
                    line=line,
                )
            )
        if kind == "Indicator" and direction not in (1.0, -1.0):
            problems.append(
                Problem(
                    reason=f"iCode {code!r}: Direction must be 1 or -1, not {row['Direction']!r}",
                    file=file,
                    line=line,
                )
            )
        if level is None or level != int(level) or level < 1:
            problems.append(
                Problem(reason=f"iCode {code!r}: Level must be a whole number >= 1", file=file, line=line)
            )
            level = None
        elif (kind == "Indicator") != (level == 1):
            problems.append(
                Problem(
                    reason=f"iCode {code!r}: Type {kind} does not match Level {int(level)}",
                    file=file,
                    line=line,
                )
            )
        parent = (row.get("Parent") or "").strip()
        denominator = (row.get("Denominator") or "").strip()
        nodes.append(
            Node(
                code=code,
                kind=kind.lower(),
                name=(row.get("iName") or "").strip() or code,
                parent=None if parent in ("", "NA") else parent,
                weight=weight if weight is not None else 1.0,
                direction=int(direction) if direction in (1.0, -1.0) else 1,
                unit=(row.get("Unit") or "").strip() or None,
                target=target,
                denominator=None if denominator in ("", "NA") else denominator,
                declared_level=int(level) if level is not None and kind == "Aggregate" else None,
                file=file,
                line=line,
            )
        )
    if problems:
        raise DefinitionError(problems)
    return IMeta(file, tuple(nodes), tuple(groups), tuple(denoms), tuple(others))


_COMPARED = (
    ("kind", "Type"),
    ("parent", "Parent"),
    ("weight", "Weight"),
    ("direction", "Direction"),
    ("denominator", "Denominator"),
)


def apply_imeta(definition: IndexDefinition, meta: IMeta) -> IndexDefinition:
    """The definition with its hierarchy taken from, or checked against, the iMeta table."""
    if not definition.nodes:
        units = definition.units
        if not units.groups:
            units = replace(units, groups=meta.groups)
        if not units.denominators:
            units = replace(units, denominators=tuple((d, None) for d in meta.denominators))
        return finalise(replace(definition, nodes=meta.nodes, units=units))
    problems: list[Problem] = []
    ours = definition.by_code
    theirs = {n.code: n for n in meta.nodes}
    for code, node in theirs.items():
        if code not in ours and code not in definition.exclude:
            problems.append(
                Problem(
                    reason=f"iCode {code!r} is in the iMeta but not in the definition {definition.file}",
                    file=meta.file,
                    line=node.line,
                )
            )
            continue
        if code not in ours:
            continue
        mine = ours[code]
        for attr, column in _COMPARED:
            a, b = getattr(mine, attr), getattr(node, attr)
            if a != b:
                problems.append(
                    Problem(
                        reason=f"iCode {code!r}: {column} {b!r} differs from the definition ({mine.where}: {a!r})",
                        file=meta.file,
                        line=node.line,
                    )
                )
        if node.declared_level is not None and node.declared_level != mine.level:
            problems.append(
                Problem(
                    reason=f"iCode {code!r}: Level {node.declared_level} differs from the definition "
                    f"({mine.where}: level {mine.level})",
                    file=meta.file,
                    line=node.line,
                )
            )
    for code, node in ours.items():
        if code not in theirs:
            problems.append(
                Problem(
                    reason=f"{node.kind} {code!r} is not in the iMeta {meta.file}",
                    file=node.file,
                    line=node.line,
                )
            )
    if problems:
        raise DefinitionError(problems)
    return definition
