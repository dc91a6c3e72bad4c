"""The one chart module: every chart of the site (indicators, areas, disaster statistics, index
trends, progress reports) is drawn here as a standalone SVG document: a time series (one line per
series) or horizontal bars. ``line`` and ``bars`` return a ``Chart``: the SVG, and the values it
plots as a table (shown under the chart, downloaded as CSV). Every chart has a visible title, both
axes named (``text.axis-label``), ``role="img"`` with ``<title>``/``<desc>``, and says "no data"
(``data-empty``) instead of drawing an empty frame or a zero.

Each chart is one self-contained ``<svg>`` element (its own ``<style>``, no external fonts, images or
scripts), so the same markup is shown inline on the page, downloaded as ``.svg`` and drawn onto a
canvas for the PNG export (``web/static/charts.js``). Numbers are formatted for the page's language
(Indonesian uses a decimal comma). Text is escaped; values come from the database, never markup.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from babel.numbers import format_decimal

#: twelve colours distinguishable on white, in a fixed order so a member state keeps its colour
PALETTE = (
    "#1b6ca8",
    "#c0392b",
    "#1e8449",
    "#7d3c98",
    "#ca6f1e",
    "#117a65",
    "#2c3e50",
    "#9a7d0a",
    "#5d6d7e",
    "#c2185b",
    "#2874a6",
    "#6c3483",
)
STYLE = (
    # scoped by the chart's class so the page's stylesheet (``svg text``) does not override it
    "svg.ascc-chart text{font-family:'DejaVu Sans',Verdana,Arial,sans-serif;font-size:12px;font-weight:400;"
    "fill:#1b1f24}svg.ascc-chart .t{font-size:14px;font-weight:700}svg.ascc-chart .m{fill:#4a5360;font-size:11px}"
    "svg.ascc-chart .g{stroke:#e3e6ea;stroke-width:1}svg.ascc-chart .a{stroke:#4a5360;stroke-width:1}"
    "svg.ascc-chart .l{fill:none;stroke-width:2}svg.ascc-chart .v{font-size:11px}"
    "svg.ascc-chart .nodata{font-size:15px;fill:#4a5360}"
)


@dataclass(frozen=True)
class Series:
    """One line: a member state's values by period (``"2020"``)."""

    key: str
    label: str
    points: Sequence[tuple[str, float]]


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    value: float
    note: str = ""


@dataclass
class Frame:
    width: int = 760
    height: int = 400
    left: int = 70
    right: int = 150
    top: int = 40
    bottom: int = 60
    extra: dict[str, int] = field(default_factory=dict)

    @property
    def inner_w(self) -> int:
        return self.width - self.left - self.right

    @property
    def inner_h(self) -> int:
        return self.height - self.top - self.bottom


def number(value: float, lang: str = "en", *, digits: int = 2) -> str:
    """A value as a reader in ``lang`` writes it: ``12,345.6`` in English, ``12.345,6`` in Indonesian."""
    if not math.isfinite(value):
        return ""
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(value, format=pattern, locale="id_ID" if lang == "id" else "en_GB")


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round axis ticks covering ``low``..``high`` (steps of 1, 2 or 5 times a power of ten)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError("ticks need finite bounds")
    if high < low:
        low, high = high, low
    if high == low:
        pad = abs(high) * 0.1 or 1.0
        low, high = low - pad, high + pad
    raw = (high - low) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    start = math.floor(low / step) * step
    ticks = []
    k = 0
    while True:
        t = start + k * step
        ticks.append(round(t, 12))
        if t >= high - step * 1e-9:
            break
        k += 1
    return ticks


def _digits(ticks: Sequence[float]) -> int:
    """Decimals needed to write the tick step exactly (0.25 → 2, 5 → 0)."""
    step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
    return next((d for d in range(7) if abs(step * 10**d - round(step * 10**d)) < 1e-6), 6)


def _attrs(**values: object) -> str:
    return "".join(f" {k.rstrip('_').replace('_', '-')}={quoteattr(str(v))}" for k, v in values.items())


def _text(x: float, y: float, content: str, **attrs: object) -> str:
    return f"<text{_attrs(x=_r(x), y=_r(y), **attrs)}>{escape(content)}</text>"


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _r(v: float) -> str:
    return f"{round(v, 1):g}"


#: what an empty chart says, in the page's language
NO_DATA = {"en": "No data to show", "id": "Tidak ada data untuk ditampilkan"}


