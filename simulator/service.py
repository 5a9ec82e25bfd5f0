"""What the gateway does for each request, apart from HTTP: the site as JSON-able dicts.

`SiteService` joins the site model (what exists), the store (what state it is
in, what was done, what time it is) and the replay (what it measures). Every
method reads the store afresh. Errors are `CommandError`s carrying a sentence
and an HTTP status; the gateway turns them into `{"error": sentence}`.
"""

from __future__ import annotations

import difflib
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, get_args

import numpy as np

from simulator.commands import CommandRequest, plan_command
from simulator.errors import CommandError
from simulator.faults import Faults
from simulator.model import Device, DeviceType, Metric, SiteModel
from simulator.replay import Series, TelemetryReplay, from_epoch, to_epoch
from simulator.stats import downsample, summarise
from simulator.store import AuditEntry, ClockState, SiteStore, iso_z, parse_iso

# A clock far outside this range overflows the replay's datetime arithmetic.
CLOCK_MIN = datetime(1970, 1, 2, tzinfo=UTC)
CLOCK_MAX = datetime(2200, 1, 1, tzinfo=UTC)

logger = logging.getLogger(__name__)

DEFAULT_WINDOW = timedelta(hours=24)
"""The telemetry window when a request gives no start."""

MAX_WINDOW = timedelta(days=31)
"""The longest telemetry window one request may ask for."""

MAX_RAW_POINTS = 200_000
"""The most points a telemetry answer carries without `max_points`."""


