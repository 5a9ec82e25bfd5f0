"""The `fieldpilot` command: ask, chat, set up, ingest, run the site, evaluate."""

from __future__ import annotations

import json
import logging
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from agent.config import Settings
from agent.errors import FieldpilotError

app = typer.Typer(
    help="fieldpilot: an offline copilot for industrial sites.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
site_app = typer.Typer(help="Run or inspect the site gateway.", no_args_is_help=True)
app.add_typer(site_app, name="site")
console = Console(stderr=True)

DEMO_SESSION = [
    "how many lights are on in the kitchen?",
    "lower the temperature by 2 degrees in all meeting rooms on the third floor",
    "which pumps had anomalous vibration in the last 24 hours?",
    "how do I recalibrate the compass on drone D-4?",
    "set meeting room 3A to 35 degrees",
    "turn off pump P-9",
]


@contextmanager
def progress_bar() -> object:
    """A rich progress bar whose callback takes (stage, done, total)."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("setting up", total=None)

        def update(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, completed=done, total=total or None)

        yield update


@app.callback()
def main_options(
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Configure logging once for every command."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not verbose:
        # bm25s sets its own logger to DEBUG; keep the demo's output readable.
        logging.getLogger("bm25s").setLevel(logging.WARNING)


@app.command()
def setup() -> None:
    """Assemble and verify the local model, and index the site's manuals."""
    from agent.setup import ensure_model, ingest_manuals

    settings = Settings()
    with progress_bar() as update:
        path = ensure_model(settings, update)
        report = ingest_manuals(settings, progress=update)
    typer.echo(f"model: {path} (SHA-256 verified)")
    typer.echo(
        f"manuals: {report['files_seen']} files, {report['files_indexed']} indexed, "
        f"{report['files_skipped']} unchanged, {report['files_failed']} failed"
    )


@app.command()
def ingest(path: Path) -> None:
    """Index the manuals under PATH (markdown, rst, AsciiDoc, text)."""
    from agent.setup import ingest_manuals

    if not path.exists():
        raise FieldpilotError(f"{path} does not exist: give a folder of manuals.")
    with progress_bar() as update:
        report = ingest_manuals(Settings(), path, update)
    console.print(report)


def print_answer(answer: object, as_json: bool) -> None:
    """Print an Answer for people or, with --json, as one JSON object."""
    if as_json:
        typer.echo(answer.model_dump_json())
        return
    typer.echo(answer.answer)
    for cite in answer.citations:
        typer.echo(f"  source: {cite['source']} § {cite['section']}")


@app.command()
def ask(
    text: str,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    thread: Annotated[str | None, typer.Option(help="Continue a thread.")] = None,
) -> None:
    """Answer one request."""
    from agent.runtime import open_agent
    from agent.setup import ensure_ready

    settings = Settings()
    with progress_bar() as update:
        ensure_ready(settings, update)
    with open_agent(settings) as agent:
        print_answer(agent.ask(text, thread), as_json)


@app.command()
def chat(thread: Annotated[str | None, typer.Option()] = None) -> None:
    """A conversation; an empty line or Ctrl-D ends it."""
    from agent.runtime import open_agent
    from agent.setup import ensure_ready

    settings = Settings()
    with progress_bar() as update:
        ensure_ready(settings, update)
    with open_agent(settings) as agent:
        thread = thread or uuid.uuid4().hex[:12]
        console.print(f"thread {thread} (continue it later with --thread {thread})")
        agent.warm_up()
        lines = iter(input_lines, None) if sys.stdin.isatty() else sys.stdin
        for line in lines:
            if not line.strip():
                break
            print_answer(agent.ask(line.strip(), thread), False)


def input_lines() -> str | None:
    """One line typed at the prompt, or None at end of input."""
    try:
        return input("you> ")
    except EOFError:
        return None


@app.command()
def demo(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Run a scripted technician session on the demo site."""
    from agent.runtime import open_agent
    from agent.setup import ensure_ready

    settings = Settings()
    with progress_bar() as update:
        ensure_ready(settings, update)
    with open_agent(settings) as agent:
        console.print(f"model ready ({agent.warm_up():.1f} s to read the site prompt)")
        thread = f"demo-{uuid.uuid4().hex[:8]}"
        for request in DEMO_SESSION:
            typer.echo(f"\ntechnician> {request}")
            answer = agent.ask(request, thread)
            print_answer(answer, as_json)
            typer.echo(f"  ({answer.seconds:.1f} s, {answer.model or 'no model'})")


@app.command(name="eval")
def run_eval(
    suite: str,
    out: Annotated[Path, typer.Option(help="Report folder.")] = Path("reports"),
) -> None:
    """Run an evaluation suite; writes JSON, Markdown and PNG under --out."""
    from evals import run_suite

    summary = run_suite(suite, Settings(), out)
    typer.echo(json.dumps(summary, indent=2))


@site_app.command("serve")
def site_serve(
    port: Annotated[int, typer.Option()] = 8321,
    host: Annotated[str, typer.Option()] = "127.0.0.1",
) -> None:
    """Serve the site's gateway API over HTTP."""
    from simulator.model import DEMO_SITE_DIR
    from simulator.server import serve

    settings = Settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    serve(settings.site_dir or DEMO_SITE_DIR, settings.site_db, host, port)


@site_app.command("reset")
def site_reset() -> None:
    """Put the in-process demo site back to its initial state (deletes its db)."""
    settings = Settings()
    if settings.gateway_url:
        raise FieldpilotError("A remote gateway is reset by its own operators.")
    for path in (settings.site_db, *settings.site_db.parent.glob("site.sqlite-*")):
        path.unlink(missing_ok=True)
    typer.echo(f"Reset {settings.site_db}; the next command starts from site.yaml.")


@site_app.command("state")
def site_state(device: Annotated[str | None, typer.Argument()] = None) -> None:
    """Print the state of one device, or of every device."""
    from agent.runtime import open_gateway

    with open_gateway(Settings()) as gateway:
        if device:
            typer.echo(json.dumps(gateway.device(device), indent=2))
            return
        for item in gateway.devices():
            state = gateway.device(item["id"]).get("state", {})
            typer.echo(f"{item['id']:<10} {item['name']:<32} {json.dumps(state)}")


def main() -> None:
    """Entry point: one-line errors and a non-zero exit code."""
    from knowledge.errors import KnowledgeError
    from tools.errors import ToolError

    try:
        app()
    except (FieldpilotError, ToolError, KnowledgeError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise SystemExit(1) from None
