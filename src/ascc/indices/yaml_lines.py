"""YAML with line numbers: mappings remember where they and each of their keys start.

PyYAML forgets positions once a document is constructed, and silently keeps the last of two
equal keys. Index definitions are edited by hand, so errors must point at a line and duplicate
keys must be refused.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import yaml

from ascc.indices.errors import DefinitionError, Problem


class LineDict(dict):
    """A dict that knows the line of its first key (``line``) and of each key (``key_lines``)."""

    line: int | None = None
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int | None:
        return self.key_lines.get(key, self.line) if hasattr(self, "key_lines") else self.line


class LineList(list):
    """A list that knows the line of each item (``item_lines``)."""

    line: int | None = None
    item_lines: list[int]


class _Loader(yaml.SafeLoader):
    pass


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    out = LineDict()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool):
            raise DefinitionError(
                Problem(reason="mapping keys must be plain scalars", line=key_node.start_mark.line + 1)
            )
        key = str(key)
        if key in out:
            raise DefinitionError(
                Problem(
                    reason=f"duplicate key {key!r} (first at line {out.key_lines[key]})",
                    line=key_node.start_mark.line + 1,
                )
            )
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = key_node.start_mark.line + 1
    return out


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    out = LineList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.item_lines = [child.start_mark.line + 1 for child in node.value]
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def load_text(text: str, *, file: str | None = None) -> Any:
    try:
        return yaml.load(text, Loader=_Loader)  # a SafeLoader subclass: no arbitrary objects
    except DefinitionError as exc:
        raise DefinitionError(
            [Problem(reason=p.reason, file=file, line=p.line, field=p.field) for p in exc.problems]
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise DefinitionError(
            Problem(reason=f"not valid YAML: {exc.problem or exc}", file=file, line=line)
        ) from None
    except yaml.YAMLError as exc:  # e.g. characters YAML does not allow
        raise DefinitionError(Problem(reason=f"not valid YAML: {exc}", file=file)) from None
    except RecursionError:
        raise DefinitionError(Problem(reason="not valid YAML: nested too deeply", file=file)) from None


def load_file(path: Path) -> Any:
    return load_text(path.read_text(encoding="utf-8"), file=str(path))


def line_of(obj: Any, key: str | None = None) -> int | None:
    """The line of ``obj`` (a LineDict or LineList) or of one of its keys."""
    if isinstance(obj, LineDict):
        return obj.line_of(key) if key is not None else obj.line
    if isinstance(obj, LineList):
        return obj.line
    return None


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
