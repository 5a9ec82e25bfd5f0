"""Break a request into tasks, and decide the conditions between them.

"check pump P-2's vibration; if it is anomalous open a work order and find the
bearing procedure" becomes three tasks: the check, then two tasks that depend on
it and run only when its result is anomalous. Splitting is done on the words of
the request (separators, "if ... then", "and" before a verb) rather than by the
model: it is instant, and a condition is evaluated on the tool results by code,
so no model output can decide whether an action runs.

A task that refers back ("it", "its") or names no device of its own gets the
device of the task it depends on written into its text, so the planner sees
"open a work order for P-2".
"""

from __future__ import annotations

import re
from typing import Any

from agent.policy import ID_LIKE
from agent.state import TaskStatus

ACTIONS = (
    r"open|find|look\s+up|search|turn|switch|set|lower|raise|increase|decrease|"
    r"reduce|close|check|create|log|read|tell|show|list|stop|start|shut|put|"
    r"give|get|report|make"
)
QUESTIONS = r"what|which|how|is|are"
SEPARATORS = re.compile(
    r"\s*;\s*|(?<!\d)[.?!]\s+(?=[A-Za-z])|,\s*(?=(?:otherwise|else)\b)"
    r"|,?\s+and\s+then\s+|,\s*then\s+|\s+then\s+(?=(?:" + ACTIONS + r")\b)",
    re.I,
)
CONDITIONAL = re.compile(
    r"^(?P<kw>only\s+if|if|when|in\s+case|unless)\s+(?P<cond>.+?)"
    r"(?:\s*,\s*(?:then\s+)?|\s+then\s+|\s+)"
    r"(?P<rest>(?:please\s+)?(?:" + ACTIONS + r")\b.*)$",
    re.I,
)
TRAILING = re.compile(
    r"^(?P<rest>(?:please\s+)?(?:" + ACTIONS + r")\b.+?)\s+"
    r"(?P<kw>only\s+if|if|when|unless|in\s+case)\s+(?P<cond>.+)$",
    re.I,
)
OTHERWISE = re.compile(r"^(?:otherwise|else|if\s+not)\s*,?\s*(?P<rest>.+)$", re.I)
AND_VERB = re.compile(
    r",?\s+and\s+(?=(?:please\s+)?(?:" + ACTIONS + "|" + QUESTIONS + r")\b)", re.I
)
SUBJECT = re.compile(r"^(?P<subject>.+?)\s+(?:is|are|was|were|reads?|goes)\b", re.I)
PRONOUN = re.compile(r"\b(it|its|it's|them|their)\b", re.I)


def new_task(
    index: int,
    text: str,
    depends_on: list[int],
    condition: str | None = None,
    negate: bool = False,
) -> dict[str, Any]:
    """One task of a break-down."""
    return {
        "id": index,
        "text": text.strip().rstrip(".;,"),
        "depends_on": depends_on,
        "condition": condition,
        "negate": negate,
        "intent": None,
        "status": TaskStatus.WAITING.value,
        "note": "",
    }


THEN = re.compile(r"\bthen\b", re.I)


def clauses(request: str) -> list[tuple[str, bool]]:
    """The request cut at sentence ends, semicolons and "then"; each clause with
    whether a "then" put it after the one before."""
    text = request.strip()
    out, start, after_then = [], 0, False
    for separator in SEPARATORS.finditer(text):
        out.append((text[start : separator.start()], after_then))
        start, after_then = separator.end(), bool(THEN.search(separator.group()))
    out.append((text[start:], after_then))
    return [(c, then) for c, then in out if c and c.strip()]


def break_down(request: str) -> list[dict[str, Any]]:
    """Tasks of a request; a plain request is one task."""
    tasks: list[dict[str, Any]] = []
    last_plain: int | None = None
    last_condition: tuple[str, int | None] | None = None
    for clause, after_then in clauses(request):
        condition, negate, depends = None, False, []
        if after_then and tasks:
            depends = [len(tasks) - 1]  # "X, then Y": Y waits for X
        match = CONDITIONAL.match(clause)
        other = OTHERWISE.match(clause)
        trailing = None if match else TRAILING.match(clause)
        if trailing:
            # "turn off X if Y" is "if Y, turn off X"; "unless Y" negates it.
            condition, clause = trailing.group("cond"), trailing.group("rest")
            negate = trailing.group("kw").lower() == "unless"
        if match or trailing:
            if match:
                condition, clause = match.group("cond"), match.group("rest")
                negate = match.group("kw").lower() == "unless"
            if last_plain is None or trailing:
                check = implicit_check(condition, tasks)
                last_plain = check if check is not None else last_plain
            depends = [last_plain] if last_plain is not None else []
            last_condition = (condition, last_plain)
        elif other and last_condition:
            condition, negate, clause = last_condition[0], True, other.group("rest")
            depends = [last_condition[1]] if last_condition[1] is not None else []
        parts = [p for p in AND_VERB.split(clause) if p.strip()]
        for part in parts:
            refers_back = bool(PRONOUN.search(part)) and not depends
            needs = depends or (
                [last_plain] if refers_back and last_plain is not None else []
            )
            tasks.append(new_task(len(tasks), part, list(needs), condition, negate))
        if condition is None:
            last_plain = len(tasks) - 1
    if not tasks:
        return [new_task(0, request, [])]
    if len(tasks) == 1:
        tasks[0]["text"] = request.strip()
    return [with_device(t, tasks) for t in tasks]


