"""`fieldpilot manuals`: search, list and ingest the site's manuals by hand.

The commands call the agent's own tool functions (`tools.manuals`), so what a
person sees here is what the agent retrieves.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from agent.config import Settings
from agent.errors import FieldpilotError

manuals_app = typer.Typer(
    help="Search, list and index the site's manuals.", no_args_is_help=True
)


def open_index(settings: Settings) -> object:
    """The site's manual index; an index never built is a clear error."""
    from agent.setup import manual_index

    if settings.chroma_url is None and not settings.manuals_index_dir.exists():
        raise FieldpilotError(
            "The manuals are not indexed yet: run `fieldpilot setup` or "
            "`fieldpilot manuals ingest PATH`."
        )
    return manual_index(settings)


@manuals_app.command("search")
def search(
    query: str,
    k: Annotated[int, typer.Option("--k", help="Passages to show.")] = 3,
    document: Annotated[
        str | None, typer.Option(help="Only this document (path under manuals/).")
    ] = None,
    device_type: Annotated[
        str | None, typer.Option("--type", help="Only manuals of this device type.")
    ] = None,
    device: Annotated[
        str | None, typer.Option(help="Only the manuals of this device.")
    ] = None,
    mode: Annotated[str, typer.Option(help="hybrid, dense or lexical.")] = "hybrid",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The passages that answer QUERY, with document, section and lines, and
    whether they are strong enough evidence to answer from."""
    from pydantic import ValidationError

    from agent.runtime import open_gateway
    from tools.manuals import SearchManualsArgs, search_manuals

    settings = Settings()
    try:
        args = SearchManualsArgs(
            query=query,
            k=k,
            document=document,
            device_type=device_type,
            device=device,
            mode=mode,
        )
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()
        )
        raise FieldpilotError(f"Bad search options: {problems}.") from None
    index = open_index(settings)
    with open_gateway(settings) as gateway:
        result = search_manuals(index, gateway, args)
    if not result.ok:
        raise FieldpilotError(result.error or "The search failed.")
    if as_json:
        typer.echo(json.dumps(result.data, ensure_ascii=False))
        return
    data = result.data
    verdict = "answers it" if data["answerable"] else "NOT in the manuals"
    typer.echo(f"Evidence: {verdict} ({data['evidence']})")
    for rank, p in enumerate(data["passages"], start=1):
        where = (
            f"pages {p['pages'][0]}-{p['pages'][1]}"
            if p["pages"]
            else f"lines {p['lines'][0]}-{p['lines'][1]}"
        )
        typer.echo(f"\n[{rank}] {p['document']} § {p['section']} ({where}, "
                   f"similarity {p['score']:.2f})")  # fmt: skip
        typer.echo(p["text"].strip())


@manuals_app.command("list")
def list_documents(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The indexed documents: collection, title and chunks."""
    from tools.manuals import list_manuals

    rows = list_manuals(open_index(Settings())).data
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        typer.echo(f"{row['chunks']:>4}  {row['document']}  ({row['title']})")
    typer.echo(f"{len(rows)} documents, {sum(r['chunks'] for r in rows)} chunks")


@manuals_app.command("ingest")
def ingest(path: Path) -> None:
    """Index the manuals under PATH incrementally (markdown, reStructuredText,
    AsciiDoc, HTML, text, PDF)."""
    from agent.cli import progress_bar
    from agent.setup import ingest_manuals

    if not path.exists():
        raise FieldpilotError(f"{path} does not exist: give a folder of manuals.")
    with progress_bar() as update:
        report = ingest_manuals(Settings(), path, update)
    typer.echo(summary(report))


def summary(report: dict) -> str:
    """One paragraph on what an ingest did."""
    text = (
        f"{report['files_seen']} files: {report['files_indexed']} indexed, "
        f"{report['files_skipped']} unchanged, {report['files_removed']} removed, "
        f"{report['files_failed']} failed; {report['chunks_added']} chunks added "
        f"in {report['seconds']:.1f} s."
    )
    for document, problem in report.get("failures", {}).items():
        text += f"\n  failed: {document}: {problem}"
    for document, problem in report.get("warnings", {}).items():
        text += f"\n  warning: {document}: {problem}"
    return text
