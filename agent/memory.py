"""Memory: the short-term checkpointer of conversation threads, and the long-term
store of episodes (what was asked, what was done, how it ended).

Threads live in SQLite under FIELDPILOT_HOME, or in PostgreSQL when
FIELDPILOT_DATABASE_URL points at one, so several workers share them and a
paused confirmation survives a restart. Episodes are recalled by the devices and
words they share with a new request; a work order opened in an episode and later
closed brings its resolution along ("re-greased the bearing").
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from langgraph.checkpoint.sqlite import SqliteSaver

from agent.config import Settings
from agent.errors import ConfigError
from agent.policy import ID_LIKE

log = logging.getLogger(__name__)


@contextlib.contextmanager
def open_checkpointer(settings: Settings) -> Iterator[Any]:
    """The configured LangGraph checkpointer, closed on exit."""
    if settings.database_url is None:
        settings.home.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(settings.threads_db, check_same_thread=False)
        try:
            yield SqliteSaver(conn)
        finally:
            conn.close()
        return
    with postgres_checkpointer(settings.database_url.get_secret_value()) as saver:
        yield saver


@contextlib.contextmanager
def postgres_checkpointer(url: str) -> Iterator[Any]:
    """A PostgreSQL checkpointer whose tables exist."""
    try:
        import psycopg
        from langgraph.checkpoint.postgres import PostgresSaver
        from psycopg.rows import dict_row
    except ImportError as exc:
        raise ConfigError(
            "FIELDPILOT_DATABASE_URL needs the PostgreSQL extra: "
            "pip install 'fieldpilot[postgres]'."
        ) from exc
    try:
        conn = psycopg.connect(
            url, autocommit=True, prepare_threshold=0, row_factory=dict_row
        )
    except psycopg.Error as exc:
        raise ConfigError(
            f"Cannot connect to the database in FIELDPILOT_DATABASE_URL ({exc}). "
            "Check that PostgreSQL runs and the URL is right, or unset it to keep "
            "conversations in SQLite."
        ) from exc
    with conn:
        saver = PostgresSaver(conn)
        saver.setup()
        yield saver


ANSWERS = """
CREATE TABLE IF NOT EXISTS fieldpilot_answers (
    thread TEXT NOT NULL,
    checkpoint TEXT NOT NULL,
    approve BOOLEAN NOT NULL,
    ts TEXT NOT NULL,
    PRIMARY KEY (thread, checkpoint)
)
"""


STALE_ANSWER_S = 600


class AnswerLog:
    """The answers people gave to paused threads, in the checkpointer's own
    database. `claim` records one atomically: the first answer to a pause wins,
    so two windows or workers resuming the same thread cannot both act."""

    def __init__(self, saver: Any) -> None:
        self._saver = saver
        self._postgres = not isinstance(saver, SqliteSaver)
        with self._saver.lock:
            self._saver.conn.execute(ANSWERS)
            self._commit()

    @classmethod
    def of(cls, saver: Any) -> AnswerLog | None:
        """The log in `saver`'s database; None for a saver without one (memory)."""
        if isinstance(saver, SqliteSaver) or type(saver).__name__ == "PostgresSaver":
            return cls(saver)
        return None

    def _commit(self) -> None:
        if not self._postgres:
            self._saver.conn.commit()

    def claim(self, thread: str, checkpoint: str, approve: bool) -> bool:
        """Record an answer to the pause at `checkpoint`; False if one exists."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        marker = "%s" if self._postgres else "?"
        sql = (
            "INSERT INTO fieldpilot_answers (thread, checkpoint, approve, ts) "
            f"VALUES ({', '.join([marker] * 4)}) ON CONFLICT DO NOTHING"
        )
        with self._saver.lock:
            cursor = self._saver.conn.execute(sql, (thread, checkpoint, approve, now))
            self._commit()
            if cursor.rowcount == 1:
                return True
        return self._take_over_stale(thread, checkpoint, approve, now, marker)

    def _take_over_stale(
        self, thread: str, checkpoint: str, approve: bool, now: str, marker: str
    ) -> bool:
        """Take over an answer whose worker died before finishing (the pause is
        still there) once it is older than STALE_ANSWER_S."""
        stale = datetime.now(UTC) - timedelta(seconds=STALE_ANSWER_S)
        sql = (
            f"UPDATE fieldpilot_answers SET approve = {marker}, ts = {marker} "
            f"WHERE thread = {marker} AND checkpoint = {marker} AND ts < {marker}"
        )
        params = (approve, now, thread, checkpoint, stale.isoformat(timespec="seconds"))
        with self._saver.lock:
            cursor = self._saver.conn.execute(sql, params)
            self._commit()
            return cursor.rowcount == 1


EPISODES = """
CREATE TABLE IF NOT EXISTS episodes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts TEXT NOT NULL,
    thread TEXT NOT NULL,
    request TEXT NOT NULL,
    devices TEXT NOT NULL,
    actions TEXT NOT NULL,
    outcome TEXT NOT NULL,
    summary TEXT NOT NULL
)
"""
WORD = re.compile(r"[a-z]{3,}")
STOP = {"the", "and", "for", "with", "that", "this", "what", "how", "are", "was"}
PREFIX = 5


def terms(text: str) -> set[str]:
    """The content words of a text, cut to their first letters so that
    "vibrated", "vibration" and "vibrating" meet."""
    return {w[:PREFIX] for w in WORD.findall(text.lower()) if w not in STOP}


def device_ids(text: str) -> set[str]:
    """Device-id-shaped words of a text, upper case."""
    return {ref.upper() for ref in ID_LIKE.findall(text)}


class EpisodeStore:
    """Episodes in one SQLite file: record after a turn, recall before planning."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.execute(EPISODES)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=10)
        conn.row_factory = sqlite3.Row
        return conn

    def record(
        self,
        thread: str,
        request: str,
        devices: list[str],
        actions: list[dict[str, Any]],
        outcome: str,
        summary: str,
    ) -> int:
        """Store one episode; returns its id."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._connect() as conn:
            cur = conn.execute(
                "INSERT INTO episodes (ts, thread, request, devices, actions, "
                "outcome, summary) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    now,
                    thread,
                    request,
                    json.dumps(sorted(devices)),
                    json.dumps(actions, default=str),
                    outcome,
                    summary,
                ),
            )
        return int(cur.lastrowid)

    def recall(
        self, request: str, named: set[str] | None = None, limit: int = 3
    ) -> list[dict[str, Any]]:
        """The earlier episodes most like `request`: same device and shared words.

        `named` are the devices the request names by name or alias (ids are
        found in the text). An episode about devices counts only if it shares
        one with the request, and only with at least one content word besides.
        """
        wanted_devices = device_ids(request) | (named or set())
        wanted_terms = terms(request)
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT * FROM episodes ORDER BY id DESC LIMIT 500"
            ).fetchall()
        scored = []
        for row in rows:
            devices = set(json.loads(row["devices"]))
            if (wanted_devices or devices) and not wanted_devices & devices:
                continue
            shared = wanted_terms & terms(row["request"] + " " + row["summary"])
            if not shared:
                continue
            score = len(shared) / len(wanted_terms | terms(row["request"]))
            scored.append((score + len(wanted_devices & devices), row))
        scored.sort(key=lambda pair: -pair[0])
        return [episode(row) for _, row in scored[:limit]]


def episode(row: sqlite3.Row) -> dict[str, Any]:
    """An episode row as JSON-able data."""
    return {
        "id": row["id"],
        "ts": row["ts"],
        "request": row["request"],
        "devices": json.loads(row["devices"]),
        "actions": json.loads(row["actions"]),
        "outcome": row["outcome"],
        "summary": row["summary"],
    }