def implicit_check(condition: str, tasks: list[dict[str, Any]]) -> int | None:
    """A task that reads what a leading condition talks about ("if P-2 vibration
    is above 0.3 ..." → "check P-2 vibration"); None if it names no device."""
    match = SUBJECT.match(condition)
    subject = match.group("subject") if match else condition
    if not ID_LIKE.search(subject):
        return None
    tasks.append(new_task(len(tasks), f"check {subject}", []))
    return len(tasks) - 1


IMPLICIT = re.compile(
    r"\b(work\s*orders?|procedures?|manuals?|instructions|how)\b", re.I
)


def with_device(task: dict[str, Any], tasks: list[dict[str, Any]]) -> dict[str, Any]:
    """Write the device of the task depended on into a task that names none."""
    if not task["depends_on"] or ID_LIKE.search(task["text"]):
        return task
    ids = ID_LIKE.findall(tasks[task["depends_on"][0]]["text"])
    if len(set(ids)) != 1:
        return task
    return {**task, "text": name_device(task["text"], ids[0])}


def name_device(text: str, device: str) -> str:
    """`text` with its pronouns replaced by `device`, or, for a work order or a
    manual look-up that names nothing, with "for `device`" added."""
    named = PRONOUN.sub(lambda m: possessive(m.group(1), device), text)
    if named == text and IMPLICIT.search(text):
        named = f"{text} for {device}"
    return named


def devices_found(task: dict[str, Any], results: list[dict[str, Any]]) -> list[str]:
    """The devices a dependency's read results are about; for an "anomalous"
    condition, only the anomalous ones."""
    found: list[str] = []
    for result in results:
        if not result.get("ok") or result["tool"] not in (
            "read_state",
            "query_telemetry",
        ):
            continue
        data = result["data"]
        rows = data["devices"] if result["tool"] == "query_telemetry" else data
        for row in rows:
            if (
                task.get("condition")
                and ANOMALOUS.search(task["condition"])
                and not task["negate"]
                and row.get("anomalous") is False
            ):
                continue
            found.append(row.get("device") or row.get("id"))
    return list(dict.fromkeys(d for d in found if d))


def resolve_references(
    task: dict[str, Any], results: list[dict[str, Any]]
) -> dict[str, Any]:
    """Name the one device an earlier read found in a task that refers to it."""
    if ID_LIKE.search(task["text"]):
        return task
    found = devices_found(task, results)
    if len(found) != 1:
        return task
    return {**task, "text": name_device(task["text"], found[0])}


def possessive(pronoun: str, device: str) -> str:
    """`device` in the place of a pronoun."""
    return f"{device}'s" if pronoun.lower() in ("its", "their") else device


NUMBER = r"(-?\d+(?:\.\d+)?)"
ABOVE = re.compile(
    r"\b(?:above|over|higher than|more than|greater than|exceeds?)\s+" + NUMBER, re.I
)
BELOW = re.compile(r"\b(?:below|under|lower than|less than)\s+" + NUMBER, re.I)
ANOMALOUS = re.compile(r"\b(anomal\w*|abnormal|unusual|alarm\w*|faulty)\b", re.I)
NORMAL = re.compile(r"\b(normal|fine|ok|okay|healthy)\b", re.I)
NEGATION = re.compile(
    r"\b(?:is|are|was|were|be)\s+not\b|\b(?:isn't|aren't|wasn't|weren't)\b|"
    r"\bnot\s+(?:above|below|over|under|anomal\w*|abnormal|normal|on|off|open|"
    r"closed)\b",
    re.I,
)
COMPOUND = re.compile(r"\b(and|or|but)\b", re.I)
ON_OFF = re.compile(r"\b(on|off|open|closed)\s*$", re.I)


def evaluate(condition: str, results: list[dict[str, Any]]) -> bool | None:
    """Whether `condition` holds on the results of the task it depends on.

    None when the condition is not one this code can decide (the task then does
    not run, and the answer says why).
    """
    if COMPOUND.search(condition):
        return None  # "above 0.5 and no alarm": two tests; not guessed at
    values = observed(results, condition)
    if not values["readings"] and not values["flags"] and not values["switches"]:
        return None
    negated = bool(NEGATION.search(condition))
    if (above := ABOVE.search(condition)) and values["readings"]:
        held = max(values["readings"]) > float(above.group(1))
    elif (below := BELOW.search(condition)) and values["readings"]:
        held = min(values["readings"]) < float(below.group(1))
    elif ANOMALOUS.search(condition) and values["flags"]:
        held = any(values["flags"])
    elif NORMAL.search(condition) and values["flags"]:
        held = not any(values["flags"])
    elif (state := ON_OFF.search(condition)) and values["switches"]:
        wanted = state.group(1).lower() in ("on", "open")
        held = any(v == wanted for v in values["switches"])
    else:
        return None
    return held != negated


def observed(results: list[dict[str, Any]], condition: str = "") -> dict[str, list]:
    """Anomaly flags, latest readings and on/off states in read results; the
    readings are of the setpoint when the condition names it."""
    keys = (
        ("setpoint",) if "setpoint" in condition.lower() else ("temperature", "value")
    )
    out: dict[str, list] = {"flags": [], "readings": [], "switches": []}
    for result in results:
        if not result.get("ok"):
            continue
        data = result.get("data")
        if result["tool"] == "query_telemetry":
            for row in data["devices"]:
                out["flags"].append(bool(row["anomalous"]))
                if row.get("last") is not None:
                    out["readings"].append(float(row["last"]))
        elif result["tool"] == "read_state":
            for row in data:
                state = row.get("state", {})
                if isinstance(state.get("on"), bool):
                    out["switches"].append(state["on"])
                if isinstance(state.get("position"), (int, float)):
                    out["switches"].append(state["position"] > 0)
                for key in keys:
                    if isinstance(state.get(key), (int, float)):
                        out["readings"].append(float(state[key]))
    return out
