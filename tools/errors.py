"""Errors the tools raise for people; each message says what went wrong and what to do.

    ToolError
    ├── GatewayError       the site gateway is unreachable, timed out or failed (5xx)
    ├── DeviceNotFound     the gateway knows no such device (404)
    └── CommandRejected    the gateway refused a command or a query's arguments (422)

A tool turns these into a `ToolResult.failure(str(exc))` for the model.
"""

from __future__ import annotations


class ToolError(Exception):
    """Base class of every error a tool raises on purpose."""


class GatewayError(ToolError):
    """The gateway could not be reached, did not answer in time, or failed."""

    def __init__(
        self, message: str, url: str | None = None, transient: bool = False
    ) -> None:
        super().__init__(message)
        self.url = url
        self.transient = transient


class DeviceNotFound(ToolError):
    """The gateway has no device with the id asked for; the message suggests ids."""

    def __init__(self, message: str, device_id: str | None = None) -> None:
        super().__init__(message)
        self.device_id = device_id


class CommandRejected(ToolError):
    """The gateway refused the request; `sentence` is its reason, word for word."""

    def __init__(self, sentence: str, status_code: int = 422) -> None:
        super().__init__(sentence)
        self.sentence = sentence
        self.status_code = status_code
