"""One settings object for fieldpilot, read from `FIELDPILOT_*` variables and an
optional `fieldpilot.toml` in the working folder.

Every path that fieldpilot writes lives under `home` (`FIELDPILOT_HOME`), so tests
point it at a temporary folder and a site keeps all its state in one place.
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

DEFAULT_LOCAL_MODEL = "qwen2.5-coder-1.5b"


def default_home() -> Path:
    """The platform's user data folder for fieldpilot (XDG on Linux)."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "fieldpilot"


class Settings(BaseSettings):
    """Everything fieldpilot can be told; defaults run the offline demo site."""

    model_config = SettingsConfigDict(
        env_prefix="FIELDPILOT_", extra="forbid", toml_file="fieldpilot.toml"
    )

    home: Path = Field(default_factory=default_home)
    gateway_url: str | None = Field(
        default=None,
        description="URL of a site gateway; unset runs the demo site in process.",
    )
    site_dir: Path | None = Field(
        default=None, description="Site folder (site.yaml); unset means the demo."
    )
    local_model: str = DEFAULT_LOCAL_MODEL
    local_model_path: Path | None = Field(
        default=None, description="A GGUF file to use instead of the packaged one."
    )
    n_threads: int = Field(default_factory=lambda: os.cpu_count() or 2, ge=1)
    n_ctx: int = Field(default=4096, ge=1024)
    manuals_dir: Path | None = None
    chroma_url: str | None = Field(
        default=None,
        description="URL of a Chroma server holding the manuals' vectors, shared "
        "by sites; unset keeps them in an embedded folder under home.",
    )
    tool_budget: int = Field(
        default=8, ge=1, le=50, description="Tool calls one turn may make."
    )
    tool_timeout_s: float = Field(default=20.0, gt=0, le=600)
    comfort_min_c: float = Field(
        default=19.0, description="Setpoints below need a person's approval."
    )
    comfort_max_c: float = Field(
        default=25.0, description="Setpoints above need a person's approval."
    )
    confirm_group_above: int = Field(
        default=5, ge=1, description="Actions on more devices need approval."
    )
    database_url: SecretStr | None = Field(
        default=None,
        description="postgresql://... keeps conversations in PostgreSQL; unset "
        "keeps them in SQLite under home.",
    )
    cloud_url: str | None = Field(
        default=None,
        description="An OpenAI-compatible base URL (…/v1); unset means no cloud.",
    )
    cloud_model: str | None = Field(default=None, description="Model name to ask for.")
    cloud_api_key: SecretStr | None = Field(
        default=None, description="Sent as a bearer token; never logged."
    )
    cloud_timeout_s: float = Field(default=30.0, gt=0, le=600)
    cloud_schema_style: Literal["auto", "json_schema", "json_object", "tool"] = "auto"
    route: Literal["auto", "local", "cloud"] = Field(
        default="auto",
        description="auto: local first, the cloud for hard steps and as a fallback; "
        "local: never the cloud; cloud: the cloud first, local when it is down.",
    )
    fast_path: bool = Field(
        default=True, description="Match common device commands without a model."
    )
    cloud_private: bool = Field(
        default=False,
        description="Let steps about devices or rooms marked private go to the cloud.",
    )
    route_min_confidence: float = Field(
        default=0.6,
        ge=0,
        le=1,
        description="Local choices less sure than this go to the cloud.",
    )
    route_escalate_tasks: int = Field(
        default=3, ge=1, description="Requests of this many tasks plan in the cloud."
    )
    route_long_answers: Literal["cloud", "local"] = Field(
        default="cloud", description="Where manual answers are written."
    )
    route_latency_budget_s: float = Field(
        default=20.0, gt=0, description="Slower clouds get no hard steps."
    )
    cloud_budget_usd: float = Field(
        default=1.0, ge=0, description="Cloud spend one process may make."
    )
    cloud_usd_per_mtok_in: float = Field(default=0.15, ge=0)
    cloud_usd_per_mtok_out: float = Field(default=0.60, ge=0)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Arguments beat variables, variables beat `fieldpilot.toml`."""
        toml = TomlConfigSettingsSource(settings_cls)
        return (init_settings, env_settings, toml)

    @cached_property
    def models_dir(self) -> Path:
        """Where model files are assembled."""
        return self.home / "models"

    @property
    def site_db(self) -> Path:
        """The in-process demo site's state and audit database."""
        return self.home / "site.sqlite"

    @property
    def manuals_index_dir(self) -> Path:
        """The embedded ChromaDB folder of the manuals."""
        return self.home / "manuals-index"

    @property
    def workorders_db(self) -> Path:
        """The work-order database."""
        return self.home / "workorders.sqlite"

    @property
    def threads_db(self) -> Path:
        """The conversation checkpointer database (SQLite default)."""
        return self.home / "threads.sqlite"

    @property
    def memory_db(self) -> Path:
        """The long-term memory of episodes."""
        return self.home / "memory.sqlite"
