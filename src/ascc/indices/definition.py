"""An index definition: the hierarchy and the methods of a composite index, read from YAML.

A definition is data and is versioned: ``index.code`` names the index, ``index.edition`` and
``index.version`` tell editions and revisions apart, so two editions of one index (the first and
second ASEAN Youth Development Index) live side by side as two files. The hierarchy goes from
indicators (level 1) through aggregates (pillars or domains, sub-indices) to one root, the index.

Invariants checked on load, each error naming file, line and entry:

- codes are unique; every parent exists and is an aggregate; there are no cycles;
- there is exactly one root, and every aggregate has children, all on the same level, so that the
  index can be aggregated level by level as COINr does;
- weights are finite and not negative, the weights of each group have a positive sum and, when
  ``weights_sum`` is set, add up to it; directions are 1 or -1; denominators are declared.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from ascc.indices import specs
from ascc.indices.errors import DefinitionError, Problem
from ascc.indices.yaml_lines import LineDict, Reporter, load_text

WEIGHT_SUM_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Node:
    """An indicator (level 1) or an aggregate (level 2 and up) of the hierarchy."""

    code: str
    kind: str  # "indicator" or "aggregate"
    name: str
    parent: str | None
    weight: float = 1.0
    direction: int = 1
    level: int = 1
    unit: str | None = None
    target: float | None = None
    denominator: str | None = None
    denominator_scale: float = 1.0
    goalposts: tuple[float, float] | None = None
    series: str | None = None  # code of the series in the platform's indicator store
    declared_level: int | None = None
    file: str | None = None
    line: int | None = None
    #: the Indonesian name, where it differs from ``name`` (the English one); pages in Indonesian show it
    name_id: str | None = None

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.file and self.line else (self.file or "?")


@dataclass(frozen=True)
class UnitSpec:
    """Columns that describe units rather than measure them."""

    id: str = "uCode"
    name: str | None = "uName"
    time: str | None = "Time"
    groups: tuple[str, ...] = ()
    denominators: tuple[tuple[str, str | None], ...] = ()  # (column, store series or None)

    @property
    def denominator_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.denominators)


@dataclass(frozen=True)
class StoreSelection:
    """Which units and years to take from the platform's indicator store."""

    units: tuple[str, ...] = ()  # empty: every unit in the store
    years: tuple[int, int] | None = None  # inclusive; None: every year


@dataclass(frozen=True)
class IndexDefinition:
    code: str
    name: str
    version: str
    edition: str | None = None
    description: str | None = None
    sources: tuple[str, ...] = ()
    level_names: tuple[str, ...] = ()
    nodes: tuple[Node, ...] = ()
    units: UnitSpec = field(default_factory=UnitSpec)
    store: StoreSelection = field(default_factory=StoreSelection)
    steps: specs.Steps = field(default_factory=specs.Steps)
    uncertainty: specs.UncertaintySpec | None = None
    exclude: tuple[str, ...] = ()
    weights_sum: float | None = None
    file: str | None = None
    sha256: str | None = None

    @cached_property
    def by_code(self) -> dict[str, Node]:
        return {n.code: n for n in self.nodes}

    @cached_property
    def indicators(self) -> tuple[Node, ...]:
        return tuple(n for n in self.nodes if n.kind == "indicator")

    @cached_property
    def indicator_codes(self) -> tuple[str, ...]:
        return tuple(n.code for n in self.indicators)

    @cached_property
    def aggregates(self) -> tuple[Node, ...]:
        return tuple(n for n in self.nodes if n.kind == "aggregate")

    @cached_property
    def children(self) -> dict[str, tuple[str, ...]]:
        out: dict[str, list[str]] = {n.code: [] for n in self.aggregates}
        for n in self.nodes:
            if n.parent is not None:
                out[n.parent].append(n.code)
        return {k: tuple(v) for k, v in out.items()}

    @cached_property
    def max_level(self) -> int:
        return max(n.level for n in self.nodes)

    @cached_property
    def root(self) -> str:
        return next(n.code for n in self.aggregates if n.parent is None)

    def level_codes(self, level: int) -> tuple[str, ...]:
        """Aggregates of one level in COINr's column order (sorted codes, as R's ``tapply``)."""
        codes = [n.code for n in self.aggregates if n.level == level]
        return tuple(sorted(codes, key=lambda c: (c.casefold(), c)))

    @cached_property
    def output_codes(self) -> tuple[str, ...]:
        """Columns of the aggregated data set: indicators, then each level's aggregates."""
        out = list(self.indicator_codes)
        for level in range(2, self.max_level + 1):
            out.extend(self.level_codes(level))
        return tuple(out)

    def label(self) -> str:
        edition = f", edition {self.edition}" if self.edition else ""
        return f"{self.code} {self.version}{edition}"