def _open(
    frame: Frame, title: str, desc: str, kind: str, *, empty: bool = False, ident: str = ""
) -> list[str]:
    """``empty``: nothing to draw; the chart says so (``data-empty``) and has no axes. ``ident`` keeps
    the ids of several charts of one kind on a page apart."""
    flag = ' data-empty="true"' if empty else ""
    ident = "".join(c if c.isalnum() or c in "-_" else "-" for c in (ident or kind))
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ascc-chart" data-chart={quoteattr(kind)}{flag}'
        f' width="{frame.width}" height="{frame.height}" viewBox="0 0 {frame.width} {frame.height}"'
        f' role="img" aria-labelledby="{ident}-title {ident}-desc">',
        f'<title id="{ident}-title">{escape(title)}</title><desc id="{ident}-desc">{escape(desc)}</desc>',
        f"<style>{STYLE}</style>",
        f'<rect width="{frame.width}" height="{frame.height}" fill="#ffffff"/>',
        _text(frame.left, 22, title, class_="t"),
    ]


def _empty(out: list[str], frame: Frame, lang: str) -> str:
    """A chart with nothing to plot: a framed message, never an empty axis or a zero."""
    w, h = frame.width - 2 * 20, max(frame.height - 60, 40)
    out.append(
        f'<rect x="20" y="40" width="{w}" height="{h}" fill="#f4f5f7" stroke="#c4cad1" stroke-dasharray="4 3"/>'
    )
    out.append(
        _text(
            frame.width / 2,
            40 + h / 2 + 5,
            NO_DATA.get(lang, NO_DATA["en"]),
            class_="nodata",
            text_anchor="middle",
        )
    )
    out.append("</svg>")
    return "".join(out)


def _period_key(period: str) -> tuple[int, float, str]:
    try:
        return (0, float(period), period)
    except ValueError:
        return (1, 0.0, period)


def line_chart(
    series: Iterable[Series],
    *,
    title: str,
    desc: str,
    unit: str = "",
    source: str = "",
    lang: str = "en",
    colours: Mapping[str, str] | None = None,
    x_label: str = "",
    y_label: str = "",
    kind: str = "timeseries",
    ident: str = "",
) -> str:
    """Values over time, one coloured line (and dots) per series, labelled at its last point.

    Periods that are all years are placed by value (a gap year leaves a gap); other period codes are
    placed in sorted order. A series with one point is drawn as a dot. The axes are named
    (``text.axis-label``): the periods' axis ``x_label`` (e.g. "Year"), the values' ``y_label`` or else
    the ``unit``.
    """
    series = [s for s in series if s.points]
    frame = Frame()
    out = _open(frame, title, desc, kind, empty=not series, ident=ident)
    if not series:
        return _empty(out, frame, lang)
    periods = sorted({p for s in series for p, _ in s.points}, key=_period_key)
    numeric = all(_period_key(p)[0] == 0 for p in periods)
    if numeric:
        first, last = float(periods[0]), float(periods[-1])

        def x(p: str) -> float:
            span = last - first
            return frame.left + (frame.inner_w * (float(p) - first) / span if span else frame.inner_w / 2)
    else:
        index = {p: i for i, p in enumerate(periods)}

        def x(p: str) -> float:
            n = len(periods) - 1
            return frame.left + (frame.inner_w * index[p] / n if n else frame.inner_w / 2)

    values = [v for s in series for _, v in s.points]
    low = min(0.0, min(values)) if min(values) >= 0 and min(values) < max(values) * 0.5 else min(values)
    ticks = nice_ticks(low, max(values))
    lo, hi = ticks[0], ticks[-1]
    digits = _digits(ticks)
    frame.left = max(frame.left, 26 + 7 * max(len(number(t, lang, digits=digits)) for t in ticks))

    def y(v: float) -> float:
        return frame.top + frame.inner_h * (1 - (v - lo) / (hi - lo))

    bottom = frame.top + frame.inner_h
    for t in ticks:
        out.append(
            f'<line class="g" x1="{frame.left}" x2="{frame.left + frame.inner_w}" y1="{_r(y(t))}" y2="{_r(y(t))}"/>'
        )
        out.append(
            _text(frame.left - 6, y(t) + 4, number(t, lang, digits=digits), text_anchor="end", class_="m")
        )
    out.append(
        f'<line class="a" x1="{frame.left}" x2="{frame.left + frame.inner_w}" y1="{_r(bottom)}" y2="{_r(bottom)}"/>'
    )
    step = max(1, math.ceil(len(periods) / 12))
    shown = [p for i, p in enumerate(periods) if i % step == 0]
    if shown[-1] != periods[-1]:
        # the last period is always labelled; the one before goes if the two would overlap
        if len(shown) > 1 and x(periods[-1]) - x(shown[-1]) < 7 * max(len(periods[-1]), len(shown[-1])) + 6:
            shown.pop()
        shown.append(periods[-1])
    for p in shown:
        out.append(_text(x(p), bottom + 16, p, text_anchor="middle", class_="m"))
    if y_label or unit:
        out.append(
            _text(
                12,
                frame.top + frame.inner_h / 2,
                _clip(y_label or unit, 50),
                class_="m axis-label",
                text_anchor="middle",
                transform=f"rotate(-90 12 {_r(frame.top + frame.inner_h / 2)})",
            )
        )
    if x_label:
        out.append(
            _text(
                frame.left + frame.inner_w / 2,
                bottom + 32,
                x_label,
                class_="m axis-label",
                text_anchor="middle",
            )
        )
    labels: list[tuple[float, str, str]] = []
    for k, s in enumerate(series):
        colour = (colours or {}).get(s.key) or PALETTE[k % len(PALETTE)]
        pts = sorted(s.points, key=lambda pv: _period_key(pv[0]))
        coords = " ".join(f"{_r(x(p))},{_r(y(v))}" for p, v in pts)
        out.append(f"<g data-series={quoteattr(s.key)}><title>{escape(s.label)}</title>")
        if len(pts) > 1:
            out.append(f'<polyline class="l" stroke="{colour}" points="{coords}"/>')
        for p, v in pts:
            out.append(
                f'<circle cx="{_r(x(p))}" cy="{_r(y(v))}" r="2.5" fill="{colour}">'
                f"<title>{escape(f'{s.label} {p}: {number(v, lang)}')}</title></circle>"
            )
        out.append("</g>")
        _end_p, end_v = pts[-1]
        labels.append((y(end_v), s.key, colour))
    # end labels, pushed apart so they do not overlap (12 px apart at least)
    labels.sort()
    placed: list[float] = []
    for want, _key, _c in labels:
        placed.append(max(want, placed[-1] + 12) if placed else want)
    overflow = placed[-1] - bottom if placed else 0
    if overflow > 0:
        placed = [p - overflow for p in placed]
    label_x = frame.left + frame.inner_w + 8
    for (_, key, colour), py in zip(labels, placed, strict=True):
        out.append(_text(label_x, py + 4, key, style=f"fill:{colour}", class_="v"))
    if source:
        out.append(_text(frame.left, frame.height - 12, _clip(source, 100), class_="m"))
    out.append("</svg>")
    return "".join(out)


