"""Read-API throughput and latency: ``ascc serve`` against Datasette on the same SQLite file.

    .venv/bin/python benchmarks/read_api.py [--seconds 10] [--connections 32]

Builds a fresh SQLite database with ``ascc init``, serves it with ``ascc serve`` (one worker) and
with ``datasette serve`` (one process) on loopback, and drives each with the same closed-loop
load generator, ``wrk`` (Debian package): N concurrent keep-alive connections, each sending the
next request as soon as the previous answer arrives. Two requests per server, the same rows as JSON:

- body list:   /api/v1/bodies?limit=100              vs  /ascc/bodies.json?_size=100&_shape=array
- body detail: /api/v1/bodies/asoen                  vs  /ascc/bodies/asoen.json?_shape=array

Prints requests per second, p50 and p99 latency, and our/Datasette throughput ratio.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

CASES = [
    ("body list", "/api/v1/bodies?limit=100", "/ascc/bodies.json?_size=100&_shape=array"),
    ("body detail", "/api/v1/bodies/asoen", "/ascc/bodies/asoen.json?_shape=array"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(cmd: list[str], env: dict[str, str], probe: str) -> subprocess.Popen:
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(probe, timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"could not start: {' '.join(cmd)}")


def parse_wrk(output: str) -> dict[str, float]:
    """Requests/sec, p50 and p99 (ms) and non-2xx count from ``wrk --latency`` output."""

    def ms(text: str) -> float:
        value = float(re.match(r"[\d.]+", text).group())
        return value * {"us": 0.001, "ms": 1.0, "s": 1000.0}[re.search(r"(us|ms|s)$", text).group()]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))
    p99 = ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return {"rps": rps, "p50_ms": p50, "p99_ms": p99, "errors": int(errors.group(1)) if errors else 0}


def measure(url: str, seconds: float, connections: int) -> dict[str, float]:
    """Closed-loop load with wrk (one thread, ``connections`` keep-alive connections)."""
    subprocess.run(
        ["wrk", "-t1", f"-c{connections}", "-d1s", url], check=True, capture_output=True
    )  # warm-up
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds:.0f}s", "--latency", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return parse_wrk(out)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed as the load generator: apt-get install wrk")

    workdir = Path(tempfile.mkdtemp(prefix="ascc-bench-"))
    db = workdir / "ascc.db"
    env = os.environ | {"DATABASE_URL": f"sqlite:///{db}"}
    subprocess.run([BIN / "ascc", "init"], env=env, check=True, capture_output=True)

    ours_port, theirs_port = free_port(), free_port()
    ours = start(
        [str(BIN / "ascc"), "serve", "--port", str(ours_port)],
        env,
        f"http://127.0.0.1:{ours_port}/api/v1/pillars",
    )
    theirs = start(
        [str(BIN / "datasette"), "serve", str(db), "--port", str(theirs_port)],
        env,
        f"http://127.0.0.1:{theirs_port}/ascc.json",
    )
    rows = []
    try:
        for name, our_path, their_path in CASES:
            a = measure(f"http://127.0.0.1:{ours_port}{our_path}", args.seconds, args.connections)
            b = measure(f"http://127.0.0.1:{theirs_port}{their_path}", args.seconds, args.connections)
            rows.append((name, a, b))
    finally:
        ours.terminate()
        theirs.terminate()
        ours.wait()
        theirs.wait()

    print(
        f"{args.connections} connections, {args.seconds:.0f} s per case, loopback, one process per server\n"
    )
    print("| case | server | req/s | p50 ms | p99 ms | errors | throughput ratio (ascc / Datasette) |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name, a, b in rows:
        ratio = a["rps"] / b["rps"] if b["rps"] else float("nan")
        print(
            f"| {name} | ascc | {a['rps']:.0f} | {a['p50_ms']:.1f} | {a['p99_ms']:.1f} | {a['errors']} | {ratio:.2f} |"
        )
        print(
            f"| {name} | Datasette | {b['rps']:.0f} | {b['p50_ms']:.1f} | {b['p99_ms']:.1f} | {b['errors']} | |"
        )


if __name__ == "__main__":
    main()
