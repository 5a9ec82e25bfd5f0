"""The site's mutable state, its audit log and its clock, kept in one SQLite file.

Every call opens its own connection and reads the database afresh, so several
gateway processes on one file see each other's changes. The file runs in WAL
mode; a command reads the state, writes the new state and appends its audit
row in one `BEGIN IMMEDIATE` transaction.

Tables: `device_state` (device id → JSON state), `audit` (one row per command,
accepted or refused; `ts` is site time, `recorded_at` wall time, both UTC) and
`clock` (one row: the site time `now` at wall time `set_at`, and its `speed`).
"""

from __future__ import annotations

import json
import logging
import math
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from simulator.errors import SimulatorError
from simulator.model import SiteModel, as_utc

logger = logging.getLogger(__name__)

State = dict[str, bool | float]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS device_state (
    device TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    device TEXT NOT NULL,
    action TEXT,
    value TEXT,
    unit TEXT,
    ok INTEGER NOT NULL,
    error TEXT,
    actor TEXT NOT NULL,
    before TEXT,
    after TEXT
);
CREATE INDEX IF NOT EXISTS audit_device ON audit (device, id);
CREATE TABLE IF NOT EXISTS clock (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    now TEXT NOT NULL,
    speed REAL NOT NULL,
    set_at TEXT NOT NULL
);
"""


def iso_z(value: datetime) -> str:
    """Format a datetime as ISO 8601 UTC with a trailing Z (milliseconds if any)."""
    value = as_utc(value)
    spec = "milliseconds" if value.microsecond else "seconds"
    return value.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def parse_iso(text: str) -> datetime:
    """Parse ISO 8601 text (a trailing Z allowed, naive taken as UTC) to UTC."""
    text = text.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    return as_utc(datetime.fromisoformat(text))


def _stamp(value: datetime) -> str:
    # Fixed-width so that text order is time order inside SQLite.
    return as_utc(value).replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


class AuditEntry(BaseModel):
    """One command as audited: what was asked, by whom, and what it changed."""

    model_config = ConfigDict(frozen=True)

    id: int
    ts: datetime
    recorded_at: datetime
    device: str
    action: str | None
    value: Any = None
    unit: str | None = None
    ok: bool
    error: str | None = None
    actor: str
    before: State | None = None
    after: State | None = None


class ClockState(BaseModel):
    """The site clock: site time `now` at wall time `set_at`, running at `speed`."""

    model_config = ConfigDict(frozen=True)

    now: datetime
    speed: float
    set_at: datetime

    def site_now(self, wall: datetime | None = None) -> datetime:
        """The site time at wall time `wall` (default: the present)."""
        wall = as_utc(wall) if wall else datetime.now(UTC)
        return self.now + (wall - self.set_at) * self.speed


class SiteStore:
    """Device state, audit log and clock of one site in a SQLite file."""

    def __init__(self, db_path: Path, site: SiteModel, now: datetime | None = None):
        self._path = Path(db_path)
        self._site = site
        self._initial = {device.id: dict(device.state) for device in site.devices}
        self._initialise(now)

    @property
    def path(self) -> Path:
        """The SQLite file."""
        return self._path

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            connection = sqlite3.connect(self._path, timeout=10, isolation_level=None)
        except sqlite3.Error as exc:
            raise SimulatorError(
                f"Cannot open the site database {self._path} ({exc}). "
                "Check that its folder exists and is writable."
            ) from exc
        with closing(connection):
            connection.execute("PRAGMA busy_timeout = 10000")
            yield connection

    def _initialise(self, now: datetime | None) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        stamp = _stamp(datetime.now(UTC))
        with self._connect() as db:
            db.execute("PRAGMA journal_mode = WAL")
            db.executescript(_SCHEMA)
            db.execute("BEGIN IMMEDIATE")
            db.executemany(
                "INSERT OR IGNORE INTO device_state VALUES (?, ?, ?)",
                [(d, json.dumps(s), stamp) for d, s in self._initial.items()],
            )
            clock = self._site.clock
            db.execute(
                "INSERT OR IGNORE INTO clock VALUES (1, ?, ?, ?)",
                (_stamp(clock.now), clock.speed, stamp),
            )
            db.execute("COMMIT")
        if now is not None:
            self.set_clock(now, speed=0.0)
        logger.debug("site store ready at %s", self._path)

    def state(self, device_id: str) -> State:
        """The device's current state (YAML initial state overlaid by the database)."""
        with self._connect() as db:
            row = db.execute(
                "SELECT state FROM device_state WHERE device = ?", (device_id,)
            ).fetchone()
        stored = json.loads(row[0]) if row else {}
        return {**self._initial.get(device_id, {}), **stored}

    def apply_command(
        self,
        device_id: str,
        action: str,
        value: Any,
        unit: str | None,
        actor: str,
        ts: datetime,
        patch: State,
    ) -> AuditEntry:
        """Apply `patch` to the device's state and audit it, in one transaction."""
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            row = db.execute(
                "SELECT state FROM device_state WHERE device = ?", (device_id,)
            ).fetchone()
            before = {**self._initial.get(device_id, {}), **json.loads(row[0] or "{}")}
            after = {**before, **patch}
            db.execute(
                "INSERT OR REPLACE INTO device_state VALUES (?, ?, ?)",
                (device_id, json.dumps(after), _stamp(datetime.now(UTC))),
            )
            audit_id = self._insert_audit(
                db, ts, device_id, action, value, unit, True, None, actor, before, after
            )
            db.execute("COMMIT")
        return self.audit_entry(audit_id)

    def record_rejection(
        self,
        device_id: str,
        action: str | None,
        value: Any,
        unit: str | None,
        actor: str,
        ts: datetime,
        error: str,
    ) -> AuditEntry:
        """Audit a refused command; the device's state is left as it was."""
        known = device_id in self._initial
        before = self.state(device_id) if known else None
        with self._connect() as db:
            audit_id = self._insert_audit(
                db,
                ts,
                device_id,
                action,
                value,
                unit,
                False,
                error,
                actor,
                before,
                before,
            )
        return self.audit_entry(audit_id)

    @staticmethod
    def _insert_audit(db: sqlite3.Connection, ts: datetime, *fields: Any) -> int:
        device, action, value, unit, ok, error, actor, before, after = fields
        cursor = db.execute(
            "INSERT INTO audit (ts, recorded_at, device, action, value, unit, ok,"
            " error, actor, before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                _stamp(ts),
                _stamp(datetime.now(UTC)),
                device,
                action,
                _json_or_none(value),
                unit,
                int(ok),
                error,
                actor,
                _json_or_none(before),
                _json_or_none(after),
            ),
        )
        return int(cursor.lastrowid or 0)

    def audit_entry(self, audit_id: int) -> AuditEntry:
        """The audit row with this id."""
        rows = self._audit_rows("WHERE id = ?", (audit_id,), 1)
        if not rows:
            raise SimulatorError(f"Audit entry {audit_id} does not exist.")
        return rows[0]

    def audit(self, limit: int = 50, device: str | None = None) -> list[AuditEntry]:
        """The newest `limit` audit entries, newest first, optionally for one device."""
        if device:
            return self._audit_rows("WHERE device = ? COLLATE NOCASE", (device,), limit)
        return self._audit_rows("", (), limit)

    def _audit_rows(self, where: str, args: tuple, limit: int) -> list[AuditEntry]:
        query = f"SELECT * FROM audit {where} ORDER BY id DESC LIMIT ?"
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            rows = db.execute(query, (*args, limit)).fetchall()
        return [_entry(row) for row in rows]

    def history(self, device_id: str) -> list[tuple[float, State]]:
        """The device's states oldest first, as (site epoch seconds, state).

        The first entry is the YAML initial state, in effect since `-inf`; each
        accepted command adds the state it left, at the site time it was sent.
        """
        with self._connect() as db:
            rows = db.execute(
                "SELECT ts, after FROM audit WHERE device = ? AND ok = 1 "
                "ORDER BY ts, id",
                (device_id,),
            ).fetchall()
        history: list[tuple[float, State]] = [
            (-math.inf, dict(self._initial.get(device_id, {})))
        ]
        history += [
            (parse_iso(ts).timestamp(), json.loads(after)) for ts, after in rows
        ]
        return history

    def clock(self) -> ClockState:
        """The site clock as the database holds it now."""
        with self._connect() as db:
            now, speed, set_at = db.execute(
                "SELECT now, speed, set_at FROM clock WHERE id = 1"
            ).fetchone()
        return ClockState(now=parse_iso(now), speed=speed, set_at=parse_iso(set_at))

    def set_clock(
        self, now: datetime | None = None, speed: float | None = None
    ) -> ClockState:
        """Move the site clock to `now` and/or change its speed; returns the clock."""
        current = self.clock()
        wall = datetime.now(UTC)
        new_now = as_utc(now) if now is not None else current.site_now(wall)
        new_speed = current.speed if speed is None else float(speed)
        with self._connect() as db:
            db.execute(
                "UPDATE clock SET now = ?, speed = ?, set_at = ? WHERE id = 1",
                (_stamp(new_now), new_speed, _stamp(wall)),
            )
        logger.info("site clock set to %s at speed %s", iso_z(new_now), new_speed)
        return self.clock()


def _json_or_none(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


def _entry(row: sqlite3.Row) -> AuditEntry:
    def load(text: str | None) -> Any:
        return None if text is None else json.loads(text)

    return AuditEntry(
        id=row["id"],
        ts=parse_iso(row["ts"]),
        recorded_at=parse_iso(row["recorded_at"]),
        device=row["device"],
        action=row["action"],
        value=load(row["value"]),
        unit=row["unit"],
        ok=bool(row["ok"]),
        error=row["error"],
        actor=row["actor"],
        before=load(row["before"]),
        after=load(row["after"]),
    )
