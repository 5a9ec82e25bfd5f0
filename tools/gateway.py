"""A synchronous HTTP client for a site gateway (the simulator's or a real site's).

This is the one place where httpx errors become fieldpilot errors: transport
failures, timeouts and 5xx answers raise `GatewayError`, 404 raises
`DeviceNotFound` and 422 (or another 4xx) raises `CommandRejected` carrying the
gateway's own sentence. Answers are the gateway's JSON, as dicts and lists.

    with GatewayClient("http://127.0.0.1:8765") as gateway:
        gateway.command("HVAC-3A", "set_setpoint", 21.5, "°C")
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx

from tools.errors import CommandRejected, DeviceNotFound, GatewayError

logger = logging.getLogger(__name__)

TimeArg = datetime | str | None
"""A time for a query: an aware or naive (taken as UTC) datetime, or ISO 8601 text."""

RETRY_DELAY_S = 0.2
TRANSIENT_STATUS = {502, 503, 504}

_HINT = (
    "Start it with `fieldpilot site serve` or set FIELDPILOT_GATEWAY_URL to its URL."
)


class GatewayClient:
    """Talk to a site gateway over HTTP; one client may be reused for many calls.

    The site model (`site()` and the unfiltered `devices()`: names, places,
    actions, limits; no state) is kept for `model_ttl_s` seconds, so one
    request that resolves names, guards and verifies asks for it once. Device
    state (`device()`) is always read from the gateway.
    """

    def __init__(
        self,
        base_url: str,
        timeout: float = 10.0,
        retries: int = 2,
        model_ttl_s: float = 5.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retries = retries
        self.model_ttl_s = model_ttl_s
        self._client = httpx.Client(base_url=self.base_url, timeout=timeout)
        self._model: dict[str, tuple[float, Any]] = {}

    def site(self) -> dict[str, Any]:
        """The site's name, floors and areas (and its clock time when read: up to
        `model_ttl_s` old; `clock()` reads the time itself)."""
        return self._site_model("/api/site")

    def forget_site_model(self) -> None:
        """Read the site model from the gateway again on the next call."""
        self._model.clear()

    def _site_model(self, path: str) -> Any:
        """A part of the site model, from the gateway at most every `model_ttl_s`."""
        now = time.monotonic()
        kept = self._model.get(path)
        if kept is None or now - kept[0] >= self.model_ttl_s:
            kept = (now, self._request("GET", path))
            self._model[path] = kept
        # Copies one level deep: callers add keys to device records (area
        # aliases), never change the nested lists.
        model = kept[1]
        if isinstance(model, list):
            return [dict(item) if isinstance(item, dict) else item for item in model]
        return dict(model) if isinstance(model, dict) else model

    def devices(
        self,
        type: str | None = None,
        area: str | None = None,
        floor: str | int | None = None,
    ) -> list[dict[str, Any]]:
        """Device descriptions, filtered by type, area (id/name/alias) and floor."""
        if type is None and area is None and floor is None:
            return self._site_model("/api/devices")
        params = {"type": type, "area": area, "floor": floor}
        return self._request("GET", "/api/devices", params=params)

    def device(self, device_id: str) -> dict[str, Any]:
        """One device with its `state` (stored state plus current metric readings)."""
        return self._request("GET", _device_path(device_id), device_id=device_id)

    def command(
        self,
        device_id: str,
        action: str,
        value: float | None = None,
        unit: str | None = None,
        actor: str = "fieldpilot",
    ) -> dict[str, Any]:
        """Send a command; returns {ok, device, action, before, after, audit_id}."""
        body = {"action": action, "value": value, "unit": unit, "actor": actor}
        logger.info(
            "command %s %s%s to %s at %s",
            action,
            "" if value is None else value,
            f" {unit}" if unit else "",
            device_id,
            self.base_url,
        )
        path = f"{_device_path(device_id)}/commands"
        return self._request("POST", path, json=body, device_id=device_id)

    def telemetry(
        self,
        device_id: str,
        metric: str,
        start: TimeArg = None,
        end: TimeArg = None,
        max_points: int | None = None,
    ) -> dict[str, Any]:
        """Samples {device, metric, unit, points: [[iso_ts, value]]} in a window."""
        params = {
            "metric": metric,
            "start": _iso(start),
            "end": _iso(end),
            "max_points": max_points,
        }
        path = f"{_device_path(device_id)}/telemetry"
        return self._request("GET", path, params=params, device_id=device_id)

    def telemetry_summary(
        self, device_id: str, metric: str, start: TimeArg = None, end: TimeArg = None
    ) -> dict[str, Any]:
        """Statistics of a metric over a window (default: the last 24 hours)."""
        params = {"metric": metric, "start": _iso(start), "end": _iso(end)}
        path = f"{_device_path(device_id)}/telemetry/summary"
        return self._request("GET", path, params=params, device_id=device_id)

    def clock(self) -> dict[str, Any]:
        """The site clock {now, speed, set_at}."""
        return self._request("GET", "/api/clock")

    def set_clock(self, now: TimeArg, speed: float | None = None) -> dict[str, Any]:
        """Move the site clock to `now` and/or change its speed."""
        body = {"now": _iso(now), "speed": speed}
        return self._request("PUT", "/api/clock", json=body)

    def audit(self, limit: int = 50, device: str | None = None) -> list[dict[str, Any]]:
        """The newest audit entries first, optionally for one device."""
        return self._request(
            "GET", "/api/audit", params={"limit": limit, "device": device}
        )

    def simulate_faults(self, **faults: Any) -> dict[str, Any]:
        """Switch on faults in a simulated gateway (`simulator/faults.py`); a real
        gateway answers 404."""
        return self._request("PUT", "/api/faults", json=faults)

    def close(self) -> None:
        """Close the underlying connections."""
        self._model.clear()
        self._client.close()

    def __enter__(self) -> GatewayClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        device_id: str | None = None,
    ) -> Any:
        """Send with retries on transient failures (no answer, 502/503/504).

        Every request is safe to repeat: reads, and commands that carry an
        absolute value (a relative change is turned into one before it is sent).
        """
        attempt = 0
        while True:
            try:
                return self._send(method, path, params, json, device_id)
            except GatewayError as exc:
                if not exc.transient or attempt >= self.retries:
                    raise
                logger.warning("retrying %s %s after: %s", method, path, exc)
                time.sleep(RETRY_DELAY_S * 2**attempt)
                attempt += 1

    def _send(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None,
        json: dict[str, Any] | None,
        device_id: str | None,
    ) -> Any:
        url = f"{self.base_url}{path}"
        query = {k: v for k, v in (params or {}).items() if v is not None}
        try:
            response = self._client.request(method, path, params=query, json=json)
        except httpx.TimeoutException as exc:
            raise GatewayError(
                f"The site gateway at {url} did not answer within {self.timeout:g} s. "
                "Check that `fieldpilot site serve` is running and not overloaded, "
                "or set FIELDPILOT_GATEWAY_URL to another gateway.",
                url=url,
                transient=True,
            ) from exc
        except httpx.HTTPError as exc:
            raise GatewayError(
                f"Cannot reach the site gateway at {url} ({exc}). {_HINT}",
                url=url,
                transient=True,
            ) from exc
        logger.debug("%s %s -> %d", method, url, response.status_code)
        return _answer(response, url, device_id)


def _answer(response: httpx.Response, url: str, device_id: str | None) -> Any:
    try:
        body = response.json()
    except ValueError as exc:
        raise GatewayError(
            f"The site gateway at {url} answered {response.status_code} with "
            f"something other than JSON. Check that {url} is a fieldpilot gateway.",
            url=url,
        ) from exc
    if response.is_success:
        return body

    sentence = body.get("error") if isinstance(body, dict) else None
    sentence = sentence or f"The gateway answered {response.status_code}."
    if response.status_code == 404:
        raise DeviceNotFound(sentence, device_id=device_id)
    if response.status_code >= 500:
        raise GatewayError(
            f"The site gateway at {url} failed ({response.status_code}): {sentence}",
            url=url,
            transient=response.status_code in TRANSIENT_STATUS,
        )
    raise CommandRejected(sentence, status_code=response.status_code)


def _device_path(device_id: str) -> str:
    return f"/api/devices/{quote(device_id, safe='')}"


def _iso(value: TimeArg) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
