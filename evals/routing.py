"""Routing: where each step of the main-job and planner requests is served, and
what that costs in success, latency and money.

The same requests (the 20 main-job requests with their 4 safety checks, and the
35 planner scenarios, each once, each on a fresh copy of the demo site) run in
three configurations:

- routed: the fast path, then the local model, the cloud for hard steps and as a
  fallback (fieldpilot's default when a cloud is configured);
- local-only: the fast path and the local model, never the cloud;
- cloud-only: every model step in the cloud, no fast path.

The local tier is the small Qwen2.5-Coder-0.5B in process; the "cloud" is the
1.5B model behind llama-cpp-python's OpenAI-compatible server on loopback, the
only larger model that runs here. A step is counted where its answer came from
(an escalated step counts as cloud, a fallback as local). The cost is the cloud
tokens at a stated price per million tokens.
"""

from __future__ import annotations

import logging
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from evals.report import markdown_table, percentile, write_json

log = logging.getLogger(__name__)

LOCAL_MODEL = "qwen2.5-coder-0.5b"
CONFIGS: dict[str, dict[str, Any]] = {
    "routed": {"route": "auto", "fast_path": True},
    "local-only": {"route": "local", "fast_path": True},
    "cloud-only": {"route": "cloud", "fast_path": False},
}
TIERS = ("fast", "local", "cloud")


def requests(only: str | None = None) -> list[tuple[str, dict[str, Any]]]:
    """(suite, case) for every request of the two sets, or those in `only`."""
    from evals.cases_main_job import CASES as MAIN
    from evals.cases_main_job import SAFETY
    from evals.cases_scenarios import CASES as SCENARIOS

    every = [("main_job", c) for c in [*MAIN, *SAFETY]]
    every += [("scenarios", c) for c in SCENARIOS]
    wanted = set(only.split(",")) if only else None
    return [(s, c) for s, c in every if wanted is None or c["id"] in wanted]


def run_request(
    suite: str,
    case: dict,
    settings: Any,
    model: Any,
    manuals: Any,
    home: Path,
    cloud: Any,
) -> dict[str, Any]:
    """One request through one configuration, judged as its own suite judges it."""
    if suite == "main_job":
        from evals.main_job import run_case

        row = run_case(case, settings, model, manuals, home, cloud)
        keep = ("id", "passed", "why", "seconds", "route", "answer", "actions")
        return {k: row[k] for k in keep}

    from evals.scenarios import judge, run_fieldpilot

    run = run_fieldpilot(case, settings, model, manuals, home / case["id"], cloud)
    problems = judge(case, run)
    return {
        "id": case["id"],
        "passed": not problems,
        "why": "; ".join(problems),
        "seconds": run["seconds"],
        "route": run["route"],
        "answer": run["answer"],
        "actions": run["tools"],
    }


def served_tiers(route: list[dict[str, Any]]) -> list[str]:
    """The tier that served each step of one request."""
    return [r["tier"] for r in route if r.get("served")]


def cloud_errors(rows: list[dict[str, Any]]) -> int:
    """Cloud attempts that failed (timeouts, refused connections, bad answers)."""
    return sum(
        1 for r in rows for d in r["route"] if d.get("tier") == "cloud" and not d["ok"]
    )


def summarize(rows: list[dict[str, Any]], settings: Any) -> dict[str, Any]:
    """Success, latency, where steps were served and what the cloud cost."""
    steps = [tier for r in rows for tier in served_tiers(r["route"])]
    counts = {tier: steps.count(tier) for tier in TIERS}
    total = max(len(steps), 1)
    cloud = [d for r in rows for d in r["route"] if d.get("tier") == "cloud"]
    prompt = sum(d.get("prompt_tokens", 0) for d in cloud)
    completion = sum(d.get("completion_tokens", 0) for d in cloud)
    fast_rows = [r for r in rows if served_tiers(r["route"]) == ["fast"]]
    fast_match = [d["latency_ms"] for r in fast_rows for d in r["route"]]
    latencies = [r["seconds"] for r in rows]
    return {
        "requests": len(rows),
        "success": round(sum(r["passed"] for r in rows) / max(len(rows), 1), 3),
        "latency_p50_s": round(percentile(latencies, 50), 3),
        "latency_p95_s": round(percentile(latencies, 95), 3),
        "steps": len(steps),
        **{f"{tier}_steps": counts[tier] for tier in TIERS},
        "on_site_share": round((counts["fast"] + counts["local"]) / total, 3),
        "cloud_share": round(counts["cloud"] / total, 3),
        "escalations": sum("escalated" in d["reason"] for d in cloud),
        "cloud_prompt_tokens": prompt,
        "cloud_completion_tokens": completion,
        "cloud_cost_usd": round(
            (
                prompt * settings.cloud_usd_per_mtok_in
                + completion * settings.cloud_usd_per_mtok_out
            )
            / 1e6,
            5,
        ),
        "fast_path_requests": len(fast_rows),
        "fast_path_request_p50_ms": round(
            percentile([r["seconds"] * 1000 for r in fast_rows], 50), 1
        ),
        "fast_path_match_p50_ms": round(percentile(fast_match, 50), 3),
    }


