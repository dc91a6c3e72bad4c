"""``ascc index``: build, audit and stress-test composite indices from their YAML definitions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ascc.cli._problems import print_problems
from ascc.indices import service as indices_service
from ascc.indices.definition import load_definition
from ascc.indices.errors import IndexInputError
from ascc.indices.imeta import apply_imeta, read_imeta
from ascc.indices.output import MANIFEST, OutputExists
from ascc.indices.pipeline import Build

app = typer.Typer(
    help="Composite indices: compute an index definition step by step, audit it, test its robustness.",
    no_args_is_help=True,
)
console = Console(stderr=True, soft_wrap=True)

CONFIG = typer.Argument(..., help="index definition (YAML), e.g. examples/indices/asem.yaml")
DATA = typer.Option(
    ...,
    "--data",
    help="indicator data: COINr iData CSV, or the indicator store (indicators_country_year.csv)",
)
META = typer.Option(None, "--meta", help="COINr iMeta CSV: the hierarchy, checked against the definition's")
OUT = typer.Option(..., "--out", help="output directory, written only when everything succeeded")
OVERWRITE = typer.Option(False, "--overwrite", help="replace a non-empty OUT that holds no earlier results")


@contextmanager
def _input_errors() -> Iterator[None]:
    try:
        yield
    except IndexInputError as exc:
        print_problems(console, exc.problems, "; nothing was written")
        raise typer.Exit(1) from None


def _confirm_out(out: Path, overwrite: bool) -> bool:
    """Ask before replacing a directory that holds something other than earlier results."""
    if (
        overwrite
        or not out.exists()
        or not out.is_dir()
        or not any(out.iterdir())
        or (out / MANIFEST).exists()
    ):
        return overwrite
    if not typer.confirm(f"{out} is not empty and holds no earlier results. Replace it?", default=False):
        console.print("; nothing was written")
        raise typer.Exit(1)
    return True


def _write(write, *args, out: Path, overwrite: bool, **kwargs) -> Path:
    try:
        return write(*args, out=out, overwrite=overwrite, **kwargs)
    except OutputExists as exc:
        console.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(1) from None


def _warn(warnings: list[str]) -> None:
    for warning in warnings:
        console.print(f"[yellow]warning: {escape(warning)}[/yellow]")


def _summary(result: Build, top: int = 10) -> None:
    d = result.definition
    frame = result.aggregated
    ranks = result.ranks.column(d.root)
    scores = frame.column(d.root)
    table = Table(title=f"{d.name} ({d.label()}): top {top}")
    for col in ("rank", "unit", *(("time",) if frame.times is not None else ()), d.root):
        table.add_column(col, justify="right" if col in ("rank", d.root) else "left")
    order = np.lexsort((ranks, frame.times if frame.times is not None else np.zeros(len(ranks))))
    if frame.times is not None:
        order = [i for i in order if frame.times[i] == frame.times.max()]
    for i in list(order)[:top]:
        rank = "" if np.isnan(ranks[i]) else str(int(ranks[i]))
        cells = [
            rank,
            str(frame.units[i]),
            *((str(frame.times[i]),) if frame.times is not None else ()),
            f"{scores[i]:.2f}",
        ]
        table.add_row(*cells)
    console.print(table)


@app.command("compute")
def compute(
    config: Path = CONFIG,
    data: Path = DATA,
    meta: Path | None = META,
    out: Path = OUT,
    overwrite: bool = OVERWRITE,
) -> None:
    """Build the index and write one CSV per step (denominated.csv ... aggregated.csv, ranks.csv).

    Rows are keyed by uCode (and Time for panel data), columns by iCode, floats at full precision.
    Also writes screening, treatment, treated points and effective weights, and manifest.json with
    the definition version and the SHA-256 of the data it came from.
    """
    overwrite = _confirm_out(out, overwrite)
    with _input_errors():
        result = indices_service.compute(definition=config, data=data, meta=meta)
        _write(indices_service.write_build, result, out=out, overwrite=overwrite, meta=meta)
    _warn(result.warnings)
    _summary(result)
    console.print(f"[green]wrote {out}[/green]")


@app.command("audit")
def audit(
    config: Path = CONFIG,
    data: Path = DATA,
    meta: Path | None = META,
    out: Path = OUT,
    overwrite: bool = OVERWRITE,
    pval: float = typer.Option(
        0.05,
        "--pval",
        help="leave out correlations whose p-value is above this (COINr get_corr); 0: keep all",
    ),
    cor_thresh: float = typer.Option(
        0.9,
        "--cor-thresh",
        help="flag indicator pairs of one group correlated above this (COINr get_corr_flags)",
    ),
    thresh_type: str = typer.Option(
        "high", "--thresh-type", help="high: flag above --cor-thresh; low: below"
    ),
    grouplev: int = typer.Option(2, "--grouplev", help="the level whose groups the flagged pairs share"),
    denom_thresh: float = typer.Option(
        0.6,
        "--denom-thresh",
        help="list indicator-denominator pairs with |r| above this (COINr get_denom_corr)",
    ),
) -> None:
    """Statistical audit: indicator statistics, correlations, Cronbach's alpha, PCA, weights.

    Also lists the highly correlated indicator pairs within groups (corr_flags.csv) and the
    indicators correlated with a denominator (corr_denominators.csv), and prints both.
    """
    overwrite = _confirm_out(out, overwrite)
    parameters = {
        "pval": pval,
        "cor_thresh": cor_thresh,
        "thresh_type": thresh_type,
        "grouplev": grouplev,
        "denom_thresh": denom_thresh,
    }
    with _input_errors(), _progress() as progress:
        task = progress.add_task("audit", total=3)
        definition, dataset = indices_service.load(definition=config, data=data, meta=meta)
        progress.advance(task)
        result = indices_service.build_index(definition=definition, dataset=dataset)
        tables = indices_service.audit(result, **parameters)
        progress.advance(task)
        _write(
            indices_service.write_audit,
            result,
            out=out,
            overwrite=overwrite,
            meta=meta,
            tables=tables,
            parameters=parameters,
        )
        progress.advance(task)
    _warn(result.warnings)
    _print_pairs(
        tables["corr_flags.csv"],
        f"indicator pairs in one group correlated {thresh_type}er than {cor_thresh:g}",
    )
    if "corr_denominators.csv" in tables:
        _print_pairs(
            tables["corr_denominators.csv"],
            f"indicators correlated with a denominator, |r| > {denom_thresh:g}",
        )
    console.print(f"[green]wrote {out}[/green]")


def _print_pairs(table, title: str) -> None:
    if table.empty:
        console.print(f"no {title}")
        return
    shown = Table(title=f"{title}: {len(table)}")
    for column in table.columns:
        shown.add_column(str(column), justify="right" if column == "Corr" else "left")
    for row in table.itertuples(index=False):
        shown.add_row(*(f"{v:.3f}" if isinstance(v, float) else str(v) for v in row))
    console.print(shown)


@app.command("uncertainty")
def uncertainty(
    config: Path = CONFIG,
    data: Path = DATA,
    meta: Path | None = META,
    out: Path = OUT,
    n: int | None = typer.Option(None, "--n", min=3, help="sample size (default: the definition's)"),
    kind: str | None = typer.Option(None, "--type", help="UA (ranks only) or SA (also sensitivity indices)"),
    seed: int | None = typer.Option(None, "--seed", help="random seed (default: the definition's)"),
    overwrite: bool = OVERWRITE,
) -> None:
    """Monte Carlo over the definition's uncertain factors: rank intervals and sensitivity indices."""
    if kind is not None and kind not in ("UA", "SA"):
        console.print("[red]--type must be UA or SA[/red]")
        raise typer.Exit(2)
    overwrite = _confirm_out(out, overwrite)
    with _input_errors():
        definition, dataset = indices_service.load(definition=config, data=data, meta=meta)
        nominal = indices_service.build_index(definition=definition, dataset=dataset)
        with _progress() as progress:
            task = progress.add_task("replications", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            result = indices_service.run_uncertainty(
                definition=definition, dataset=dataset, n=n, kind=kind, seed=seed, progress=advance
            )
        _write(indices_service.write_uncertainty, result, nominal, out=out, overwrite=overwrite, meta=meta)
    _warn(result.warnings)
    if result.sensitivity is not None:
        table = Table(title=f"Sensitivity of the mean absolute rank change of {result.target}")
        for col in ("factor", "Si", "90% interval", "STi", "90% interval", "converged"):
            table.add_column(col)
        for _, row in result.sensitivity.iterrows():
            si_ci = f"{row.get('Si_q5', np.nan):.3f} to {row.get('Si_q95', np.nan):.3f}"
            st_ci = f"{row.get('STi_q5', np.nan):.3f} to {row.get('STi_q95', np.nan):.3f}"
            converged = "yes" if row.get("Converged", False) else "[yellow]no[/yellow]"
            table.add_row(
                str(row["Factor"]), f"{row['Si']:.3f}", si_ci, f"{row['STi']:.3f}", st_ci, converged
            )
        console.print(table)
    console.print(f"[green]wrote {out}[/green]")


@app.command("check")
def check(config: Path = CONFIG, meta: Path | None = META) -> None:
    """Check a definition (and its iMeta) without data; list every problem with its line."""
    with _input_errors():
        definition = load_definition(config)
        if meta is not None:
            definition = apply_imeta(definition, read_imeta(meta))
    levels = (
        ", ".join(
            f"{name}: {sum(1 for n in definition.nodes if n.level == i + 1)}"
            for i, name in enumerate(
                definition.level_names or [f"level {k}" for k in range(1, definition.max_level + 1)]
            )
        )
        if definition.nodes
        else "no hierarchy (give --meta)"
    )
    console.print(f"[green]OK[/green] {definition.name} ({definition.label()}): {levels}")


@app.command("list")
def list_(directory: Path = typer.Argument(Path("examples/indices"), help="folder of definitions")) -> None:
    """The definitions in a folder: several editions of one index sit side by side."""
    table = Table(title=f"Index definitions in {directory}")
    for col in ("code", "edition", "version", "name", "indicators", "file"):
        table.add_column(col)
    for d in indices_service.list_definitions(directory=directory):
        table.add_row(d.code, d.edition or "", d.version, d.name, str(len(d.indicators)), str(d.file))
    console.print(table)


@contextmanager
def _progress() -> Iterator[Progress]:
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        yield progress


def _store_rows(session):
    """The platform's published national totals (each key's latest approved revision) as the
    indicator store's rows, with the member states' names.

    The index then reads exactly what the public sees, in memory (no file is written); the rows'
    digest is that of the same rows written as a store CSV file.
    """
    from ascc.indices.data import StoreRows
    from ascc.monitoring import published
    from ascc.registry import service as registry_service

    rows = tuple(
        (o.indicator_code, o.member_state, o.period, o.value)
        for o in published.published_rows(
            session, areas=[published.NATIONAL], sex=["_T"], age=["_T"], urbanisation=["_T"]
        )
        if o.value is not None
    )
    names = {m.code: m.name.en or "" for m in registry_service.list_member_states(session)}
    return StoreRows(rows, names)


@app.command("store")
def store(
    config: Path = CONFIG,
    data: Path | None = typer.Option(
        None, "--data", help="indicator data file: COINr iData CSV, or the indicator store layout"
    ),
    from_store: bool = typer.Option(
        False, "--from-store", help="read the platform's approved national observations instead of a file"
    ),
    meta: Path | None = META,
    slug: str | None = typer.Option(None, "--id", help="page id of this edition (default: the file name)"),
    n: int = typer.Option(
        100, "--uncertainty", min=0, help="replications for the rank intervals (0: no uncertainty run)"
    ),
    seed: int | None = typer.Option(None, "--seed", help="random seed (default: the definition's)"),
) -> None:
    """Compute the index and store its results in the database, with the definition and data snapshot.

    Storing the same definition on the same data with the same settings again finds the stored run
    and adds nothing. Any problem: every problem is listed and nothing is written.
    """
    from ascc.cli._db import command_session
    from ascc.indices import store as index_store

    if (data is None) == (not from_store):
        console.print("[red]give either --data FILE or --from-store[/red]")
        raise typer.Exit(2)
    with (
        _input_errors(),
        command_session("index-store") as session,
        _progress() as progress,
    ):
        source = _store_rows(session) if from_store else data
        task = progress.add_task("rank intervals", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        report = index_store.store_run(
            session,
            definition=config,
            data=source,
            meta=meta,
            slug=slug,
            uncertainty_n=n or None,
            seed=seed,
            progress=advance,
        )
    if report.created:
        console.print(f"[green]stored run {report.run_id} of {report.slug}: {report.results} results[/green]")
    else:
        console.print(f"already stored: run {report.run_id} of {report.slug} ({report.results} results)")
