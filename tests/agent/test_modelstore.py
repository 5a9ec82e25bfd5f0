"""Tests for agent/modelstore.py: parts are joined in order and checked by SHA-256."""

import hashlib
import zipfile
from pathlib import Path

import pytest

from agent import modelstore
from agent.errors import ModelError


def make_wheels(folder: Path, chunks: list[bytes]) -> list[Path]:
    """Wheels shaped like the packaged model parts."""
    wheels = []
    for n, chunk in enumerate(chunks, start=1):
        path = folder / f"demo_part{n}-0.1.0-py3-none-any.whl"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr(f"demo_part{n}/__init__.py", "")
            archive.writestr(f"demo_part{n}/data/part{n:02d}.bin", chunk)
        wheels.append(path)
    return wheels


def test_join_parts_concatenates_in_order_and_hashes(tmp_path: Path) -> None:
    chunks = [b"alpha-", b"beta-", b"gamma"]
    target = tmp_path / "model.gguf"
    digest = modelstore.join_parts(make_wheels(tmp_path, chunks), target)
    assert target.read_bytes() == b"alpha-beta-gamma"
    assert digest == hashlib.sha256(b"alpha-beta-gamma").hexdigest()


def test_install_refuses_a_file_whose_hash_differs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = modelstore.PackagedModel(
        "demo", "demo.gguf", "demo-part{n}", 2, "0.1.0", "0" * 64
    )
    monkeypatch.setitem(modelstore.CATALOG, "demo", fake)
    wheels = make_wheels(tmp_path, [b"x", b"y"])
    monkeypatch.setattr(modelstore, "download_parts", lambda model, dest: wheels)
    with pytest.raises(ModelError, match="not the official"):
        modelstore.install_model(tmp_path / "models", "demo")
    assert not (tmp_path / "models" / "demo.gguf").exists()


def test_install_keeps_a_verified_file_and_marks_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    digest = hashlib.sha256(b"xy").hexdigest()
    fake = modelstore.PackagedModel(
        "demo", "demo.gguf", "demo-part{n}", 2, "0.1.0", digest
    )
    monkeypatch.setitem(modelstore.CATALOG, "demo", fake)
    wheels = make_wheels(tmp_path, [b"x", b"y"])
    monkeypatch.setattr(modelstore, "download_parts", lambda model, dest: wheels)
    path = modelstore.install_model(tmp_path / "models", "demo")
    assert path.read_bytes() == b"xy"
    assert modelstore.is_installed(tmp_path / "models", "demo")
    path.write_bytes(b"tampered")
    assert not modelstore.is_installed(tmp_path / "models", "demo")


def test_unknown_model_names_the_known_ones() -> None:
    with pytest.raises(ModelError, match="qwen2.5-coder-1.5b"):
        modelstore.lookup("gpt-9")
