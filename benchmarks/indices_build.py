"""Composite-index engine against a straightforward pandas implementation of the same build.

    .venv/bin/python benchmarks/indices_build.py [--repeat 200] [--n 100 2000] [--peer-max-n 2000]

Peer: ``peer_build`` below, written the way a careful analyst would in pandas (``groupby``,
``Series.skew``/``kurt``, one loop per indicator and aggregate), following COINr's
``build_example_coin()``: denominate, group-mean imputation by EurAsia_group, screening at 90 %
availability, skew/kurtosis-triggered winsorisation (max 5 points) with log fallback, min-max 0-100
and arithmetic means with the metadata weights. Both are run on the same in-memory ASEM data
(reading the CSVs is timed separately) and their results are compared.

Uncertainty: the four uncertain factors of ``examples/indices/asem.yaml`` (imputation, normalisation,
noisy weights, aggregation method), sensitivity-analysis design, so ``N (d + 2) = 6 N`` builds per
run. The peer simply rebuilds the index for every replication; our engine builds each distinct
pre-aggregation variant once and aggregates all replications together.

Prints a markdown table: median time, and peer time / our time. The peer needs about 12 minutes
for N = 2000 on a 2-core machine; ``--peer-max-n 100`` skips it there.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
ASEM = ROOT.parent / "shared" / "composite-asem"
sys.path.insert(0, str(ROOT / "src"))

from ascc.indices import service, uncertainty  # noqa: E402
from ascc.indices.pipeline import build  # noqa: E402
from ascc.indices.weights import noisy_weight_sets  # noqa: E402

# --- the peer: a straightforward pandas build -------------------------------------------------


def peer_build(
    idata: pd.DataFrame,
    imeta: pd.DataFrame,
    *,
    impute: str = "mean",
    norm: str = "minmax",
    l_u: tuple[float, float] = (0, 100),
    m_sd: tuple[float, float] = (0, 1),
    agg: str = "amean",
    weights: dict[str, float] | None = None,
) -> pd.DataFrame:
    """The ASEM build in plain pandas; returns indicators and aggregates, one row per unit."""
    ind = imeta[imeta["Type"] == "Indicator"]
    data = idata.set_index("uCode").sort_index()
    x = data[ind["iCode"].tolist()].copy()
    for code, denom in zip(ind["iCode"], ind["Denominator"], strict=True):
        if isinstance(denom, str):
            x[code] = x[code] / data[denom]
    centre = x.groupby(data["EurAsia_group"]).transform(impute)
    x = x.fillna(centre)
    x = x[1 - x.isna().sum(axis=1) / x.shape[1] >= 0.9]

    def passes(s: pd.Series) -> bool:
        return abs(s.skew()) < 2 or s.kurt() < 3.5

    for code in x.columns:
        s = x[code].copy()
        if passes(s):
            continue
        original = s.copy()
        nwin, high, low = 0, [], []
        while not passes(s) and nwin < 5:
            if s.skew() >= 0:
                high = s.index[s == s.max()]
                s[high] = s.drop(high).max()
            else:
                low = s.index[s == s.min()]
                s[low] = s.drop(low).min()
            nwin = len(high) + len(low)
        if not passes(s):
            s = np.log(original - original.min() + 0.01 * (original.max() - original.min()))
        x[code] = s
    directions = ind.set_index("iCode")["Direction"]
    x = x * directions
    if norm == "minmax":
        x = (x - x.min()) / (x.max() - x.min()) * (l_u[1] - l_u[0]) + l_u[0]
    else:
        x = (x - x.mean()) / x.std() * m_sd[1] + m_sd[0]
    w = weights or imeta.set_index("iCode")["Weight"].to_dict()
    out = x.copy()
    aggregates = imeta[imeta["Type"] == "Aggregate"]
    for level in sorted(aggregates["Level"].unique()):
        for parent, group in imeta[imeta["Level"] == level - 1].groupby("Parent"):
            kids = out[group["iCode"].tolist()]
            kw = pd.Series({k: w[k] for k in group["iCode"]})
            present = kids.notna()
            wsum = present.mul(kw, axis=1).sum(axis=1)
            if agg == "amean":
                out[parent] = kids.mul(kw, axis=1).sum(axis=1) / wsum
            else:
                if (kids <= 0).any().any():
                    raise ValueError("geometric mean over a non-positive value")
                out[parent] = np.exp(np.log(kids).mul(kw, axis=1).sum(axis=1) / wsum)
    return out


def peer_uncertainty(idata, imeta, definition, spec, rng_seed: int) -> np.ndarray:
    """Rebuild once per replication of the same Saltelli design; returns the mean rank changes."""
    nominal = peer_build(idata, imeta)["Index"]
    nominal_rank = nominal.rank(ascending=False, method="min")
    sample = uncertainty.draw(spec, np.random.default_rng(spec.seed))
    base_w = {n.code: n.weight for n in definition.nodes}
    sets = noisy_weight_sets(
        definition, base_w, spec.factors[2].noise, spec.factors[2].sets, np.random.default_rng(rng_seed)
    )
    outputs = []
    for u in sample:
        choice = [min(int(v * f.n_options), f.n_options - 1) for v, f in zip(u, spec.factors, strict=True)]
        try:
            scores = peer_build(
                idata,
                imeta,
                impute=("mean", "median")[choice[0]],
                norm=("minmax", "zscore")[choice[1]],
                l_u=(1, 100),
                m_sd=(10, 2),
                weights=sets[choice[2]],
                agg=("amean", "gmean")[choice[3]],
            )["Index"]
        except ValueError:
            outputs.append(np.nan)
            continue
        outputs.append(float((scores.rank(ascending=False, method="min") - nominal_rank).abs().mean()))
    return np.array(outputs)


# --- timing -----------------------------------------------------------------------------------


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def fmt(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms" if seconds < 1 else f"{seconds:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200, help="timed repetitions of the build")
    parser.add_argument("--n", type=int, nargs="+", default=[100, 2000], help="uncertainty sample sizes")
    parser.add_argument("--peer-max-n", type=int, default=2000, help="largest N the (slow) peer also runs")
    args = parser.parse_args()
    if not ASEM.exists():
        raise SystemExit(f"ASEM data not found at {ASEM}")

    start = time.perf_counter()
    definition, dataset = service.load(
        definition=ROOT / "examples/indices/asem.yaml",
        data=ASEM / "asem_idata.csv",
        meta=ASEM / "asem_imeta.csv",
    )
    load_time = time.perf_counter() - start
    idata = pd.read_csv(ASEM / "asem_idata.csv")
    imeta = pd.read_csv(ASEM / "asem_imeta.csv")

    ours = build(definition, dataset)
    peer = peer_build(idata, imeta)
    codes = list(ours.aggregated.codes)
    diff = np.nanmax(np.abs(ours.aggregated.values - peer.loc[list(ours.aggregated.units), codes].to_numpy()))

    rows = []
    t_ours = median_time(lambda: build(definition, dataset), args.repeat)
    t_peer = median_time(lambda: peer_build(idata, imeta), max(10, args.repeat // 10))
    rows.append(("ASEM build (49 indicators, 51 units, 7 steps)", 1, t_ours, t_peer))

    for n in args.n:
        spec = replace(definition.uncertainty, n=n, kind="SA")
        runs = n * (len(spec.factors) + 2)
        start = time.perf_counter()
        result = uncertainty.run(definition, dataset, spec)
        t_ua = time.perf_counter() - start
        t_peer_ua = float("nan")
        if n <= args.peer_max_n:
            start = time.perf_counter()
            peer_uncertainty(idata, imeta, definition, spec, rng_seed=spec.seed)
            t_peer_ua = time.perf_counter() - start
        converged = "yes" if bool(result.sensitivity["Converged"].all()) else "no"
        rows.append(
            (f"Sensitivity analysis, 4 factors, N = {n} (converged: {converged})", runs, t_ua, t_peer_ua)
        )

    print(
        f"ASEM inputs read and checked in {fmt(load_time)}; max |ours - peer| over all scores = {diff:.3g}\n"
    )
    print("| case | builds | ascc.indices | pandas peer | peer / ours |")
    print("|---|---:|---:|---:|---:|")
    for name, runs, ours_t, peer_t in rows:
        ratio = "n/a" if np.isnan(peer_t) else f"{peer_t / ours_t:.1f}x"
        peer_s = "not run" if np.isnan(peer_t) else fmt(peer_t)
        print(f"| {name} | {runs} | {fmt(ours_t)} | {peer_s} | {ratio} |")
    print(
        f"\n{sys.platform}, Python {sys.version.split()[0]}, numpy {np.__version__}, pandas {pd.__version__}"
    )


if __name__ == "__main__":
    main()
