"""The method chosen at every step of a build, as immutable specs parsed from the definition.

Method names are COINr's function names (``i_mean_grp``, ``n_minmax``, ``a_amean`` ...) so that a
definition reads like the equivalent COINr call, and parameters keep COINr's names and defaults
(``dat_thresh``, ``winmax``, ``l_u`` ...). Specs are frozen dataclasses: the uncertainty analysis
swaps one for an alternative with ``dataclasses.replace`` or by parsing an alternative mapping.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from ascc.indices.yaml_lines import LineDict, Reporter

IMPUTE_METHODS = ("none", "i_mean", "i_median", "i_mean_grp", "i_median_grp", "i_em", "i_panel")
NORMALISE_METHODS = (
    "none",
    "n_minmax",
    "n_zscore",
    "n_scaled",
    "n_dist2max",
    "n_dist2ref",
    "n_dist2targ",
    "n_fracmax",
    "n_rank",
    "n_prank",
    "n_borda",
    "n_goalposts",
)
AGGREGATE_METHODS = ("a_amean", "a_gmean", "a_hmean")
TREAT_F1 = ("winsorise", "none")
TREAT_F2 = ("log_CT", "log_CT_orig", "boxcox", "none")
SCREEN_MODES = ("none", "byNA", "byzeros", "byNAandzeros")
WEIGHT_METHODS = ("metadata", "equal", "pca")
STEP_NAMES = ("denominate", "impute", "screen", "treat", "normalise", "weights", "aggregate")


@dataclass(frozen=True)
class DenominateSpec:
    method: str = "none"  # "metadata": divide by each indicator's declared denominator


@dataclass(frozen=True)
class ImputeStep:
    f_i: str = "none"
    use_group: str | None = None  # group column for i_mean_grp / i_median_grp
    imp_type: str = "latest"  # i_panel: latest | constant | linear
    max_time: int | None = None  # i_panel: how many earlier time points to look back
    group_level: int | None = None  # i_em: impute within the groups of this level (default 2)
    max_iter: int = 200  # i_em
    tol: float = 1e-8  # i_em: relative change of the imputed values at convergence


@dataclass(frozen=True)
class ImputeSpec:
    steps: tuple[ImputeStep, ...] = ()


@dataclass(frozen=True)
class ScreenSpec:
    unit_screen: str = "none"
    dat_thresh: float = 2 / 3
    nonzero_thresh: float = 0.05
    force_include: tuple[str, ...] = ()
    force_exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class TreatSpec:
    f1: str = "winsorise"
    winmax: int | None = 5
    skew_thresh: float = 2.0
    kurt_thresh: float = 3.5
    force_win: bool = False
    f2: str = "log_CT"
    boxcox_lambda: float = 1.0
    combine_treat: bool = False

    @property
    def enabled(self) -> bool:
        return not (self.f1 == "none" and self.f2 == "none")


@dataclass(frozen=True)
class TreatSteps:
    default: TreatSpec = field(default_factory=TreatSpec)
    individual: tuple[tuple[str, TreatSpec], ...] = ()  # per indicator; f1 = f2 = "none" disables

    def for_code(self, code: str) -> TreatSpec:
        return dict(self.individual).get(code, self.default)


@dataclass(frozen=True)
class NormaliseSpec:
    f_n: str = "n_minmax"
    l_u: tuple[float, float] = (0.0, 100.0)  # n_minmax
    m_sd: tuple[float, float] = (0.0, 1.0)  # n_zscore
    npara: tuple[float, float] = (0.0, 100.0)  # n_scaled
    cap_max: bool = False  # n_dist2targ, n_dist2ref
    ref_unit: str | None = None  # n_dist2ref: the unit whose value is the reference
    scale: float = 1.0  # n_goalposts: the third goalpost parameter (COINr gposts[3])
    trunc2posts: bool = True  # n_goalposts


@dataclass(frozen=True)
class NormaliseSteps:
    default: NormaliseSpec = field(default_factory=NormaliseSpec)
    individual: tuple[tuple[str, NormaliseSpec], ...] = ()
    panel: str = "pooled"  # pooled: one set of parameters over all years; per_year

    def for_code(self, code: str) -> NormaliseSpec:
        return dict(self.individual).get(code, self.default)


@dataclass(frozen=True)
class WeightsSpec:
    method: str = "metadata"
    pca_variant: str = "squared"  # squared: OECD squared PC1 loadings; loadings: COINr raw PC1 loadings
    pca_level: int | None = None  # the level whose weights come from PCA (COINr get_PCA Level); None: all
    pca_by_groups: bool = True  # COINr by_groups: one PCA per group, or one over the whole level
    custom: tuple[tuple[str, float], ...] = ()
    sets: tuple[tuple[tuple[str, float], ...], ...] = ()  # noisy weight sets (uncertainty only)


@dataclass(frozen=True)
class AggregateSpec:
    f_ag: tuple[str, ...] = ("a_amean",)  # one method, or one per aggregation level (2..max)
    dat_thresh: tuple[float | None, ...] = (None,)

    def method_for(self, level: int) -> str:
        return self.f_ag[0] if len(self.f_ag) == 1 else self.f_ag[level - 2]

    def thresh_for(self, level: int) -> float | None:
        return self.dat_thresh[0] if len(self.dat_thresh) == 1 else self.dat_thresh[level - 2]


@dataclass(frozen=True)
class Steps:
    denominate: DenominateSpec = field(default_factory=DenominateSpec)
    impute: ImputeSpec = field(default_factory=ImputeSpec)
    screen: ScreenSpec = field(default_factory=ScreenSpec)
    treat: TreatSteps = field(default_factory=lambda: TreatSteps(TreatSpec(f1="none", f2="none")))
    normalise: NormaliseSteps = field(default_factory=NormaliseSteps)
    weights: WeightsSpec = field(default_factory=WeightsSpec)
    aggregate: AggregateSpec = field(default_factory=AggregateSpec)

    def describe(self) -> dict[str, Any]:
        out = asdict(self)
        out["weights"].pop("sets", None)
        if self.weights.method != "pca":
            for key in ("pca_variant", "pca_level", "pca_by_groups"):
                out["weights"].pop(key)
        return out


# --- parsing ---------------------------------------------------------------------------------


def _is_none(value: Any) -> bool:
    return value is None or value == "none" or value is False


def parse_denominate(raw: Any, rep: Reporter) -> DenominateSpec:
    if _is_none(raw):
        return DenominateSpec()
    if raw == "metadata":
        return DenominateSpec("metadata")
    m = rep.mapping(raw, "steps.denominate", {"method"})
    return DenominateSpec(
        rep.text(m, "method", "metadata", "steps.denominate", ("metadata", "none")) or "none"
    )


def _impute_step(raw: Any, rep: Reporter, where: str) -> ImputeStep:
    if isinstance(raw, str):
        raw = LineDict(f_i=raw)
    m = rep.mapping(
        raw, where, {"f_i", "use_group", "imp_type", "max_time", "group_level", "max_iter", "tol"}
    )
    f_i = rep.text(m, "f_i", "none", where, IMPUTE_METHODS) or "none"
    step = ImputeStep(
        f_i=f_i,
        use_group=rep.text(m, "use_group", None, where),
        imp_type=rep.text(m, "imp_type", "latest", where, ("latest", "constant", "linear")) or "latest",
        max_time=rep.number(m, "max_time", None, where, lo=1, integer=True),
        group_level=rep.number(m, "group_level", None, where, lo=1, integer=True),
        max_iter=rep.number(m, "max_iter", 200, where, lo=1, integer=True) or 200,
        tol=rep.number(m, "tol", 1e-8, where, lo=0) or 1e-8,
    )
    if f_i in ("i_mean_grp", "i_median_grp") and not step.use_group:
        rep.add(f"{f_i} needs use_group (a group column such as EurAsia_group)", m, "f_i", where)
    return step


def parse_impute(raw: Any, rep: Reporter) -> ImputeSpec:
    if _is_none(raw):
        return ImputeSpec()
    items = raw if isinstance(raw, list) else [raw]
    steps = tuple(_impute_step(item, rep, f"steps.impute[{i}]") for i, item in enumerate(items))
    return ImputeSpec(tuple(s for s in steps if s.f_i != "none"))


def parse_screen(raw: Any, rep: Reporter) -> ScreenSpec:
    if _is_none(raw):
        return ScreenSpec()
    where = "steps.screen"
    m = rep.mapping(
        raw, where, {"unit_screen", "dat_thresh", "nonzero_thresh", "force_include", "force_exclude"}
    )
    return ScreenSpec(
        unit_screen=rep.text(m, "unit_screen", "byNA", where, SCREEN_MODES) or "byNA",
        dat_thresh=rep.number(m, "dat_thresh", 2 / 3, where, lo=0, hi=1),
        nonzero_thresh=rep.number(m, "nonzero_thresh", 0.05, where, lo=0, hi=1),
        force_include=rep.codes(m, "force_include", where),
        force_exclude=rep.codes(m, "force_exclude", where),
    )


_TREAT_KEYS = {
    "f1",
    "winmax",
    "skew_thresh",
    "kurt_thresh",
    "force_win",
    "f2",
    "boxcox_lambda",
    "combine_treat",
}


def _treat_spec(m: LineDict, rep: Reporter, where: str, base: TreatSpec) -> TreatSpec:
    winmax = m.get("winmax", base.winmax)
    if winmax is not None:
        winmax = rep.number(m, "winmax", base.winmax, where, lo=0, integer=True)
    return TreatSpec(
        f1=rep.text(m, "f1", base.f1, where, TREAT_F1) or base.f1,
        winmax=winmax,
        skew_thresh=rep.number(m, "skew_thresh", base.skew_thresh, where, lo=0),
        kurt_thresh=rep.number(m, "kurt_thresh", base.kurt_thresh, where),
        force_win=rep.flag(m, "force_win", base.force_win, where),
        f2=rep.text(m, "f2", base.f2, where, TREAT_F2) or base.f2,
        boxcox_lambda=rep.number(m, "boxcox_lambda", base.boxcox_lambda, where),
        combine_treat=rep.flag(m, "combine_treat", base.combine_treat, where),
    )


def parse_treat(raw: Any, rep: Reporter) -> TreatSteps:
    if _is_none(raw):
        return TreatSteps(TreatSpec(f1="none", f2="none"))
    m = rep.mapping(raw, "steps.treat", _TREAT_KEYS)
    return TreatSteps(_treat_spec(m, rep, "steps.treat", TreatSpec()))


def parse_treat_individual(raw: Any, rep: Reporter, where: str, base: TreatSpec) -> TreatSpec:
    """An indicator's own treatment: ``none``, or keys merged onto the global spec (COINr modifyList)."""
    if _is_none(raw):
        return TreatSpec(f1="none", f2="none")
    return _treat_spec(rep.mapping(raw, where, _TREAT_KEYS), rep, where, base)


