"""Work orders in SQLite: open one for a device, list them.

The store is the site's small CMMS by default; a site with its own CMMS replaces
this module's store behind the same two tools.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import Field

from tools.base import Source, ToolArgs, ToolResult
from tools.errors import ToolError

Priority = Literal["low", "medium", "high", "urgent"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS work_orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    device TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    priority TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    resolution TEXT,
    closed_at TEXT
)
"""
COLUMNS = {"resolution": "TEXT", "closed_at": "TEXT"}


class OpenWorkOrderArgs(ToolArgs):
    """Arguments of open_work_order."""

    device: str = Field(description="The device id, e.g. P-2.")
    title: str = Field(min_length=3, max_length=200)
    description: str = Field(default="", max_length=4000)
    priority: Priority = "medium"


class ListWorkOrdersArgs(ToolArgs):
    """Arguments of list_work_orders."""

    device: str | None = None
    status: Literal["open", "closed", "any"] = "open"


class WorkOrderStore:
    """Work orders in one SQLite file; safe to share between processes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.execute(SCHEMA)
            have = {r["name"] for r in conn.execute("PRAGMA table_info(work_orders)")}
            for name, kind in COLUMNS.items():
                if name not in have:  # a store made before resolutions existed
                    conn.execute(f"ALTER TABLE work_orders ADD COLUMN {name} {kind}")

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=10)
        conn.row_factory = sqlite3.Row
        return conn

    def open(self, args: OpenWorkOrderArgs, actor: str = "fieldpilot") -> dict:
        """Create a work order and return it."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._connect() as conn:
            cur = conn.execute(
                "INSERT INTO work_orders (device, title, description, priority,"
                " created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)",
                (args.device, args.title, args.description, args.priority, now, actor),
            )
            row = conn.execute(
                "SELECT * FROM work_orders WHERE id = ?", (cur.lastrowid,)
            ).fetchone()
        return as_dict(row)

    def get(self, number: str) -> dict | None:
        """One work order by its number (WO-0001) or id, or None."""
        digits = number.upper().removeprefix("WO-")
        if not digits.isdigit():
            return None
        with self._connect() as conn:
            row = conn.execute(
                "SELECT * FROM work_orders WHERE id = ?", (int(digits),)
            ).fetchone()
        return as_dict(row) if row else None

    def close(self, number: str, resolution: str) -> dict:
        """Close a work order with what fixed it; raises ToolError if unknown."""
        order = self.get(number)
        if order is None:
            raise ToolError(f"No work order {number!r}; list them to find its number.")
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._connect() as conn:
            conn.execute(
                "UPDATE work_orders SET status = 'closed', resolution = ?, "
                "closed_at = ? WHERE id = ?",
                (resolution, now, order["id"]),
            )
        return self.get(number) or order

    def list(self, args: ListWorkOrdersArgs) -> list[dict]:
        """Work orders matching the filters, newest first."""
        query, params = "SELECT * FROM work_orders WHERE 1=1", []
        if args.device:
            query += " AND device = ?"
            params.append(args.device)
        if args.status != "any":
            query += " AND status = ?"
            params.append(args.status)
        with self._connect() as conn:
            rows = conn.execute(query + " ORDER BY id DESC", params).fetchall()
        return [as_dict(r) for r in rows]


def as_dict(row: sqlite3.Row) -> dict:
    """A work-order row as JSON-able data with a readable id."""
    data = dict(row)
    data["number"] = f"WO-{data['id']:04d}"
    return data


def open_work_order(
    store: WorkOrderStore, known_devices: set[str], args: OpenWorkOrderArgs
) -> ToolResult:
    """Open a work order for a known device."""
    if args.device not in known_devices:
        return ToolResult.failure(
            f"No device {args.device!r}: open work orders against a device id "
            "such as P-2 (find it with find_devices)."
        )
    order = store.open(args)
    return ToolResult.success(order, sources=[Source(device=args.device)])


def list_work_orders(store: WorkOrderStore, args: ListWorkOrdersArgs) -> ToolResult:
    """List work orders, optionally for one device."""
    return ToolResult.success(store.list(args))
