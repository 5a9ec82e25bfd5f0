"""The site model: floors, areas and devices as read from a site's `site.yaml`.

A site folder holds `site.yaml`, the recorded telemetry it replays (`telemetry/`)
and the manuals its devices refer to (`manuals/`). `load_site` reads and checks
the YAML and returns a `SiteModel`; every problem becomes a `SiteModelError`.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from simulator.errors import SiteModelError

logger = logging.getLogger(__name__)

DEMO_SITE_DIR = Path(__file__).resolve().parent / "sites" / "demo"
"""The packaged demo site (an office block with a plant room, workshop and hangar)."""

DeviceType = Literal[
    "hvac",
    "light",
    "valve",
    "chiller",
    "machine",
    "pump",
    "drone",
    "ahu",
    "heat_pump",
    "printer",
    "router",
    "gateway",
]
Action = Literal["turn_on", "turn_off", "set_setpoint", "set_position"]

ACTION_STATE_KEYS: dict[str, str] = {
    "turn_on": "on",
    "turn_off": "on",
    "set_setpoint": "setpoint",
    "set_position": "position",
}
"""The state key each action changes; a device with the action must have the key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def as_utc(value: datetime) -> datetime:
    """Return `value` as an aware UTC datetime; naive values are taken to be UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class RecordedSource(_Strict):
    """A column of a recorded file replayed on the site clock."""

    file: str = Field(description="Path relative to the site folder.")
    format: Literal["csv", "jsonl"] = "csv"
    separator: str = ","
    timestamp_column: str = "timestamp"
    value_column: str
    recording_now: datetime = Field(
        description="The recording time (UTC) that plays at the site clock's now."
    )
    loop: bool = False

    @field_validator("recording_now")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return as_utc(value)


class SyntheticSource(_Strict):
    """A metric computed from the device's state, for devices without a recording."""

    synthetic: Literal["setpoint_follow", "battery"]
    offset: float = Field(0.0, description="Steady offset from the setpoint.")
    idle: float = Field(
        26.0, description="Where the value drifts when the device is off."
    )
    tau_minutes: float = Field(30.0, gt=0, description="Time constant of the drift.")
    daily_amplitude: float = 0.4
    capacity: float = Field(100.0, description="Battery: charge when full, in %.")
    cycle_minutes: float = Field(
        120.0, gt=0, description="Battery: fly-and-charge cycle."
    )


class Metric(_Strict):
    """One telemetry quantity of a device, with its unit and optional alarm limits."""

    name: str
    unit: str
    description: str | None = None
    source: RecordedSource | SyntheticSource
    alarm_high: float | None = None
    alarm_low: float | None = None


class Limits(_Strict):
    """The allowed range of a device's setpoint or position, in the device's unit."""

    min: float
    max: float

    @model_validator(mode="after")
    def _ordered(self) -> Limits:
        if self.min > self.max:
            raise ValueError(f"limits min {self.min} is above max {self.max}")
        return self


class Floor(_Strict):
    """A floor of the building."""

    id: int
    name: str


class Area(_Strict):
    """A room or zone on one floor; aliases are what people call it."""

    id: str
    name: str
    floor: int
    kind: str
    aliases: list[str] = Field(default_factory=list)
    private: bool = False  # requests naming it are never sent to a cloud model


class Device(_Strict):
    """A device on the site: what people call it, where it is, what it can do."""

    id: str
    name: str
    aliases: list[str] = Field(default_factory=list)
    type: DeviceType
    area: str
    floor: int | None = None
    unit: str | None = None
    limits: Limits | None = None
    actions: list[Action] = Field(default_factory=list)
    metrics: list[Metric] = Field(default_factory=list)
    manuals: list[str] = Field(default_factory=list)
    state: dict[str, bool | float] = Field(default_factory=dict)
    private: bool = False  # requests naming it are never sent to a cloud model

    @model_validator(mode="after")
    def _consistent(self) -> Device:
        for action in self.actions:
            key = ACTION_STATE_KEYS[action]
            if key not in self.state:
                raise ValueError(f"action {action} needs '{key}' in the initial state")
        if {"set_setpoint", "set_position"} & set(self.actions) and not self.limits:
            raise ValueError("a device with set_setpoint or set_position needs limits")
        names = [metric.name for metric in self.metrics]
        if len(names) != len(set(names)):
            raise ValueError(f"metric names repeat: {names}")
        if clash := set(names) & set(self.state):
            raise ValueError(f"metric names {sorted(clash)} clash with state keys")
        return self

    def metric(self, name: str) -> Metric | None:
        """Return the metric called `name`, or None."""
        return next((m for m in self.metrics if m.name == name), None)