def bar_chart(
    bars: Iterable[Bar],
    *,
    title: str,
    desc: str,
    unit: str = "",
    source: str = "",
    lang: str = "en",
    reference: tuple[str, float] | None = None,
    colours: Mapping[str, str] | None = None,
    x_label: str = "",
    y_label: str = "",
    kind: str = "comparison",
    ident: str = "",
    sort: bool = True,
    legend: Sequence[tuple[str, str]] = (),
    digits: int = 2,
) -> str:
    """One horizontal bar per member state, largest first, with its value; ``reference`` draws a
    labelled vertical line (e.g. the ASEAN mean). Negative values extend left of zero. The axes are
    named (``text.axis-label``): the values' ``x_label`` or else the ``unit``, below; the bars'
    ``y_label`` (e.g. "Member state"), above their names. ``sort=False`` keeps the given order (e.g.
    years); ``legend`` is (colour, meaning) pairs drawn under the value axis, for bars coloured by
    something other than their length (a progress status)."""
    bars = sorted(bars, key=lambda b: (-b.value, b.key)) if sort else list(bars)
    row = 24
    widest = max((len(b.label) for b in bars), default=10)
    frame = Frame(
        height=40 + 30 + max(len(bars), 1) * row + 50 + (20 * math.ceil(len(legend) / 3) if legend else 0),
        left=min(300, max(120, 16 + 7 * widest)),
        right=110,
        top=50,
        bottom=50,
    )
    out = _open(frame, title, desc, kind, empty=not bars, ident=ident)
    if not bars:
        return _empty(out, frame, lang)
    values = [b.value for b in bars] + ([reference[1]] if reference else [])
    ticks = nice_ticks(min(0.0, min(values)), max(0.0, max(values)))
    lo, hi = ticks[0], ticks[-1]
    digits = _digits(ticks)

    def x(v: float) -> float:
        return frame.left + frame.inner_w * (v - lo) / (hi - lo)

    top, bottom = frame.top, frame.top + len(bars) * row
    for t in ticks:
        out.append(f'<line class="g" x1="{_r(x(t))}" x2="{_r(x(t))}" y1="{top}" y2="{bottom}"/>')
        out.append(_text(x(t), bottom + 16, number(t, lang, digits=digits), text_anchor="middle", class_="m"))
    zero = x(0.0)
    for i, b in enumerate(bars):
        colour = (colours or {}).get(b.key) or PALETTE[i % len(PALETTE)]
        y0 = top + i * row + 4
        x0, x1 = sorted((zero, x(b.value)))
        out.append(
            f"<g data-bar={quoteattr(b.key)}><title>{escape(f'{b.label}: {number(b.value, lang)}')}</title>"
        )
        out.append(_text(frame.left - 8, y0 + 12, b.label, text_anchor="end"))
        out.append(
            f'<rect x="{_r(x0)}" y="{_r(y0)}" width="{_r(max(x1 - x0, 1))}" height="{row - 8}" fill="{colour}"/>'
        )
        label = number(b.value, lang, digits=digits) + (f" {b.note}" if b.note else "")
        out.append(_text(x1 + 4, y0 + 12, label, class_="v"))
        out.append("</g>")
    out.append(f'<line class="a" x1="{_r(zero)}" x2="{_r(zero)}" y1="{top}" y2="{bottom}"/>')
    if reference:
        name, value = reference
        rx = x(value)
        out.append(
            f'<line x1="{_r(rx)}" x2="{_r(rx)}" y1="{top - 8}" y2="{bottom}" stroke="#1b1f24" '
            f'stroke-width="1.5" stroke-dasharray="4 3"/>'
        )
        out.append(_text(rx, top - 12, f"{name}: {number(value, lang)}", text_anchor="middle", class_="v"))
    if x_label or unit:
        out.append(_text(frame.left, bottom + 34, _clip(x_label or unit, 60), class_="m axis-label"))
    if y_label:
        out.append(_text(frame.left - 8, top - 12, y_label, text_anchor="end", class_="m axis-label"))
    for i, (colour, meaning) in enumerate(legend):
        lx, ly = 12 + (i % 3) * 240, bottom + 48 + 20 * (i // 3)
        out.append(f'<g class="legend"><rect x="{lx}" y="{ly}" width="12" height="12" fill="{colour}"/>')
        out.append(_text(lx + 18, ly + 10, _clip(meaning, 32), class_="m") + "</g>")
    if source:
        out.append(_text(12, frame.height - 10, _clip(source, 110), class_="m"))
    out.append("</svg>")
    return "".join(out)


@dataclass(frozen=True)
class Chart:
    """A drawn chart and the values it plots: ``columns`` name the table's columns, ``rows`` hold one
    label and the numbers (``None`` where a series has no value) in the order drawn."""

    kind: str
    name: str
    svg: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str | float | None, ...], ...]

    @property
    def empty(self) -> bool:
        return not self.rows

    def csv(self) -> str:
        """The plotted values as CSV (a header, then one row per label; numbers unformatted)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow(["" if v is None else f"{v:.15g}" if isinstance(v, float) else v for v in row])
        return out.getvalue()


def line(series: Iterable[Series], *, name: str, x_label: str, y_label: str, **kw: object) -> Chart:
    """``line_chart`` with its table: one row per period, one column per series."""
    series = [s for s in series if s.points]
    periods = sorted({p for s in series for p, _ in s.points}, key=_period_key)
    values = [dict(s.points) for s in series]
    rows = tuple((p, *(v.get(p) for v in values)) for p in periods)
    svg = line_chart(series, x_label=x_label, y_label=y_label, ident=name, **kw)  # type: ignore[arg-type]
    kind = str(kw.get("kind", "timeseries"))
    return Chart(kind, name, svg, (x_label, *(s.label for s in series)), rows)


def bars(
    items: Iterable[Bar], *, name: str, x_label: str, y_label: str, sort: bool = True, **kw: object
) -> Chart:
    """``bar_chart`` with its table: one row per bar, in the order drawn (largest first)."""
    items = sorted(items, key=lambda b: (-b.value, b.key)) if sort else list(items)
    svg = bar_chart(items, x_label=x_label, y_label=y_label, ident=name, sort=False, **kw)  # type: ignore[arg-type]
    kind = str(kw.get("kind", "comparison"))
    return Chart(kind, name, svg, (y_label, x_label), tuple((b.label, float(b.value)) for b in items))
