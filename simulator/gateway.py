"""The site gateway: an HTTP JSON API over the simulated site.

`create_app` builds a FastAPI app around a `SiteService` (site model + SQLite
store + telemetry replay). Every error answers `{"error": "<sentence>"}`: 404
for an unknown device or path, 422 for a refused command or bad arguments.

    GET  /api/health
    GET  /api/site                              name, now, floors, areas
    GET  /api/devices?type=&area=&floor=        device descriptions
    GET  /api/devices/{id}                      description + state + readings
    POST /api/devices/{id}/commands             {action, value?, unit?, actor?}
    GET  /api/devices/{id}/telemetry?metric=&start=&end=&max_points=
    GET  /api/devices/{id}/telemetry/summary?metric=&start=&end=
    GET  /api/clock, PUT /api/clock             {now?, speed?}
    GET  /api/audit?limit=&device=              newest first
    GET  /api/faults, PUT /api/faults           simulated faults (simulator/faults.py)

Times are ISO 8601 UTC with a trailing Z; a telemetry window defaults to the
24 hours up to the site clock's now.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

from simulator.commands import CommandRequest
from simulator.errors import CommandError
from simulator.faults import Faults
from simulator.model import DEMO_SITE_DIR, load_site
from simulator.service import SiteService

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api")


class ClockUpdate(BaseModel):
    """The body of PUT /api/clock: a new site time and/or speed."""

    model_config = ConfigDict(extra="forbid")

    now: str | None = None
    speed: float | None = Field(None, ge=0, le=10_000)


def create_app(
    site_dir: Path = DEMO_SITE_DIR,
    db_path: Path | None = None,
    now: datetime | None = None,
) -> FastAPI:
    """Build the gateway app for the site in `site_dir`, keeping state in `db_path`.

    `now`, when given, sets the site clock to that instant and freezes it.
    Without `db_path` the state lives in `default_db_path(site_dir)`.
    """
    site = load_site(site_dir)
    db_path = Path(db_path) if db_path else default_db_path(site_dir)
    handlers = {
        CommandError: _command_error,
        RequestValidationError: _validation_error,
        HTTPException: _http_error,
        Exception: _unexpected_error,
    }
    app = FastAPI(
        title=f"{site.name} gateway", version="1", exception_handlers=handlers
    )
    app.state.service = SiteService(site, db_path, now=now)
    app.middleware("http")(_injected_failure)
    app.include_router(router)
    logger.debug("gateway for %s on %s", site.name, db_path)
    return app


def default_db_path(site_dir: Path) -> Path:
    """`$FIELDPILOT_HOME/sites/<site folder name>.db` (home: ~/.fieldpilot)."""
    home = Path(os.environ.get("FIELDPILOT_HOME", "~/.fieldpilot")).expanduser()
    return home / "sites" / f"{Path(site_dir).name}.db"


def _service(request: Request) -> SiteService:
    return request.app.state.service


Service = Annotated[SiteService, Depends(_service)]


@router.get("/health")
def health(service: Service) -> dict[str, Any]:
    """Whether the gateway is up, and the site it serves."""
    return {
        "status": "ok",
        "site": service.site.name,
        "now": service.site_info()["now"],
    }


@router.get("/site")
def site(service: Service) -> dict[str, Any]:
    """The site's name, clock time, floors and areas."""
    return service.site_info()


@router.get("/devices")
def devices(
    service: Service,
    device_type: Annotated[str | None, Query(alias="type")] = None,
    area: str | None = None,
    floor: str | None = None,
) -> list[dict[str, Any]]:
    """Devices filtered by type, area (id, name or alias) and floor (id or name)."""
    return service.devices(type=device_type, area=area, floor=floor)


@router.get("/devices/{device_id}")
def device(service: Service, device_id: str) -> dict[str, Any]:
    """One device with its state and the current reading of each metric."""
    return service.device(device_id)


