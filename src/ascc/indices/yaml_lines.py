"""Index definitions read with ``kit.yaml_lines`` (mappings remember where they and each of their
keys start; duplicate keys are refused), and the ``Reporter`` that collects their problems.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from ascc.indices.errors import DefinitionError, Problem
from ascc.kit import yaml_lines
from ascc.kit.problems import ProblemsError
from ascc.kit.yaml_lines import LineDict, LineList, line_of

__all__ = ["LineDict", "LineList", "Reporter", "line_of", "load_file", "load_text"]


def load_text(text: str, *, file: str | None = None) -> Any:
    try:
        return yaml_lines.load(text, file=file)
    except ProblemsError as exc:
        raise DefinitionError(exc.problems) from None


def load_file(path: Path) -> Any:
    return load_text(path.read_text(encoding="utf-8"), file=str(path))


class Reporter:
    """Collects problems while reading one file; readers keep going to report them all."""

    def __init__(self, file: str | None):
        self.file = file
        self.problems: list[Problem] = []

    def add(self, message: str, obj: Any = None, key: str | None = None, field: str | None = None) -> None:
        self.problems.append(Problem(reason=message, file=self.file, line=line_of(obj, key), field=field))

    def mapping(self, obj: Any, where: str, allowed: set[str] | None = None) -> LineDict:
        """``obj`` as a mapping (an empty one, with a problem, if it is not); unknown keys reported."""
        if obj is None:
            return LineDict()
        if not isinstance(obj, dict):
            self.add(f"must be a mapping, not {type(obj).__name__}", obj, field=where)
            return LineDict()
        if allowed is not None:
            for key in obj:
                if key not in allowed:
                    self.add(f"unknown key {key!r} (allowed: {', '.join(sorted(allowed))})", obj, key, where)
        return obj if isinstance(obj, LineDict) else LineDict(obj)

    def number(
        self,
        obj: dict,
        key: str,
        default: float | None,
        where: str,
        *,
        lo: float | None = None,
        hi: float | None = None,
        integer: bool = False,
    ) -> float | None:
        value = obj.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add(f"{key} must be a number, not {value!r}", obj, key, where)
            return default
        if integer and int(value) != value:
            self.add(f"{key} must be a whole number, not {value!r}", obj, key, where)
            return default
        if value != value or value in (float("inf"), float("-inf")):
            self.add(f"{key} must be finite", obj, key, where)
            return default
        if lo is not None and value < lo:
            self.add(f"{key} must be at least {lo}, not {value}", obj, key, where)
        if hi is not None and value > hi:
            self.add(f"{key} must be at most {hi}, not {value}", obj, key, where)
        return int(value) if integer else float(value)

    def text(
        self, obj: dict, key: str, default: str | None, where: str, choices: tuple[str, ...] = ()
    ) -> str | None:
        value = obj.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.add(f"{key} must be text, not {value!r}", obj, key, where)
            return default
        value = str(value)
        if choices and value not in choices:
            self.add(f"{key} {value!r} is not one of: {', '.join(choices)}", obj, key, where)
            return default
        return value

    def flag(self, obj: dict, key: str, default: bool, where: str) -> bool:
        value = obj.get(key, default)
        if not isinstance(value, bool):
            self.add(f"{key} must be true or false, not {value!r}", obj, key, where)
            return default
        return value

    def pair(
        self, obj: dict, key: str, default: tuple[float, float] | None, where: str
    ) -> tuple[float, float] | None:
        value = obj.get(key, default)
        if value is None:
            return None
        if (
            not isinstance(value, list | tuple)
            or len(value) != 2
            or any(
                isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) for v in value
            )
        ):
            self.add(f"{key} must be a list of two finite numbers, not {value!r}", obj, key, where)
            return default
        return (float(value[0]), float(value[1]))

    def codes(self, obj: dict, key: str, where: str) -> tuple[str, ...]:
        value = obj.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
            self.add(f"{key} must be a list of codes", obj, key, where)
            return ()
        return tuple(str(v) for v in value)
