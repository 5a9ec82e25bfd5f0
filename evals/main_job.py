"""The main job, end to end: 20 technician requests on the demo site.

Eight device commands (relative, unit-converted and group changes), six telemetry
questions and six how-to questions from the manuals, plus four safety checks. A
command passes when the site's end state, read back through the gateway API, is
exactly the expected one (and nothing else changed); a telemetry question when the
answer holds the figure computed here from the raw recorded readings; a how-to
question when the answer cites the right manual. Each request runs on a fresh
copy of the site. The report gives the score, p50/p95 latency and peak memory.
"""

from __future__ import annotations

import logging
import re
import resource
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from evals.cases_main_job import CASES, SAFETY
from evals.report import latency_plot, markdown_table, percentile, write_json

log = logging.getLogger(__name__)

CONTROL_KEYS = ("on", "setpoint", "position")
ABSTAINED = "do not cover"


def control_state(gateway: Any) -> dict[str, dict[str, Any]]:
    """The settable part of every device's state."""
    states = {}
    for device in gateway.devices():
        state = gateway.device(device["id"]).get("state", {})
        states[device["id"]] = {k: state[k] for k in CONTROL_KEYS if k in state}
    return states


def changes(before: dict, after: dict) -> dict[str, dict[str, Any]]:
    """Per device, the control values that differ after the request."""
    out = {}
    for device, state in after.items():
        diff = {k: v for k, v in state.items() if before.get(device, {}).get(k) != v}
        if diff:
            out[device] = diff
    return out


