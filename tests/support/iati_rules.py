"""A small interpreter of the official IATI Rulesets (``tests/data/iati/rulesets/standard.json``).

It runs every rule of every context that matches in the document, with the semantics of the
ruleset's SPEC.rst (the JS validator's specification) and, where that is silent, of the reference
Python implementation (``iatirulesets/__init__.py``) in the same repository. A rule kind it does
not know, or a ``one_or_all`` target, ``idCondition`` or id set it does not know, raises
``UnknownRule``: nothing is skipped silently.

What needs data outside the file is taken as given:

- ``idCondition`` (``NOT_EXISTING_ORG_ID``, ``NOT_EXISTING_ORG_ID_PREFIX``) skips a rule for
  identifiers of publishers registered with the IATI Registry. The registry's list is not vendored,
  so no identifier counts as registered: the rules always apply (the stricter reading).
- ``ORG-ID-PREFIX`` is the IATI OrganisationRegistrationAgency code list
  (``tests/data/iati/rulesets/org-id-prefixes.txt``).
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from lxml import etree

HERE = Path(__file__).resolve().parent.parent / "data" / "iati" / "rulesets"
STANDARD = HERE / "standard.json"
ID_CONDITIONS = ("NOT_EXISTING_ORG_ID", "NOT_EXISTING_ORG_ID_PREFIX")
DATE = re.compile(r"^(-?\d{4,})-(\d{2})-(\d{2})")


class UnknownRule(Exception):
    """The ruleset uses something this interpreter does not implement."""


@dataclasses.dataclass(frozen=True)
class Failure:
    rule_id: str
    severity: str
    message: str
    kind: str
    where: str

    def __str__(self) -> str:
        return f"{self.rule_id} ({self.severity}, {self.kind}) at {self.where}: {self.message}"


def id_sets() -> dict[str, set[str]]:
    codes = (HERE / "org-id-prefixes.txt").read_text(encoding="utf-8").split()
    return {"ORG-ID-PREFIX": set(codes)}


def _text(match: Any) -> str:
    if isinstance(match, etree._Element):
        return match.text or ""
    return str(match)


def _date(value: str) -> dt.date:
    m = DATE.match(value)
    if not m:
        raise ValueError(f"{value!r} is not a date")
    return dt.date(*map(int, m.groups()))


def _after_a_year(start: dt.date) -> dt.date:
    """start + one year as dateutil's relativedelta counts it (29 February: 28 February)."""
    try:
        return start.replace(year=start.year + 1)
    except ValueError:
        return dt.date(start.year + 1, 2, 28)


class _Case:
    def __init__(self, element: etree._Element, case: dict[str, Any], now: dt.datetime, sets: dict):
        self.el, self.case, self.now, self.sets = element, case, now, sets
        self.matches = [m for p in case.get("paths", []) for m in element.xpath(p)]
        self.texts = [_text(m) for m in self.matches]

    def true(self, expr: str) -> bool:
        return bool(self.el.xpath(f"boolean({expr})"))

    def dates(self, expr: str) -> list[dt.date]:
        if expr in ("NOW", "TODAY"):
            return [self.now.date()]
        return [_date(_text(m)) for m in self.el.xpath(expr)]

    # --- the rule kinds (None: not applicable) ---------------------------------------------------

    def no_more_than_one(self) -> bool:
        return len(self.matches) <= 1

    def atleast_one(self) -> bool:
        return len(self.matches) >= 1

    def unique(self) -> bool:
        return len(self.texts) == len(set(self.texts))

    def no_spaces(self) -> bool:
        return all(t == t.strip() for t in self.texts)

    def regex_matches(self) -> bool:
        return all(re.search(self.case["regex"], t) for t in self.texts)

    def startswith(self) -> bool:
        prefixes: set[str] = set()
        for p in self.case["prefix"]:
            if p in self.sets:
                prefixes |= self.sets[p]
            elif re.fullmatch(r"[A-Z][A-Z-]*", p):
                raise UnknownRule(f"no id set {p!r}")
            else:
                prefixes |= {_text(m) for m in self.el.xpath(p)}
        sep = self.case.get("separator", "")
        return all(any(t.startswith(f"{x}{sep}") for x in prefixes) for t in self.texts)

    def one_or_all(self) -> bool:
        if self.el.xpath(self.case["one"]):
            return True
        target = self.case["all"]
        if target == "lang":
            return all(n.xpath("@xml:lang") for n in self.el.xpath("descendant::narrative"))
        if target == "sector":
            return all(t.xpath("sector") for t in self.el.xpath("transaction"))
        if target == "currency":
            return all(
                v.xpath("@currency")
                for tag in ("value", "forecast", "loan-status")
                for v in self.el.xpath(f"descendant::{tag}")
            )
        raise UnknownRule(f"one_or_all of {target!r}")

    def date_now(self) -> bool | None:
        found = self.el.xpath(self.case["date"])
        if not found:
            return None
        stamp = dt.datetime.fromisoformat(_text(found[0]))
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=dt.UTC)
        return stamp <= self.now

    def date_order(self) -> bool | None:
        less, more = self.dates(self.case["less"]), self.dates(self.case["more"])
        if not less or not more:
            return None
        return all(a <= b for a in less for b in more)

    def time_limit(self) -> bool | None:
        start, end = self.dates(self.case["start"]), self.dates(self.case["end"])
        if not start or not end:
            return None
        return end[0] <= _after_a_year(start[0])

    def between_dates(self) -> bool | None:
        date = self.dates(self.case["date"])
        if not date:
            return None
        return self.dates(self.case["start"])[0] < date[0] < self.dates(self.case["end"])[0]

    def _decimals(self) -> list[Decimal] | None:
        try:
            return [Decimal(t) for t in self.texts]
        except InvalidOperation:
            return None

    def strict_sum(self) -> bool:
        values = self._decimals()
        return values is not None and sum(values) == Decimal(str(self.case["sum"]))

    def sum(self) -> bool:
        return not self.matches or self.strict_sum()

    def range(self) -> bool:
        values = self._decimals()
        low, high = (Decimal(str(self.case[k])) if k in self.case else None for k in ("min", "max"))
        return values is not None and all(
            (low is None or low <= v) and (high is None or v <= high) for v in values
        )

    def if_then(self) -> bool:
        return not self.true(self.case["if"]) or self.true(self.case["then"])

    def dependent(self) -> bool:
        found = [bool(self.el.xpath(p)) for p in self.case["paths"]]
        return all(found) or not any(found)


