"""Turn tool results into the answer a technician reads.

Device changes, states and telemetry are reported from the results themselves,
word for word, so a number in the answer is a number the site returned. Only
manual answers are written by a model, from the retrieved excerpts.
"""

from __future__ import annotations

import json
import re
from typing import Any

from agent.context import private_reason
from agent.errors import ModelError
from agent.prompts import ANSWER_PROMPT
from agent.router import Step
from knowledge.evidence import support


def fmt(value: Any, unit: str | None = None) -> str:
    """A number rounded for people, with its unit."""
    if isinstance(value, float):
        digits = 2 if abs(value) >= 1 or value == 0 else 3 - int(f"{value:e}"[-3:])
        value = f"{value:.{min(digits, 6)}f}".rstrip("0").rstrip(".")
    return f"{value} {unit}".strip() if unit else str(value)


def describe_change(tool: str, row: dict) -> str:
    """One line per device changed or refused."""
    if not row.get("ok"):
        return f"{row['device']}: not changed. {row.get('error', '')}".strip()
    before, after = row.get("before") or {}, row.get("after") or {}
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    if not changed:
        return f"{row['device']}: already as asked."
    parts = [
        ("switched on" if v else "switched off")
        if k == "on"
        else f"{k} {fmt(before.get(k))} → {fmt(v)}"
        for k, v in changed.items()
    ]
    return f"{row['device']}: {', '.join(parts)}."


def describe_state(row: dict) -> str:
    """One line of a device's current state."""
    state = row.get("state", {})
    unit = row.get("unit")
    parts = []
    for key, value in state.items():
        if key == "on" and isinstance(value, bool):
            parts.append("on" if value else "off")
        elif isinstance(value, bool):
            parts.append(f"{key} {'yes' if value else 'no'}")
        elif key in ("setpoint", "temperature") and unit in ("°C", "°F"):
            parts.append(f"{key} {fmt(value, unit)}")
        elif isinstance(value, (int, float, str)):
            parts.append(f"{key} {fmt(value)}")
    return f"{row['id']} ({row.get('name', '')}): {', '.join(parts)}."


def count_on(rows: list[dict]) -> list[str]:
    """A first line counting devices that are on, when several were read."""
    flags = [r for r in rows if isinstance(r.get("state", {}).get("on"), bool)]
    if len(flags) < 2:
        return []
    on = [r["id"] for r in flags if r["state"]["on"]]
    return [f"{len(on)} of {len(flags)} are on: {', '.join(on) or 'none'}."]


def describe_telemetry(data: dict) -> str:
    """Which devices were anomalous over the window, then each device's figures."""
    rows = data["devices"]
    hours = fmt(float(data["window"]["hours"]))
    flagged = [r for r in rows if r["anomalous"]]
    lines = []
    if len(rows) > 1 or flagged:
        names = ", ".join(r["device"] for r in flagged) or "none"
        lines.append(f"Anomalous over the last {hours} h: {names}.")
    for r in rows:
        unit = r.get("unit")
        verdict = f"anomalous ({r['reason']})" if r["anomalous"] else "normal"
        lines.append(
            f"{r['device']} {r['metric']}: min {fmt(r['min'], unit)}, "
            f"max {fmt(r['max'], unit)}, mean {fmt(r['mean'], unit)}, "
            f"latest {fmt(r['last'], unit)}; {verdict}."
        )
    return "\n".join(lines)


def describe_work_orders(tool: str, data: Any) -> str:
    """A new work order, or the list."""
    if tool == "open_work_order":
        return f"Opened {data['number']} for {data['device']}: {data['title']}."
    if not data:
        return "No matching work orders."
    return "\n".join(
        f"{w['number']} {w['device']} [{w['priority']}, {w['status']}]: {w['title']}"
        for w in data
    )