_NORM_KEYS = {"f_n", "l_u", "m_sd", "npara", "cap_max", "ref_unit", "scale", "trunc2posts"}


def parse_normalise_spec(raw: Any, rep: Reporter, where: str) -> NormaliseSpec:
    if _is_none(raw):
        return NormaliseSpec(f_n="none")
    if isinstance(raw, str):
        raw = LineDict(f_n=raw)
    m = rep.mapping(raw, where, _NORM_KEYS | {"panel"})
    spec = NormaliseSpec(
        f_n=rep.text(m, "f_n", "n_minmax", where, NORMALISE_METHODS) or "n_minmax",
        l_u=rep.pair(m, "l_u", (0.0, 100.0), where) or (0.0, 100.0),
        m_sd=rep.pair(m, "m_sd", (0.0, 1.0), where) or (0.0, 1.0),
        npara=rep.pair(m, "npara", (0.0, 100.0), where) or (0.0, 100.0),
        cap_max=rep.flag(m, "cap_max", False, where),
        ref_unit=rep.text(m, "ref_unit", None, where),
        scale=rep.number(m, "scale", 1.0, where),
        trunc2posts=rep.flag(m, "trunc2posts", True, where),
    )
    if spec.f_n == "n_zscore" and spec.m_sd[1] <= 0:
        rep.add("m_sd: the target standard deviation must be positive", m, "m_sd", where)
    if spec.f_n == "n_scaled" and spec.npara[0] == spec.npara[1]:
        rep.add("npara: the two bounds must differ", m, "npara", where)
    if spec.f_n == "n_dist2ref" and not spec.ref_unit:
        rep.add("n_dist2ref needs ref_unit (the unit code of the reference)", m, "f_n", where)
    return spec


