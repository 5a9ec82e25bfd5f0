"""`fieldpilot inspect`: option parsing and a run on a picture."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import typer
from PIL import Image
from typer.testing import CliRunner

from agent.cli_inspect import parse_numbers, register, threshold_in
from agent.errors import FieldpilotError


def test_bad_box_is_one_clear_error() -> None:
    """A box of three numbers names the option and shows the form."""
    with pytest.raises(FieldpilotError, match="--box '1,2,3' is not 4 numbers"):
        parse_numbers("1,2,3", 4, "--box", "10,20,200,160")
    with pytest.raises(FieldpilotError, match="--point"):
        parse_numbers("a,b", 2, "--point", "120,80")


def test_threshold_is_read_from_the_question() -> None:
    """'wider than 2.5 mm' asks about 2.5 mm."""
    assert threshold_in("is the crack wider than 2.5 mm?") == 2.5
    assert threshold_in("what is this?") is None


def test_inspect_prints_findings_as_json(tmp_path: Path) -> None:
    """The command segments a dark bar from a box and writes the overlay."""
    image = np.full((120, 200, 3), 170, np.uint8)
    image[55:66, 40:160] = 20
    path = tmp_path / "bar.png"
    Image.fromarray(image).save(path)
    app = typer.Typer()
    register(app)
    app.command("noop")(lambda: None)
    result = CliRunner().invoke(
        app,
        ["inspect", str(path), "--box", "30,45,170,76", "--px-per-mm", "10",
         "--question", "wider than 2 mm?", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert '"wider": false' in result.output
    assert (tmp_path / "bar.overlay.png").is_file()