def run(settings: Any, out: Path, only: str | None = None, **_: Any) -> dict[str, Any]:
    """Run the three configurations; write routing.json, routing.md, routing.png."""
    from agent import modelstore
    from agent.models import CloudModel, LocalModel
    from agent.runtime import local_model_file, open_agent, open_manuals
    from agent.setup import ensure_ready
    from evals.llama_server import LlamaServer

    ensure_ready(settings)
    small = modelstore.install_model(settings.models_dir, LOCAL_MODEL)
    model = LocalModel(small, LOCAL_MODEL, n_threads=settings.n_threads)
    manuals = open_manuals(settings)
    cases = requests(only)
    results: dict[str, list[dict[str, Any]]] = {}
    health: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="fieldpilot-routing-") as tmp:
        for name, options in CONFIGS.items():
            # A fresh server per configuration: one configuration's load does
            # not carry over, and a server that dies spoils only its own rows.
            server = LlamaServer(
                local_model_file(settings), log_path=out / f"llama-server-{name}.log"
            )
            with server:
                cloud = CloudModel(server.url, server.model, timeout_s=300)
                config = settings.model_copy(
                    update={"local_model": LOCAL_MODEL, **options}
                )
                warm = config.model_copy(update={"home": Path(tmp) / f"warm-{name}"})
                with open_agent(warm, model=model, manuals=manuals, cloud=cloud) as ag:
                    ag.warm_up()
                started = time.perf_counter()
                rows = []
                for suite, case in cases:
                    home = Path(tmp) / name / suite
                    row = run_request(suite, case, config, model, manuals, home, cloud)
                    rows.append({"config": name, "suite": suite, **row})
                    log.info(
                        "%s %s: %s %s", name, case["id"], row["passed"], row["why"]
                    )
                results[name] = rows
                # Kept as each configuration ends, so a later failure loses none.
                write_json(out / f"routing-rows-{name}.json", rows)
                health[name] = {
                    "server_alive_at_end": server.alive(),
                    "server_exit_code": server.exit_code(),
                    "cloud_errors": cloud_errors(rows),
                    "seconds": round(time.perf_counter() - started, 1),
                }
                log.info("%s: %s", name, health[name])
                cloud.close()
    summary = {
        "suite": "routing",
        "local_model": LOCAL_MODEL,
        "cloud_model": f"{settings.local_model} on llama-cpp-python's server",
        "price_usd_per_mtok": {
            "input": settings.cloud_usd_per_mtok_in,
            "output": settings.cloud_usd_per_mtok_out,
        },
        "configs": {name: summarize(rows, settings) for name, rows in results.items()},
        "cloud_health": health,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    write_reports(out, summary, results)
    return summary


def write_reports(
    out: Path, summary: dict[str, Any], results: dict[str, list[dict[str, Any]]]
) -> None:
    """routing.json, routing.md and routing.png under `out`."""
    rows = [r for config in results.values() for r in config]
    write_json(out / "routing.json", {"summary": summary, "requests": rows})
    table = [
        {"config": name, **figures} for name, figures in summary["configs"].items()
    ]
    columns = ["config", "success", "on_site_share", "cloud_share", "fast_steps"]
    columns += ["local_steps", "cloud_steps", "escalations", "latency_p50_s"]
    columns += ["latency_p95_s", "cloud_cost_usd", "fast_path_request_p50_ms"]
    failures = [r for r in rows if not r["passed"]]
    price = summary["price_usd_per_mtok"]
    (out / "routing.md").write_text(
        f"# Routing: {len(next(iter(results.values()), []))} requests × "
        f"{len(results)} configurations\n\n"
        f"Local: {summary['local_model']} in process. Cloud: "
        f"{summary['cloud_model']} on loopback. Price: ${price['input']}/M input "
        f"and ${price['output']}/M output tokens.\n\n"
        + markdown_table(table, columns)
        + "\n## Cloud server health\n\nA configuration whose server died or whose "
        "cloud attempts failed measured the fallback, not the cloud.\n\n"
        + markdown_table(
            [{"config": k, **v} for k, v in summary.get("cloud_health", {}).items()],
            ["config", "server_alive_at_end", "server_exit_code", "cloud_errors"],
        )
        + "\n## Failed requests\n\n"
        + markdown_table(failures, ["config", "suite", "id", "seconds", "why"])
    )
    shares_plot(out / "routing.png", summary)


def shares_plot(path: Path, summary: dict[str, Any]) -> None:
    """Steps by tier and success, per configuration."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    configs = summary["configs"]
    names = list(configs)
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6))
    bottom = [0.0] * len(names)
    for tier, color in zip(TIERS, ("tab:green", "tab:blue", "tab:orange"), strict=True):
        counts = [configs[n][f"{tier}_steps"] for n in names]
        left.bar(names, counts, bottom=bottom, label=tier, color=color)
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    left.set_title("steps served by tier")
    left.legend()
    right.bar(names, [configs[n]["success"] for n in names], color="tab:gray")
    right.set_ylim(0, 1)
    right.set_title("task success")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