def parse_normalise(raw: Any, rep: Reporter) -> NormaliseSteps:
    spec = parse_normalise_spec(raw, rep, "steps.normalise")
    panel = "pooled"
    if isinstance(raw, dict):
        panel = rep.text(raw, "panel", "pooled", "steps.normalise", ("pooled", "per_year")) or "pooled"
    return NormaliseSteps(default=spec, panel=panel)


def parse_weights(raw: Any, rep: Reporter) -> WeightsSpec:
    if raw is None:
        return WeightsSpec()
    if isinstance(raw, str):
        raw = LineDict(method=raw)
    where = "steps.weights"
    m = rep.mapping(raw, where, {"method", "pca_variant", "pca_level", "pca_by_groups", "custom"})
    custom_raw = rep.mapping(m.get("custom"), f"{where}.custom")
    custom = []
    for code in custom_raw:
        w = rep.number(custom_raw, code, None, f"{where}.custom")
        if w is not None:
            if w < 0:
                rep.add(f"weight of {code!r} is negative ({w})", custom_raw, code, f"{where}.custom")
            custom.append((str(code), w))
    return WeightsSpec(
        method=rep.text(m, "method", "metadata", where, WEIGHT_METHODS) or "metadata",
        pca_variant=rep.text(m, "pca_variant", "squared", where, ("squared", "loadings")) or "squared",
        pca_level=rep.number(m, "pca_level", None, where, lo=1, integer=True),
        pca_by_groups=rep.flag(m, "pca_by_groups", True, where),
        custom=tuple(custom),
    )


