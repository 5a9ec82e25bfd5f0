"""Errors the agent raises for people; each message says what to do next.

FieldpilotError
├── ConfigError        a setting is wrong or missing
├── ModelError         a model file is missing, corrupt or fails to load
└── SetupError         `fieldpilot setup` could not finish
"""


class FieldpilotError(Exception):
    """Base of every error fieldpilot's agent raises for a person to read."""


class ConfigError(FieldpilotError):
    """A setting is wrong or missing."""


class ModelError(FieldpilotError):
    """A model file is missing, corrupt or fails to load."""


class SetupError(FieldpilotError):
    """A set-up step (model download, manual indexing) could not finish."""
