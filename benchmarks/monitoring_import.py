"""Import of one million observations from SDMX-CSV: ours (with every validation rule) against pandas
``read_csv`` + ``to_sql`` (the peer) and DuckDB ``read_csv`` (the limit), in the same run.

    .venv/bin/python benchmarks/monitoring_import.py [--rows 1000000] [--repeat 3]

The file is generated from the real indicator codes and member states (../shared/data metadata),
with SEX, AGE and URBANISATION disaggregations, values inside each unit's range and female + male =
total for counts, so that it passes our checks. Each contender runs in a subprocess of its own;
its peak memory is that process's ru_maxrss, its time the wall-clock time of the work.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
DATA = ROOT.parent / "shared" / "data"
SEXES = ("_T", "F", "M")
URBAN = ("_T", "U", "R")
AGES = ("_T", "Y15T24", "Y25T64", "Y_GE65")


def generate(path: Path, rows: int) -> None:
    import numpy as np
    import pandas as pd

    from ascc.monitoring import rules
    from ascc.monitoring.loader import indicator_records
    from ascc.monitoring.sdmx.ids import DATAFLOW

    rng = np.random.default_rng(4)
    inds = [r for r in indicator_records(DATA) if r["level"] == "national"]
    states = ["BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "TLS", "VNM"]
    written, year = 0, 1960
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(
            "STRUCTURE,STRUCTURE_ID,ACTION,REF_AREA,INDICATOR,SEX,AGE,URBANISATION,TIME_PERIOD,"
            "OBS_VALUE,OBS_STATUS,UNIT_MEASURE\n"
        )
        while written < rows:
            parts = []
            for ind in inds:
                lo, hi = rules.value_range(ind["unit"])
                hi = min(hi, 1e7)
                n = len(states) * len(AGES) * len(URBAN)
                f = rng.uniform(lo, hi / 2, n)
                m = rng.uniform(lo, hi / 2, n)
                t = f + m if rules.is_additive(ind["unit"]) else rng.uniform(lo, hi, n)
                grid = pd.MultiIndex.from_product(
                    [states, AGES, URBAN], names=["REF_AREA", "AGE", "URBANISATION"]
                )
                for sex, v in (("_T", t), ("F", f), ("M", m)):
                    df = grid.to_frame(index=False)
                    df["SEX"] = sex
                    df["OBS_VALUE"] = np.round(v, 4)
                    df["INDICATOR"] = ind["code"]
                    df["UNIT_MEASURE"] = ind["unit"]
                    parts.append(df)
            block = pd.concat(parts, ignore_index=True)
            block["TIME_PERIOD"] = str(year)
            block["OBS_STATUS"] = "A"
            block.insert(0, "ACTION", "I")
            block.insert(0, "STRUCTURE_ID", DATAFLOW)
            block.insert(0, "STRUCTURE", "dataflow")
            block = block[
                [
                    "STRUCTURE",
                    "STRUCTURE_ID",
                    "ACTION",
                    "REF_AREA",
                    "INDICATOR",
                    "SEX",
                    "AGE",
                    "URBANISATION",
                    "TIME_PERIOD",
                    "OBS_VALUE",
                    "OBS_STATUS",
                    "UNIT_MEASURE",
                ]
            ]
            block = block.iloc[: rows - written]
            block.to_csv(fh, header=False, index=False, lineterminator="\n")
            written += len(block)
            year += 1


def prepare(db: Path) -> None:
    """A migrated SQLite database with the registry and the indicator definitions, no observations."""
    from ascc.db.engine import make_engine
    from ascc.db.migrate import upgrade
    from ascc.db.uow import unit_of_work
    from ascc.monitoring.loader import area_records, indicator_records
    from ascc.monitoring.models import Area, Indicator
    from ascc.reference.files import read_reference
    from ascc.reference.loader import load_reference
    from ascc.wiring import session_factory

    url = f"sqlite:///{db}"
    upgrade(url)
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        load_reference(session, read_reference())
        session.flush()
        session.add_all(Indicator(**r) for r in indicator_records(DATA))
        session.add_all(Area(**r) for r in area_records(DATA))
    engine.dispose()


# --- the contenders (each runs in its own process) ---------------------------------------------


def run_ours(csv_path: Path, db: Path) -> str:
    from ascc.db.engine import make_engine
    from ascc.monitoring import service
    from ascc.wiring import session_factory

    engine = make_engine(f"sqlite:///{db}")
    session = session_factory(engine)()
    report = service.import_file(session, csv_path)
    if report.problems:
        raise SystemExit(f"{len(report.problems)} problems, first: {report.problems[0]}")
    session.commit()
    session.close()
    engine.dispose()
    return f"{report.inserted} inserted, checked by every rule"


def _python_strings(pd) -> None:
    """pandas 3 stores text in Arrow arrays whenever pyarrow is installed (it is, for our reader);
    for ``to_sql`` that is no faster and takes twice the memory (4.1 s / 1,055 MB against 4.0 s /
    538 MB), so the peer keeps pandas' own string storage, as it had before pyarrow came in."""
    pd.set_option("mode.string_storage", "python")


