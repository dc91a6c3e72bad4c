"""One composite-index page: the time to answer ``GET /indices/{slug}`` from the stored results.

    .venv/bin/python benchmarks/index_page.py [--repeat 20] [--keep DB]

Sets up a SQLite database (migrated, no other data) in a temporary folder and stores the three
example indices as ``make init`` does: the two YDI editions on the indicator store
(``../shared/data/indicators_country_year.csv``, the file ``ascc indicators load-demo`` loads, so
the same numbers as ``--from-store``) with 100 uncertainty replications, and ASEM on COINr's data
(``../shared/composite-asem``). Then, in one process with the application (``TestClient``), for
each index: the median of ``--repeat`` plain page requests, the same for the JSON twin, and a
what-if with changed weights, first with new weights each time (a build) and then the same
weights again.

Every request carries a query parameter of its own (``?r=<n>``, which the page ignores) so that the
response cache never answers it: each request is the page built, as for the first visitor after a
write or a restart. Prints a markdown table (milliseconds).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT / "src"))

from fastapi.testclient import TestClient  # noqa: E402

from ascc.app import create_app  # noqa: E402
from ascc.config import Settings  # noqa: E402
from ascc.db.engine import make_engine  # noqa: E402
from ascc.db.migrate import upgrade  # noqa: E402
from ascc.db.uow import unit_of_work  # noqa: E402
from ascc.indices import store as index_store  # noqa: E402
from ascc.wiring import session_factory  # noqa: E402

EXAMPLES = ROOT / "examples" / "indices"
STORE = SHARED / "data" / "indicators_country_year.csv"
ASEM = SHARED / "composite-asem"
WHAT_IF = {"ydi-2017": "PekerjaanPeluang", "ydi-2022": "IdentitasASEAN", "asem": "Physical"}


def setup(url: str) -> list[str]:
    upgrade(url)
    engine = make_engine(url)
    slugs = []
    with unit_of_work(session_factory(engine)) as s:
        s.info["actor"] = "benchmark"
        for slug in ("ydi-2017", "ydi-2022"):
            index_store.store_run(s, definition=EXAMPLES / f"{slug}.yaml", data=STORE, uncertainty_n=100)
            slugs.append(slug)
        if ASEM.exists():
            index_store.store_run(
                s,
                definition=EXAMPLES / "asem.yaml",
                data=ASEM / "asem_idata.csv",
                meta=ASEM / "asem_imeta.csv",
                uncertainty_n=100,
            )
            slugs.append("asem")
    engine.dispose()
    return slugs


def median_ms(client: TestClient, path: str, repeat: int, params=lambda i: {}) -> float:
    times = []
    for i in range(repeat):
        start = time.perf_counter()
        r = client.get(path, params={**params(i), "r": f"{time.time_ns()}-{i}"})
        times.append(time.perf_counter() - start)
        assert r.status_code == 200, (path, r.status_code, r.text[:300])
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ascc-bench-") as folder:
        url = f"sqlite:///{folder}/bench.db"
        slugs = setup(url)
        rows = []
        with TestClient(create_app(Settings(database_url=url, secret_key="benchmark-only-key"))) as client:
            client.get("/indices")  # warm up: templates, translations
            for slug in slugs:
                code = WHAT_IF[slug]
                page = median_ms(client, f"/indices/{slug}", args.repeat)
                twin = median_ms(client, f"/indices/{slug}.json", args.repeat)
                new = median_ms(client, f"/indices/{slug}", args.repeat, lambda i, c=code: {f"w_{c}": 2 + i})
                same = median_ms(client, f"/indices/{slug}", args.repeat, lambda i, c=code: {f"w_{c}": 0.5})
                rows.append((slug, page, twin, new, same))
    print(
        f"| index | page | JSON twin | what-if, new weights | what-if, same weights |  (median of {args.repeat}, ms)"
    )
    print("|---|---|---|---|---|")
    for slug, *figures in rows:
        print(f"| {slug} | " + " | ".join(f"{f:.1f}" for f in figures) + " |")


if __name__ == "__main__":
    main()
