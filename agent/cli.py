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

from agent.cli_inspect import register as register_inspect
from agent.cli_manuals import manuals_app, summary
from agent.config import Settings
from agent.errors import FieldpilotError

app = typer.Typer(
    help="fieldpilot: an offline copilot for industrial sites.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
site_app = typer.Typer(help="Run or inspect the site gateway.", no_args_is_help=True)
app.add_typer(site_app, name="site")
app.add_typer(manuals_app, name="manuals")
register_inspect(app)
console = Console(stderr=True)

DEMO_SESSION = [
    "how many lights are on in the kitchen?",
    "lower the temperature by 2 degrees in all meeting rooms on the third floor",
    "which pumps had anomalous vibration in the last 24 hours?",
    "how do I recalibrate the compass on drone D-4?",
    "check pump P-2's vibration; if it is anomalous open a work order",
    "stop pump P-1",
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
    from agent.models import check_llama_build
    from agent.setup import ensure_model, ingest_manuals

    check_llama_build()
    settings = Settings()
    with progress_bar() as update:
        path = ensure_model(settings, update)
        report = ingest_manuals(settings, progress=update)
    typer.echo(f"model: {path} (SHA-256 verified)")
    typer.echo(f"manuals: {summary(report)}")


@app.command()
def ingest(path: Path) -> None:
    """Index the manuals under PATH (same as `fieldpilot manuals ingest`)."""
    from agent.setup import ingest_manuals

    if not path.exists():
        raise FieldpilotError(f"{path} does not exist: give a folder of manuals.")
    with progress_bar() as update:
        report = ingest_manuals(Settings(), path, update)
    typer.echo(summary(report))


def print_answer(answer: object, as_json: bool) -> None:
    """Print an Answer for people or, with --json, as one JSON object."""
    if as_json:
        typer.echo(answer.model_dump_json())
        return
    typer.echo(answer.answer)
    for cite in answer.citations:
        typer.echo(f"  source: {cite['source']} § {cite['section']}")


def confirm(agent: object, answer: object, as_json: bool, read: object) -> object:
    """Ask the person about a pending confirmation; returns the final answer.

    `read` gives the person's reply, or None when nobody can answer here (the
    thread then stays paused for `fieldpilot resume`).
    """
    while answer.pending:
        if as_json:
            return answer
        typer.echo(answer.pending["question"])
        reply = read("approve? [y/N] ")
        if reply is None:
            typer.echo(
                f"Paused. Answer later with `fieldpilot resume {answer.thread} "
                "--approve` or `--reject`."
            )
            return answer
        answer = agent.resume(answer.thread, reply.strip().lower() in ("y", "yes"))
    return answer


def tty_reply(prompt: str) -> str | None:
    """A reply typed at the terminal; None when stdin is not one."""
    if not sys.stdin.isatty():
        return None
    try:
        return input(prompt)
    except EOFError:
        return None


def stream_reply(prompt: str) -> str | None:
    """The next line of stdin (chat reads its confirmations in line)."""
    typer.echo(prompt, nl=False)
    line = sys.stdin.readline()
    return line if line else None


@app.command()
def ask(
    text: str,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    thread: Annotated[str | None, typer.Option(help="Continue a thread.")] = None,
) -> None:
    """Answer one request; critical actions ask y/N (--json reports them pending)."""
    from agent.runtime import open_agent
    from agent.setup import ensure_ready

    settings = Settings()
    with progress_bar() as update:
        ensure_ready(settings, update)
    with open_agent(settings) as agent:
        answer = agent.ask(text, thread)
        if answer.pending and not as_json and not sys.stdin.isatty():
            print_answer(answer, False)  # says how to resume; nobody can answer here
            return
        print_answer(confirm(agent, answer, as_json, tty_reply), as_json)


@app.command()
def resume(
    thread: str,
    approve: Annotated[
        bool, typer.Option("--approve/--reject", help="The person's answer.")
    ],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Answer the confirmation a thread waits for, and finish its turn."""
    from agent.runtime import open_agent, pending_question
    from agent.setup import ensure_ready

    settings = Settings()
    if not pending_question(settings, thread):
        raise FieldpilotError(
            f"Thread {thread} is not waiting for an approval: nothing to resume."
        )
    with progress_bar() as update:
        ensure_ready(settings, update)
    with open_agent(settings) as agent:
        print_answer(agent.resume(thread, approve), as_json)


@app.command()
def chat(thread: Annotated[str | None, typer.Option()] = None) -> None:
    """A conversation; an empty line or Ctrl-D ends it. --thread resumes one,
    including a confirmation it was waiting for."""
    from agent.runtime import open_agent
    from agent.setup import ensure_ready

    settings = Settings()
    with progress_bar() as update:
        ensure_ready(settings, update)
    with open_agent(settings) as agent:
        thread = thread or uuid.uuid4().hex[:12]
        console.print(f"thread {thread} (continue it later with --thread {thread})")
        read = tty_reply if sys.stdin.isatty() else stream_reply
        pending = agent.pending(thread)
        if pending:
            waiting = agent_answer(agent, thread, pending)
            print_answer(confirm(agent, waiting, False, read), False)
        agent.warm_up()
        lines = iter(input_lines, None) if sys.stdin.isatty() else sys.stdin
        for line in lines:
            if not line.strip():
                break
            answer = agent.ask(line.strip(), thread)
            if answer.pending:
                print_answer(answer, False)
            print_answer(confirm(agent, answer, False, read), False)


def agent_answer(agent: object, thread: str, pending: dict) -> object:
    """The Answer of a thread that waits for a confirmation."""
    from agent.runtime import Answer

    return Answer(answer=pending["question"], pending=pending, thread=thread)


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
            if answer.pending:
                typer.echo("supervisor> no (the demo declines; a person decides)")
                answer = agent.resume(thread, approve=False)
                print_answer(answer, as_json)
            typer.echo(f"  ({answer.seconds:.1f} s, {answer.model or 'no model'})")


@app.command(name="eval")
def run_eval(
    suite: str,
    out: Annotated[Path, typer.Option(help="Report folder.")] = Path("reports"),
    runs: Annotated[int, typer.Option(help="Runs of each task.")] = 3,
    only: Annotated[str | None, typer.Option(help="Task ids, comma-separated.")] = None,
    baseline: Annotated[
        bool, typer.Option("--baseline/--no-baseline", help="Also run the baseline.")
    ] = True,
    answers: Annotated[
        bool, typer.Option("--answers/--no-answers", help="manuals: write answers.")
    ] = True,
    scale: Annotated[
        bool, typer.Option("--scale/--no-scale", help="manuals: the scale runs.")
    ] = True,
) -> None:
    """Run an evaluation suite; writes JSON, Markdown and PNG under --out."""
    from evals import run_suite

    summary = run_suite(
        suite,
        Settings(),
        out,
        runs=runs,
        only=only,
        baseline=baseline,
        answers=answers,
        scale=scale,
    )
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
    from pydantic import ValidationError

    from knowledge.errors import KnowledgeError
    from tools.errors import ToolError

    try:
        app()
    except (FieldpilotError, ToolError, KnowledgeError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise SystemExit(1) from None
    except ValidationError as exc:
        # A setting (FIELDPILOT_*) or an option that fails its schema.
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'value'}: {e['msg']}"
            for e in exc.errors()
        )
        console.print(f"[red]error:[/red] {exc.title}: {problems}")
        raise SystemExit(1) from None
