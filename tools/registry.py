"""The tool box: every tool's name, argument schema, risk class and function, and
one `call` that turns any failure into a ToolResult the agent can act on.

A bad argument (a malformed tool call from a model) never reaches a device: the
pydantic schema refuses it first with a sentence naming the field.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ValidationError

from tools import devices, telemetry, workorders
from tools.base import ToolResult
from tools.errors import GatewayError, ToolError
from tools.gateway import GatewayClient
from tools.manuals import SearchManualsArgs, search_manuals
from tools.workorders import WorkOrderStore

log = logging.getLogger(__name__)


class Risk(StrEnum):
    """What a tool can do to the world."""

    READ = "read"
    REVERSIBLE = "reversible"
    CRITICAL = "critical"


@dataclass(frozen=True)
class ToolSpec:
    """A tool as the planner sees it."""

    name: str
    description: str
    args: type[BaseModel]
    risk: Risk


SPECS: dict[str, ToolSpec] = {
    s.name: s
    for s in (
        ToolSpec(
            "find_devices",
            "List devices by name, type, area or floor.",
            devices.FindDevicesArgs,
            Risk.READ,
        ),
        ToolSpec(
            "read_state",
            "Read the current state of devices (on/off, "
            "setpoint, temperature, position, readings).",
            devices.ReadStateArgs,
            Risk.READ,
        ),
        ToolSpec(
            "query_telemetry",
            "Statistics and an anomaly flag for a metric "
            "of devices over the last hours.",
            telemetry.QueryTelemetryArgs,
            Risk.READ,
        ),
        ToolSpec(
            "search_manuals",
            "Find the procedure or explanation in the equipment manuals.",
            SearchManualsArgs,
            Risk.READ,
        ),
        ToolSpec(
            "list_work_orders",
            "List work orders.",
            workorders.ListWorkOrdersArgs,
            Risk.READ,
        ),
        ToolSpec(
            "set_setpoint",
            "Set, raise or lower temperature setpoints.",
            devices.SetSetpointArgs,
            Risk.REVERSIBLE,
        ),
        ToolSpec(
            "switch", "Turn devices on or off.", devices.SwitchArgs, Risk.REVERSIBLE
        ),
        ToolSpec(
            "set_position",
            "Open or close valves to a percentage.",
            devices.SetPositionArgs,
            Risk.REVERSIBLE,
        ),
        ToolSpec(
            "open_work_order",
            "Open a maintenance work order for a device.",
            workorders.OpenWorkOrderArgs,
            Risk.REVERSIBLE,
        ),
    )
}


ACTIONS: dict[str, Any] = {
    "set_setpoint": "set_setpoint",
    "set_position": "set_position",
    "switch": lambda args: "turn_on" if args.on else "turn_off",
}


def validation_message(name: str, exc: ValidationError) -> str:
    """One sentence per bad field, for the model to correct its call."""
    problems = "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or 'arguments'}: {err['msg']}"
        for err in exc.errors()
    )
    return f"Invalid arguments for {name}: {problems}."


class Toolbox:
    """The tools bound to one site gateway, manual index and work-order store."""

    def __init__(
        self,
        gateway: GatewayClient,
        manuals: Any | None = None,
        work_orders: WorkOrderStore | None = None,
    ) -> None:
        self.gateway = gateway
        self.manuals = manuals
        self.work_orders = work_orders
        self._functions: dict[str, Callable[[Any], ToolResult]] = {
            "find_devices": lambda a: devices.find_devices(gateway, a),
            "read_state": lambda a: devices.read_state(gateway, a),
            "set_setpoint": lambda a: devices.set_setpoint(gateway, a),
            "switch": lambda a: devices.switch(gateway, a),
            "set_position": lambda a: devices.set_position(gateway, a),
            "query_telemetry": lambda a: telemetry.query_telemetry(gateway, a),
            "search_manuals": self._search_manuals,
            "open_work_order": self._open_work_order,
            "list_work_orders": self._list_work_orders,
        }

    def _search_manuals(self, args: SearchManualsArgs) -> ToolResult:
        if self.manuals is None:
            return ToolResult.failure(
                "The manuals are not indexed yet: run `fieldpilot ingest PATH`."
            )
        return search_manuals(self.manuals, self.gateway, args)

    def _open_work_order(self, args: workorders.OpenWorkOrderArgs) -> ToolResult:
        if self.work_orders is None:
            return ToolResult.failure("This site has no work-order store configured.")
        known = {d["id"] for d in self.gateway.devices()}
        return workorders.open_work_order(self.work_orders, known, args)

    def _list_work_orders(self, args: workorders.ListWorkOrdersArgs) -> ToolResult:
        if self.work_orders is None:
            return ToolResult.failure("This site has no work-order store configured.")
        return workorders.list_work_orders(self.work_orders, args)

    def _run(self, name: str, args: BaseModel, timeout: float | None) -> ToolResult:
        """Run a tool function, in a worker thread when it has a time limit."""
        if timeout is None:
            return self._functions[name](args)
        worker = ThreadPoolExecutor(1, thread_name_prefix=f"tool-{name}")
        try:
            return worker.submit(self._functions[name], args).result(timeout)
        finally:
            worker.shutdown(wait=False)

    def targets(
        self, name: str, arguments: dict[str, Any], strict: bool = False
    ) -> list[str]:
        """The ids of the devices an action call would change (none if invalid).

        With `strict`, a gateway that fails while they are looked up raises
        `GatewayError` instead of giving none: a guard must not read a failure
        as "no devices".
        """
        spec = SPECS.get(name)
        if spec is None or "target" not in spec.args.model_fields:
            return []
        try:
            args = spec.args.model_validate(arguments)
        except ValidationError:
            return []
        action = ACTIONS.get(name)
        if callable(action):
            action = action(args)
        try:
            return [d["id"] for d in devices.resolve(self.gateway, args.target, action)]
        except GatewayError:
            if strict:
                raise
            return []
        except ToolError:
            return []

    def call(
        self, name: str, arguments: dict[str, Any], timeout: float | None = None
    ) -> ToolResult:
        """Validate and run one tool call; every failure comes back as a result.

        With `timeout` (seconds), a call still running then is reported as failed;
        it may yet finish, so the answer tells the person to check before retrying.
        """
        spec = SPECS.get(name)
        if spec is None:
            return ToolResult.failure(
                f"Unknown tool {name!r}; available tools: {', '.join(SPECS)}."
            )
        try:
            args = spec.args.model_validate(arguments)
        except ValidationError as exc:
            return ToolResult.failure(validation_message(name, exc))

        started = time.perf_counter()
        try:
            result = self._run(name, args, timeout)
        except FutureTimeout:
            result = ToolResult.failure(
                f"{name} did not finish within {timeout:g} s; it may still complete, "
                "so check the device state before trying again."
            )
        except ToolError as exc:
            result = ToolResult.failure(str(exc))
        except Exception as exc:  # a failing tool never ends the agent's turn
            log.exception("%s failed", name)
            result = ToolResult.failure(f"{name} failed unexpectedly: {exc}")
        log.debug(
            "%s(%s) -> ok=%s in %.3f s",
            name,
            arguments,
            result.ok,
            time.perf_counter() - started,
        )
        return result
