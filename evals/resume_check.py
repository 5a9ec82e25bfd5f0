"""A killed process resumes its thread: pause `fieldpilot chat` on a critical
request, kill it (SIGKILL), then approve from a new agent; the thread must finish
from the checkpointer and the pump must stop.
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any


def killed_process_resumes(settings: Any, home: Path) -> dict[str, Any]:
    """Pause a thread on a critical request in `fieldpilot chat`, kill the process,
    then approve from a new agent: the thread must finish from the checkpointer."""
    from agent.runtime import local_model_file, open_agent

    home.mkdir(parents=True)
    shutil.copytree(settings.manuals_index_dir, home / "manuals-index")
    env = {**os.environ, "FIELDPILOT_HOME": str(home)}
    if settings.local_model_path is None:
        env["FIELDPILOT_LOCAL_MODEL_PATH"] = str(local_model_file(settings))
    thread = "killed-1"
    seen = pause_in_killed_chat(env, thread, "stop pump P-1")
    resumed = settings.model_copy(
        update={"home": home, "local_model_path": local_model_file(settings)}
    )
    with open_agent(resumed) as agent:
        pending = agent.pending(thread)
        if not pending:
            return {"passed": False, "why": f"no pending question: {seen[-3:]}"}
        answer = agent.resume(thread, approve=True)
        state = agent.context.toolbox.gateway.device("P-1")["state"]
    ok = state.get("on") is False
    return {"passed": ok, "why": "" if ok else answer.answer, "answer": answer.answer}


def pause_in_killed_chat(
    env: dict[str, str], thread: str, request: str, timeout: float = 600
) -> list[str]:
    """Send `request` to `fieldpilot chat --thread THREAD`, read until it asks for
    approval (or gives up after `timeout` s), then kill the process (SIGKILL);
    returns the lines it printed."""
    chat = subprocess.Popen(
        [sys.executable, "-m", "agent", "chat", "--thread", thread],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**env, "PYTHONUNBUFFERED": "1"},
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(
        target=lambda: [lines.put(line) for line in iter(chat.stdout.readline, "")],
        daemon=True,
    )
    reader.start()
    chat.stdin.write(request + "\n")
    chat.stdin.flush()
    seen, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline and not any("Approve" in s for s in seen):
        try:
            seen.append(lines.get(timeout=max(deadline - time.monotonic(), 0.01)))
        except queue.Empty:
            break
    chat.send_signal(signal.SIGKILL)
    chat.wait()
    reader.join(timeout=10)
    chat.stdin.close()
    chat.stdout.close()
    return seen