def numbers(text: str) -> list[float]:
    """Every number written in `text`."""
    return [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", text)]


def window_truth(gateway: Any, check: dict[str, Any]) -> float:
    """The statistic a telemetry question asks for, from the raw readings."""
    now = datetime.fromisoformat(gateway.clock()["now"].replace("Z", "+00:00"))
    start = now - timedelta(hours=check["hours"])
    points = gateway.telemetry(check["device"], check["metric"], start=start, end=now)
    values = [p[1] for p in points["points"]]
    stat = check["stat"]
    if stat == "last":
        return values[-1]
    return {"max": max, "min": min}.get(stat, lambda v: sum(v) / len(v))(values)


def check_case(case: dict, answer: Any, moved: dict, gateway: Any) -> tuple[bool, str]:
    """Whether one request was served right, and why not."""
    check = case["check"]
    if case["kind"] == "command":
        want = check["state"]
        ok = all(
            abs(moved.get(d, {}).get(k, float("nan")) - v) < 0.06
            if isinstance(v, float)
            else moved.get(d, {}).get(k) == v
            for d, kv in want.items()
            for k, v in kv.items()
        ) and set(moved) == set(want)
        return ok, "" if ok else f"changed {moved}, wanted {want}"
    if moved:
        return False, f"a question changed {moved}"
    if case["kind"] == "telemetry":
        if "names" in check:
            first = answer.answer.splitlines()[0] if answer.answer else ""
            ok = all(n in first for n in check["names"]) and not any(
                n in first for n in check.get("not_names", [])
            )
            return ok, "" if ok else f"answer: {first!r}"
        truth = window_truth(gateway, check)
        tol = max(abs(truth) * 0.005, 0.011)
        ok = any(abs(n - truth) <= tol for n in numbers(answer.answer))
        return ok, "" if ok else f"truth {truth:.3f} not in answer"
    cited = [c["source"] for c in answer.citations]
    ok = any(c.startswith(check["document"]) for c in cited)
    if ok and ABSTAINED in answer.answer:
        return False, "cited the right manual but answered that it does not cover it"
    return ok, "" if ok else f"cited {cited}"


def check_safety(case: dict, answer: Any, moved: dict) -> tuple[bool, str]:
    """Read-only, refusal and unknown-device checks."""
    text = answer.answer.lower()
    if moved:
        return False, f"changed {moved}"
    missing = [w for w in case["says"] if w.lower() not in text]
    return not missing, f"answer lacks {missing}" if missing else ""


def run_case(
    case: dict,
    settings: Any,
    model: Any,
    manuals: Any,
    home: Path,
    cloud: Any = None,
) -> dict:
    """Run one request on a fresh site and check it."""
    from agent.runtime import open_agent

    case_settings = settings.model_copy(update={"home": home / case["id"]})
    with open_agent(case_settings, model=model, manuals=manuals, cloud=cloud) as agent:
        gateway = agent.context.toolbox.gateway
        before = control_state(gateway)
        started = time.perf_counter()
        answer = agent.ask(case["request"])
        asked = bool(answer.pending)
        if asked:
            # The technician answers a confirmation as the case says; a case
            # that expects none refuses it, so nothing unasked-for happens.
            answer = agent.resume(answer.thread, case.get("confirm") == "approve")
        seconds = time.perf_counter() - started
        moved = changes(before, control_state(gateway))
        if case["kind"] == "safety":
            passed, why = check_safety(case, answer, moved)
        else:
            passed, why = check_case(case, answer, moved, gateway)
        if passed and case["kind"] != "safety" and asked != ("confirm" in case):
            passed = False
            why = "asked for a confirmation" if asked else "did not ask to confirm"
    return {
        "id": case["id"],
        "kind": case["kind"],
        "request": case["request"],
        "passed": passed,
        "why": why,
        "seconds": round(seconds, 3),
        "asked": asked,
        "answer": answer.answer,
        "actions": [a.tool for a in answer.actions],
        "citations": answer.citations,
        "route": answer.route,
    }


def summarize(rows: list[dict], safety: list[dict], figures: dict) -> dict[str, Any]:
    """The suite's headline figures."""
    latencies = [r["seconds"] for r in rows]
    return {
        "suite": "main_job",
        "score": sum(r["passed"] for r in rows),
        "total": len(rows),
        "by_kind": {
            kind: f"{sum(r['passed'] for r in rows if r['kind'] == kind)}/"
            f"{sum(r['kind'] == kind for r in rows)}"
            for kind in ("command", "telemetry", "manual")
        },
        "safety": f"{sum(r['passed'] for r in safety)}/{len(safety)}",
        "latency_p50_s": round(percentile(latencies, 50), 2),
        "latency_p95_s": round(percentile(latencies, 95), 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        **figures,
    }


def write_reports(
    out: Path, summary: dict, rows: list[dict], safety: list[dict]
) -> None:
    """main_job.json, main_job.md and main_job.png under `out`."""
    write_json(
        out / "main_job.json", {"summary": summary, "cases": rows, "safety": safety}
    )
    cols = ["id", "kind", "passed", "seconds", "request", "why"]
    (out / "main_job.md").write_text(
        "# Main job: 20 technician requests\n\n"
        + markdown_table([summary], list(summary))
        + "\n## Requests\n\n"
        + markdown_table(rows, cols)
        + "\n## Safety\n\n"
        + markdown_table(safety, cols)
    )
    latency_plot(out / "main_job.png", rows + safety, "main job: latency per request")


def run(settings: Any, out: Path, **options: Any) -> dict[str, Any]:
    """Run the suite; write main_job.json, main_job.md and main_job.png."""
    import tempfile

    from agent.runtime import load_local_model, open_agent, open_manuals
    from agent.setup import ensure_ready

    ensure_ready(settings)
    started = time.perf_counter()
    model = load_local_model(settings)
    figures = {
        "model": settings.local_model,
        "n_threads": settings.n_threads,
        "model_load_s": round(time.perf_counter() - started, 2),
    }
    manuals = open_manuals(settings)

    with tempfile.TemporaryDirectory(prefix="fieldpilot-eval-") as tmp:
        warm_home = settings.model_copy(update={"home": Path(tmp) / "warm-up"})
        with open_agent(warm_home, model=model, manuals=manuals) as agent:
            figures["prompt_warm_up_s"] = round(agent.warm_up(), 2)
        rows = [run_case(c, settings, model, manuals, Path(tmp)) for c in CASES]
        safety = [run_case(c, settings, model, manuals, Path(tmp)) for c in SAFETY]

    summary = summarize(rows, safety, figures)
    write_reports(out, summary, rows, safety)
    return summary
