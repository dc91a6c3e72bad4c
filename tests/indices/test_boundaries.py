"""``ascc.indices`` is a library: no web, CLI or HTTP framework, and no registry import."""

from __future__ import annotations

import ast
from pathlib import Path

import ascc.indices

FORBIDDEN = (
    "fastapi",
    "starlette",
    "jinja2",
    "typer",
    "uvicorn",
    "ascc.api",
    "ascc.web",
    "ascc.cli",
    "ascc.registry",
)


def test_library_imports_no_delivery_framework():
    package = Path(ascc.indices.__file__).parent
    offenders = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [
                f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN or n.startswith(FORBIDDEN)
            ]
    assert offenders == []
