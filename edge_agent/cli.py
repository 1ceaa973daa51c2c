"""`medmind edge`: run the device agent, or show its local state.

`run` starts the MQTT sync (`edge_agent.sync`) after the agent when the settings have a
`[broker]` section, and stops it first on shutdown. `--voice` attaches `edge_agent.voice`'s loop
to the talk button.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from shared.signals import stop_on_termination

app = typer.Typer(help="The bedside device agent.", no_args_is_help=True)

ConfigOption = Annotated[
    Path | None, typer.Option("--config", help="TOML settings file (see edge.example.toml).")
]


def _start_voice(agent: Any) -> Callable[[], None] | None:
    """Attach the voice loop (settings from MEDMIND_VOICE_*); None if the voice extra is absent."""
    try:
        from edge_agent.voice.factory import build_voice_loop
        from edge_agent.voice.settings import VoiceSettings
    except ModuleNotFoundError as exc:
        logging.getLogger(__name__).warning("voice unavailable (%s): buttons only", exc)
        return None
    voice = build_voice_loop(agent, VoiceSettings())
    voice.attach()
    return voice.detach


@app.command()
def run(
    config: ConfigOption = None,
    voice: Annotated[
        bool, typer.Option(help="Listen on the talk button (edge_agent.voice, MEDMIND_VOICE_*).")
    ] = False,
    log_level: Annotated[str, typer.Option(help="Python logging level.")] = "INFO",
) -> None:
    """Run the agent on the real clock until SIGTERM or Ctrl-C."""
    from edge_agent.agent import Agent
    from edge_agent.clock import RealClock
    from edge_agent.config import load_settings
    from edge_agent.hardware import Hardware, make_pin_factory
    from edge_agent.speaker import build_speaker
    from edge_agent.sync.runner import start_sync

    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(name)s %(message)s")
    settings = load_settings(config)
    hardware = Hardware(
        settings.gpio,
        make_pin_factory(settings.gpio.pin_factory),
        settings.reminders.debounce_ms,
    )
    agent = Agent(
        settings, clock=RealClock(), speaker=build_speaker(settings.audio), hardware=hardware
    )

    stop_on_termination(agent.stop)
    agent.start()
    sync = None
    if settings.broker is None:
        logging.getLogger(__name__).info("no [broker] configured: running offline")
    else:
        sync = start_sync(agent, agent.store, settings.broker)
    stop_voice = _start_voice(agent) if voice else None
    try:
        agent.run_forever()
    finally:
        if stop_voice is not None:
            stop_voice()
        if sync is not None:
            sync.stop()
        agent.close()


@app.command()
def status(config: ConfigOption = None) -> None:
    """Print plan version, next doses, outbox depth and last sync from the local database."""
    from edge_agent.clock import RealClock
    from edge_agent.config import load_settings
    from edge_agent.status import describe_status
    from edge_agent.store import Store

    settings = load_settings(config)
    store = Store(
        settings.database_path,
        device_id=settings.device_id,
        clock=RealClock(),
        horizon_days=settings.horizon_days,
    )
    try:
        typer.echo(describe_status(store, settings))
    finally:
        store.close()