def describe_result(result: dict) -> str:
    """A short text for one tool result (manual passages are answered elsewhere)."""
    tool, data = result["tool"], result.get("data")
    if tool in ("set_setpoint", "switch", "set_position") and isinstance(data, list):
        return "\n".join(describe_change(tool, row) for row in data)
    if not result["ok"]:
        return result.get("error") or f"{tool} failed."
    if tool == "read_state":
        return "\n".join([*count_on(data), *(describe_state(row) for row in data)])
    if tool == "find_devices":
        return "\n".join(f"{d['id']}: {d.get('name', '')}" for d in data)
    if tool == "query_telemetry":
        return describe_telemetry(data)
    if tool in ("open_work_order", "list_work_orders"):
        return describe_work_orders(tool, data)
    return ""


IMAGE = re.compile(r"^\s*!\[[^\]]*\]\([^)]*\)\s*$", re.M)
LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")


def plain(text: str) -> str:
    """Manual text without images and link targets, which cost tokens and say
    nothing to the model."""
    text = LINK.sub(r"\1", IMAGE.sub("", text))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def excerpts(passages: list[dict], limit: int = 800) -> str:
    """Numbered excerpts for the answer prompt."""
    return "\n\n".join(
        f"[{i}] {p['document']} § {p['section']}\n{plain(p['text'])[:limit]}"
        for i, p in enumerate(passages, start=1)
    )


ANSWER_TOKENS = 200
CITE = re.compile(r"\[(\d+)\]")


def not_covered(passages: list[dict], evidence: str) -> str:
    """The honest answer when the manuals do not cover a request."""
    text = f"The manuals do not cover this ({evidence})."
    if passages:
        closest = "; ".join(f"{p['document']} § {p['section']}" for p in passages[:3])
        text += f" Closest sections: {closest}."
    return text


def quoted(passage: dict, limit: int = 700) -> str:
    """The top passage word for word, when a written answer cannot be trusted."""
    body = plain(passage["text"])
    if len(body) > limit:
        body = body[:limit].rsplit(" ", 1)[0] + " …"
    return f"From {passage['document']} § {passage['section']}:\n{body}"


def answer_from_manuals(
    request: str, ctx: Any, found: dict, private: str | None = None
) -> tuple[str, list[dict], list[dict]]:
    """Have a model (the router's choice for long answers) answer from the
    retrieved excerpts only; returns the text, the passages cited and the model
    records.

    Weak evidence gets "not in the manuals" with the closest sections. An answer
    with a number or a sentence the excerpts do not hold is replaced by the
    best excerpt itself, so nothing unsupported reaches the technician.
    """
    passages = found.get("passages", [])
    if not passages or not found.get("answerable", True):
        return not_covered(passages, found.get("evidence", "nothing found")), [], []
    messages = [
        {"role": "system", "content": ANSWER_PROMPT},
        {
            "role": "user",
            "content": f"Excerpts:\n{excerpts(passages)}\n\nRequest: {request}",
        },
    ]
    step = Step("answer", long_form=True, private=private)
    try:
        completion, decisions = ctx.routed().route(messages, None, ANSWER_TOKENS, step)
    except ModelError as exc:
        record = {"purpose": "answer", "ok": False, "error": str(exc)}
        return quoted(passages[0]), passages[:1], [record]
    records = [d.record() for d in decisions]
    text = completion.text.strip()
    checked = support(text, [plain(p["text"]) for p in passages])
    if not checked.supported:
        records.append(
            {
                "purpose": "answer check",
                "ok": False,
                "problem": checked.problem,
                "unsupported_numbers": checked.unsupported_numbers,
                "unsupported_sentences": checked.unsupported_sentences,
            }
        )
        return quoted(passages[0]), passages[:1], records
    return text, cited_passages(text, passages), records


def cited_passages(text: str, passages: list[dict]) -> list[dict]:
    """The passages an answer cites as [n]; all of them when it cites none."""
    numbers = {int(n) for n in CITE.findall(text)}
    cited = [p for i, p in enumerate(passages, start=1) if i in numbers]
    return cited or passages


def citation(passage: dict) -> dict:
    """Where a cited passage lives: document, section, and lines or pages."""
    cite = {"source": passage["document"], "section": passage["section"]}
    if passage.get("pages"):
        cite["pages"] = passage["pages"]
    elif passage.get("lines"):
        cite["lines"] = passage["lines"]
    return cite


