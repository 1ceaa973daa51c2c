"""Typed settings of the device, from a TOML file (`--config edge.toml`) and the environment.

Environment variables win over the file: `MEDMIND_EDGE_DEVICE_ID`, and nested fields with a double
underscore, e.g. `MEDMIND_EDGE_BROKER__BROKER_URL` or `MEDMIND_EDGE_REMINDERS__SNOOZE_MINUTES`.
"""

from __future__ import annotations

import re
import tomllib
from datetime import datetime, time
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from edge_agent.sync.settings import SyncSettings
from shared.topics import DEVICE_ID_PATTERN

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class ReminderPolicy(BaseModel):
    """How the device reminds, and what the buttons mean."""

    remind_every_minutes: Annotated[float, Field(gt=0, le=240)] = 10
    snooze_minutes: Annotated[float, Field(gt=0, le=240)] = 10
    max_snoozes: Annotated[int, Field(ge=0, le=20)] = 3
    early_take_minutes: Annotated[float, Field(ge=0, le=240)] = Field(
        default=15, description="A taken press this long before a dose is due counts for it."
    )
    skip_hold_s: Annotated[float, Field(gt=0, le=30)] = Field(
        default=2.0, description="Holding snooze this long skips the due doses."
    )
    help_hold_s: Annotated[float, Field(gt=0, le=30)] = Field(
        default=3.0, description="Holding talk this long calls for help (emergency alert)."
    )
    as_needed_hold_s: Annotated[float, Field(gt=0, le=30)] = Field(
        default=2.0, description="Holding taken this long opens the as-needed menu."
    )
    menu_timeout_s: Annotated[float, Field(gt=0, le=120)] = 15.0
    debounce_ms: Annotated[int, Field(ge=0, le=1000)] = 50


class GpioSettings(BaseModel):
    """BCM pin numbers of the buttons, the status LED and the buzzer."""

    pin_factory: Literal["auto", "lgpio", "mock"] = Field(
        default="auto", description="'mock' runs on gpiozero's MockFactory (no hardware)."
    )
    taken_pin: int = 17
    snooze_pin: int = 27
    talk_pin: int = 22
    help_pin: int | None = None
    led_pin: int | None = Field(
        default=None, description="A single status LED; when set, rgb_pins is ignored."
    )
    rgb_pins: tuple[int, int, int] | None = (5, 6, 13)
    buzzer_pin: int | None = 18

    @model_validator(mode="after")
    def _one_led(self) -> GpioSettings:
        if self.led_pin is not None:
            self.rgb_pins = None
        return self


class AudioSettings(BaseModel):
    """Speech output (and the microphone the voice part uses)."""

    tts_engine: Literal["espeak-ng", "piper"] = "espeak-ng"
    piper_model: Path | None = None
    espeak_voice: str = "en"
    words_per_minute: Annotated[int, Field(ge=80, le=300)] = 150
    output_device: str | None = Field(default=None, description="aplay -D device; None: default.")
    input_device: str | None = None
    volume: Annotated[int, Field(ge=0, le=100)] = 80
    quiet_volume: Annotated[int, Field(ge=0, le=100)] = 30
    quiet_start: str = "21:30"
    quiet_end: str = "07:00"

    @field_validator("quiet_start", "quiet_end")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        if not _HHMM.match(value):
            raise ValueError(f'{value!r} must be "HH:MM"')
        return value

    def is_quiet(self, local: time) -> bool:
        """Whether a local wall time falls in quiet hours (the range may cross midnight)."""
        start, end = time.fromisoformat(self.quiet_start), time.fromisoformat(self.quiet_end)
        if start <= end:
            return start <= local < end
        return local >= start or local < end


class EdgeSettings(BaseSettings):
    """Everything the device needs to run."""

    model_config = SettingsConfigDict(
        env_prefix="MEDMIND_EDGE_", env_nested_delimiter="__", extra="forbid"
    )

    device_id: Annotated[str, Field(pattern=DEVICE_ID_PATTERN)] = "device-1"
    timezone: str = Field(
        default="UTC", description="Patient's IANA zone, used until a plan brings its own."
    )
    data_dir: Path = Path("var/edge")
    horizon_days: Annotated[int, Field(ge=1, le=60)] = 7
    clock_floor: datetime = Field(
        default=datetime.fromisoformat("2026-01-01T00:00:00+00:00"),
        description="A wall clock before this (or before the last time seen) is not synced.",
    )
    reminders: ReminderPolicy = Field(default_factory=ReminderPolicy)
    gpio: GpioSettings = Field(default_factory=GpioSettings)
    audio: AudioSettings = Field(default_factory=AudioSettings)
    broker: SyncSettings | None = Field(
        default=None, description="The MQTT sync (edge_agent.sync); None runs the device offline."
    )

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {value!r}") from None
        return value

    @property
    def database_path(self) -> Path:
        return self.data_dir / "edge.sqlite3"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The TOML file arrives as init values; the environment overrides it.
        return (env_settings, init_settings, dotenv_settings, file_secret_settings)


def load_settings(path: Path | None = None, **overrides: Any) -> EdgeSettings:
    """Settings from a TOML file (if given) overlaid by the environment, then `overrides`."""
    values: dict[str, Any] = {}
    if path is not None:
        with path.open("rb") as handle:
            values = tomllib.load(handle)
    settings = EdgeSettings(**values)
    return settings.model_copy(update=overrides) if overrides else settings
