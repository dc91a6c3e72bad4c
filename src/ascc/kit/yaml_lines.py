"""YAML with line numbers, the one reader of every hand-edited YAML file (reference data, results
frameworks, computed-indicator and index definitions): mappings remember where they and each of
their keys start, lists where each item starts, and two equal keys are refused.

PyYAML forgets positions once a document is constructed, and silently keeps the last of two equal
keys; a reader that reports ``Problem``s must point at a line. ``load`` raises ``ProblemsError``
(file and line of what cannot be read); the domains re-raise it as their own error class.
"""

from __future__ import annotations

from typing import Any

import yaml

from ascc.kit.problems import Problem, ProblemsError


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
    """SafeLoader keeping lines (no arbitrary objects)."""


class _TextDates(_Loader):
    """The same, leaving dates as text (so that a schema validates them and names the field)."""


_TextDates.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _KeyProblem(Exception):
    def __init__(self, reason: str, line: int):
        super().__init__(reason)
        self.reason, self.line = reason, line


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    out = LineDict()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str | int | float | bool):
            raise _KeyProblem("mapping keys must be plain scalars", line)
        key = str(key)
        if key in out:
            raise _KeyProblem(f"duplicate key {key!r} (first at line {out.key_lines[key]})", line)
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = line
    return out


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    out = LineList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.item_lines = [child.start_mark.line + 1 for child in node.value]
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def load(text: str, *, file: str | None = None, dates: bool = True) -> Any:
    """The document in ``text``, its mappings ``LineDict`` and lists ``LineList``; ``dates=False``
    leaves dates as text. Anything unreadable raises ``ProblemsError`` naming ``file`` and the line."""
    try:
        return yaml.load(text, Loader=_Loader if dates else _TextDates)  # SafeLoader subclasses: safe
    except _KeyProblem as exc:
        raise ProblemsError(Problem(file=file, line=exc.line, reason=exc.reason)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise ProblemsError(
            Problem(file=file, line=line, reason=f"not valid YAML: {exc.problem or exc}")
        ) from None
    except yaml.YAMLError as exc:  # e.g. characters YAML does not allow
        raise ProblemsError(Problem(file=file, reason=f"not valid YAML: {exc}")) from None
    except RecursionError:
        raise ProblemsError(Problem(file=file, reason="not valid YAML: nested too deeply")) from None


def line_of(obj: Any, key: str | None = None) -> int | None:
    """The line of ``obj`` (a LineDict or LineList) or of one of its keys."""
    if isinstance(obj, LineDict):
        return obj.line_of(key) if key is not None else obj.line
    if isinstance(obj, LineList):
        return obj.line
    return None


def stamp(obj: Any, key: str = "__line__") -> Any:
    """``obj`` as plain dicts and lists, each mapping's line under ``key`` (for readers that carry
    the line with the record)."""
    if isinstance(obj, dict):
        out = {k: stamp(v, key) for k, v in obj.items()}
        out[key] = line_of(obj)
        return out
    if isinstance(obj, list):
        return [stamp(v, key) for v in obj]
    return obj