def run_pandas(csv_path: Path, db: Path) -> str:
    import sqlite3

    import pandas as pd

    _python_strings(pd)
    conn = sqlite3.connect(db)
    df = pd.read_csv(csv_path)
    n = df.to_sql("observations", conn, index=False)
    conn.commit()
    conn.close()
    return f"{n} inserted, no checks"


def run_pandas_same_table(csv_path: Path, db: Path) -> str:
    """pandas into our own observations table (same indexes and foreign keys), still without checks."""
    import sqlite3

    import pandas as pd

    _python_strings(pd)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA foreign_keys=ON")
    df = pd.read_csv(csv_path, dtype={"TIME_PERIOD": str})
    df = df.rename(
        columns={
            "REF_AREA": "member_state",
            "INDICATOR": "indicator_code",
            "SEX": "sex",
            "AGE": "age",
            "URBANISATION": "urbanisation",
            "TIME_PERIOD": "period",
            "OBS_VALUE": "value",
        }
    )
    df = df[["indicator_code", "member_state", "period", "sex", "age", "urbanisation", "value"]]
    df = df.assign(area_code="", obs_status="final", revision=1, is_current=True, approval="draft")
    n = df.to_sql("observations", conn, index=False, if_exists="append")
    conn.commit()
    conn.close()
    return f"{n} inserted into the indexed table, no checks"


def run_duckdb(csv_path: Path, db: Path) -> str:
    import duckdb

    con = duckdb.connect(str(db))
    con.execute(f"CREATE TABLE observations AS SELECT * FROM read_csv('{csv_path}')")
    n = con.execute("SELECT count(*) FROM observations").fetchone()[0]
    con.close()
    return f"{n} inserted, no checks"


RUNNERS = {
    "ours": run_ours,
    "pandas": run_pandas,
    "pandas-same-table": run_pandas_same_table,
    "duckdb": run_duckdb,
}


PRELOAD = {
    "ours": (
        "pandas",
        "pyarrow.csv",
        "pyarrow.compute",
        "sqlalchemy",
        "ascc.monitoring.service",
        "ascc.wiring",
    ),
    "pandas": ("pandas", "sqlite3"),
    "pandas-same-table": ("pandas", "sqlite3"),
    "duckdb": ("duckdb",),
}


def child(which: str, csv_path: str, db: str) -> None:
    import importlib

    for module in PRELOAD[which]:  # import time is not import work
        importlib.import_module(module)
    start, cpu = time.perf_counter(), time.process_time()
    what = RUNNERS[which](Path(csv_path), Path(db))
    print(f"{time.perf_counter() - start:.3f}\t{time.process_time() - cpu:.3f}\t{what}")


def measure(which: str, csv_path: Path, db: Path) -> tuple[float, float, str, float]:
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", which, str(csv_path), str(db)],
        stdout=subprocess.PIPE,
        text=True,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    out = proc.stdout.read()
    proc.stdout.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{which} failed: {out}")
    seconds, cpu, what = out.strip().splitlines()[-1].split("\t", 2)
    return float(seconds), usage.ru_maxrss / 1024, what, float(cpu)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument(
        "--repeat", type=int, default=1, help="runs per contender, interleaved (the median is kept)"
    )
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    work = Path(tempfile.mkdtemp(prefix="ascc-bench-mon-"))
    try:
        csv_path = work / "observations.csv"
        t = time.perf_counter()
        generate(csv_path, args.rows)
        print(
            f"generated {args.rows:,} observations ({csv_path.stat().st_size / 1e6:.0f} MB) in "
            f"{time.perf_counter() - t:.1f} s",
            flush=True,
        )
        template = work / "template.db"
        prepare(template)
        runs: dict[str, list[tuple[float, float, str, float]]] = {which: [] for which in RUNNERS}
        for i in range(args.repeat):  # round by round, so that every contender sees the same load
            for which in RUNNERS:
                db = work / f"{which}-{i}.{'duckdb' if which == 'duckdb' else 'db'}"
                if which in ("ours", "pandas-same-table"):
                    shutil.copy(template, db)
                r = measure(which, csv_path, db)
                runs[which].append(r)
                db.unlink(missing_ok=True)
                print(
                    f"{which:17s} {r[0]:7.2f} s  cpu {r[3]:6.2f} s  peak {r[1]:6.0f} MB  ({r[2]})", flush=True
                )
        results = {}
        for which, rs in runs.items():
            results[which] = (
                statistics.median(r[0] for r in rs),
                max(r[1] for r in rs),
                rs[0][2],
                statistics.median(r[3] for r in rs),
            )
        ours, ours_cpu = results["ours"][0], results["ours"][3]
        print()
        print(f"median of {args.repeat} run(s); peak memory: the largest of the runs")
        print("| contender | seconds | CPU seconds | peak memory (MB) | time / ours | CPU / ours |")
        print("|---|---:|---:|---:|---:|---:|")
        names = {
            "ours": "ascc import (every check, revisions, indexed table)",
            "pandas": "pandas read_csv + to_sql (new unindexed table)",
            "pandas-same-table": "pandas read_csv + to_sql (our indexed table)",
            "duckdb": "DuckDB read_csv",
        }
        for which, (sec, mem, _, cpu) in results.items():
            print(
                f"| {names[which]} | {sec:.2f} | {cpu:.2f} | {mem:.0f} | {sec / ours:.2f} | {cpu / ours_cpu:.2f} |"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
