"""Errors raised by the simulated site, each a sentence that says what to do next.

SimulatorError
├── SiteModelError     the site YAML (or a file it names) cannot be used
└── CommandError       a device command was refused; carries the HTTP status
"""

from __future__ import annotations


class SimulatorError(Exception):
    """Base class for every error the simulator raises on purpose."""


class SiteModelError(SimulatorError):
    """The site model is malformed: a YAML error, a missing field, a bad reference."""


class CommandError(SimulatorError):
    """A request to the gateway was refused; `status` is the HTTP status to answer."""

    def __init__(self, sentence: str, status: int = 422) -> None:
        super().__init__(sentence)
        self.sentence = sentence
        self.status = status
