"""Answer faithfulness: does the written answer stay with the text it cites?

Every answerable question goes through the agent's own path for manual
questions (`tools.manuals.search_manuals`, then `agent.respond.
answer_from_manuals` with the configured router: the local model on a machine
with no cloud). For each answer:

- written: the model's answer passed the support check (every number and
  sentence found in the excerpts) and was delivered as written;
- quoted: it did not, and the technician got the best excerpt word for word;
- abstained: the evidence check said the manuals do not cover it;
- faithful: the delivered text is supported by the passages it cites (the
  check run again, independently, on what the person reads);
- cites_relevant: at least one cited passage is the labelled section.
"""

from __future__ import annotations

import time
from typing import Any

from evals.manuals import relevant


def faithfulness(
    settings: Any, index: Any, cases: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Answer every answerable case; rows and figures."""
    from agent.respond import answer_from_manuals, plain
    from agent.runtime import open_agent
    from knowledge.evidence import support
    from tools.manuals import SearchManualsArgs, search_manuals

    rows = []
    answerable = [c for c in cases if c["kind"] != "none"]
    with open_agent(settings, manuals=index) as agent:
        for case in answerable:
            found = search_manuals(
                index, None, SearchManualsArgs(query=case["question"], k=3)
            ).data
            started = time.perf_counter()
            text, cited, records = answer_from_manuals(
                case["question"], agent.context, found
            )
            seconds = time.perf_counter() - started
            checked = [r for r in records if r.get("purpose") == "answer check"]
            how = "abstained" if not cited else ("quoted" if checked else "written")
            delivered = support(text, [plain(p["text"]) for p in cited])
            hits = [_Hit(p) for p in cited]
            rows.append(
                {
                    "id": case["id"],
                    "kind": case["kind"],
                    "how": how,
                    "faithful": bool(cited) and delivered.supported,
                    "cites_relevant": any(relevant(h, case) for h in hits),
                    "unsupported": ([checked[0]["problem"]]
                                    + checked[0]["unsupported_numbers"]
                                    + checked[0]["unsupported_sentences"])
                    if checked else [],
                    "answer": text,
                    "seconds": round(seconds, 1),
                }
            )  # fmt: skip
    return rows, figures(rows)


class _Hit:
    """A cited passage in the shape `relevant` reads."""

    def __init__(self, passage: dict[str, Any]) -> None:
        self.document = passage["document"]
        self.heading_path = passage["heading_path"]
        self.text = passage["text"]


def figures(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Shares of written, quoted and abstained answers, and faithfulness."""
    n = max(len(rows), 1)
    answered = [r for r in rows if r["how"] != "abstained"]
    m = max(len(answered), 1)
    return {
        "answers": len(rows),
        "written_as_generated": round(sum(r["how"] == "written" for r in rows) / n, 3),
        "quoted_instead": round(sum(r["how"] == "quoted" for r in rows) / n, 3),
        "abstained": round(sum(r["how"] == "abstained" for r in rows) / n, 3),
        "faithful": round(sum(r["faithful"] for r in answered) / m, 3),
        "cites_relevant": round(sum(r["cites_relevant"] for r in answered) / m, 3),
        "seconds_p50": sorted(r["seconds"] for r in rows)[len(rows) // 2]
        if rows
        else 0.0,
    }
