"""The plan progress report: the plan's scorecard, a chart of the statuses, one chart per indicator
(latest approved value per member state, coloured by its status), and the source and coverage of every
figure. One context feeds the HTML page and the PDF (``report_pdf``), in either language."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy.orm import Session

from ascc.kit import clock
from ascc.monitoring.targets import progress, scorecards

#: one colour per status, worst to best; also in ``web/static/progress.css``
COLOURS = {
    "insufficient_data": "#8c959f",
    "deterioration": "#cf222e",
    "no_significant_change": "#6e7781",
    "limited_progress": "#e16f24",
    "moderate_progress": "#d4a72c",
    "substantial_progress": "#2da44e",
    "target_achieved": "#116329",
}


def status_chart(rows: list[dict[str, Any]], *, width: int = 640, bar: int = 18) -> dict[str, Any]:
    """Horizontal bars: how many indicators have each regional status (best first)."""
    counts = Counter(r["regional"]["status"] for r in rows)
    order = [s.value for s in reversed(progress.ORDER)]
    top = max(counts.values(), default=0) or 1
    label, gap = 230, 4
    plot = width - label - 50
    bars = [
        {
            "status": s,
            "count": counts.get(s, 0),
            "colour": COLOURS[s],
            "y": gap + i * (bar + gap),
            "h": bar,
            "w": round(plot * counts.get(s, 0) / top, 1),
        }
        for i, s in enumerate(order)
    ]
    return {
        "width": width,
        "height": len(order) * (bar + gap) + gap,
        "label_width": label,
        "bars": bars,
        "total": len(rows),
    }


def indicator_chart(row: dict[str, Any], *, width: int = 640, bar: int = 12) -> dict[str, Any]:
    """Latest approved value per member state (bars scaled to the largest), coloured by status."""
    cells = [(ms, c) for ms, c in row["cells"].items() if c["latest_value"] is not None]
    top = max((abs(c["latest_value"]) for _, c in cells), default=0) or 1
    label, gap = 50, 3
    plot = width - label - 110
    bars = [
        {
            "member_state": ms,
            "value": c["latest_value"],
            "year": c["latest_year"],
            "status": c["status"],
            "colour": COLOURS[c["status"]],
            "y": gap + i * (bar + gap),
            "h": bar,
            "w": round(plot * abs(c["latest_value"]) / top, 1),
        }
        for i, (ms, c) in enumerate(cells)
    ]
    return {
        "width": width,
        "height": max(len(bars), 1) * (bar + gap) + gap,
        "label_width": label,
        "bars": bars,
    }


def plan_report(session: Session, *, plan_id: str, base_year: int | None = None) -> dict[str, Any]:
    card = scorecards.plan_scorecard(session, plan_id=plan_id, base_year=base_year)
    sources: dict[str, dict[str, Any]] = {}
    for row in card["rows"]:
        ind = row["indicator"]
        src = ind["source"]
        key = src.get("url") or src.get("dataset") or src.get("org") or ind["code"]
        entry = sources.setdefault(key, {**src, "indicators": []})
        entry["indicators"].append(ind["code"])
        row["chart"] = indicator_chart(row)
        targets = [c["target"] for c in row["cells"].values() if c["target"]]
        row["targets"] = list({t["id"]: t for t in targets}.values())
    return card | {
        "status_chart": status_chart(card["rows"]),
        "sources": list(sources.values()),
        "colours": COLOURS,
        "generated_at": clock.now().replace(microsecond=0),
    }