def parse_aggregate(raw: Any, rep: Reporter) -> AggregateSpec:
    if raw is None:
        return AggregateSpec()
    if isinstance(raw, str):
        raw = LineDict(f_ag=raw)
    where = "steps.aggregate"
    m = rep.mapping(raw, where, {"f_ag", "dat_thresh"})
    f_ag = m.get("f_ag", "a_amean")
    methods = tuple(str(x) for x in (f_ag if isinstance(f_ag, list) else [f_ag]))
    for method in methods:
        if method not in AGGREGATE_METHODS:
            rep.add(f"f_ag {method!r} is not one of: {', '.join(AGGREGATE_METHODS)}", m, "f_ag", where)
    thresh = m.get("dat_thresh")
    values = thresh if isinstance(thresh, list) else [thresh]
    threshs: list[float | None] = []
    for v in values:
        if v is not None and (isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v <= 1):
            rep.add(f"dat_thresh must be between 0 and 1, not {v!r}", m, "dat_thresh", where)
            v = None
        threshs.append(None if v is None else float(v))
    return AggregateSpec(f_ag=methods or ("a_amean",), dat_thresh=tuple(threshs))


def parse_steps(raw: Any, rep: Reporter) -> Steps:
    m = rep.mapping(raw, "steps", set(STEP_NAMES))
    return Steps(
        denominate=parse_denominate(m.get("denominate"), rep),
        impute=parse_impute(m.get("impute"), rep),
        screen=parse_screen(m.get("screen"), rep),
        treat=parse_treat(m.get("treat"), rep),
        normalise=parse_normalise(m.get("normalise", LineDict()), rep),
        weights=parse_weights(m.get("weights"), rep),
        aggregate=parse_aggregate(m.get("aggregate"), rep),
    )


_PARSERS = {
    "denominate": parse_denominate,
    "impute": parse_impute,
    "screen": parse_screen,
    "treat": parse_treat,
    "normalise": parse_normalise,
    "weights": parse_weights,
    "aggregate": parse_aggregate,
}


def parse_step(step: str, raw: Any, rep: Reporter) -> Any:
    """The spec of one step parsed from ``raw``, e.g. an alternative of an uncertain factor."""
    return _PARSERS[step](raw, rep)


def with_step(steps: Steps, step: str, spec: Any) -> Steps:
    """``steps`` with one step's spec replaced; individual (per indicator) specs are kept."""
    if step == "treat":
        spec = replace(spec, individual=steps.treat.individual)
    elif step == "normalise":
        spec = replace(spec, individual=steps.normalise.individual)
    return replace(steps, **{step: spec})


