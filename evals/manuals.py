"""Manuals: does retrieval find the section that answers a technician's question,
does fieldpilot say so when no manual does, and does its answer stay with the text?

The question set (`evals/cases_manuals.py`: procedures, error messages,
parameters, table rows, lists, and questions no manual answers) runs against a
fresh index of the repo's manuals in three modes side by side: dense (MiniLM
vectors in ChromaDB), lexical (BM25) and hybrid (both, fused by rank), each
through the same ranking the agent's tool uses.

- Retrieval, at section level: a passage is relevant when it comes from the
  labelled document and either lies in the labelled section or holds the
  labelled evidence. recall@1, recall@5 and MRR over the answerable questions.
- Abstention: the evidence check (`knowledge.evidence`) over the top passages;
  precision and recall of "not in the manuals" against the unanswerable set.
- Faithfulness (hybrid only, with `answers`): the agent's answer composer writes
  each answer from the passages; an answer is faithful when every sentence and
  every number in it is supported by the passages it cites.
- Scale: index build time, query p50/p95 and memory for the repo's corpus and
  for a corpus replicated with varied text to 10,000+ chunks (`scale`).
"""

from __future__ import annotations

import logging
import resource
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from evals.report import markdown_table, write_json

log = logging.getLogger(__name__)

MODES = ("dense", "lexical", "hybrid")
K = 5


def relevant(hit: Any, case: dict[str, Any]) -> bool:
    """Whether a passage answers the case at section level."""
    if hit.document != case["document"]:
        return False
    in_section = case["section"].casefold() in (h.casefold() for h in hit.heading_path)
    return in_section or case["evidence"] in hit.text


def first_relevant(hits: list[Any], case: dict[str, Any]) -> int | None:
    """1-based rank of the first relevant passage, or None."""
    for rank, hit in enumerate(hits, start=1):
        if relevant(hit, case):
            return rank
    return None


def retrieval_figures(rows: list[dict[str, Any]]) -> dict[str, float]:
    """recall@1, recall@5 and MRR over answerable rows."""
    answerable = [r for r in rows if r["kind"] != "none"]
    n = max(len(answerable), 1)
    ranks = [r["rank"] for r in answerable]
    return {
        "recall_at_1": round(sum(1 for x in ranks if x == 1) / n, 3),
        "recall_at_5": round(sum(1 for x in ranks if x is not None and x <= K) / n, 3),
        "mrr": round(sum(1 / x for x in ranks if x is not None) / n, 3),
    }


def abstention_figures(rows: list[dict[str, Any]]) -> dict[str, float]:
    """Precision and recall of abstaining, against the unanswerable questions."""
    said = [r for r in rows if r["abstained"]]
    should = [r for r in rows if r["kind"] == "none"]
    right = [r for r in said if r["kind"] == "none"]
    return {
        "abstention_precision": round(len(right) / len(said), 3) if said else 1.0,
        "abstention_recall": round(len(right) / len(should), 3) if should else 1.0,
        "answered_wrongly_abstained": sum(1 for r in said if r["kind"] != "none"),
    }


def run_mode(index: Any, cases: list[dict[str, Any]], mode: str) -> list[dict]:
    """Every question through one retrieval mode."""
    from knowledge.evidence import assess
    from tools.manuals import rank_passages

    rows = []
    for case in cases:
        started = time.perf_counter()
        hits = rank_passages(index, case["question"], K, mode=mode)
        seconds = time.perf_counter() - started
        verdict = assess(case["question"], hits, index)
        rank = None if case["kind"] == "none" else first_relevant(hits, case)
        rows.append(
            {
                "mode": mode,
                "id": case["id"],
                "kind": case["kind"],
                "rank": rank,
                "abstained": not verdict.answerable,
                "evidence": verdict.reason,
                "top_score": round(hits[0].score, 3) if hits else None,
                "top": [f"{h.document} § {h.section}" for h in hits[:3]],
                "ms": round(seconds * 1000, 1),
            }
        )
    return rows


