"""How every command lists the problems of an input: one line each, ``str(Problem)``
(``file:line [column] [field]: reason``, the shape of ``kit.problems``), then how many and what
was done about them: ``outcome`` follows the count ("3 problem(s); nothing was imported")."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console
from rich.markup import escape

from ascc.kit.problems import Problem


def print_problems(
    console: Console, problems: Iterable[Problem], outcome: str = "; nothing was imported"
) -> None:
    problems = list(problems)
    for p in problems:
        console.print(f"[red]{escape(str(p))}[/red]", soft_wrap=True)  # one line each, however long
    console.print(f"[red]{len(problems)} problem(s){outcome}[/red]")