@router.post("/devices/{device_id}/commands")
def command(service: Service, device_id: str, body: CommandRequest) -> dict[str, Any]:
    """Check and apply a command; refused ones answer 404/422 and are audited."""
    return service.command(device_id, body)


@router.get("/devices/{device_id}/telemetry")
def telemetry(
    service: Service,
    device_id: str,
    metric: str | None = None,
    start: str | None = None,
    end: str | None = None,
    max_points: Annotated[int | None, Query(ge=1, le=100_000)] = None,
) -> JSONResponse:
    """Samples of a metric as [[iso_ts, value], ...], bucket means if max_points."""
    body = service.telemetry(device_id, metric, start, end, max_points)
    return JSONResponse(body)


@router.get("/devices/{device_id}/telemetry/summary")
def telemetry_summary(
    service: Service,
    device_id: str,
    metric: str | None = None,
    start: str | None = None,
    end: str | None = None,
) -> dict[str, Any]:
    """Statistics of a metric over a window, with alarm counts and robust z-score."""
    return service.summary(device_id, metric, start, end)


@router.get("/clock")
def clock(service: Service) -> dict[str, Any]:
    """The site clock."""
    return service.clock()


@router.put("/clock")
def set_clock(service: Service, body: ClockUpdate) -> dict[str, Any]:
    """Move the site clock (the replay point) and/or change its speed."""
    return service.set_clock(body.now, body.speed)


@router.get("/audit")
def audit(
    service: Service,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 50,
    device: str | None = None,
) -> list[dict[str, Any]]:
    """The newest audit entries first, optionally for one device."""
    return service.audit(limit, device)


@router.get("/faults")
def faults(service: Service) -> dict[str, Any]:
    """The simulated faults switched on now."""
    return service.faults.model_dump()


@router.put("/faults")
def set_faults(service: Service, body: Faults) -> dict[str, Any]:
    """Switch simulated faults on (or off, with the defaults)."""
    service.faults = body
    logger.warning("simulated faults now: %s", body.model_dump())
    return body.model_dump()


async def _injected_failure(request: Request, call_next: Any) -> Any:
    """Answer with the configured 5xx while `fail_next` lasts (not /api/faults)."""
    faults = request.app.state.service.faults
    if faults.fail_next > 0 and request.url.path != "/api/faults":
        faults.fail_next -= 1
        sentence = f"simulated fault: {request.url.path} is unavailable, try again."
        return JSONResponse({"error": sentence}, status_code=faults.status)
    return await call_next(request)


async def _command_error(request: Request, exc: CommandError) -> JSONResponse:
    return JSONResponse({"error": exc.sentence}, status_code=exc.status)


async def _validation_error(
    request: Request, exc: RequestValidationError
) -> JSONResponse:
    problems = []
    for error in exc.errors()[:3]:
        place, *rest = [str(part) for part in error.get("loc", ())] or ["request"]
        field = ".".join(rest) or place
        where = "the request body" if place == "body" and not rest else field
        got = f" (got {error['input']!r})" if "input" in error and rest else ""
        problems.append(f"{where}: {error['msg'].rstrip('.')}{got}")
    sentence = (
        f"The request to {request.url.path} is invalid: {'; '.join(problems)}. "
        "Fix it and send it again."
    )
    return JSONResponse({"error": sentence}, status_code=422)


async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
    if exc.status_code == 404:
        sentence = (
            f"There is no {request.method} {request.url.path} on this gateway; "
            "its API lives under /api (try GET /api/devices)."
        )
    else:
        sentence = f"{exc.detail} for {request.method} {request.url.path}."
    return JSONResponse({"error": sentence}, status_code=exc.status_code)


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("gateway failed on %s %s", request.method, request.url.path)
    sentence = (
        f"The gateway failed on {request.method} {request.url.path} "
        f"({type(exc).__name__}: {exc}); see the gateway log."
    )
    return JSONResponse({"error": sentence}, status_code=500)
