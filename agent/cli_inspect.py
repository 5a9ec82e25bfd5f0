"""`fieldpilot inspect IMAGE`: segment, measure and describe a picture by hand.

It calls the inspection tool (`tools.vision.inspection`) as the agent would and
prints its findings, or with --json the tool's data as one JSON object.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated

import typer

from agent.errors import FieldpilotError


def parse_numbers(text: str, count: int, option: str, example: str) -> list[float]:
    """`count` comma-separated numbers, or a one-line error naming the option."""
    parts = [p.strip() for p in text.split(",")]
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        numbers = []
    if not all(math.isfinite(n) for n in numbers):
        numbers = []
    if len(numbers) != count:
        raise FieldpilotError(
            f"{option} {text!r} is not {count} numbers: write it like {example}."
        )
    return numbers


def inspect_command(
    image: Path,
    point: Annotated[
        list[str] | None, typer.Option(help="X,Y pixels on the object (repeatable).")
    ] = None,
    box: Annotated[
        str | None, typer.Option(help="X0,Y0,X1,Y1 pixels around the object.")
    ] = None,
    question: Annotated[
        str | None, typer.Option(help="e.g. 'is the crack wider than 2 mm?'")
    ] = None,
    px_per_mm: Annotated[
        float | None, typer.Option("--px-per-mm", help="Image scale.")
    ] = None,
    nameplate: Annotated[
        bool, typer.Option(help="Read a nameplate and find its device.")
    ] = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="Overlay PNG to write.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Segment, measure and describe IMAGE; write an overlay PNG."""
    from tools.vision.inspection import InspectImageArgs, inspect_image

    if px_per_mm is not None and not (math.isfinite(px_per_mm) and px_per_mm > 1e-6):
        raise FieldpilotError(
            f"--px-per-mm {px_per_mm} is not a scale; give pixels per millimetre, "
            "e.g. 10."
        )
    overlay = out or image.with_name(f"{image.stem}.overlay.png")
    if overlay.is_dir() or overlay.resolve() == image.resolve():
        raise FieldpilotError(
            f"--out {overlay} would overwrite a folder or the picture itself; "
            "name a new PNG file."
        )
    points = [tuple(parse_numbers(p, 2, "--point", "120,80")) for p in point or []]
    args = InspectImageArgs(
        image=str(image),
        points=points,
        box=tuple(parse_numbers(box, 4, "--box", "10,20,200,160")) if box else None,
        px_per_mm=px_per_mm,
        width_threshold_mm=threshold_in(question),
        question=question,
        nameplate=nameplate,
        overlay=str(overlay),
    )
    result = inspect_image(args, gateway=_SiteDevices() if nameplate else None)
    if not result.ok:
        raise FieldpilotError(result.error or "The inspection failed.")
    if as_json:
        typer.echo(json.dumps(result.data, ensure_ascii=False))
        return
    typer.echo(report(result.data))


def threshold_in(question: str | None) -> float | None:
    """The width in mm a question asks about ("wider than 2 mm"), if any."""
    import re

    if not question:
        return None
    found = re.search(r"(\d+(?:\.\d+)?)\s*mm", question)
    return float(found.group(1)) if found else None


def report(data: dict) -> str:
    """The findings as lines for a person."""
    lines = [f"Backend: {data['backend']}"]
    for i, finding in enumerate(data["findings"], start=1):
        m = finding["measurement"]
        size = (
            f"length {m['length_mm']} mm, max width {m['max_width_mm']} mm, "
            f"area {m['area_mm2']} mm²"
            if "max_width_mm" in m
            else f"length {m['length_px']} px, max width {m['max_width_px']} px, "
            f"area {m['area_px']} px"
        )
        lines.append(f"[{i}] {finding.get('kind') or 'region'}: {size}")
    check = data.get("width_check")
    if check:
        verdict = {True: "yes", False: "no", None: "unknown"}[check["wider"]]
        lines.append(f"Wider than {check['threshold_mm']} mm? {verdict}")
    plate = data.get("nameplate")
    if plate:
        lines.append(f"Nameplate: {plate.get('device') or plate.get('note')}")
    lines.append(f"Description ({data['description']['source']}): "
                 f"{data['description']['text']}")  # fmt: skip
    lines.append(f"Overlay: {data.get('overlay')}")
    return "\n".join(lines)


class _SiteDevices:
    """The site's devices for nameplate matching, read once from the gateway."""

    def devices(self) -> list[dict]:
        """Device descriptions from the configured (or demo) gateway."""
        from agent.config import Settings
        from agent.runtime import open_gateway

        with open_gateway(Settings()) as gateway:
            return gateway.devices()


def register(app: typer.Typer) -> None:
    """Add `inspect` to the `fieldpilot` command."""
    app.command("inspect")(inspect_command)