KINDS = {
    name
    for name, value in vars(_Case).items()
    if callable(value) and not name.startswith("_") and name not in ("true", "dates")
}


def _run(element, kind: str, case: dict, now, sets, where: str) -> list[Failure]:
    if kind == "loop":
        failures = []
        for value in sorted({_text(v) for v in element.xpath(case["foreach"])}):
            for sub_kind, sub in case["do"].items():
                for sub_case in sub["cases"]:
                    bound = copy.deepcopy(sub_case)
                    for key in case["subs"]:
                        v = bound[key]
                        bound[key] = (
                            [x.replace("$1", value) for x in v]
                            if isinstance(v, list)
                            else v.replace("$1", value)
                        )
                    failures += _run(element, sub_kind, bound, now, sets, where)
        return failures
    if kind not in KINDS:
        raise UnknownRule(f"rule kind {kind!r}")
    unknown = set(case) - {
        "ruleInfo",
        "paths",
        "condition",
        "idCondition",
        "regex",
        "prefix",
        "separator",
        "one",
        "all",
        "date",
        "less",
        "more",
        "start",
        "end",
        "sum",
        "min",
        "max",
        "if",
        "then",
    }
    if unknown:
        raise UnknownRule(f"{kind} case keys {sorted(unknown)}")
    if case.get("idCondition") not in (None, *ID_CONDITIONS):
        raise UnknownRule(f"idCondition {case['idCondition']!r}")
    if kind == "startswith" and "prefix" not in case:
        raise UnknownRule("startswith without prefix (the older form with start)")
    if "condition" in case and not element.xpath(f"boolean({case['condition']})"):
        return []
    result = getattr(_Case(element, case, now, sets), kind)()
    if result is None or result:
        return []
    info = case.get("ruleInfo", {})
    return [Failure(info.get("id", "?"), info.get("severity", "?"), info.get("message", ""), kind, where)]


def check(
    document: bytes | etree._Element,
    *,
    ruleset: dict | None = None,
    now: dt.datetime | None = None,
) -> list[Failure]:
    """Every failed rule case in ``document``, for every element the ruleset's contexts select."""
    root = etree.fromstring(document) if isinstance(document, bytes) else document
    ruleset = ruleset if ruleset is not None else json.loads(STANDARD.read_text(encoding="utf-8"))
    now = now or dt.datetime.now(dt.UTC)
    sets = id_sets()
    tree = root.getroottree()
    failures: list[Failure] = []
    for context, rules in ruleset.items():
        for element in tree.xpath(context):
            activity = (
                element
                if element.tag == "iati-activity"
                else next(element.iterancestors("iati-activity"), None)
            )
            where = (activity.findtext("iati-identifier") if activity is not None else None) or tree.getpath(
                element
            )
            for kind, body in rules.items():
                for case in body["cases"]:
                    failures += _run(element, kind, case, now, sets, where)
    return failures


def kinds_used(ruleset: dict | None = None) -> set[str]:
    """The rule kinds the ruleset names (those inside ``loop`` too)."""
    ruleset = ruleset if ruleset is not None else json.loads(STANDARD.read_text(encoding="utf-8"))
    used: set[str] = set()
    for rules in ruleset.values():
        for kind, body in rules.items():
            used.add(kind)
            if kind == "loop":
                for case in body["cases"]:
                    used |= set(case["do"])
    return used