# --- parsing ---------------------------------------------------------------------------------

_TOP_KEYS = {
    "index",
    "units",
    "data",
    "indicators",
    "aggregates",
    "steps",
    "uncertainty",
    "exclude",
    "weights_sum",
}
_INDICATOR_KEYS = {
    "code",
    "name",
    "name_id",
    "parent",
    "direction",
    "weight",
    "unit",
    "target",
    "denominator",
    "denominator_scale",
    "goalposts",
    "series",
    "treat",
    "normalise",
    "notes",
}
_AGGREGATE_KEYS = {"code", "name", "name_id", "parent", "weight", "level", "notes"}


def load_definition(path: Path | str) -> IndexDefinition:
    """Read and check a definition file; raises DefinitionError listing every problem found."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DefinitionError(
            Problem(reason=f"cannot read the definition: {exc.strerror}", file=str(path))
        ) from None
    return definition_from_text(raw.decode("utf-8"), file=str(path))


def definition_from_text(text: str, *, file: str | None = "definition.yaml") -> IndexDefinition:
    """Read and check a definition given as text (a request's field, a stored version)."""
    return parse_definition(
        load_text(text, file=file), file=file, sha256=hashlib.sha256(text.encode("utf-8")).hexdigest()
    )


def parse_definition(data: Any, *, file: str | None = None, sha256: str | None = None) -> IndexDefinition:
    rep = Reporter(file)
    top = rep.mapping(data, "definition", _TOP_KEYS)
    head = rep.mapping(
        top.get("index"), "index", {"code", "name", "version", "edition", "description", "sources", "levels"}
    )
    if "index" not in top:
        rep.add("the index section (code, name, version) is required", top)
    code = rep.text(head, "code", None, "index")
    version = rep.text(head, "version", None, "index")
    if "index" in top and not code:
        rep.add("index.code is required", head, None, "index")
    if "index" in top and not version:
        rep.add("index.version is required: definitions are versioned", head, None, "index")
    units = _parse_units(top.get("units"), rep)
    store = _parse_store(top.get("data"), rep)
    steps = specs.parse_steps(top.get("steps"), rep)
    nodes, individual_treat, individual_norm = _parse_nodes(top, rep, steps)
    steps = replace(
        steps,
        treat=replace(steps.treat, individual=tuple(individual_treat)),
        normalise=replace(steps.normalise, individual=tuple(individual_norm)),
    )
    weights_sum = rep.number(top, "weights_sum", None, "weights_sum", lo=0)
    exclude = rep.codes(top, "exclude", "exclude")
    definition = IndexDefinition(
        code=code or "?",
        name=rep.text(head, "name", code, "index") or (code or "?"),
        version=version or "?",
        edition=rep.text(head, "edition", None, "index"),
        description=rep.text(head, "description", None, "index"),
        sources=rep.codes(head, "sources", "index"),
        level_names=rep.codes(head, "levels", "index"),
        nodes=tuple(nodes),
        units=units,
        store=store,
        steps=steps,
        uncertainty=specs.parse_uncertainty(top.get("uncertainty"), rep),
        exclude=exclude,
        weights_sum=weights_sum,
        file=file,
        sha256=sha256,
    )
    if rep.problems:
        raise DefinitionError(rep.problems)
    if definition.nodes:
        definition = finalise(definition)
    return definition


def _parse_units(raw: Any, rep: Reporter) -> UnitSpec:
    m = rep.mapping(raw, "units", {"id", "name", "time", "groups", "denominators"})
    denoms_raw = m.get("denominators")
    denoms: list[tuple[str, str | None]] = []
    if isinstance(denoms_raw, dict):
        for name, series in denoms_raw.items():
            denoms.append((str(name), None if series is None else str(series)))
    else:
        denoms = [(c, None) for c in rep.codes(m, "denominators", "units")]
    return UnitSpec(
        id=rep.text(m, "id", "uCode", "units") or "uCode",
        name=rep.text(m, "name", "uName", "units"),
        time=rep.text(m, "time", "Time", "units"),
        groups=rep.codes(m, "groups", "units"),
        denominators=tuple(denoms),
    )


def _parse_store(raw: Any, rep: Reporter) -> StoreSelection:
    m = rep.mapping(raw, "data", {"units", "years"})
    years = rep.pair(m, "years", None, "data")
    if years is not None and (years[0] > years[1] or int(years[0]) != years[0] or int(years[1]) != years[1]):
        rep.add(f"years must be [first, last] whole years, not {list(years)}", m, "years", "data")
        years = None
    return StoreSelection(
        units=rep.codes(m, "units", "data"), years=None if years is None else (int(years[0]), int(years[1]))
    )


def _parse_nodes(top: LineDict, rep: Reporter, steps: specs.Steps):
    nodes: list[Node] = []
    treat: list[tuple[str, specs.TreatSpec]] = []
    norm: list[tuple[str, specs.NormaliseSpec]] = []
    for section, kind, keys in (
        ("indicators", "indicator", _INDICATOR_KEYS),
        ("aggregates", "aggregate", _AGGREGATE_KEYS),
    ):
        items = top.get(section) or []
        if not isinstance(items, list):
            rep.add(f"{section} must be a list", top, section)
            continue
        for i, item in enumerate(items):
            where = f"{section}[{i}]"
            m = rep.mapping(item, where, keys)
            code = rep.text(m, "code", None, where)
            if not code:
                rep.add("code is required", m, None, where)
                continue
            where = f"{section[:-1]} {code!r}"
            direction = rep.number(m, "direction", 1, where, integer=True)
            if direction not in (1, -1):
                rep.add(f"direction must be 1 or -1, not {direction}", m, "direction", where)
            weight = rep.number(m, "weight", 1.0, where)
            if weight is not None and weight < 0:
                rep.add(f"weight must not be negative ({weight})", m, "weight", where)
            goalposts = rep.pair(m, "goalposts", None, where)
            if goalposts is not None and not goalposts[0] < goalposts[1]:
                rep.add(
                    f"goalposts must be [lower, upper] with lower < upper, not {list(goalposts)}",
                    m,
                    "goalposts",
                    where,
                )
            parent = m.get("parent")
            nodes.append(
                Node(
                    code=code,
                    kind=kind,
                    name=rep.text(m, "name", code, where) or code,
                    name_id=rep.text(m, "name_id", None, where),
                    parent=None if parent is None else str(parent),
                    weight=1.0 if weight is None else weight,
                    direction=direction if direction in (1, -1) else 1,
                    unit=rep.text(m, "unit", None, where),
                    target=rep.number(m, "target", None, where),
                    denominator=rep.text(m, "denominator", None, where),
                    denominator_scale=_positive(rep, m, "denominator_scale", where),
                    goalposts=goalposts,
                    series=rep.text(m, "series", None, where),
                    declared_level=rep.number(m, "level", None, where, lo=2, integer=True),
                    file=rep.file,
                    line=m.line,
                )
            )
            if "treat" in m:
                treat.append(
                    (code, specs.parse_treat_individual(m["treat"], rep, where, steps.treat.default))
                )
            if "normalise" in m:
                norm.append((code, specs.parse_normalise_spec(m["normalise"], rep, f"{where}.normalise")))
    return nodes, treat, norm


def _positive(rep: Reporter, m: LineDict, key: str, where: str) -> float:
    value = rep.number(m, key, 1.0, where)
    if value is None or value <= 0:
        rep.add(f"{key} must be positive", m, key, where)
        return 1.0
    return value


# --- checks ----------------------------------------------------------------------------------


def check_hierarchy(
    nodes: list[Node] | tuple[Node, ...], rep: Reporter, weights_sum: float | None = None
) -> list[Node]:
    """Check the tree (see module docstring); returns the nodes with their levels filled in."""

    def at(node: Node, message: str) -> None:
        rep.problems.append(_problem(node, message))

    by_code: dict[str, Node] = {}
    for node in nodes:
        if node.code in by_code:
            at(node, f"duplicate code {node.code!r} (first defined at {by_code[node.code].where})")
            continue
        by_code[node.code] = node
    for node in by_code.values():
        if node.parent is None:
            if node.kind == "indicator":
                at(node, f"indicator {node.code!r} has no parent")
            continue
        parent = by_code.get(node.parent)
        if parent is None:
            at(node, f"{node.kind} {node.code!r}: unknown parent code {node.parent!r}")
        elif parent.kind != "aggregate":
            at(node, f"{node.kind} {node.code!r}: parent {node.parent!r} is an indicator, not an aggregate")
    in_cycle: set[str] = set()
    for node in by_code.values():
        path: list[str] = []
        seen: set[str] = set()
        current: Node | None = node
        while current is not None and current.parent is not None:
            if current.code in seen:
                cycle = path[path.index(current.code) :]
                if not in_cycle.intersection(cycle):
                    at(by_code[cycle[0]], "cycle in the hierarchy: " + " -> ".join([*cycle, cycle[0]]))
                in_cycle.update(cycle)
                break
            seen.add(current.code)
            path.append(current.code)
            current = by_code.get(current.parent)
    roots = [n for n in by_code.values() if n.kind == "aggregate" and n.parent is None]
    if len(roots) != 1 and not in_cycle:
        names = ", ".join(repr(n.code) for n in roots) or "none"
        rep.add(f"the hierarchy needs exactly one root aggregate (the index) without a parent; found {names}")
    children: dict[str, list[Node]] = {n.code: [] for n in by_code.values() if n.kind == "aggregate"}
    for node in by_code.values():
        if node.parent in children:
            children[node.parent].append(node)
    for code, kids in children.items():
        if not kids:
            at(by_code[code], f"aggregate {code!r} has no children")
    levels: dict[str, int] = {}

    def level_of(code: str) -> int:
        if code in levels:
            return levels[code]
        node = by_code[code]
        if node.kind == "indicator":
            levels[code] = 1
            return 1
        levels[code] = 0  # guards against cycles
        kid_levels = {level_of(k.code) for k in children[code]}
        if len(kid_levels) > 1:
            detail = ", ".join(f"{k.code} (level {levels[k.code]})" for k in children[code])
            at(node, f"aggregate {code!r} mixes children of different levels: {detail}")
        levels[code] = (max(kid_levels) if kid_levels else 1) + 1
        return levels[code]

    if not in_cycle:
        for code in by_code:
            level_of(code)
            node = by_code[code]
            if node.declared_level is not None and node.declared_level != levels[code]:
                at(
                    node,
                    f"aggregate {code!r} is declared at level {node.declared_level} but sits at level {levels[code]}",
                )
    for code, kids in children.items():
        if not kids:
            continue
        total = sum(k.weight for k in kids)
        if total <= 0:
            at(
                by_code[code],
                f"the weights of the children of {code!r} sum to {total:g}: nothing to aggregate",
            )
        elif weights_sum is not None and abs(total - weights_sum) > WEIGHT_SUM_TOLERANCE:
            detail = ", ".join(f"{k.code}={k.weight:g}" for k in kids)
            at(
                by_code[code],
                f"the weights of the children of {code!r} sum to {total:.12g}, not {weights_sum:g} ({detail})",
            )
    return [replace(n, level=levels.get(n.code, 1)) for n in nodes]


def _problem(node: Node, message: str) -> Problem:
    return Problem(reason=message, file=node.file, line=node.line)


def finalise(definition: IndexDefinition) -> IndexDefinition:
    """Apply ``exclude``, check the hierarchy and the cross-references; returns a checked copy."""
    rep = Reporter(definition.file)
    nodes = list(definition.nodes)
    if definition.exclude:
        known = {n.code for n in nodes if n.kind == "indicator"}
        for code in definition.exclude:
            if code not in known:
                rep.add(f"exclude: unknown indicator code {code!r}")
        nodes = _drop(nodes, set(definition.exclude))
    nodes = check_hierarchy(nodes, rep, definition.weights_sum)
    if rep.problems:
        raise DefinitionError(rep.problems)
    out = replace(definition, nodes=tuple(nodes), exclude=())
    _check_references(out, rep)
    if rep.problems:
        raise DefinitionError(rep.problems)
    return out


def _drop(nodes: list[Node], codes: set[str]) -> list[Node]:
    """Remove indicators, then any aggregate left without children (as COINr's ``exclude``)."""
    kept = [n for n in nodes if n.code not in codes]
    while True:
        parents = {n.parent for n in kept}
        childless = {n.code for n in kept if n.kind == "aggregate" and n.code not in parents}
        if not childless:
            return kept
        kept = [n for n in kept if n.code not in childless]


def weight_problems(definition: IndexDefinition, spec: specs.WeightsSpec) -> list[str]:
    """What is wrong with ``spec`` for this hierarchy: ``pca_level`` out of range, or groups
    whose children all weigh zero once the method and the custom weights are applied.

    Such a group has nothing to aggregate. Where ``pca`` applies (every level, or ``pca_level``)
    it gives the children weights that are not all zero, so only a group whose children are all
    set to 0 by ``custom`` counts.
    """
    if spec.pca_level is not None and spec.pca_level >= definition.max_level:
        return [f"pca_level must be a level below the top level {definition.max_level}, not {spec.pca_level}"]
    custom = dict(spec.custom)
    out = []
    for parent in (n.code for n in definition.aggregates):
        kids = definition.children[parent]
        kid_level = definition.by_code[parent].level - 1
        if spec.method == "pca" and spec.pca_level in (None, kid_level):
            weights = [custom.get(k, 1.0) for k in kids]
        else:
            weights = [
                custom.get(k, 1.0 if spec.method == "equal" else definition.by_code[k].weight) for k in kids
            ]
        if sum(weights) > 0:
            continue
        level = definition.by_code[parent].level
        names = definition.level_names
        level_name = f"{names[level - 1]}, level {level}" if len(names) >= level else f"level {level}"
        detail = ", ".join(f"{k}={w:g}" for k, w in zip(kids, weights, strict=True))
        out.append(
            f"the weights of the children of {parent!r} ({level_name}) sum to 0 ({detail}): "
            "nothing to aggregate; give at least one of them a positive weight"
        )
    return out


def _check_references(definition: IndexDefinition, rep: Reporter) -> None:
    denoms = set(definition.units.denominator_names)
    groups = set(definition.units.groups)
    codes = set(definition.by_code)
    clash = codes & (denoms | groups | {definition.units.id})
    for code in sorted(clash):
        rep.problems.append(_problem(definition.by_code[code], f"code {code!r} is also a unit column"))
    for node in definition.indicators:
        if node.denominator is not None and node.denominator not in denoms:
            known = ", ".join(sorted(denoms)) or "none declared under units.denominators"
            rep.problems.append(
                _problem(node, f"indicator {node.code!r}: unknown denominator {node.denominator!r} ({known})")
            )
    steps = definition.steps
    for i, step in enumerate(steps.impute.steps):
        if step.use_group is not None and step.use_group not in groups:
            rep.add(f"steps.impute[{i}]: unknown group {step.use_group!r} (declare it under units.groups)")
        if step.f_i == "i_em" and step.group_level is not None and step.group_level >= definition.max_level:
            rep.add(f"steps.impute[{i}]: group_level must be below the top level {definition.max_level}")
    for code, _ in (*steps.treat.individual, *steps.normalise.individual):
        if code not in codes:
            rep.add(f"individual spec for unknown indicator {code!r}")
    for code, _ in steps.weights.custom:
        if code not in codes:
            rep.add(f"steps.weights.custom: unknown code {code!r}")
    if not rep.problems:
        for message in weight_problems(definition, steps.weights):
            rep.add(f"steps.weights: {message}")
    agg = steps.aggregate
    n_agg_levels = definition.max_level - 1
    if len(agg.f_ag) not in (1, n_agg_levels):
        rep.add(f"steps.aggregate.f_ag: give one method or one per aggregation level ({n_agg_levels})")
    if len(agg.dat_thresh) not in (1, n_agg_levels):
        rep.add(f"steps.aggregate.dat_thresh: give one value or one per aggregation level ({n_agg_levels})")
    if definition.level_names and len(definition.level_names) != definition.max_level:
        rep.add(
            f"index.levels names {len(definition.level_names)} levels but the hierarchy has {definition.max_level}"
        )
    norm_specs = [steps.normalise.default, *(s for _, s in steps.normalise.individual)]
    if any(s.f_n == "n_goalposts" for s in norm_specs):
        for node in definition.indicators:
            spec = steps.normalise.for_code(node.code)
            if spec.f_n == "n_goalposts" and node.goalposts is None:
                rep.problems.append(
                    _problem(node, f"indicator {node.code!r}: n_goalposts needs goalposts: [lower, upper]")
                )
    for node in definition.indicators:
        spec = steps.normalise.for_code(node.code)
        if spec.f_n == "n_dist2targ" and node.target is None:
            rep.problems.append(_problem(node, f"indicator {node.code!r}: n_dist2targ needs a target"))
    unc = definition.uncertainty
    if unc is not None:
        if unc.target is not None and unc.target not in codes:
            rep.add(f"uncertainty.target: unknown code {unc.target!r}")
        for factor in unc.factors:
            for level, _ in factor.noise:
                if not 1 <= level <= n_agg_levels:
                    rep.add(
                        f"uncertainty factor {factor.name!r}: noise level {level} is not 1..{n_agg_levels}"
                    )
