"""``ascc search "…"`` (search or ``--ask``), ``ascc search reindex``, ``ascc documents add|seed``."""

from __future__ import annotations

import html
import json
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ascc.accounts import service as accounts_service
from ascc.accounts.schemas import PUBLIC
from ascc.audit.provenance import Kept
from ascc.cli._db import command_session
from ascc.kit.errors import DomainError
from ascc.knowledge import extract
from ascc.knowledge import index as search_index
from ascc.knowledge import service as knowledge_service

console = Console(stderr=True)
out = Console()
documents = typer.Typer(help="Documents of the knowledge base.", no_args_is_help=True)
DEFAULT_SEEDS = Path("../shared/seeds")


def _plain(snippet: str) -> str:
    """A snippet's HTML as Rich markup: the matching words in bold."""
    return escape(html.unescape(snippet)).replace("<mark>", "[bold]").replace("</mark>", "[/bold]")


def search(
    query: list[str] = typer.Argument(..., help='the words or question; "reindex" rebuilds the index'),
    ask: bool = typer.Option(False, "--ask", help="answer a question with cited passages"),
    type_: list[str] = typer.Option(
        [], "--type", "-t", help="only these result types (passage, body, plan, …)"
    ),
    limit: int = typer.Option(10, "--limit", "-n", min=1, max=100),
    lang: str = typer.Option("en", "--lang", help="language of titles: en or id"),
    as_json: bool = typer.Option(False, "--json", help="print the result as JSON"),
    group: bool = typer.Option(True, "--group/--no-group", help="one result per document (default)"),
) -> None:
    """Search documents, passages and the registry, or (with --ask) answer from the documents.

    `ascc search reindex` rebuilds the whole index (the index otherwise follows every write);
    to search for the word itself, add another word (`ascc search reindex index`).
    """
    if query == ["reindex"]:
        reindex()
        return
    q = " ".join(query)
    try:
        with command_session("search") as session:
            if ask:
                result = knowledge_service.ask(
                    session, principal=PUBLIC, q=q, limit=min(limit, 20), lang=lang
                )
            else:
                result = knowledge_service.search(
                    session, principal=PUBLIC, q=q, types=tuple(type_), limit=limit, lang=lang, group=group
                )
    except DomainError as exc:
        console.print(f"[red]{escape(exc.detail)}[/red]")
        raise typer.Exit(2) from None
    if as_json:
        sys.stdout.write(json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n")
        return
    if ask:
        if not result.passages:
            out.print("no passage answers this question")
        for i, p in enumerate(result.passages, 1):
            c = p.citation
            out.print(f"[bold]{i}.[/bold] {escape(p.text)}")
            out.print(
                f"   — {escape(c.title.id or c.title.en or c.document)}, paragraph {c.paragraph} "
                f"(chars {c.start}–{c.end}) {c.url}",
                style="dim",
            )
        if result.records:
            out.print("records mentioned: " + ", ".join(f"{r.type}:{r.id}" for r in result.records))
        return
    note = " (no result has every word; any word)" if result.match == "any" else ""
    out.print(f"{result.total} result(s){note}")
    for h in result.items:
        title = (h.title.en or h.title.id) if lang == "en" else (h.title.id or h.title.en)
        out.print(f"[cyan]{h.type}[/cyan] {escape(title or h.id)}  [dim]{h.url}[/dim]")
        out.print("   " + _plain(h.snippet))
        for p in h.passages[1:]:  # the document's other best passages
            out.print(f"   [dim]¶{p.position}[/dim] " + _plain(p.snippet) + f"  [dim]{p.url}[/dim]")


def reindex() -> None:
    """Rebuild the search index from every provider, with a progress bar."""
    with (
        Progress(
            TextColumn("reindexing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
        ) as bar,
        command_session("search-reindex") as session,
    ):
        task = bar.add_task("records", total=None)
        counts = search_index.reindex(
            session, progress=lambda done, total: bar.update(task, completed=done, total=total)
        )
    console.print("indexed: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


@documents.command("add")
def add(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    as_: str = typer.Option(..., "--as", help="e-mail of the Secretariat account adding it"),
    language: str = typer.Option(..., "--language", "-l", help="en or id"),
    kind: str = typer.Option("article", "--kind", help="declaration, work_plan, report, news or article"),
    title_en: str = typer.Option("", "--title-en"),
    title_id: str = typer.Option("", "--title-id"),
    date: str = typer.Option("", "--date", help="YYYY-MM-DD"),
    sector: list[str] = typer.Option([], "--sector"),
    body: list[str] = typer.Option([], "--body"),
    source_url: str = typer.Option("", "--source-url"),
    audience: str = typer.Option("public", "--audience", help="public, partners or member_states"),
) -> None:
    """Add a PDF, DOCX, HTML or text file as a document; a bad file is refused and nothing is stored."""
    try:
        with command_session("documents-add") as session:
            users = [u for u in accounts_service.list_users(session) if u.email.lower() == as_.lower()]
            if not users:
                console.print(f"[red]no account {escape(as_)}[/red]")
                raise typer.Exit(2)
            principal = accounts_service.principal_for_user(session, user_id=users[0].id)
            session.info["actor"] = principal.actor
            data = knowledge_service.document_form(
                title_en=title_en,
                title_id=title_id,
                language=language,
                kind=kind,
                date=date,
                sectors=sector,
                bodies=body,
                source_url=source_url,
                audience=audience,
            )
            with file.open("rb") as fh:
                name, content = extract.read_limited(fh, file.name)
            read = extract.read_document(name, content)
            doc = knowledge_service.add_document(
                session, principal=principal, data=data, filename=name, extracted=read
            )
    except DomainError as exc:
        console.print(f"[red]{escape(exc.detail)}[/red]")
        raise typer.Exit(1) from None
    console.print(f"added {doc.url} with {doc.passage_count} passages")


@documents.command("seed")
def seed(folder: Path = typer.Option(DEFAULT_SEEDS, help="folder of the five seed documents")) -> None:
    """Load the five seed documents (file names as sources); safe to repeat."""
    if not folder.is_dir():
        console.print(f"[yellow]{folder} not found; no seed documents loaded[/yellow]")
        return
    kept = Kept()
    with command_session("documents-seed") as session:
        report = knowledge_service.load_seeds(session, folder=folder, kept=kept)
    console.print("seed documents: " + ", ".join(f"{k} {v}" for k, v in report.items()))
    if kept:
        console.print(escape(kept.line("documents that people added or edited")))
