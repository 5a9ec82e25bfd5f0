"""Errors the agent raises for people; each message says what to do next.

FieldpilotError
├── ConfigError        a setting is wrong or missing
├── ModelError         a model file is missing, corrupt or fails to load
│   └── EndpointError  a cloud endpoint is down, slow or answers malformed
└── SetupError         `fieldpilot setup` could not finish
"""


class FieldpilotError(Exception):
    """Base of every error fieldpilot's agent raises for a person to read."""


class ConfigError(FieldpilotError):
    """A setting is wrong or missing."""


class ModelError(FieldpilotError):
    """A model file is missing, corrupt or fails to load."""


class EndpointError(ModelError):
    """A model endpoint did not answer, answered late, or answered malformed.

    `transient` is True for failures worth trying elsewhere and counting against
    the endpoint's health (no answer, timeout, 429, 5xx, malformed output).
    """

    def __init__(
        self, message: str, transient: bool = True, status: int | None = None
    ) -> None:
        super().__init__(message)
        self.transient = transient
        self.status = status


class SetupError(FieldpilotError):
    """A set-up step (model download, manual indexing) could not finish."""