def mode_figures(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Retrieval, abstention and query time of one mode over some rows."""
    return {
        **retrieval_figures(rows),
        **abstention_figures(rows),
        "query_p50_ms": round(statistics.median(r["ms"] for r in rows), 1),
    }


def question_sets(only: str | None) -> dict[str, list[dict[str, Any]]]:
    """The tuning set and the held-out set (never used to tune), each filtered
    to the ids in `only` when given."""
    from evals.cases_manuals import CASES
    from evals.cases_manuals_heldout import CASES as HELD_OUT

    wanted = set(only.split(",")) if only else None
    return {
        name: [c for c in cases if wanted is None or c["id"] in wanted]
        for name, cases in (("tuning", CASES), ("held_out", HELD_OUT))
    }


def run(
    settings: Any,
    out: Path,
    only: str | None = None,
    answers: bool = True,
    scale: bool = True,
    **_: Any,
) -> dict[str, Any]:
    """Retrieval in three modes, abstention, faithfulness and scale; write
    manuals.json, manuals.md and manuals.png under `out`.

    The top-level figures are over every question; `sets` splits them into the
    tuning set (thresholds were chosen on it) and the held-out set.
    """
    from agent.setup import default_manuals_dir
    from knowledge.index import ManualIndex

    sets = question_sets(only)
    cases = [c for group in sets.values() for c in group]
    split = {c["id"]: name for name, group in sets.items() for c in group}
    root = default_manuals_dir(settings)
    summary: dict[str, Any] = {
        "suite": "manuals",
        "questions": len(cases),
        "unanswerable": sum(c["kind"] == "none" for c in cases),
        "sets": {name: {"questions": len(group)} for name, group in sets.items()},
    }
    results: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory(prefix="fieldpilot-manuals-") as tmp:
        index = ManualIndex(Path(tmp) / "index")
        started = time.perf_counter()
        report = index.ingest(root)
        summary["corpus"] = {
            "files": report.files_seen,
            "chunks": report.chunks_added,
            "build_s": round(time.perf_counter() - started, 1),
        }
        index.search("warm up", k=1)
        for mode in MODES:
            rows = run_mode(index, cases, mode)
            for row in rows:
                row["set"] = split[row["id"]]
            results[mode] = rows
            summary[mode] = mode_figures(rows)
            for name in sets:
                these = [r for r in rows if r["set"] == name]
                if these:
                    summary["sets"][name][mode] = mode_figures(these)
            log.info("%s: %s", mode, summary[mode])
        summary["by_kind"] = by_kind(results["hybrid"])
        if answers:
            from evals.manuals_answers import faithfulness

            rows, figures = faithfulness(settings, index, sets["tuning"])
            results["answers"] = rows
            summary["answers"] = figures
    if scale:
        from evals.manuals_scale import scale_benchmark

        summary["scale"] = scale_benchmark(root)
    summary["peak_rss_mb"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    )
    write_reports(out, summary, results)
    return summary


def by_kind(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Hybrid recall@5 per kind of question (abstention for "none")."""
    kinds: dict[str, dict[str, Any]] = {}
    for kind in sorted({r["kind"] for r in rows}):
        these = [r for r in rows if r["kind"] == kind]
        if kind == "none":
            kinds[kind] = {
                "n": len(these),
                "abstained": sum(r["abstained"] for r in these),
            }
        else:
            found = sum(1 for r in these if r["rank"] is not None and r["rank"] <= K)
            kinds[kind] = {"n": len(these), "found_at_5": found}
    return kinds


def write_reports(
    out: Path, summary: dict[str, Any], results: dict[str, list[dict]]
) -> None:
    """manuals.json, manuals.md and manuals.png under `out`."""
    write_json(out / "manuals.json", {"summary": summary, "rows": results})
    table = [{"set": "all", "mode": m, **summary[m]} for m in MODES if m in summary]
    table += [
        {"set": name, "mode": m, **figures[m]}
        for name, figures in summary["sets"].items()
        for m in MODES
        if m in figures
    ]
    columns = ["set", "mode", "recall_at_1", "recall_at_5", "mrr"]
    columns += ["abstention_precision", "abstention_recall", "query_p50_ms"]
    misses = [
        r
        for r in results.get("hybrid", [])
        if (r["kind"] != "none" and (r["rank"] is None or r["rank"] > 1))
        or (r["abstained"] != (r["kind"] == "none"))
    ]
    corpus = summary["corpus"]
    text = (
        f"# Manuals: {summary['questions']} questions "
        f"({summary['unanswerable']} that no manual answers) over "
        f"{corpus['files']} files ({corpus['chunks']} chunks, built in "
        f"{corpus['build_s']} s)\n\n"
        "Tuning: the set the evidence thresholds were chosen on; held out: "
        "never used for tuning.\n\n"
        + markdown_table(table, columns)
        + "\n## Hybrid by kind\n\n"
        + markdown_table(
            [{"kind": k, **v} for k, v in summary["by_kind"].items()],
            ["kind", "n", "found_at_5", "abstained"],
        )
    )
    if "answers" in summary:
        text += "\n## Answers (tuning set, written by the router's model)\n\n"
        text += markdown_table([summary["answers"]], list(summary["answers"]))
    if "scale" in summary:
        text += "\n## Scale\n\n" + markdown_table(
            summary["scale"]["runs"], list(summary["scale"]["runs"][0])
        )
    text += "\n## Hybrid misses (rank > 1, or abstention wrong)\n\n" + markdown_table(
        misses, ["id", "set", "kind", "rank", "abstained", "evidence", "top"]
    )
    (out / "manuals.md").write_text(text)
    plot(out / "manuals.png", summary)


def plot(path: Path, summary: dict[str, Any]) -> None:
    """Retrieval figures per mode, side by side."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metrics = ["recall_at_1", "recall_at_5", "mrr"]
    metrics += ["abstention_precision", "abstention_recall"]
    fig, ax = plt.subplots(figsize=(9, 3.6))
    width = 0.26
    for i, mode in enumerate(m for m in MODES if m in summary):
        xs = [j + (i - 1) * width for j in range(len(metrics))]
        ax.bar(xs, [summary[mode][m] for m in metrics], width, label=mode)
    ax.set_xticks(range(len(metrics)), [m.replace("_", " ") for m in metrics])
    ax.set_ylim(0, 1.05)
    ax.legend(loc="lower right")
    ax.set_title("manual retrieval by mode")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
