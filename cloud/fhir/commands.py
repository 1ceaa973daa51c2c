"""`medmind cloud fhir ...`: the FHIR interface from the command line."""

from __future__ import annotations

import json
import uuid
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="FHIR R4: bulk export of a patient's record.", no_args_is_help=True)


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date (YYYY-MM-DD)") from None


@app.command()
def export(
    patient: Annotated[str, typer.Option("--patient", help="The patient's id.")],
    out: Annotated[Path, typer.Option("--out", help="Directory for the NDJSON files.")],
    date_from: Annotated[
        str | None, typer.Option("--from", help="First local date (YYYY-MM-DD).")
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="Last local date (YYYY-MM-DD).")
    ] = None,
) -> None:
    """Write one NDJSON file per resource type (FHIR Bulk Data shape) and a manifest."""
    from cloud.clock import utc_now
    from cloud.config import get_settings
    from cloud.db.engine import make_engine, make_session_factory
    from cloud.errors import NotFoundError
    from cloud.fhir.export import export_patient

    try:
        patient_id = uuid.UUID(patient)
    except ValueError:
        raise typer.BadParameter(f"{patient!r} is not a patient id") from None
    start, end = _day(date_from), _day(date_to)
    engine = make_engine(get_settings())
    try:
        with make_session_factory(engine)() as db:
            written = export_patient(db, patient_id, out, now=utc_now(), start=start, end=end)
    except NotFoundError:
        raise typer.BadParameter(f"there is no patient {patient_id}") from None
    finally:
        engine.dispose()
    typer.echo(json.dumps(written.counts))
