"""The plan progress report as PDF (reportlab, pure Python): title, method, status chart, scorecard
table, one chart per indicator, sources and coverage. Interface words come from the caller's ``t``
(gettext of the reader's language), so the domain does not depend on the web layer."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ascc.monitoring import terms

Translate = Callable[[str], str]


def _loc(text: dict[str, Any] | None, lang: str) -> str:
    if not text:
        return ""
    return text.get(lang) or text.get("id" if lang == "en" else "en") or ""


def _num(v: float | None) -> str:
    if v is None:
        return "–"
    if abs(v) >= 1_000_000:
        return f"{v:,.0f}"
    return f"{v:,.2f}" if abs(v) < 1000 else f"{v:,.1f}"


def _bars(
    chart: dict[str, Any], *, label_key: str, labels: Callable[[dict], str], scale: float = 0.75
) -> Drawing:
    d = Drawing(chart["width"] * scale, chart["height"] * scale)
    lw = chart["label_width"] * scale
    for b in chart["bars"]:
        y = (chart["height"] - b["y"] - b["h"]) * scale
        d.add(String(0, y + 2, labels(b)[:48], fontName="Helvetica", fontSize=7))
        d.add(
            Rect(
                lw,
                y,
                max(b["w"] * scale, 0.5),
                b["h"] * scale,
                fillColor=colors.HexColor(b["colour"]),
                strokeColor=None,
            )
        )
        d.add(
            String(
                lw + b["w"] * scale + 3, y + 2, str(b.get(label_key, "")), fontName="Helvetica", fontSize=7
            )
        )
    return d


def render(ctx: dict[str, Any], *, lang: str, t: Translate, status_name: Callable[[str], str]) -> bytes:
    styles = getSampleStyleSheet()
    small = ParagraphStyle("small", parent=styles["Normal"], fontSize=7.5, leading=9)
    plan = ctx["plan"]
    title = _loc(plan["title"], lang)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        title=title,
        author="ASCC platform",
        lang=lang,
        subject=t("Plan progress report"),
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
    )
    story: list[Any] = [
        Paragraph(escape(title), styles["Title"]),
        Paragraph(escape(t("Plan progress report")), styles["Heading2"]),
    ]
    period = "–".join(str(p) for p in (plan.get("period_start"), plan.get("period_end")) if p)
    meta = [
        t("Base year") + f": {ctx['base_year']}",
        t("Generated") + f": {ctx['generated_at']:%Y-%m-%d %H:%M} UTC",
    ]
    if period:
        meta.insert(0, t("Period") + f": {period}")
    story.append(Paragraph(escape(" · ".join(meta)), styles["Normal"]))
    story.append(
        Paragraph(
            escape(
                t(
                    "Only approved, current values are used. Progress status by the compound-growth "
                    "method of Open SDG:"
                )
            )
            + f" {escape(ctx['method_url'])}",
            small,
        )
    )
    story.append(Spacer(1, 4 * mm))
    story.append(Paragraph(escape(t("Indicators by progress status")), styles["Heading3"]))
    story.append(_bars(ctx["status_chart"], label_key="count", labels=lambda b: status_name(b["status"])))
    story.append(Spacer(1, 4 * mm))
    story.append(Paragraph(escape(t("Scorecard")), styles["Heading3"]))
    head = [t("Indicator"), t("Unit"), t("Regional status"), t("Member states assessed"), t("Years")]
    body = [
        [
            Paragraph(escape(f"{_loc(r['indicator']['name'], lang)} ({r['indicator']['code']})"), small),
            Paragraph(escape(terms.unit_name(r["indicator"]["unit"], lang)), small),
            Paragraph(escape(status_name(r["regional"]["status"])), small),
            f"{r['regional']['assessed']} / {r['regional']['member_states']}",
            (
                "–".join(
                    str(y) for y in sorted({r["regional"]["first_year"], r["regional"]["last_year"]} - {None})
                )
                or "–"
            )
            + (
                f" ({r['regional']['partial']['period']}: {t('partial')})"
                if r["regional"].get("partial")
                else ""
            ),
        ]
        for r in ctx["rows"]
    ]
    if body:
        table = Table([head, *body], colWidths=[70 * mm, 35 * mm, 32 * mm, 23 * mm, 20 * mm], repeatRows=1)
        style = [
            ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 7.5),
            ("FONT", (0, 1), (-1, -1), "Helvetica", 7.5),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
        for i, r in enumerate(ctx["rows"], start=1):
            style.append(
                (
                    "BACKGROUND",
                    (2, i),
                    (2, i),
                    colors.HexColor(ctx["colours"][r["regional"]["status"]]).clone(alpha=0.35),
                )
            )
        table.setStyle(TableStyle(style))
        story.append(table)
    else:
        story.append(Paragraph(escape(t("No indicator is linked to this plan's sectors.")), styles["Normal"]))
    story.append(Spacer(1, 4 * mm))
    for r in ctx["rows"]:
        ind = r["indicator"]
        block = [
            Paragraph(escape(f"{_loc(ind['name'], lang)} ({ind['code']})"), styles["Heading4"]),
            Paragraph(
                escape(
                    t("Latest approved value per member state, coloured by its progress status")
                    + f" · {terms.unit_name(ind['unit'], lang)} · "
                    + t("Coverage")
                    + f": {r['regional']['reporting']} / {r['regional']['member_states']}"
                ),
                small,
            ),
        ]
        if r["chart"]["bars"]:
            block.append(
                _bars(r["chart"], label_key="value", labels=lambda b: f"{b['member_state']} {b['year']}")
            )
        else:
            block.append(Paragraph(escape(t("No approved data.")), small))
        src = ind["source"]
        block.append(
            Paragraph(
                escape(
                    t("Source")
                    + ": "
                    + ", ".join(x for x in (src.get("org"), src.get("dataset"), src.get("url")) if x)
                ),
                small,
            )
        )
        for target in r["targets"]:
            where = target["member_state"] or t("regional")
            block.append(
                Paragraph(
                    escape(
                        t("Target") + f" ({where}): {_num(target['target_value'])} "
                        f"({target['target_year']}) · {target['source']}"
                    ),
                    small,
                )
            )
        story.append(KeepTogether(block))
    story.append(Paragraph(escape(t("Sources")), styles["Heading3"]))
    for s in ctx["sources"]:
        text = ", ".join(x for x in (s.get("org"), s.get("dataset"), s.get("url"), s.get("licence")) if x)
        story.append(Paragraph(escape(f"{text} — {', '.join(s['indicators'])}"), small))
    doc.build(story)
    return buf.getvalue()
