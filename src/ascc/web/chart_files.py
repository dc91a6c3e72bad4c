"""Chart downloads: every chart a page shows (``drawing.charts.Chart``) is also served alone, as
the SVG drawn on the page and as the CSV of the values it plots; the PNG is drawn from the page's
SVG in the browser (``static/charts.js``: no image library on the server). A page lists a chart's
files with the ``figure`` macro of ``_chart.html``, which also puts the data table under it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from ascc.db.uow import unit_of_work
from ascc.drawing.charts import Chart
from ascc.http.auth import bind_principal
from ascc.http.openapi import download
from ascc.kit.errors import NotFound
from ascc.web.pages import downloads

MEDIA = {"svg": "image/svg+xml", "csv": "text/csv; charset=utf-8"}
View = TypeVar("View", bound=Callable[..., Response])


def routes(base: str, kinds: Iterable[str]) -> Callable[[View], View]:
    """Register a view at ``{base}/{kind}.svg`` and ``{base}/{kind}.csv`` for each kind, documented
    as downloads (``kind`` may be a path parameter, ``{chart}``)."""

    def register(view: View) -> View:
        for kind in kinds:
            downloads.get(
                f"{base}/{kind}.svg", response_class=Response, responses=download("image/svg+xml", "chart")
            )(view)
            downloads.get(
                f"{base}/{kind}.csv",
                response_class=Response,
                responses=download("text/csv", "the chart's values"),
            )(view)
        return view

    return register


def kind(request: Request) -> str:
    """The chart a file path names: ``/indicators/X/timeseries.csv`` → ``timeseries``."""
    return request.url.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def body(chart: Chart, ext: str) -> Response:
    """One chart as a file: ``svg`` (standalone, with its XML declaration) or ``csv``."""
    if ext == "svg":
        content = '<?xml version="1.0" encoding="UTF-8"?>\n' + chart.svg
    elif ext == "csv":
        content = chart.csv()
    else:
        raise NotFound(f"no chart file of type {ext!r}")
    return Response(
        content,
        media_type=MEDIA[ext],
        headers={"Content-Disposition": f'attachment; filename="{chart.name}.{ext}"'},
    )


def serve(request: Request, build: Callable[[Session], Chart | None], ext: str, missing: str) -> Response:
    """Build one chart in the request's unit of work (as its page would) and send it as ``ext``."""
    with unit_of_work(request.app.state.session_factory) as session:
        bind_principal(request, session)
        chart = build(session)
    if chart is None:
        raise NotFound(missing)
    return body(chart, ext)


def extension(request: Request) -> str:
    return request.url.path.rsplit(".", 1)[-1]