@dataclass(frozen=True)
class Factor:
    """An uncertain input: a step whose spec is drawn from ``alternatives`` or, for weights, noise."""

    name: str
    step: str
    alternatives: tuple[Any, ...] = ()  # parsed step specs
    noise: tuple[tuple[int, float], ...] = ()  # weights: (level, +/- fraction) as in COINr get_noisy_weights
    sets: int = 100  # weights noise: how many noisy weight sets to draw from

    @property
    def n_options(self) -> int:
        return self.sets if self.noise else len(self.alternatives)


@dataclass(frozen=True)
class UncertaintySpec:
    target: str | None = None  # code of the aggregate whose ranks are studied; default the index
    kind: str = "UA"  # UA: uncertainty only; SA: also variance-based sensitivity indices
    n: int = 100
    seed: int = 1
    n_boot: int = 500
    ci_tol: float = 0.1  # a sensitivity index has converged when its 90 % interval is narrower
    factors: tuple[Factor, ...] = ()


def parse_uncertainty(raw: Any, rep: Reporter) -> UncertaintySpec | None:
    if raw is None:
        return None
    where = "uncertainty"
    m = rep.mapping(raw, where, {"target", "type", "n", "seed", "n_boot", "ci_tol", "factors"})
    factors = []
    raw_factors = m.get("factors") or []
    if not isinstance(raw_factors, list) or not raw_factors:
        rep.add("factors must be a non-empty list", m, "factors", where)
        raw_factors = []
    names: set[str] = set()
    steps_seen: set[str] = set()
    for i, item in enumerate(raw_factors):
        fw = f"{where}.factors[{i}]"
        fm = rep.mapping(item, fw, {"name", "step", "alternatives", "noise", "sets"})
        step = rep.text(fm, "step", None, fw, STEP_NAMES)
        name = rep.text(fm, "name", step, fw) or f"factor{i + 1}"
        if name in names:
            rep.add(f"duplicate factor name {name!r}", fm, "name", fw)
        names.add(name)
        if step is None:
            rep.add("step is required", fm, None, fw)
            continue
        if step in steps_seen:
            rep.add(
                f"step {step!r} already has an uncertain factor; combine the alternatives", fm, "step", fw
            )
        steps_seen.add(step)
        alternatives = []
        for alt in fm.get("alternatives") or []:
            alternatives.append(parse_step(step, alt, rep))
        noise_raw = fm.get("noise")
        noise: list[tuple[int, float]] = []
        if noise_raw is not None:
            if step != "weights":
                rep.add("noise is only for the weights step", fm, "noise", fw)
            nm = rep.mapping(noise_raw, f"{fw}.noise")
            for level in nm:
                frac = rep.number(nm, level, None, f"{fw}.noise", lo=0, hi=1)
                if not str(level).isdigit():
                    rep.add(f"noise keys are aggregation levels (1, 2, ...), not {level!r}", nm, level, fw)
                elif frac is not None:
                    noise.append((int(level), frac))
        if bool(alternatives) == bool(noise):
            rep.add("give either alternatives (two or more) or, for weights, noise", fm, None, fw)
        elif alternatives and len(alternatives) < 2:
            rep.add("an uncertain factor needs at least two alternatives", fm, "alternatives", fw)
        sets = rep.number(fm, "sets", 100, fw, lo=2, integer=True) or 100
        factors.append(Factor(name, step, tuple(alternatives), tuple(noise), sets))
    kind = rep.text(m, "type", "UA", where, ("UA", "SA")) or "UA"
    if kind == "SA" and len(factors) < 2:
        rep.add("a sensitivity analysis needs at least two uncertain factors", m, "type", where)
    return UncertaintySpec(
        target=rep.text(m, "target", None, where),
        kind=kind,
        n=rep.number(m, "n", 100, where, lo=3, integer=True) or 100,
        seed=rep.number(m, "seed", 1, where, lo=0, integer=True) or 0,
        n_boot=rep.number(m, "n_boot", 500, where, lo=0, integer=True) or 0,
        ci_tol=rep.number(m, "ci_tol", 0.1, where, lo=0) or 0.1,
        factors=tuple(factors),
    )