class SiteService:
    """The simulated site behind the gateway API."""

    def __init__(self, site: SiteModel, db_path: Path, now: datetime | None = None):
        self.site = site
        self.store = SiteStore(db_path, site, now=now)
        self.replay = TelemetryReplay(site)
        self.faults = Faults()

    def now(self) -> datetime:
        """The site clock's current time (UTC)."""
        return self.store.clock().site_now()

    def site_info(self) -> dict[str, Any]:
        """Name, time, floors and areas of the site."""
        return {
            "name": self.site.name,
            "timezone": self.site.timezone,
            "now": iso_z(self.now()),
            "floors": [floor.model_dump() for floor in self.site.floors],
            "areas": [area.model_dump() for area in self.site.areas],
        }

    def devices(
        self, type: str | None = None, area: str | None = None, floor: str | None = None
    ) -> list[dict[str, Any]]:
        """The devices matching every filter given, as described by `describe`."""
        found = self.site.devices
        if type:
            types = get_args(DeviceType)
            if type not in types:
                raise CommandError(
                    f"There is no device type '{type}'; types are: {', '.join(types)}."
                )
            found = [d for d in found if d.type == type]
        if area:
            area_id = self._area_id(area)
            found = [d for d in found if d.area == area_id]
        if floor:
            floor_id = self._floor_id(floor)
            found = [d for d in found if d.floor == floor_id]
        return [self.describe(device) for device in found]

    def describe(self, device: Device) -> dict[str, Any]:
        """A device's names, place, unit, limits, actions, metrics and manuals."""
        area = self.site.area(device.area)
        return {
            "id": device.id,
            "name": device.name,
            "aliases": device.aliases,
            "type": device.type,
            "area": device.area,
            "area_name": area.name if area else None,
            "area_kind": area.kind if area else None,
            "floor": device.floor,
            "unit": device.unit,
            "limits": device.limits.model_dump() if device.limits else None,
            "actions": device.actions,
            "metrics": [
                metric.model_dump(exclude={"source"}) for metric in device.metrics
            ],
            "manuals": device.manuals,
            "private": device.private or bool(area and area.private),
        }

    def device(self, device_id: str) -> dict[str, Any]:
        """A device's description plus its state, with each metric's current reading."""
        device = self.find(device_id)
        at = to_epoch(self.now())
        state: dict[str, Any] = dict(self.store.state(device.id))
        history = self.store.history(device.id)
        readings = []
        for metric in device.metrics:
            reading = self.replay.reading(device, metric, at, history)
            state[metric.name] = reading.value if reading else None
            if reading:
                readings.append({**reading.model_dump(), "ts": iso_z(reading.ts)})
        return {**self.describe(device), "state": state, "readings": readings}

    def find(self, device_id: str) -> Device:
        """The device with this id, or a 404 `CommandError` suggesting near ids."""
        device = self.site.device(device_id)
        if device is None:
            raise CommandError(self._unknown_device(device_id), status=404)
        return device

    def command(self, device_id: str, request: CommandRequest) -> dict[str, Any]:
        """Check and apply a command; every attempt, refused or not, is audited."""
        ts = self.now()
        actor = request.actor or "api"
        device = self.site.device(device_id)
        try:
            if device is None:
                raise CommandError(self._unknown_device(device_id), status=404)
            patch = plan_command(device, request.action, request.value, request.unit)
        except CommandError as exc:
            target = device.id if device else device_id
            self.store.record_rejection(
                target,
                request.action,
                request.value,
                request.unit,
                actor,
                ts,
                exc.sentence,
            )
            logger.info("refused %s on %s: %s", request.action, target, exc.sentence)
            raise

        if device.id in self.faults.stuck:
            return self._stuck(device.id, request, actor, ts, patch)
        entry = self.store.apply_command(
            device.id,
            request.action or "",
            request.value,
            request.unit,
            actor,
            ts,
            patch,
        )
        logger.info(
            "%s %s on %s by %s: %s -> %s",
            request.action,
            request.value,
            device.id,
            actor,
            entry.before,
            entry.after,
        )
        return {
            "ok": True,
            "device": device.id,
            "action": entry.action,
            "value": entry.value,
            "unit": entry.unit,
            "before": entry.before,
            "after": entry.after,
            "audit_id": entry.id,
            "ts": iso_z(entry.ts),
        }

    def _stuck(
        self,
        device_id: str,
        request: CommandRequest,
        actor: str,
        ts: datetime,
        patch: dict[str, Any],
    ) -> dict[str, Any]:
        """Acknowledge a command whose actuator does not move (a simulated fault)."""
        entry = self.store.record_rejection(
            device_id,
            request.action,
            request.value,
            request.unit,
            actor,
            ts,
            "simulated fault: acknowledged, but the actuator did not move",
        )
        logger.warning("simulated stuck actuator on %s", device_id)
        before = entry.before or {}
        return {
            "ok": True,
            "device": device_id,
            "action": request.action,
            "value": request.value,
            "unit": request.unit,
            "before": before,
            "after": {**before, **patch},
            "audit_id": entry.id,
            "ts": iso_z(entry.ts),
        }

    def telemetry(
        self,
        device_id: str,
        metric: str | None,
        start: str | None,
        end: str | None,
        max_points: int | None,
    ) -> dict[str, Any]:
        """Samples of a metric in a window, bucket-averaged to `max_points` if given."""
        device, chosen = self._metric(device_id, metric)
        first, last = self._window(start, end)
        series = self._series(device, chosen, first, last)
        if max_points is not None:
            series = downsample(series, first, last, max_points)
        elif len(series) > MAX_RAW_POINTS:
            raise CommandError(
                f"The window holds {len(series)} points of {device.id} "
                f"{chosen.name}; ask for max_points (e.g. 500) or a shorter window."
            )
        return {
            **self._header(device, chosen, first, last),
            "count": len(series),
            "points": _points(series),
        }

    def summary(
        self, device_id: str, metric: str | None, start: str | None, end: str | None
    ) -> dict[str, Any]:
        """Statistics of one metric over a window (default: the last 24 hours)."""
        device, chosen = self._metric(device_id, metric)
        first, last = self._window(start, end)
        stats = summarise(
            self._series(device, chosen, first, last),
            chosen.alarm_high,
            chosen.alarm_low,
        )
        body = stats.model_dump()
        for key in ("last_ts", "max_ts"):
            if body[key] is not None:
                body[key] = iso_z(from_epoch(round(body[key])))
        return {
            **self._header(device, chosen, first, last),
            **body,
            "alarm_high": chosen.alarm_high,
            "alarm_low": chosen.alarm_low,
        }

    def clock(self) -> dict[str, Any]:
        """The clock as JSON: site now, speed, and the wall time it was last set."""
        return _clock_json(self.store.clock())

    def set_clock(self, now: str | None, speed: float | None) -> dict[str, Any]:
        """Move the clock (a new replay point) and/or change its speed."""
        if now is None and speed is None:
            raise CommandError("Send now (ISO 8601 UTC), speed (0 or more), or both.")
        when = self._time("now", now) if now is not None else None
        if when is not None and not CLOCK_MIN <= when <= CLOCK_MAX:
            raise CommandError(
                f"The site clock must lie between {CLOCK_MIN:%Y} and {CLOCK_MAX:%Y}; "
                f"{when.isoformat()} is outside."
            )
        return _clock_json(self.store.set_clock(when, speed))

    def audit(self, limit: int, device: str | None) -> list[dict[str, Any]]:
        """Newest-first audit entries as JSON."""
        return [_audit_json(entry) for entry in self.store.audit(limit, device)]

    def _series(
        self, device: Device, metric: Metric, first: float, last: float
    ) -> Series:
        history = self.store.history(device.id)
        return self.replay.window(device, metric, first, last, history)

    def _header(
        self, device: Device, metric: Metric, first: float, last: float
    ) -> dict[str, Any]:
        return {
            "device": device.id,
            "metric": metric.name,
            "unit": metric.unit,
            "start": iso_z(from_epoch(first)),
            "end": iso_z(from_epoch(last)),
        }

    def _metric(self, device_id: str, name: str | None) -> tuple[Device, Metric]:
        device = self.find(device_id)
        names = ", ".join(m.name for m in device.metrics)
        if not device.metrics:
            raise CommandError(f"{device.id} reports no telemetry.")
        if not name:
            return device, device.metrics[0]
        metric = device.metric(name)
        if metric is None:
            raise CommandError(
                f"{device.id} has no metric '{name}'; its metrics are: {names}."
            )
        return device, metric

    def _window(self, start: str | None, end: str | None) -> tuple[float, float]:
        last = self._time("end", end) if end else self.now()
        first = self._time("start", start) if start else last - DEFAULT_WINDOW
        if first > last:
            raise CommandError(
                f"start {iso_z(first)} is after end {iso_z(last)}; swap them."
            )
        if last - first > MAX_WINDOW:
            raise CommandError(
                f"The window {iso_z(first)} to {iso_z(last)} is longer than "
                f"{MAX_WINDOW.days} days; ask for a shorter one."
            )
        return to_epoch(first), to_epoch(last)

    @staticmethod
    def _time(name: str, text: str) -> datetime:
        try:
            return parse_iso(text)
        except ValueError as exc:
            raise CommandError(
                f"{name} '{text}' is not an ISO 8601 time; send e.g. "
                "2026-06-15T12:00:00Z."
            ) from exc

    def _area_id(self, text: str) -> str:
        wanted = text.strip().casefold()
        for area in self.site.areas:
            names = [area.id, area.name, *area.aliases]
            if wanted in (name.casefold() for name in names):
                return area.id
        known = ", ".join(f"{a.id} ({a.name})" for a in self.site.areas)
        raise CommandError(f"No area is called '{text}'; areas are: {known}.")

    def _floor_id(self, text: str) -> int:
        wanted = text.strip().casefold()
        for floor in self.site.floors:
            if wanted in (str(floor.id), floor.name.casefold()):
                return floor.id
        known = ", ".join(f"{f.id} ({f.name})" for f in self.site.floors)
        raise CommandError(f"There is no floor '{text}'; floors are: {known}.")

    def _unknown_device(self, device_id: str) -> str:
        names = {d.id.casefold(): d.id for d in self.site.devices}
        for device in self.site.devices:
            for name in (device.name, *device.aliases):
                names.setdefault(name.casefold(), device.id)
        close = difflib.get_close_matches(device_id.casefold(), list(names), n=3)
        hint = ""
        if close:
            hint = f" Did you mean {', '.join(dict.fromkeys(names[c] for c in close))}?"
        return (
            f"No device has id '{device_id}'.{hint} "
            "List the devices with GET /api/devices."
        )


def _points(series: Series) -> list[list[Any]]:
    stamps = np.datetime_as_string(
        np.round(series.times).astype("datetime64[s]"), unit="s"
    )
    return [
        [f"{stamp}Z", value]
        for stamp, value in zip(stamps, series.values.tolist(), strict=True)
    ]


def _clock_json(clock: ClockState) -> dict[str, Any]:
    return {
        "now": iso_z(clock.site_now()),
        "speed": clock.speed,
        "set_at": iso_z(clock.set_at),
    }


def _audit_json(entry: AuditEntry) -> dict[str, Any]:
    body = entry.model_dump()
    body["ts"] = iso_z(entry.ts)
    body["recorded_at"] = iso_z(entry.recorded_at)
    return body
