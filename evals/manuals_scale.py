"""Manuals at scale: index build time, query latency and memory as the corpus grows.

Each size runs in a process of its own, so its peak memory is its own: the
repo's manuals as they are, then the corpus replicated with varied text (every
copy a different plant and unit named under each heading, its numbers shifted,
its sentences reordered within paragraphs) until it holds at least the chunks
asked for. Queries are the question set's, through the hybrid search the agent
uses; generation is not part of the timing.

    python -m evals.manuals_scale --root MANUALS --chunks 10000
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from evals.report import percentile

SIZES = (0, 10_000)
"""Chunks asked for; 0 is the repo's corpus as it is."""
PLANTS = ("Riverside", "North Yard", "Harbour", "Hilltop", "East Works", "Delta")
_HEADING = re.compile(r"^(#{1,6} .+|[=\-~^]{3,}\s*)$")
_NUMBER = re.compile(r"(?<![\w.])(\d{1,4})(?![\w.])")


def vary(text: str, copy: int, rng: random.Random) -> str:
    """One copy of a manual: same structure, different plant, unit and figures."""
    plant = f"{rng.choice(PLANTS)} plant {copy}"
    shift = copy % 7 + 1
    lines = []
    for line in text.splitlines():
        if line.startswith("|") or line.startswith("    "):
            lines.append(line)
            continue
        line = _NUMBER.sub(lambda m: str(int(m.group(1)) + shift), line)
        lines.append(line)
        if _HEADING.match(line.strip()):
            lines.append("")
            lines.append(f"This copy applies to unit U-{copy:04d} at {plant}.")
    return "\n".join(lines) + "\n"


def replicate(root: Path, target: Path, copies: int) -> None:
    """`copies` varied copies of every manual under `root`, each copy a
    collection of its own, plus the original."""
    shutil.copytree(root, target / "original")
    rng = random.Random(7)
    for copy in range(1, copies + 1):
        for path in sorted(root.rglob("*")):
            if not path.is_file():
                continue
            out = target / f"copy-{copy:03d}" / path.relative_to(root)
            out.parent.mkdir(parents=True, exist_ok=True)
            if path.suffix.lower() in (".md", ".rst", ".adoc", ".txt"):
                text = path.read_text(encoding="utf-8", errors="replace")
                out.write_text(vary(text, copy, rng), encoding="utf-8")
            else:
                shutil.copy2(path, out)


def measure(root: Path, chunks: int, queries: list[str]) -> dict[str, Any]:
    """Build an index of `root` (replicated to `chunks` chunks) and time queries."""
    from knowledge.chunking import chunk_file, find_manuals
    from knowledge.index import ManualIndex

    base = sum(len(chunk_file(p, root)) for p in find_manuals(root))
    copies = 0 if chunks <= base else -(-chunks // base) - 1
    with tempfile.TemporaryDirectory(prefix="fieldpilot-scale-") as tmp:
        corpus = Path(tmp) / "corpus"
        if copies:
            replicate(root, corpus, copies)
        else:
            shutil.copytree(root, corpus)
        index = ManualIndex(Path(tmp) / "index")
        started = time.perf_counter()
        report = index.ingest(corpus)
        build_s = time.perf_counter() - started
        index.search("warm up", k=5)
        times = []
        for query in queries:
            started = time.perf_counter()
            index.search(query, k=5)
            times.append((time.perf_counter() - started) * 1000)
        size = sum(
            p.stat().st_size for p in (Path(tmp) / "index").rglob("*") if p.is_file()
        )
    return {
        "chunks": report.chunks_added,
        "files": report.files_seen,
        "build_s": round(build_s, 1),
        "chunks_per_s": round(report.chunks_added / build_s, 1),
        "queries": len(times),
        "query_p50_ms": round(statistics.median(times), 1),
        "query_p95_ms": round(percentile(times, 95), 1),
        "index_mb": round(size / 2**20, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def scale_benchmark(root: Path, sizes: tuple[int, ...] = SIZES) -> dict[str, Any]:
    """Every size in a fresh process; returns {"runs": [...]}."""
    runs = []
    for chunks in sizes:
        done = subprocess.run(
            [sys.executable, "-m", "evals.manuals_scale", "--root", str(root),
             "--chunks", str(chunks)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(
                f"scale run at {chunks} chunks failed:\n{done.stderr[-2000:]}"
            )
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return {"runs": runs}


def main() -> None:
    """One size, printed as one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--chunks", type=int, default=0)
    args = parser.parse_args()
    from evals.cases_manuals import CASES

    queries = [c["question"] for c in CASES]
    print(json.dumps(measure(args.root, args.chunks, queries)))


if __name__ == "__main__":
    main()
