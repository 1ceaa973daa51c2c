"""The `medmind` command: one group per part, each added only when its extra is installed.

Part groups live beside their code (`edge_agent.cli`, `cloud.cli`, `firmware_sim.cli`, ...) and
import their heavy libraries inside the commands, so `medmind --help` stays fast on a device.
"""

from __future__ import annotations

import importlib
import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from shared.envelope import json_schemas
from shared.plan import MedicationPlan
from shared.schedule import expand_plan

app = typer.Typer(help="MedMind: edge-first medication adherence.", no_args_is_help=True)
protocol_app = typer.Typer(help="The wire contract.", no_args_is_help=True)
schedule_app = typer.Typer(
    help="Medication plans and their dose occurrences.", no_args_is_help=True
)
app.add_typer(protocol_app, name="protocol")
app.add_typer(schedule_app, name="schedule")

# (module, attribute, group name): groups whose module cannot be imported are left out, so a
# device install without the cloud extra simply has no `cloud` group.
PART_GROUPS: tuple[tuple[str, str, str], ...] = (
    ("edge_agent.cli", "app", "edge"),
    ("edge_agent.voice.cli", "app", "voice"),
    ("cloud.cli", "app", "cloud"),
    ("cloud.db.cli", "app", "db"),
    ("firmware_sim.cli", "app", "sim"),
    ("firmware_sim.cli", "demo_app", "demo"),
)
OWN_PACKAGES = frozenset({"shared", "edge_agent", "cloud", "firmware_sim"})


@protocol_app.command("schema")
def protocol_schema(
    out_dir: Annotated[
        Path | None, typer.Option(help="Write one <kind>.json per kind here instead of stdout.")
    ] = None,
) -> None:
    """Print the JSON Schema of every message kind (generated from the shared models)."""
    schemas = json_schemas()
    if out_dir is None:
        typer.echo(json.dumps(schemas, indent=2, sort_keys=True))
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    for kind, schema in schemas.items():
        (out_dir / f"{kind}.json").write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")
    typer.echo(f"wrote {len(schemas)} schemas to {out_dir}")


@schedule_app.command("expand")
def schedule_expand(
    plan_file: Annotated[
        Path, typer.Argument(help="A plan as JSON (the `plan` message body's plan).")
    ],
    from_date: Annotated[str, typer.Option("--from", help="First local date, YYYY-MM-DD.")],
    to_date: Annotated[str, typer.Option("--to", help="Last local date, YYYY-MM-DD.")],
) -> None:
    """Print the plan's dose occurrences between two local dates as JSON lines."""
    try:
        plan = MedicationPlan.model_validate_json(plan_file.read_bytes())
        start, end = date.fromisoformat(from_date), date.fromisoformat(to_date)
        occurrences = expand_plan(plan, start, end)
    except FileNotFoundError:
        raise typer.BadParameter(f"no such file: {plan_file}") from None
    except ValidationError as exc:
        typer.echo(f"invalid plan {plan_file}:\n{exc}", err=True)
        raise typer.Exit(2) from None
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    for occurrence in occurrences:
        sys.stdout.write(occurrence.model_dump_json() + "\n")


_added_groups: set[str] = set()


def _add_part_groups() -> None:
    """Add every installed part's group once (calling it again adds nothing)."""
    for module_name, attribute, name in PART_GROUPS:
        if name in _added_groups:
            continue
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            # Only a missing optional dependency or part hides the group; a bug must show.
            missing = exc.name or ""
            if module_name.startswith(missing) or missing.split(".")[0] not in OWN_PACKAGES:
                continue
            raise
        app.add_typer(getattr(module, attribute), name=name)
        _added_groups.add(name)


def main() -> None:
    """Entry point of the `medmind` console script."""
    _add_part_groups()
    app()