def final_checks(checks: list[dict]) -> dict[tuple[str, str], dict]:
    """The last read-back of each device and key."""
    last: dict[tuple[str, str], dict] = {}
    for check in checks:
        last[(check["device"], check["key"])] = check
    return last


def with_checks(result: dict, failed: dict[str, dict]) -> dict:
    """A device action's result with rows the read-back contradicts marked failed."""
    if not isinstance(result.get("data"), list) or not failed:
        return result
    rows = []
    for row in result["data"]:
        check = failed.get(row.get("device"))
        if row.get("ok") and check:
            row = {
                **row,
                "ok": False,
                "error": f"the gateway accepted it, but the device still reports "
                f"{check['key']} {fmt(check['actual'])} instead of "
                f"{fmt(check['expected'])} after {check['attempt']} attempts; "
                "check it on site.",
            }
        rows.append(row)
    return {**result, "data": rows}


def check_lines(checks: list[dict]) -> list[str]:
    """Devices that needed the command twice and then took it."""
    last = final_checks(checks)
    lines = [
        f"{c['device']} did not take the first command; sent again, it now reports "
        f"{c['key']} {fmt(c['actual'])}."
        for c in last.values()
        if c["ok"] and c["attempt"] > 1
    ]
    lines += [
        f"{c['device']}: the gateway accepted the command, but reading it back "
        f"failed ({c['error']}); check that it reports {c['key']} "
        f"{fmt(c['expected'])}."
        for c in last.values()
        if c["ok"] is None
    ]
    return lines


def task_lines(
    task: dict, state: dict, ctx: Any, failed: dict[str, dict]
) -> tuple[list[str], list[dict], list[dict]]:
    """What one task found or did: text lines, citations and model records."""
    lines, citations, models = [], [], []
    for result in state.get("results", []):
        if result.get("task") != task["id"] or result.get("retry_of"):
            continue
        if result["tool"] == "search_manuals" and result["ok"]:
            private = private_reason(
                ctx, "\n".join([state.get("request", ""), task["text"]])
            )
            text, cited, records = answer_from_manuals(
                task["text"], ctx, result["data"], private
            )
            lines.append(text)
            models += records
            citations += [citation(p) for p in cited]
        else:
            lines.append(describe_result(with_checks(result, failed)))
    if task["status"] == "skipped":
        lines.append(f"Not done: {task['note']}.")
    elif task["status"] == "failed" and task.get("note") and not lines:
        lines.append(f"Not done: {task['note']}.")
    return [line for line in lines if line], citations, models


def memory_lines(memory: list[dict]) -> list[str]:
    """What an earlier, similar episode did and what fixed it."""
    lines = []
    for item in memory[:2]:
        fixed = "; ".join(item.get("resolutions", []))
        if fixed:
            lines.append(
                f"Last time ({item['ts'][:10]}, “{item['request']}”): {fixed}."
            )
    return lines


def compose(state: dict, ctx: Any) -> tuple[str, list[dict], list[dict]]:
    """The answer text, its citations and the model records of answering."""
    last = final_checks(state.get("checks", []))
    failed = {c["device"]: c for c in last.values() if c["ok"] is False}
    tasks = state.get("tasks", [])
    parts, citations, models = [], [], []
    for number, task in enumerate(tasks, start=1):
        lines, cites, records = task_lines(task, state, ctx, failed)
        citations, models = citations + cites, models + records
        if len(tasks) > 1 and lines:
            lines = [f"{number}. {task['text']}:", *lines]
        parts += lines
    for step in state.get("refused", []):
        parts.append(f"Not done ({step['tool']}): {step['reason']}.")
    parts += check_lines(state.get("checks", []))
    for step in state.get("unfinished", []):
        parts.append(
            f"Not finished ({step['tool']} {json.dumps(step['arguments'])}): "
            "this turn's budget of tool calls was used up."
        )
    parts += memory_lines(state.get("memory", []))
    return "\n".join(parts), citations, models
