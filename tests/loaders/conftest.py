"""Loaders re-run over what people wrote: small inputs, one fresh database per test and backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ascc.app import create_app
from ascc.cli.main import app
from ascc.config import Settings
from tests.conftest import ROOT, load, make_user

DATA = ROOT.parent / "shared" / "data"
runner = CliRunner()


def cli(url: str, *args: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run ``ascc *args`` on ``url`` (as ``make init`` does); its output, after checking it succeeded."""
    monkeypatch.setenv("DATABASE_URL", url)
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())  # rich wraps long lines


@pytest.fixture
def url(fresh_url: str, reference) -> str:
    load(fresh_url, reference)
    return fresh_url


@pytest.fixture
def people(url: str) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    """An API client and the headers of a Secretariat officer and of Indonesia's focal point."""
    tokens = {
        "secretariat": make_user(url, email="officer@asean.org"),
        "IDN": make_user(url, email="fp@bps.go.id", role="focal_point", member_state="IDN"),
    }
    with TestClient(create_app(Settings(database_url=url))) as client:
        yield client, {k: {"Authorization": f"Bearer {v}"} for k, v in tokens.items()}


def small_data(folder: Path, *, national: list[str], subnational: list[str]) -> Path:
    """A data folder like ../shared/data with only the given series (metadata, regions and values
    copied from the real files): national rows ``code,ISO3,period``, subnational ``code,region,period``."""
    folder.mkdir(parents=True, exist_ok=True)
    wanted = {r.split(",")[0] for r in national + subnational}
    regions = {r.split(",")[1] for r in subnational}
    for name in ("series_metadata.csv", "subnational_series_metadata.csv"):
        lines = (DATA / name).read_text(encoding="utf-8").splitlines(keepends=True)
        (folder / name).write_text(lines[0] + "".join(x for x in lines[1:] if x.split(",")[0] in wanted))
    lines = (DATA / "subnational_regions.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / "subnational_regions.csv").write_text(
        lines[0] + "".join(x for x in lines[1:] if x.split(",")[1] in regions)
    )
    lines = (DATA / "indicators_country_year.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    keys = set(national)
    (folder / "indicators_country_year.csv").write_text(
        lines[0] + "".join(x for x in lines[1:] if ",".join(x.split(",")[:3]) in keys)
    )
    lines = (DATA / "subnational_region_year.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    keys = set(subnational)
    (folder / "subnational_region_year.csv").write_text(
        lines[0]
        + "".join(x for x in lines[1:] if f"{x.split(',')[0]},{x.split(',')[3]},{x.split(',')[4]}" in keys)
    )
    return folder
