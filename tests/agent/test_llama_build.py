"""The llama.cpp build check: a build with AMX kernels is refused with the fix."""

from __future__ import annotations

import pytest

from agent.errors import ModelError
from agent.models import LLAMA_CMAKE_ARGS, check_llama_build, llama_build_problem

AMX = "CPU : SSE3 = 1 | AVX2 = 1 | AVX512 = 1 | AMX_INT8 = 1 | REPACK = 1 |"
AVX2 = "CPU : SSE3 = 1 | AVX2 = 1 | FMA = 1 | F16C = 1 | REPACK = 1 |"


def test_an_amx_build_is_refused_with_the_rebuild_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("FIELDPILOT_LLAMA_AMX", raising=False)
    problem = llama_build_problem(AMX)
    assert problem is not None
    assert LLAMA_CMAKE_ARGS in problem and "pip cache remove" in problem
    assert llama_build_problem(AVX2) is None


def test_amx_is_accepted_when_the_site_says_it_works(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FIELDPILOT_LLAMA_AMX", "1")
    assert llama_build_problem(AMX) is None


def test_the_installed_build_can_run_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's install command gives a build this machine can run."""
    monkeypatch.delenv("FIELDPILOT_LLAMA_AMX", raising=False)
    try:
        check_llama_build()
    except ModelError as exc:
        pytest.fail(str(exc))
