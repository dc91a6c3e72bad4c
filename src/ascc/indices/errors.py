"""Errors of the index engine: every problem names the file, the line and the entry at fault.

A definition or data file can hold several mistakes at once; they are collected and raised
together so that one run shows all of them. Both errors are ``Invalid`` (HTTP 422) domain errors.
"""

from __future__ import annotations

from ascc.kit.problems import Problem, ProblemsError

__all__ = ["ComputeError", "DataError", "DefinitionError", "IndexInputError", "Problem", "raise_if"]


class IndexInputError(ProblemsError):
    """Base of the engine's input errors; ``problems`` lists every problem found."""

    title = "Invalid index input"

    def __init__(self, problems: list[Problem] | Problem):
        problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__(problems, "; ".join(str(p) for p in problems))

    def __str__(self) -> str:
        if len(self.problems) == 1:
            return str(self.problems[0])
        return f"{len(self.problems)} problems:\n" + "\n".join(f"  - {p}" for p in self.problems)


class DefinitionError(IndexInputError):
    """The index definition (YAML) or the indicator metadata (iMeta CSV) is not valid."""

    title = "Invalid index definition"


class DataError(IndexInputError):
    """The indicator data cannot be used with the definition (unknown codes, gaps, bad values)."""

    title = "Invalid index data"


class ComputeError(IndexInputError):
    """A method cannot be applied to the data, e.g. a geometric mean over a zero or negative value."""

    title = "Index computation failed"


def raise_if(problems: list[Problem], error: type[IndexInputError]) -> None:
    if problems:
        raise error(problems)