class Clock(_Strict):
    """The site clock: the instant called now, and how fast time runs from it."""

    now: datetime
    speed: float = Field(0.0, ge=0, description="0 = frozen, 1 = real time.")

    @field_validator("now")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return as_utc(value)


class SiteModel(_Strict):
    """A whole site: its clock, floors, areas and devices."""

    name: str
    timezone: Literal["UTC"] = "UTC"
    clock: Clock
    floors: list[Floor]
    areas: list[Area]
    devices: list[Device]
    _directory: Path = PrivateAttr(default=DEMO_SITE_DIR)

    @property
    def directory(self) -> Path:
        """The folder the site was loaded from; recorded files are relative to it."""
        return self._directory

    def device(self, device_id: str) -> Device | None:
        """Return the device with this id (case-insensitive), or None."""
        wanted = device_id.strip().casefold()
        return next((d for d in self.devices if d.id.casefold() == wanted), None)

    def area(self, area_id: str) -> Area | None:
        """Return the area with this id (case-insensitive), or None."""
        wanted = area_id.strip().casefold()
        return next((a for a in self.areas if a.id.casefold() == wanted), None)

    def floor(self, floor_id: int) -> Floor | None:
        """Return the floor with this id, or None."""
        return next((f for f in self.floors if f.id == floor_id), None)

    @model_validator(mode="after")
    def _references(self) -> SiteModel:
        _check_unique("floor id", [f.id for f in self.floors])
        _check_unique("area id", [a.id.casefold() for a in self.areas])
        _check_unique("device id", [d.id.casefold() for d in self.devices])
        floor_ids = {f.id for f in self.floors}
        for area in self.areas:
            if area.floor not in floor_ids:
                raise ValueError(f"area {area.id} is on floor {area.floor}, not listed")
        for device in self.devices:
            area = self.area(device.area)
            if area is None:
                raise ValueError(f"device {device.id} is in unknown area {device.area}")
            if device.floor is not None and device.floor != area.floor:
                raise ValueError(f"device {device.id} floor differs from its area's")
        return self


def _check_unique(what: str, values: list[object]) -> None:
    seen: set[object] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{what} {value} appears twice")
        seen.add(value)


class _SiteLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A YAML loader where only true/false are booleans, so `on:` stays a key."""


_SiteLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_SiteLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def load_site(site_dir: Path) -> SiteModel:
    """Read `site_dir/site.yaml`, check it and the files it names, and return it."""
    path = Path(site_dir) / "site.yaml"
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_SiteLoader)
    except OSError as exc:
        raise SiteModelError(
            f"Cannot read the site model {path}: {exc.strerror}. "
            "Point at a folder that holds a site.yaml."
        ) from exc
    except yaml.YAMLError as exc:
        raise SiteModelError(
            f"The site model {path} is not valid YAML ({exc}). Fix the line it names."
        ) from exc
    if not isinstance(raw, dict):
        raise SiteModelError(
            f"The site model {path} must be a YAML mapping at the top."
        )

    if raw.get("devices") is None:
        raw["devices"] = []
    try:
        site = SiteModel.model_validate(raw)
    except ValidationError as exc:
        raise SiteModelError(_describe(path, exc)) from exc
    site._directory = Path(site_dir).resolve()
    site = _with_floors(site)
    _check_files(site)
    logger.debug("loaded site %s with %d devices", site.name, len(site.devices))
    return site


def _with_floors(site: SiteModel) -> SiteModel:
    devices = [
        d
        if d.floor is not None
        else d.model_copy(update={"floor": site.area(d.area).floor})
        for d in site.devices
    ]
    filled = site.model_copy(update={"devices": devices})
    filled._directory = site.directory
    return filled


def _describe(path: Path, exc: ValidationError) -> str:
    problems = []
    for error in exc.errors()[:5]:
        where = ".".join(str(part) for part in error["loc"]) or "top level"
        problems.append(f"{where}: {error['msg']}")
    more = f" (and {exc.error_count() - 5} more)" if exc.error_count() > 5 else ""
    return (
        f"The site model {path} is malformed: {'; '.join(problems)}{more}. "
        "Fix these entries and load it again."
    )


def _check_files(site: SiteModel) -> None:
    for device in site.devices:
        for metric in device.metrics:
            source = metric.source
            if isinstance(source, RecordedSource):
                file = site.directory / source.file
                if not file.is_file():
                    raise SiteModelError(
                        f"Metric {metric.name} of {device.id} replays {file}, which "
                        "does not exist. Copy the recording there or fix its path."
                    )
